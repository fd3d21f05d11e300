/**
 * How often an account is due to be looked after: its monitoring period, and the cadence through term time and the
 * school's holidays, from which the sweep's attestation and neglect checks (schedule.ts) are timed. Pure: dates in,
 * dates out; nothing here reads the clock or does I/O.
 */
import type { Account, HolidayRange, IsoDate, MonitoringFrequency } from './model.ts';
import { addDays, londonDateOf } from './working-days.ts';

/** How often an account is expected to be looked after, in calendar days. */
export const MONITORING_PERIOD_DAYS: Record<MonitoringFrequency, number> = {
  daily: 1,
  weekly: 7,
  fortnightly: 14,
  monthly: 30,
};

/** Decision: an unknown frequency (bad stored data) counts as weekly, the register's default. */
function periodOfFrequency(frequency: MonitoringFrequency | undefined): number {
  return (frequency && MONITORING_PERIOD_DAYS[frequency]) || MONITORING_PERIOD_DAYS.weekly;
}

/** The date activity or attestation was last seen: the latest of lastAttestedOn, lastActivityDate and createdAt's date. */
export function lastSeenOn(account: Account): IsoDate {
  return [account.lastAttestedOn, account.lastActivityDate].reduce<IsoDate>((latest, d) => (d && d > latest ? d : latest), londonDateOf(account.createdAt));
}

// ---------------------------------------------------------------------------------------------------------------
// Term time and holidays

/*
 * The cadence rule (README "How Custodian behaves"). An account has a term-time monitoring frequency and, optionally,
 * a holiday one; its school has holidays (inclusive date ranges). Time since the last attestation is counted in
 * periods of the cadence in force on each day: a day in term counts 1/7 of a period for a weekly account, a day of
 * the school's holidays 1/30 for one that is monthly in the holidays. An attestation is due on a day when
 * - one whole period has built up since the last attestation (or creation), and
 * - at least the period in force that day has gone by since it (so nobody is asked twice within a period: a
 *   monthly-in-holiday account is never asked during a holiday within a month of its last attestation).
 * The account counts as neglected on a day when two periods have built up since it was last seen and at least twice
 * the period in force that day has gone by. Consequences at the boundaries, on purpose:
 * - a weekly-in-term, monthly-in-holiday account asked on the last Thursday of term is not asked in a half term
 *   (its 9 days are 0.3 of a period) and is asked again within a week of term restarting, here on the 4th day;
 * - one whose period built up over the holiday is asked on the first working day of term;
 * - a long holiday (the summer) asks at the holiday cadence, a month into it;
 * - not having been asked in a holiday is not neglect: it needs two periods, counted the same way;
 * - without a holiday frequency, or without holidays loaded, every day counts alike: exactly the term-time period.
 * Counting in fractions of a period (rather than switching wholesale to the cadence of the day) means neither a
 * holiday nor its end makes a request or a neglect notice fall due all at once.
 */

/** One period, in units: each frequency's day is a whole number of units (210 = lcm of 1, 7, 14 and 30 days). */
const UNITS_PER_PERIOD = 210;
const DAY_MS = 86_400_000;

const dayNumber = (d: IsoDate): number => Math.round(Date.parse(`${d}T00:00:00Z`) / DAY_MS);
const fromDayNumber = (n: number): IsoDate => new Date(n * DAY_MS).toISOString().slice(0, 10);

/**
 * Holiday ranges sorted by start, overlapping or touching ones merged (their names joined), ranges that end before
 * they start dropped. The school record keeps them like this; the schedule makes sure of it all the same.
 */
export function mergeHolidayRanges(ranges: readonly HolidayRange[]): HolidayRange[] {
  const sorted = ranges.filter((r) => r.start <= r.end).map((r) => ({ ...r })).sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  const merged: HolidayRange[] = [];
  for (const r of sorted) {
    const last = merged.at(-1);
    if (last && r.start <= addDays(last.end, 1)) {
      if (r.end > last.end) last.end = r.end;
      if (r.name && r.name !== last.name) last.name = last.name ? (last.name.split(' / ').includes(r.name) ? last.name : `${last.name} / ${r.name}`) : r.name;
    } else {
      merged.push(r);
    }
  }
  return merged.map((r) => (r.name ? r : { start: r.start, end: r.end }));
}

/** The holiday range that holds `day`, if any. */
export function holidayOn(holidays: readonly HolidayRange[] | undefined, day: IsoDate): HolidayRange | undefined {
  return holidays?.find((h) => h.start <= day && day <= h.end);
}

/** The frequency an account is monitored at on `day`: its holiday frequency during the school's holidays, if it has one. */
export function frequencyOn(account: Pick<Account, 'monitoringFrequency' | 'holidayMonitoringFrequency'>, day: IsoDate, holidays: readonly HolidayRange[] | undefined): MonitoringFrequency {
  return account.holidayMonitoringFrequency && holidayOn(holidays, day) ? account.holidayMonitoringFrequency : account.monitoringFrequency;
}

/**
 * The first day after `from` by which `periods` whole periods have built up (see the rule above). `holidays`
 * undefined means the school's holidays are not known here: then every day counts at the shorter of the two periods,
 * so the date is never later than it would be with them (the sweep looks again and decides with the holidays).
 */
function afterPeriods(account: Account, from: IsoDate, periods: number, holidays: readonly HolidayRange[] | undefined): IsoDate {
  const termUnits = UNITS_PER_PERIOD / periodOfFrequency(account.monitoringFrequency);
  const holidayUnits = account.holidayMonitoringFrequency ? UNITS_PER_PERIOD / periodOfFrequency(account.holidayMonitoringFrequency) : termUnits;
  const start = dayNumber(from);
  const target = periods * UNITS_PER_PERIOD;
  if (holidayUnits === termUnits || (holidays && holidays.length === 0)) return fromDayNumber(start + Math.ceil(target / termUnits));
  if (!holidays) return fromDayNumber(start + Math.ceil(target / Math.max(termUnits, holidayUnits)));
  const ranges = mergeHolidayRanges(holidays).map((h) => [dayNumber(h.start), dayNumber(h.end)] as const);
  // Walk from one stretch of term or holiday to the next, each at its own rate.
  let day = start + 1;
  let built = 0;
  let i = 0;
  for (;;) {
    while (i < ranges.length && ranges[i]![1] < day) i++;
    const range = ranges[i];
    const inHoliday = !!range && range[0] <= day;
    const stretchEnd = inHoliday ? range[1] : range ? range[0] - 1 : Number.POSITIVE_INFINITY;
    const rate = inHoliday ? holidayUnits : termUnits;
    const days = Math.ceil((target - built) / rate);
    if (day + days - 1 <= stretchEnd) return fromDayNumber(day + days - 1);
    built += (stretchEnd - day + 1) * rate;
    day = stretchEnd + 1;
  }
}

/** Whole days from `from` to `day`. */
function daysSince(from: IsoDate, day: IsoDate): number {
  return dayNumber(day) - dayNumber(from);
}

/** Whether `periods` are due on `day`, counted from `from` (the rule above). */
export function periodsDueOn(account: Account, from: IsoDate, periods: number, holidays: readonly HolidayRange[], day: IsoDate): boolean {
  return day >= afterPeriods(account, from, periods, holidays)
    && daysSince(from, day) >= periods * periodOfFrequency(frequencyOn(account, day, holidays));
}

/**
 * The first day (on or after `notBefore`, when given) on which `periods` are due, counted from `from`. With the
 * holidays not known, the date from counting at the shorter period: never later than the real one.
 */
function firstDayDue(account: Account, from: IsoDate, periods: number, holidays: readonly HolidayRange[] | undefined, notBefore?: IsoDate): IsoDate {
  let day = afterPeriods(account, from, periods, holidays);
  if (!holidays) return day;
  if (notBefore && notBefore > day) day = notBefore;
  // Ends at the latest when the longest period has gone by `periods` times.
  while (daysSince(from, day) < periods * periodOfFrequency(frequencyOn(account, day, holidays))) day = addDays(day, 1);
  return day;
}

/**
 * The first day (on or after `notBefore`) the main supervisor is due to be asked to attest: a period after the last
 * attestation (or creation), counted at the cadence in force on each day (the rule above).
 */
export function attestationDueOn(account: Account, holidays?: readonly HolidayRange[], notBefore?: IsoDate): IsoDate {
  return firstDayDue(account, account.lastAttestedOn ?? londonDateOf(account.createdAt), 1, holidays, notBefore);
}

/** The first day (on or after `notBefore`) the account counts as neglected: two periods after it was last seen. */
export function neglectedFrom(account: Account, holidays?: readonly HolidayRange[], notBefore?: IsoDate): IsoDate {
  return firstDayDue(account, lastSeenOn(account), 2, holidays, notBefore);
}

