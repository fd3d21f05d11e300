/**
 * Working days in England and Wales: Monday to Friday, less bank holidays (England and Wales share them; the table is
 * generated from `date-holidays`, region GB-ENG, and checked against it for every day: bank-holidays.ts). Dates are
 * calendar dates, `YYYY-MM-DD`, with no time zone games.
 */
import { FIRST_YEAR, LAST_YEAR, TABLE } from './bank-holidays.ts';
import type { IsoDate } from './model.ts';

const cache = new Map<number, Set<string>>();

/** A year outside the table is an error, never a silent "no bank holidays". */
function bankHolidays(year: number): Set<string> {
  let set = cache.get(year);
  if (!set) {
    const days = TABLE[year];
    if (days === undefined) throw new Error(`bank holidays are known for ${FIRST_YEAR} to ${LAST_YEAR}, not ${year}`);
    set = new Set(days.split(' ').filter(Boolean).map((d) => `${year}-${d.slice(0, 2)}-${d.slice(2)}`));
    cache.set(year, set);
  }
  return set;
}

function toDate(d: IsoDate): Date {
  return new Date(`${d}T12:00:00Z`);
}
function fromDate(d: Date): IsoDate {
  return d.toISOString().slice(0, 10);
}
export function addDays(d: IsoDate, n: number): IsoDate {
  return fromDate(new Date(toDate(d).getTime() + n * 86_400_000));
}

export function isBankHoliday(d: IsoDate): boolean {
  return bankHolidays(Number(d.slice(0, 4))).has(d);
}

export function isWorkingDay(d: IsoDate): boolean {
  const day = toDate(d).getUTCDay();
  return day !== 0 && day !== 6 && !isBankHoliday(d);
}

/**
 * `n` working days after `d`: from a Saturday, 1 working day is the Monday. n = 0 gives `d` itself when it is a
 * working day, else the next working day.
 */
export function addWorkingDays(d: IsoDate, n: number): IsoDate {
  let date = d;
  if (n === 0) {
    while (!isWorkingDay(date)) date = addDays(date, 1);
    return date;
  }
  for (let i = 0; i < n; ) {
    date = addDays(date, 1);
    if (isWorkingDay(date)) i++;
  }
  return date;
}

/** A date that falls on a non-working day means the working day before it. */
export function onOrBeforeWorkingDay(d: IsoDate): IsoDate {
  let date = d;
  while (!isWorkingDay(date)) date = addDays(date, -1);
  return date;
}

/** Working days from `from` (exclusive) to `to` (inclusive); negative when `to` is earlier. */
export function workingDaysBetween(from: IsoDate, to: IsoDate): number {
  if (from === to) return 0;
  const sign = from < to ? 1 : -1;
  let count = 0;
  for (let date = from; date !== to; ) {
    date = addDays(date, sign);
    if (isWorkingDay(date)) count += sign;
  }
  return count;
}

/** The calendar date in England for an instant (Europe/London, so 00:30 BST is still the right day). */
let london: Intl.DateTimeFormat | undefined;
export function londonDate(instant: Date): IsoDate {
  // Made on first use, not at import: the first Intl formatter of a process starts ICU, 30-90 ms here, which a
  // cold start that formats no date (a refused request, an event with nothing to send) need not pay.
  london ??= new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit' });
  return london.format(instant);
}

/**
 * The London calendar date of a stored timestamp (`createdAt`), so that a task created at 00:30 BST counts as
 * created that day. A bare date is taken as it is; an unparseable value falls back to its first ten characters.
 */
export function londonDateOf(instant: string): IsoDate {
  if (/^\d{4}-\d{2}-\d{2}$/.test(instant)) return instant;
  const d = new Date(instant);
  return Number.isNaN(d.getTime()) ? instant.slice(0, 10) : londonDate(d);
}

/** "Friday 18 December 2026" */
export function longDate(d: IsoDate): string {
  const date = toDate(d);
  // Assembled by hand from English names, not Intl: ICU versions differ on whether a comma follows the weekday, and
  // the first Intl call of a process starts ICU (30-90 ms here), which an action page's cold start need not pay.
  return `${WEEKDAYS[date.getUTCDay()]} ${date.getUTCDate()} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()}`;
}
const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
