/**
 * Validating the register CSV's header and each row: every problem on a row is reported, in words an IT manager can act
 * on, and a valid row becomes the account's fields.
 */
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
} from '../model.ts';
import { DEFAULT_FREQUENCY, REGISTER_COLUMNS, REQUIRED_COLUMNS, type Column } from './columns.ts';
import { unsafeCharacterReason } from './characters.ts';
import { unprotectCell } from './formula.ts';

/** Quotes a value for an error message, shortened so junk input cannot flood the report. */
function show(value: string): string {
  const v = value.length > 60 ? `${value.slice(0, 57)}...` : value;
  return JSON.stringify(v);
}

export function isBlank(fields: string[]): boolean {
  return fields.every((f) => f.trim() === '');
}

export type Header = Map<Column, number>;

export function readHeader(fields: string[]): { header: Header } | { reason: string } {
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

export interface RowCheck {
  fields?: AccountFields;
  /** Set when platform and handle are both valid, so duplicates can be found even on bad rows. */
  identity?: string;
  problems: string[];
}

export function checkRow(header: Header, values: string[]): RowCheck {
  const problems: string[] = [];
  // A cell with a control, text-direction or zero-width character is refused as such (characters.ts), and is
  // otherwise read as empty, so that the same column is not also reported as empty or malformed.
  const unsafe = new Set<Column>();
  for (const [c, i] of header) {
    const reason = unsafeCharacterReason(c, values[i] ?? '');
    if (reason !== undefined) {
      unsafe.add(c);
      problems.push(reason);
    }
  }
  // Trimmed, and without the `'` the export puts before a cell that would start a formula (formula.ts).
  const get = (c: Column): string => {
    const i = header.get(c);
    return i === undefined || unsafe.has(c) ? '' : unprotectCell((values[i] ?? '').trim());
  };
  const required = (c: Column): string | undefined => {
    const v = get(c);
    if (v === '') {
      if (!unsafe.has(c)) problems.push(`${c}: required but empty`);
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

  const frequency = (c: Column): MonitoringFrequency | undefined => {
    const v = optional(c);
    if (v === undefined) return undefined;
    const f = v.toLowerCase();
    if ((MONITORING_FREQUENCIES as readonly string[]).includes(f)) return f as MonitoringFrequency;
    problems.push(`${c}: ${show(v)} is not one of ${MONITORING_FREQUENCIES.join(', ')}`);
    return undefined;
  };
  const monitoringFrequency = frequency('monitoring_frequency') ?? DEFAULT_FREQUENCY;
  // Empty (or no such column): the same as in term time.
  const holidayMonitoringFrequency = frequency('holiday_monitoring_frequency');

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
  if (holidayMonitoringFrequency !== undefined) fields.holidayMonitoringFrequency = holidayMonitoringFrequency;
  if (plannedEndDate !== undefined) fields.plannedEndDate = plannedEndDate;
  if (nextReviewDate !== undefined) fields.nextReviewDate = nextReviewDate;
  if (lastActivityDate !== undefined) fields.lastActivityDate = lastActivityDate;
  return { fields, identity, problems };
}

/**
 * Validates one row given as column name → cell (a console form, say) exactly as the import validates a row of the
 * file: the columns present are the header, in the export's order, and a column left out is an empty cell. Cells are
 * read as the import reads them (trimmed, a formula-protecting `'` removed; formula.ts).
 */
export function checkRecord(record: Readonly<Partial<Record<string, string>>>): RowCheck {
  const header: Header = new Map();
  const values: string[] = [];
  for (const c of REGISTER_COLUMNS as readonly Column[]) {
    const v = record[c];
    if (v === undefined) continue;
    header.set(c, values.length);
    values.push(v);
  }
  return checkRow(header, values);
}
