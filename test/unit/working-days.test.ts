import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addDays,
  addWorkingDays,
  isBankHoliday,
  isWorkingDay,
  londonDate,
  longDate,
  onOrBeforeWorkingDay,
  workingDaysBetween,
} from '../../functions/domain/working-days.ts';

/** England and Wales bank holidays, as published on gov.uk/bank-holidays. */
const BANK_HOLIDAYS = {
  2026: ['2026-01-01', '2026-04-03', '2026-04-06', '2026-05-04', '2026-05-25', '2026-08-31', '2026-12-25', '2026-12-28'],
  2027: ['2027-01-01', '2027-03-26', '2027-03-29', '2027-05-03', '2027-05-31', '2027-08-30', '2027-12-27', '2027-12-28'],
};

/** Every calendar date from..to inclusive. */
function datesFrom(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) out.push(d);
  return out;
}

/** A date in 2026 or 2027 (up to a fortnight before the end, so additions stay in known years). */
const dateIn2026or2027 = fc.integer({ min: 0, max: 715 }).map((n) => addDays('2026-01-01', n));

describe('addDays', () => {
  it('moves across month, year and leap-day boundaries, in both directions', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2027-01-01', -1)).toBe('2026-12-31');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2027-02-28', 1)).toBe('2027-03-01');
    expect(addDays('2026-03-28', 1)).toBe('2026-03-29'); // clocks go forward on 29 March 2026
    expect(addDays('2026-10-25', 1)).toBe('2026-10-26'); // clocks go back on 25 October 2026
    expect(addDays('2026-12-18', 0)).toBe('2026-12-18');
  });
});

describe('isWorkingDay', () => {
  it('is false on Saturdays and Sundays, true Monday to Friday in an ordinary week', () => {
    // 14–20 December 2026: Monday to Sunday.
    expect(['2026-12-14', '2026-12-15', '2026-12-16', '2026-12-17', '2026-12-18'].map(isWorkingDay)).toEqual([true, true, true, true, true]);
    expect(isWorkingDay('2026-12-19')).toBe(false);
    expect(isWorkingDay('2026-12-20')).toBe(false);
  });

  it('is false on every England and Wales bank holiday in 2026 and 2027', () => {
    for (const d of [...BANK_HOLIDAYS[2026], ...BANK_HOLIDAYS[2027]]) {
      expect(isWorkingDay(d), d).toBe(false);
      expect(isBankHoliday(d), d).toBe(true);
    }
  });

  it('treats Christmas 2026 correctly: Christmas Day (Friday) and the Boxing Day substitute (Monday 28th)', () => {
    expect(isWorkingDay('2026-12-24')).toBe(true);
    expect(isWorkingDay('2026-12-25')).toBe(false);
    expect(isWorkingDay('2026-12-26')).toBe(false); // Saturday, Boxing Day
    expect(isWorkingDay('2026-12-27')).toBe(false); // Sunday
    expect(isWorkingDay('2026-12-28')).toBe(false); // substitute day for Boxing Day
    expect(isBankHoliday('2026-12-28')).toBe(true);
    expect(isWorkingDay('2026-12-29')).toBe(true);
    expect(isWorkingDay('2026-12-31')).toBe(true);
    expect(isWorkingDay('2027-01-01')).toBe(false);
  });

  it('treats Easter 2027 correctly: Good Friday 26 March and Easter Monday 29 March', () => {
    expect(isWorkingDay('2027-03-25')).toBe(true); // Maundy Thursday is a working day
    expect(isWorkingDay('2027-03-26')).toBe(false);
    expect(isWorkingDay('2027-03-29')).toBe(false);
    expect(isWorkingDay('2027-03-30')).toBe(true);
  });

  it('treats the early May, Spring and Summer bank holidays as non-working days', () => {
    for (const d of ['2026-05-04', '2026-05-25', '2026-08-31', '2027-05-03', '2027-05-31', '2027-08-30']) {
      expect(isWorkingDay(d), d).toBe(false);
    }
    // The days either side are ordinary working days.
    for (const d of ['2026-05-26', '2026-08-28', '2026-09-01', '2027-05-28', '2027-06-01', '2027-08-31']) {
      expect(isWorkingDay(d), d).toBe(true);
    }
  });

  it('treats Christmas 2027 correctly: both substitute days (27 and 28 December)', () => {
    expect(isWorkingDay('2027-12-24')).toBe(true);
    expect(isWorkingDay('2027-12-27')).toBe(false);
    expect(isWorkingDay('2027-12-28')).toBe(false);
    expect(isWorkingDay('2027-12-29')).toBe(true);
  });

  it('ignores Scottish and Northern Irish bank holidays and mere observances', () => {
    expect(isWorkingDay('2026-01-02')).toBe(true); // 2 January: Scotland only
    expect(isWorkingDay('2026-03-17')).toBe(true); // St Patrick's Day: Northern Ireland only
    expect(isWorkingDay('2026-08-03')).toBe(true); // first Monday in August: Scotland only
    expect(isWorkingDay('2026-11-30')).toBe(true); // St Andrew's Day (substitute): Scotland only
    expect(isWorkingDay('2027-07-12')).toBe(true); // Battle of the Boyne: Northern Ireland only
    expect(isBankHoliday('2026-03-15')).toBe(false); // Mother's Day: an observance
    expect(isBankHoliday('2027-03-28')).toBe(false); // Easter Sunday: an observance (and a Sunday)
  });

  it('has exactly eight non-weekend bank holidays in each of 2026 and 2027', () => {
    for (const year of [2026, 2027] as const) {
      const days = datesFrom(`${year}-01-01`, `${year}-12-31`);
      const holidays = days.filter(isBankHoliday).filter((d) => {
        const dow = new Date(`${d}T12:00:00Z`).getUTCDay();
        return dow !== 0 && dow !== 6;
      });
      expect(holidays).toEqual(BANK_HOLIDAYS[year]);
      // 2026: 261 weekdays less 8; 2027: 261 weekdays less 8.
      expect(days.filter(isWorkingDay)).toHaveLength(253);
    }
  });
});

describe('addWorkingDays', () => {
  it('steps over weekends', () => {
    expect(addWorkingDays('2026-12-18', 1)).toBe('2026-12-21'); // Friday → Monday
    expect(addWorkingDays('2026-12-14', 4)).toBe('2026-12-18');
    expect(addWorkingDays('2026-12-14', 5)).toBe('2026-12-21');
    expect(addWorkingDays('2026-12-02', 10)).toBe('2026-12-16');
  });

  it('steps over the Christmas 2026 bank holidays', () => {
    expect(addWorkingDays('2026-12-24', 1)).toBe('2026-12-29');
    expect(addWorkingDays('2026-12-24', 2)).toBe('2026-12-30');
    expect(addWorkingDays('2026-12-18', 5)).toBe('2026-12-29'); // 21, 22, 23, 24, 29
    expect(addWorkingDays('2026-12-31', 1)).toBe('2027-01-04'); // New Year's Day then a weekend
  });

  it('steps over Easter 2027', () => {
    expect(addWorkingDays('2027-03-25', 1)).toBe('2027-03-30');
    expect(addWorkingDays('2027-03-24', 3)).toBe('2027-03-31');
  });

  it('with n = 0 gives the day itself when it is a working day', () => {
    expect(addWorkingDays('2026-12-18', 0)).toBe('2026-12-18');
    expect(addWorkingDays('2026-12-29', 0)).toBe('2026-12-29');
  });

  it('with n = 0 on a non-working day gives the next working day', () => {
    expect(addWorkingDays('2026-12-19', 0)).toBe('2026-12-21'); // Saturday → Monday
    expect(addWorkingDays('2026-12-20', 0)).toBe('2026-12-21'); // Sunday → Monday
    expect(addWorkingDays('2026-12-25', 0)).toBe('2026-12-29'); // Christmas Day → Tuesday 29th
    expect(addWorkingDays('2026-12-28', 0)).toBe('2026-12-29');
    expect(addWorkingDays('2027-03-26', 0)).toBe('2027-03-30'); // Good Friday → the Tuesday after Easter
  });

  it('always lands on a working day, never before the start', () => {
    fc.assert(
      fc.property(dateIn2026or2027, fc.integer({ min: 0, max: 10 }), (d, n) => {
        const out = addWorkingDays(d, n);
        expect(isWorkingDay(out)).toBe(true);
        expect(out >= d).toBe(true);
      }),
    );
  });

  it('from a working day, is the inverse of workingDaysBetween', () => {
    fc.assert(
      fc.property(dateIn2026or2027.filter(isWorkingDay), fc.integer({ min: 0, max: 10 }), (d, n) => {
        expect(workingDaysBetween(d, addWorkingDays(d, n))).toBe(n);
      }),
    );
  });

  it('from a non-working day, n ≥ 1 counts the first working day after it as day 1', () => {
    expect(addWorkingDays('2026-12-19', 1)).toBe('2026-12-21'); // Saturday + 1 → Monday (actual: Tuesday 22nd)
    expect(addWorkingDays('2026-12-19', 2)).toBe('2026-12-22'); // actual: Wednesday 23rd
    expect(addWorkingDays('2026-12-25', 1)).toBe('2026-12-29'); // Christmas Day + 1 → Tuesday 29th (actual: 30th)
    fc.assert(
      fc.property(dateIn2026or2027, fc.integer({ min: 0, max: 10 }), (d, n) => {
        expect(workingDaysBetween(d, addWorkingDays(d, n))).toBe(n === 0 && !isWorkingDay(d) ? 1 : n);
      }),
    );
  });
});

describe('onOrBeforeWorkingDay', () => {
  it('gives a working day itself', () => {
    expect(onOrBeforeWorkingDay('2026-12-18')).toBe('2026-12-18');
    expect(onOrBeforeWorkingDay('2026-12-29')).toBe('2026-12-29');
  });

  it('moves a weekend back to the Friday', () => {
    expect(onOrBeforeWorkingDay('2026-12-19')).toBe('2026-12-18');
    expect(onOrBeforeWorkingDay('2026-12-20')).toBe('2026-12-18');
  });

  it('moves a bank holiday back past the holidays and weekend around it', () => {
    expect(onOrBeforeWorkingDay('2026-12-25')).toBe('2026-12-24');
    expect(onOrBeforeWorkingDay('2026-12-28')).toBe('2026-12-24');
    expect(onOrBeforeWorkingDay('2027-03-29')).toBe('2027-03-25'); // Easter Monday → Maundy Thursday
    expect(onOrBeforeWorkingDay('2026-05-25')).toBe('2026-05-22');
    expect(onOrBeforeWorkingDay('2027-01-01')).toBe('2026-12-31'); // across the year end
    expect(onOrBeforeWorkingDay('2027-01-03')).toBe('2026-12-31');
  });

  it('always gives a working day on or before the date', () => {
    fc.assert(
      fc.property(dateIn2026or2027, (d) => {
        const out = onOrBeforeWorkingDay(d);
        expect(isWorkingDay(out)).toBe(true);
        expect(out <= d).toBe(true);
        expect(workingDaysBetween(out, d)).toBe(0);
      }),
    );
  });
});

describe('workingDaysBetween', () => {
  it('is 0 for the same date', () => {
    expect(workingDaysBetween('2026-12-18', '2026-12-18')).toBe(0);
    expect(workingDaysBetween('2026-12-25', '2026-12-25')).toBe(0);
  });

  it('counts working days after `from` up to and including `to`', () => {
    expect(workingDaysBetween('2026-12-18', '2026-12-21')).toBe(1); // Friday → Monday
    expect(workingDaysBetween('2026-12-14', '2026-12-18')).toBe(4);
    expect(workingDaysBetween('2026-12-18', '2026-12-20')).toBe(0); // only the weekend
    expect(workingDaysBetween('2026-12-19', '2026-12-21')).toBe(1); // from a Saturday
  });

  it('does not count the Christmas bank holidays', () => {
    expect(workingDaysBetween('2026-12-24', '2026-12-29')).toBe(1);
    expect(workingDaysBetween('2026-12-18', '2026-12-31')).toBe(7); // 21, 22, 23, 24, 29, 30, 31
    expect(workingDaysBetween('2026-12-24', '2027-01-04')).toBe(4); // 29, 30, 31, 4
  });

  it('is negative when `to` is earlier', () => {
    expect(workingDaysBetween('2026-12-21', '2026-12-18')).toBe(-1);
    expect(workingDaysBetween('2026-12-31', '2026-12-18')).toBe(-7);
    expect(workingDaysBetween('2026-12-29', '2026-12-24')).toBe(-1);
    expect(workingDaysBetween('2027-03-30', '2027-03-25')).toBe(-1);
  });

  it('is antisymmetric between working days', () => {
    fc.assert(
      fc.property(dateIn2026or2027.filter(isWorkingDay), dateIn2026or2027.filter(isWorkingDay), (a, b) => {
        expect(workingDaysBetween(a, b)).toBe(-workingDaysBetween(b, a) || 0);
      }),
    );
  });

  it('counts a whole year of working days', () => {
    expect(workingDaysBetween('2025-12-31', '2026-12-31')).toBe(253);
  });
});

describe('londonDate', () => {
  it('gives the next London day for 23:30 UTC in summer (British Summer Time)', () => {
    expect(londonDate(new Date('2026-07-15T23:30:00Z'))).toBe('2026-07-16');
    expect(londonDate(new Date('2027-06-30T23:30:00Z'))).toBe('2027-07-01'); // across a month end
  });

  it('gives the same day for 23:30 UTC in winter (GMT)', () => {
    expect(londonDate(new Date('2026-01-15T23:30:00Z'))).toBe('2026-01-15');
    expect(londonDate(new Date('2026-12-31T23:30:00Z'))).toBe('2026-12-31');
  });

  it('follows the clock changes', () => {
    expect(londonDate(new Date('2026-03-28T23:30:00Z'))).toBe('2026-03-28'); // still GMT
    expect(londonDate(new Date('2026-03-29T23:30:00Z'))).toBe('2026-03-30'); // BST from 01:00 UTC on the 29th
    expect(londonDate(new Date('2026-10-24T23:30:00Z'))).toBe('2026-10-25'); // still BST
    expect(londonDate(new Date('2026-10-25T23:30:00Z'))).toBe('2026-10-25'); // GMT from 01:00 UTC on the 25th
  });

  it('gives the UTC date early in the UTC day, and a YYYY-MM-DD string', () => {
    expect(londonDate(new Date('2026-07-15T00:30:00Z'))).toBe('2026-07-15');
    expect(londonDate(new Date('2026-07-15T22:59:59Z'))).toBe('2026-07-15');
    expect(londonDate(new Date('2026-07-15T23:00:00Z'))).toBe('2026-07-16');
    expect(londonDate(new Date('2026-01-05T00:00:00Z'))).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });
});

describe('longDate', () => {
  it('writes "Weekday D Month YYYY" with no comma and no leading zero', () => {
    expect(longDate('2026-12-18')).toBe('Friday 18 December 2026');
    expect(longDate('2027-03-01')).toBe('Monday 1 March 2027');
    expect(longDate('2026-12-25')).toBe('Friday 25 December 2026');
    expect(longDate('2027-01-03')).toBe('Sunday 3 January 2027');
    expect(longDate('2028-02-29')).toBe('Tuesday 29 February 2028');
    expect(longDate('2026-12-18')).not.toContain(',');
  });
});
