/**
 * The register as a CSV file: the one format IT managers keep it in, import it from and export it to.
 *
 * Import contract: UTF-8 (a BOM is tolerated), comma-separated, RFC 4180 quoting, header names
 * case-insensitive. A file with any invalid row imports nothing; every bad row is reported with the
 * physical line it starts on (the header is line 1) and every problem found on it.
 *
 * Pure: no I/O, no clock. Never throws on any input; problems come back as `RowError`s.
 *
 * This module is the entry point: it reads a file into accepted rows or row errors. The pieces live under
 * register-csv/: the columns, the CSV reading and line numbering (read.ts), the header and row checks (row.ts), the
 * characters a cell may not hold (characters.ts), formula neutralising (formula.ts) and the export (write.ts).
 */
import type { AccountFields } from './model.ts';
import { REQUIRED_COLUMNS } from './register-csv/columns.ts';
import { firstNonUtf8Line, locate, readEvents, syntaxReason, toBuffer } from './register-csv/read.ts';
import { checkRow, isBlank, readHeader, type Header } from './register-csv/row.ts';

export { REGISTER_COLUMNS, type Column as RegisterColumn } from './register-csv/columns.ts';
export { registerRecord, registerToCsv } from './register-csv/write.ts';
export { checkRecord, type RowCheck } from './register-csv/row.ts';
export { protectCell } from './register-csv/formula.ts';

export interface RowError {
  /** 1-based physical line where the record starts (header is line 1). */
  line: number;
  reason: string;
}

export type ParseResult =
  | { ok: true; rows: Array<AccountFields & { line: number }> }
  | { ok: false; errors: RowError[] };

/** Renders errors the way people read them: `line 4: admins: "j.smith@school" is not an email address`. */
export function formatRowErrors(errors: readonly RowError[]): string {
  return errors.map((e) => `line ${e.line}: ${e.reason}`).join('\n');
}

function parseUnsafe(text: string | Buffer): ParseResult {
  const buf = toBuffer(text);
  if ((buf[0] === 0xff && buf[1] === 0xfe) || (buf[0] === 0xfe && buf[1] === 0xff)) {
    return { ok: false, errors: [{ line: 1, reason: 'the file is UTF-16; save it as "CSV UTF-8"' }] };
  }
  const badLine = firstNonUtf8Line(buf);
  if (badLine !== undefined) {
    return { ok: false, errors: [{ line: badLine, reason: 'the file is not UTF-8 text here; save it as "CSV UTF-8"' }] };
  }
  const located = locate(buf, readEvents(buf));

  const errors: RowError[] = [];
  const rows: Array<AccountFields & { line: number }> = [];
  const firstLineOf = new Map<string, number>();
  const erroredLines = new Set<number>();
  const fail = (line: number, reason: string): void => {
    if (erroredLines.has(line)) return; // one syntax problem can be reported more than once by the parser
    erroredLines.add(line);
    errors.push({ line, reason });
  };

  let header: Header | undefined;
  let width = 0;
  for (const { line, event } of located) {
    if (event.kind === 'syntax') {
      fail(line, syntaxReason(event.code, event.message));
      if (header === undefined) break; // without a header nothing after it can be read
      continue;
    }
    if (isBlank(event.fields)) continue;
    if (header === undefined) {
      const h = readHeader(event.fields);
      if ('reason' in h) return { ok: false, errors: [{ line, reason: h.reason }] };
      header = h.header;
      width = event.fields.length;
      continue;
    }
    if (event.fields.length !== width) {
      fail(line, `has ${event.fields.length} value${event.fields.length === 1 ? '' : 's'} but the header has ${width} columns (is a value with a comma missing its quotes?)`);
      continue;
    }
    const check = checkRow(header, event.fields);
    const problems = [...check.problems];
    if (check.identity !== undefined) {
      const first = firstLineOf.get(check.identity);
      if (first !== undefined) problems.push(`same platform and handle as line ${first} (${check.identity})`);
      else firstLineOf.set(check.identity, line);
    }
    if (problems.length > 0) fail(line, problems.join('; '));
    else if (check.fields) rows.push({ ...check.fields, line });
  }

  if (header === undefined && errors.length === 0) {
    return {
      ok: false,
      errors: [{ line: 1, reason: `the file is empty; it needs a header row with the columns ${REQUIRED_COLUMNS.join(', ')}` }],
    };
  }
  if (errors.length > 0) return { ok: false, errors: errors.sort((a, b) => a.line - b.line) };
  return { ok: true, rows };
}

/**
 * Reads a register CSV. Returns every accepted row (with the line it starts on), or, if any row is
 * bad, only the errors: a file with any invalid row must import nothing.
 */
export function parseRegisterCsv(text: string | Buffer): ParseResult {
  try {
    return parseUnsafe(text);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return { ok: false, errors: [{ line: 1, reason: `the file could not be read as CSV: ${message}` }] };
  }
}
