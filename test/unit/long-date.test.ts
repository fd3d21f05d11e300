/**
 * longDate (functions/domain/working-days.ts) writes dates from English names instead of asking Intl, so that a cold
 * start that only shows a date does not start ICU. It must read exactly as the en-GB formatter does.
 */
import { describe, expect, it } from 'vitest';
import { longDate } from '../../functions/domain/working-days.ts';

describe('longDate', () => {
  it('reads "Friday 18 December 2026"', () => {
    expect(longDate('2026-12-18')).toBe('Friday 18 December 2026');
  });

  it('matches the en-GB weekday and month names for every day from 2000 to 2060', () => {
    const differences: string[] = [];
    for (let t = Date.UTC(2000, 0, 1); t < Date.UTC(2061, 0, 1); t += 86_400_000) {
      const date = new Date(t);
      const part = (o: Intl.DateTimeFormatOptions) => date.toLocaleDateString('en-GB', { ...o, timeZone: 'UTC' });
      const iso = date.toISOString().slice(0, 10);
      const expected = `${part({ weekday: 'long' })} ${date.getUTCDate()} ${part({ month: 'long' })} ${date.getUTCFullYear()}`;
      if (longDate(iso) !== expected) differences.push(`${iso}: ${longDate(iso)} / ${expected}`);
    }
    expect(differences).toEqual([]);
  });
});
