/**
 * The bank-holiday table the functions use at run time (functions/domain/bank-holidays.ts) against `date-holidays`
 * itself, the library it was generated from: every day from 2020 to 2040, one-off holidays included.
 */
import Holidays from 'date-holidays';
import { describe, expect, it } from 'vitest';
import { FIRST_YEAR, LAST_YEAR, TABLE } from '../../functions/domain/bank-holidays.ts';
import { addDays, isBankHoliday, isWorkingDay } from '../../functions/domain/working-days.ts';
import { computeTable } from '../../scripts/generate-bank-holidays.ts';

describe('bank holidays at run time', () => {
  it('agree with date-holidays (GB-ENG, public) on every day from 2020 to 2040', () => {
    const library = new Holidays('GB', 'ENG');
    const expected = new Set<string>();
    for (let y = 2020; y <= 2040; y++) for (const h of library.getHolidays(y)) if (h.type === 'public') expected.add(h.date.slice(0, 10));
    let days = 0;
    for (let d = '2020-01-01'; d <= '2040-12-31'; d = addDays(d, 1), days++) {
      expect(isBankHoliday(d), d).toBe(expected.has(d));
    }
    expect(days).toBe(7671);
  });

  it('include the one-off holidays: the Platinum Jubilee and the Queen\'s funeral (2022), the coronation (2023)', () => {
    for (const d of ['2022-06-02', '2022-06-03', '2022-09-19', '2023-05-08']) {
      expect(isBankHoliday(d), d).toBe(true);
      expect(isWorkingDay(d), d).toBe(false);
    }
    // 2022's late May bank holiday moved to 2 June.
    expect(isBankHoliday('2022-05-30')).toBe(false);
  });

  it('are the table the generator writes from the installed library, for every year it holds', () => {
    expect(TABLE).toEqual(computeTable());
    expect([FIRST_YEAR, LAST_YEAR]).toEqual([2000, 2100]);
  });

  it('refuse a year outside the table instead of answering "no bank holidays"', () => {
    expect(() => isWorkingDay('2101-01-03')).toThrow(/2000 to 2100/);
    expect(() => isWorkingDay('1999-12-31')).toThrow(/2000 to 2100/);
  });
});
