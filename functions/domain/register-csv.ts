/**
 * The register as a CSV file: the one format IT managers keep it in, import it from and export it to.
 *
 * Import contract: UTF-8 (a BOM is tolerated), comma-separated, RFC 4180 quoting, header names
 * case-insensitive. A file with any invalid row imports nothing; every bad row is reported with the
 * physical line it starts on (the header is line 1) and every problem found on it.
 *
 * Pure: no I/O, no clock. Never throws on any input; problems come back as `RowError`s.
 */
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import {
  MONITORING_FREQUENCIES,
  PLATFORMS,
  accountId,
  cleanHandle,
  isEmail,
  normaliseEmail,
  parseDate,
  parsePlatform,
  type AccountFields,
  type MonitoringFrequency,
} from './model.ts';

export interface RowError {
  /** 1-based physical line where the record starts (header is line 1). */
  line: number;
  reason: string;
}

export type ParseResult =
  | { ok: true; rows: Array<AccountFields & { line: number }> }
  | { ok: false; errors: RowError[] };

const REQUIRED_COLUMNS = ['platform', 'handle', 'school', 'linked_email', 'admins', 'main_supervisor'] as const;
const OPTIONAL_COLUMNS = [
  'url', 'reserve_supervisor', 'purpose', 'audience', 'published_name', 'monitoring_frequency',
  'planned_end_date', 'next_review_date', 'last_activity_date',
] as const;

/** The export column order: required then optional, as named in the contract. */
export const REGISTER_COLUMNS: readonly string[] = Object.freeze([...REQUIRED_COLUMNS, ...OPTIONAL_COLUMNS]);

type Column = (typeof REQUIRED_COLUMNS)[number] | (typeof OPTIONAL_COLUMNS)[number];

const DEFAULT_FREQUENCY: MonitoringFrequency = 'weekly';

/** Renders errors the way people read them: `line 4: admins: "j.smith@school" is not an email address`. */
export function formatRowErrors(errors: readonly RowError[]): string {
  return errors.map((e) => `line ${e.line}: ${e.reason}`).join('\n');
}

// ---------------------------------------------------------------------------------------------
// Import
// ---------------------------------------------------------------------------------------------

type ParseEvent =
  | { kind: 'record'; fields: string[]; endOffset: number }
  | { kind: 'syntax'; code: string; message: string; afterOffset: number };

const CR = 0x0d;
const LF = 0x0a;

/** Counts line breaks (CRLF, LF or a lone CR each count once) in a string. */
function countBreaks(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === LF) n++;
    else if (c === CR) {
      n++;
      if (s.charCodeAt(i + 1) === LF) i++;
    }
  }
  return n;
}

/**
 * Maps byte offsets to 1-based line numbers. Offsets asked of `lineAt` may go backwards (syntax errors
 * are located from the last good record), so it rescans from the start when needed; in the normal
 * forward case it is linear over the whole file.
 */
class LineIndex {
  private pos = 0;
  private breaks = 0;
  constructor(private readonly buf: Buffer) {}

  /** Line number of the byte at `offset` (breaks strictly before it, plus one). */
  lineAt(offset: number): number {
    const target = Math.max(0, Math.min(offset, this.buf.length));
    if (target < this.pos) {
      this.pos = 0;
      this.breaks = 0;
    }
    const buf = this.buf;
    while (this.pos < target) {
      const c = buf[this.pos];
      if (c === LF) this.breaks++;
      else if (c === CR && buf[this.pos + 1] !== LF) this.breaks++;
      this.pos++;
    }
    return this.breaks + 1;
  }

  /** The offset just before the record delimiter that ends at `end` (if any). */
  beforeDelimiter(end: number): number {
    const buf = this.buf;
    let e = Math.min(end, buf.length);
    if (e > 0 && buf[e - 1] === LF) {
      e--;
      if (e > 0 && buf[e - 1] === CR) e--;
    } else if (e > 0 && buf[e - 1] === CR) {
      e--;
    }
    return e;
  }

  /** The first offset at or after `from` that is not a line break: where the next record starts. */
  skipBlankLines(from: number): number {
    let i = Math.max(0, from);
    while (i < this.buf.length && (this.buf[i] === CR || this.buf[i] === LF)) i++;
    return i;
  }
}

function syntaxReason(code: string, message: string): string {
  switch (code) {
    case 'INVALID_OPENING_QUOTE':
      return 'the CSV is malformed here: a value contains a " but is not wrapped in quotes (wrap the value in double quotes and double each " inside it)';
    case 'CSV_INVALID_CLOSING_QUOTE':
      return 'the CSV is malformed here: a quoted value has other characters after its closing quote (double each " inside a quoted value)';
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'the CSV is malformed here: a quoted value is never closed (unbalanced ")';
    default:
      return `the CSV is malformed here: ${message}`;
  }
}

/** Quotes a value for an error message, shortened so junk input cannot flood the report. */
function show(value: string): string {
  const v = value.length > 60 ? `${value.slice(0, 57)}...` : value;
  return JSON.stringify(v);
}

function toBuffer(text: string | Buffer): Buffer {
  if (Buffer.isBuffer(text)) return text;
  return Buffer.from(typeof text === 'string' ? text : String(text ?? ''), 'utf8');
}

/** The first physical line holding bytes that are not UTF-8 (e.g. a Windows-1252 "£" from an old Excel save). */
function firstNonUtf8Line(buf: Buffer): number | undefined {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  try {
    decoder.decode(buf);
    return undefined;
  } catch {
    // find the line: decode line by line (LF, CR and CRLF all end a line)
  }
  let line = 1;
  let start = 0;
  for (let i = 0; i <= buf.length; i++) {
    const c = buf[i];
    if (i === buf.length || c === LF || c === CR) {
      try {
        decoder.decode(buf.subarray(start, i));
      } catch {
        return line;
      }
      if (c === CR && buf[i + 1] === LF) i++;
      line++;
      start = i + 1;
    }
  }
  return 1;
}

function readEvents(buf: Buffer): ParseEvent[] {
  const events: ParseEvent[] = [];
  let lastEnd = 0;
  parse(buf, {
    bom: true,
    encoding: 'utf8',
    delimiter: ',',
    quote: '"',
    escape: '"',
    relax_column_count: true, // checked per row below, so it becomes a RowError rather than a throw
    // Spreadsheets and editors mix line endings; csv-parse would otherwise take the first line's ending as the
    // only one and read the others as part of the last value.
    record_delimiter: ['\r\n', '\n', '\r'],
    skip_empty_lines: true,
    skip_records_with_error: true,
    on_record: (record: string[], context) => {
      lastEnd = context.bytes;
      events.push({ kind: 'record', fields: record, endOffset: context.bytes });
      return null; // collected above, in file order alongside syntax errors
    },
    on_skip: (err) => {
      events.push({
        kind: 'syntax',
        code: err?.code ?? 'UNKNOWN',
        message: err?.message ?? 'unreadable',
        afterOffset: lastEnd,
      });
      return undefined;
    },
  });
  return events;
}

interface Located {
  line: number;
  event: ParseEvent;
}

/**
 * Gives each parse event the physical line its record starts on. csv-parse's own `info.lines`
 * miscounts CRLF line breaks inside quoted values, so lines are counted here from the byte offsets
 * csv-parse reports (`info.bytes`): the line the record ends on, less the line breaks inside its values.
 */
function locate(buf: Buffer, events: ParseEvent[]): Located[] {
  const index = new LineIndex(buf);
  const located: Located[] = [];
  for (const event of events) {
    if (event.kind === 'record') {
      const endLine = index.lineAt(index.beforeDelimiter(event.endOffset));
      const inside = event.fields.reduce((n, f) => n + countBreaks(f), 0);
      located.push({ line: Math.max(1, endLine - inside), event });
    } else {
      located.push({ line: index.lineAt(index.skipBlankLines(event.afterOffset)), event });
    }
  }
  return located;
}

function isBlank(fields: string[]): boolean {
  return fields.every((f) => f.trim() === '');
}

type Header = Map<Column, number>;

function readHeader(fields: string[]): { header: Header } | { reason: string } {
  const header: Header = new Map();
  const known = new Set<string>(REGISTER_COLUMNS);
  const repeated = new Set<string>();
  fields.forEach((raw, i) => {
    const name = raw.replace(/^\uFEFF/, '').trim().toLowerCase();
    if (!known.has(name)) return; // unknown columns (notes etc.) are ignored
    if (header.has(name as Column)) repeated.add(name);
    else header.set(name as Column, i);
  });
  const problems: string[] = [];
  const missing = REQUIRED_COLUMNS.filter((c) => !header.has(c));
  if (missing.length > 0) {
    let reason = `header is missing the column${missing.length === 1 ? '' : 's'} ${missing.join(', ')}`;
    if (missing.length < REQUIRED_COLUMNS.length) reason += ` (required: ${REQUIRED_COLUMNS.join(', ')})`;
    if (fields.length === 1 && /[;\t|]/.test(fields[0] ?? '')) {
      reason += '; columns must be separated by commas';
    }
    problems.push(reason);
  }
  if (repeated.size > 0) {
    problems.push(`header has the column${repeated.size === 1 ? '' : 's'} ${[...repeated].join(', ')} more than once`);
  }
  return problems.length > 0 ? { reason: problems.join('; ') } : { header };
}

interface RowCheck {
  fields?: AccountFields;
  /** Set when platform and handle are both valid, so duplicates can be found even on bad rows. */
  identity?: string;
  problems: string[];
}

function checkRow(header: Header, values: string[]): RowCheck {
  const get = (c: Column): string => {
    const i = header.get(c);
    return i === undefined ? '' : (values[i] ?? '').trim();
  };
  const problems: string[] = [];
  const required = (c: Column): string | undefined => {
    const v = get(c);
    if (v === '') {
      problems.push(`${c}: required but empty`);
      return undefined;
    }
    return v;
  };
  const email = (c: Column, v: string): string | undefined => {
    const e = normaliseEmail(v);
    if (!isEmail(e)) {
      problems.push(`${c}: ${show(v)} is not an email address`);
      return undefined;
    }
    return e;
  };
  const optional = (c: Column): string | undefined => {
    const v = get(c);
    return v === '' ? undefined : v;
  };
  const date = (c: Column): string | undefined => {
    const v = get(c);
    if (v === '') return undefined;
    const d = parseDate(v);
    if (d === undefined) {
      const looksLikeDate = /^\d{4}-\d{2}-\d{2}$|^\d{1,2}\/\d{1,2}\/\d{4}$/.test(v);
      problems.push(
        looksLikeDate
          ? `${c}: ${show(v)} is not a real date`
          : `${c}: ${show(v)} is not a date (use YYYY-MM-DD or DD/MM/YYYY)`,
      );
    }
    return d;
  };

  // platform
  const platformText = required('platform');
  const platform = platformText === undefined ? undefined : parsePlatform(platformText);
  if (platformText !== undefined && platform === undefined) {
    problems.push(`platform: ${show(platformText)} is not a known platform (use one of ${PLATFORMS.map((p) => (p === 'x' ? 'x (or twitter)' : p)).join(', ')})`);
  }

  // handle
  const handleText = required('handle');
  let handle: string | undefined;
  if (handleText !== undefined) {
    handle = cleanHandle(handleText);
    if (handle === '') {
      problems.push(`handle: ${show(handleText)} has nothing after the @`);
      handle = undefined;
    }
  }

  const school = required('school');

  const linkedText = required('linked_email');
  const linkedEmail = linkedText === undefined ? undefined : email('linked_email', linkedText);

  const adminsText = required('admins');
  const admins: string[] = [];
  if (adminsText !== undefined) {
    const pieces = adminsText.split(';').map((p) => p.trim()).filter((p) => p !== '');
    if (pieces.length === 0) problems.push('admins: required but empty');
    for (const piece of pieces) {
      const e = normaliseEmail(piece);
      if (!isEmail(e)) {
        const hint = /[,\s]/.test(piece) && piece.includes('@') ? ' (separate administrators with ;)' : '';
        problems.push(`admins: ${show(piece)} is not an email address${hint}`);
      } else if (!admins.includes(e)) {
        admins.push(e);
      }
    }
  }

  const mainText = required('main_supervisor');
  const mainSupervisor = mainText === undefined ? undefined : email('main_supervisor', mainText);

  const reserveText = optional('reserve_supervisor');
  const reserveSupervisor = reserveText === undefined ? undefined : email('reserve_supervisor', reserveText);

  const frequencyText = optional('monitoring_frequency');
  let monitoringFrequency: MonitoringFrequency = DEFAULT_FREQUENCY;
  if (frequencyText !== undefined) {
    const f = frequencyText.toLowerCase();
    if ((MONITORING_FREQUENCIES as readonly string[]).includes(f)) monitoringFrequency = f as MonitoringFrequency;
    else {
      problems.push(`monitoring_frequency: ${show(frequencyText)} is not one of ${MONITORING_FREQUENCIES.join(', ')}`);
    }
  }

  const plannedEndDate = date('planned_end_date');
  const nextReviewDate = date('next_review_date');
  const lastActivityDate = date('last_activity_date');

  const identity = platform !== undefined && handle !== undefined ? accountId(platform, handle) : undefined;
  if (problems.length > 0) return { identity, problems };

  const fields: AccountFields = {
    platform: platform!,
    handle: handle!,
    school: school!,
    linkedEmail: linkedEmail!,
    admins,
    mainSupervisor: mainSupervisor!,
    monitoringFrequency,
  };
  const url = optional('url');
  const purpose = optional('purpose');
  const audience = optional('audience');
  const publishedName = optional('published_name');
  if (url !== undefined) fields.url = url;
  if (reserveSupervisor !== undefined) fields.reserveSupervisor = reserveSupervisor;
  if (purpose !== undefined) fields.purpose = purpose;
  if (audience !== undefined) fields.audience = audience;
  if (publishedName !== undefined) fields.publishedName = publishedName;
  if (plannedEndDate !== undefined) fields.plannedEndDate = plannedEndDate;
  if (nextReviewDate !== undefined) fields.nextReviewDate = nextReviewDate;
  if (lastActivityDate !== undefined) fields.lastActivityDate = lastActivityDate;
  return { fields, identity, problems };
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

// ---------------------------------------------------------------------------------------------
// Export
// ---------------------------------------------------------------------------------------------

function exportDate(value: string | undefined): string {
  if (value === undefined || value === '') return '';
  return parseDate(value) ?? value;
}

function toRecord(row: AccountFields): Record<Column, string> {
  return {
    platform: row.platform,
    handle: row.handle,
    school: row.school,
    linked_email: row.linkedEmail,
    admins: row.admins.join(';'),
    main_supervisor: row.mainSupervisor,
    url: row.url ?? '',
    reserve_supervisor: row.reserveSupervisor ?? '',
    purpose: row.purpose ?? '',
    audience: row.audience ?? '',
    published_name: row.publishedName ?? '',
    monitoring_frequency: row.monitoringFrequency ?? DEFAULT_FREQUENCY,
    planned_end_date: exportDate(row.plannedEndDate),
    next_review_date: exportDate(row.nextReviewDate),
    last_activity_date: exportDate(row.lastActivityDate),
  };
}

/**
 * Writes the register in the import format: header row, every `REGISTER_COLUMNS` column (empty when
 * undefined), admins joined with `;`, dates as YYYY-MM-DD, LF line endings, no BOM.
 * For rows in the form `parseRegisterCsv` returns, `parseRegisterCsv(registerToCsv(rows))` gives them back.
 */
export function registerToCsv(rows: AccountFields[]): string {
  const columns = REGISTER_COLUMNS as Column[];
  const records = rows.map((row) => {
    const r = toRecord(row);
    return columns.map((c) => r[c]);
  });
  return stringify([columns, ...records], { record_delimiter: '\n', bom: false });
}
