/**
 * Reading the CSV itself: bytes to records and syntax errors (csv-parse), each located on the physical line its record
 * starts on, plus the encoding checks made before parsing. Knows nothing of the register's columns.
 */
import { parse } from 'csv-parse/sync';

export type ParseEvent =
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

export function syntaxReason(code: string, message: string): string {
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

export function toBuffer(text: string | Buffer): Buffer {
  if (Buffer.isBuffer(text)) return text;
  return Buffer.from(typeof text === 'string' ? text : String(text ?? ''), 'utf8');
}

/** The first physical line holding bytes that are not UTF-8 (e.g. a Windows-1252 "£" from an old Excel save). */
export function firstNonUtf8Line(buf: Buffer): number | undefined {
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

export function readEvents(buf: Buffer): ParseEvent[] {
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

export interface Located {
  line: number;
  event: ParseEvent;
}

/**
 * Gives each parse event the physical line its record starts on. csv-parse's own `info.lines`
 * miscounts CRLF line breaks inside quoted values, so lines are counted here from the byte offsets
 * csv-parse reports (`info.bytes`): the line the record ends on, less the line breaks inside its values.
 */
export function locate(buf: Buffer, events: ParseEvent[]): Located[] {
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
