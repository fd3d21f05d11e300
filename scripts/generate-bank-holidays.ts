/**
 * Writes functions/domain/bank-holidays.ts: England and Wales bank holidays as `date-holidays` (region GB-ENG, type
 * public) computes them, for FIRST_YEAR to LAST_YEAR. Run `npx tsx scripts/generate-bank-holidays.ts` after upgrading
 * date-holidays (or when the government announces a one-off holiday and the library has it);
 * test/unit/bank-holidays.test.ts fails while the table and the library disagree.
 */
import Holidays from 'date-holidays';
import { writeFileSync } from 'node:fs';
import path from 'node:path';

export const FIRST_YEAR = 2000;
export const LAST_YEAR = 2100;

/** Each year's public holidays as `MMDD` codes, from date-holidays itself. */
export function computeTable(): Record<number, string> {
  const h = new Holidays('GB', 'ENG');
  const table: Record<number, string> = {};
  for (let y = FIRST_YEAR; y <= LAST_YEAR; y++) {
    table[y] = h.getHolidays(y).filter((x) => x.type === 'public').map((x) => x.date.slice(5, 10).replace('-', '')).join(' ');
  }
  return table;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  const table = computeTable();
  const lines = Object.entries(table).map(([y, days]) => `  ${y}: '${days}',`);
  const version = (await import('date-holidays/package.json', { with: { type: 'json' } })).default.version;
  writeFileSync(path.join(import.meta.dirname, '..', 'functions', 'domain', 'bank-holidays.ts'), `/**
 * England and Wales bank holidays (MMDD, space-separated), ${FIRST_YEAR}–${LAST_YEAR}, generated from date-holidays
 * ${version} by scripts/generate-bank-holidays.ts. Do not edit.
 *
 * A table instead of the library at run time: date-holidays carries every country's calendars and moment-timezone,
 * about 1.3 MB of each function's bundle, to answer one question whose answer changes once a year at most.
 * test/unit/bank-holidays.test.ts fails while this table and the installed library disagree on any day.
 */
export const FIRST_YEAR = ${FIRST_YEAR};
export const LAST_YEAR = ${LAST_YEAR};
export const TABLE: Record<number, string> = {
${lines.join('\n')}
};
`);
}
