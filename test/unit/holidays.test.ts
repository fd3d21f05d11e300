/**
 * Reading a school's holidays (functions/domain/holidays.ts): plain date ranges, and iCalendar files published either
 * as holiday events or as term dates (the holidays then being the gaps between terms). Bad input says what is wrong
 * where: the line, or the event's summary and UID.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseHolidayCalendar, parseHolidayRanges, parseHolidaysFile, type HolidaysResult } from '../../functions/domain/holidays.ts';
import type { HolidayRange } from '../../functions/domain/model.ts';

const TERM_DATES = path.resolve(import.meta.dirname, '../fixtures/oakfield-term-dates.ics');

function holidaysOf(result: HolidaysResult): HolidayRange[] {
  if (!result.ok) throw new Error(`expected holidays, got:\n${result.errors.join('\n')}`);
  return result.holidays;
}
function errorsOf(result: HolidaysResult): string[] {
  if (result.ok) throw new Error(`expected errors, got ${JSON.stringify(result.holidays)}`);
  return result.errors;
}
const dates = (holidays: HolidayRange[]) => holidays.map((h) => `${h.start}..${h.end}`);

/** A calendar of the given VEVENT bodies (CRLF, as RFC 5545 has it). */
function calendar(...events: string[][]): string {
  return ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//test//EN', ...events.flatMap((e) => ['BEGIN:VEVENT', ...e, 'END:VEVENT']), 'END:VCALENDAR', ''].join('\r\n');
}
/** An all-day event: DTEND is the day after the last (exclusive); left out when `end` is undefined. */
function allDay(summary: string, start: string, end?: string, ...extra: string[]): string[] {
  return [`UID:${summary.toLowerCase().replace(/\W+/g, '-')}-${start}@school.example`, `SUMMARY:${summary}`, `DTSTART;VALUE=DATE:${start}`, ...(end ? [`DTEND;VALUE=DATE:${end}`] : []), ...extra];
}

describe('date ranges', () => {
  it('reads inclusive YYYY-MM-DD,YYYY-MM-DD lines, with # comments, blank lines, names and one-day holidays', () => {
    const text = [
      '# Oakfield Academy holidays 2026-27',
      '',
      '2026-10-24,2026-11-01   # October half term',
      '2026-12-19, 2027-01-04, Christmas',
      '  2027-05-03  ',
      '\t',
    ].join('\n');
    const result = parseHolidayRanges(text);
    expect(result).toEqual({
      ok: true,
      format: 'ranges',
      holidays: [
        { start: '2026-10-24', end: '2026-11-01' },
        { start: '2026-12-19', end: '2027-01-04', name: 'Christmas' },
        { start: '2027-05-03', end: '2027-05-03' },
      ],
      notes: [],
    });
  });

  it('sorts the ranges and merges those that overlap or touch; CRLF and a BOM are fine', () => {
    const text = '\uFEFF2027-02-15,2027-02-19\r\n2026-10-26,2026-10-30\r\n2026-10-24,2026-10-27\r\n2027-02-20,2027-02-21\r\n';
    expect(dates(holidaysOf(parseHolidayRanges(text)))).toEqual(['2026-10-24..2026-10-30', '2027-02-15..2027-02-21']);
  });

  it('names each bad line and what is wrong with it, and returns no holidays', () => {
    const text = ['2026-10-24,2026-11-01', 'start,end', '2026-13-01,2026-13-05', '2027-02-21,2027-02-13', '2027-02-13;2027-02-21', '2027-06-01,2027-09-30'].join('\n');
    expect(errorsOf(parseHolidayRanges(text))).toEqual([
      'line 2: "start" and "end" are not dates (write each line as YYYY-MM-DD,YYYY-MM-DD)',
      'line 3: "2026-13-01" and "2026-13-05" are not dates (write each line as YYYY-MM-DD,YYYY-MM-DD)',
      'line 4: ends (2027-02-13) before it starts (2027-02-21)',
      'line 5: "2027-02-13;2027-02-21" is not a date (write each line as YYYY-MM-DD,YYYY-MM-DD)',
      'line 6: 2027-06-01 to 2027-09-30 is 122 days, too long for a holiday (at most 77); are these term dates?',
    ]);
  });

  it('refuses an empty file, and term dates given as holidays', () => {
    expect(errorsOf(parseHolidayRanges('# nothing yet\n\n'))).toEqual(['the file has no holiday ranges (one a line: YYYY-MM-DD,YYYY-MM-DD)']);
    const terms = ['2026-09-03,2026-10-23', '2026-11-02,2026-12-18'].join('\n');
    expect(errorsOf(parseHolidayRanges(terms))[0]).toMatch(/^these holidays cover 98 of the 107 days from 2026-09-03 to 2026-12-18; .* look like terms/);
  });
});

describe('iCalendar: holiday events', () => {
  it('reads multi-day all-day events, DTEND being the day after the last (exclusive)', () => {
    const text = calendar(
      allDay('October half term', '20261026', '20261031'), // Monday 26 to Friday 30 October
      allDay('Christmas holidays', '20261221', '20270105'), // to Monday 4 January
      allDay('INSET day', '20270105'), // no DTEND: that one day
    );
    expect(parseHolidayCalendar(text)).toEqual({
      ok: true,
      format: 'icalendar',
      holidays: [
        { start: '2026-10-26', end: '2026-10-30', name: 'October half term' },
        { start: '2026-12-21', end: '2027-01-05', name: 'Christmas holidays / INSET day' },
      ],
      notes: [],
    });
  });

  it('reads DURATION, timed events (a UTC time as the date in England; an end at midnight not counting that day), and leaves out cancelled events', () => {
    const text = calendar(
      ['UID:a', 'SUMMARY:February half term', 'DTSTART;VALUE=DATE:20270215', 'DURATION:P5D'],
      ['UID:b', 'SUMMARY:School closed', 'DTSTART:20261022T230000Z', 'DTEND:20261023T150000Z'], // 00:00 to 16:00 BST on Friday 23 October
      ['UID:c', 'SUMMARY:Closure', 'DTSTART;TZID=Europe/London:20270330T000000', 'DTEND;TZID=Europe/London:20270401T000000'],
      ['UID:d', 'SUMMARY:Snow day (cancelled)', 'STATUS:CANCELLED', 'DTSTART;VALUE=DATE:20270120'],
    );
    const result = parseHolidayCalendar(text);
    expect(holidaysOf(result)).toEqual([
      { start: '2026-10-23', end: '2026-10-23', name: 'School closed' },
      { start: '2027-02-15', end: '2027-02-19', name: 'February half term' },
      { start: '2027-03-30', end: '2027-03-31', name: 'Closure' },
    ]);
    expect(result.ok && result.notes).toEqual(['left out 1 cancelled event']);
  });

  it('counts each occurrence of a recurring event, for two years', () => {
    const text = calendar(allDay('Christmas Day', '20261225', '20261226', 'RRULE:FREQ=YEARLY'), allDay('October half term', '20261026', '20261031'));
    expect(dates(holidaysOf(parseHolidayCalendar(text)))).toEqual(['2026-10-26..2026-10-30', '2026-12-25..2026-12-25', '2027-12-25..2027-12-25', '2028-12-25..2028-12-25']);
  });

  it('refuses an event too long to be a holiday, and events that cover most of the calendar, naming them', () => {
    const long = errorsOf(parseHolidayCalendar(calendar(allDay('Autumn 1', '20260903', '20261221'))));
    expect(long).toEqual([expect.stringMatching(/^event "Autumn 1" \(UID autumn-1-20260903@school\.example\): 2026-09-03 to 2026-12-20 is 109 days, too long for a holiday \(at most 77\); if it is a term, put "Term" in its SUMMARY/)]);
    const terms = errorsOf(parseHolidayCalendar(calendar(allDay('Autumn 1', '20260903', '20261024'), allDay('Autumn 2', '20261102', '20261219'))));
    expect(terms).toEqual([expect.stringMatching(/look like terms \(put "Term" in the SUMMARY of term events/)]);
  });
});

describe('iCalendar: term dates', () => {
  it('reads the holidays as the gaps between terms, with the events that name a holiday, and ignores the rest (the fixture)', () => {
    const result = parseHolidaysFile(readFileSync(TERM_DATES), 'oakfield-term-dates.ics');
    expect(result).toEqual({
      ok: true,
      format: 'icalendar',
      holidays: [
        { start: '2026-10-24', end: '2026-11-01', name: 'between "Autumn Term 1" and "Autumn Term 2"' },
        { start: '2026-12-19', end: '2027-01-04', name: 'between "Autumn Term 2" and "Spring Term 1"' },
        { start: '2027-02-13', end: '2027-02-21', name: 'between "Spring Term 1" and "Spring Term 2"' },
        { start: '2027-03-27', end: '2027-04-11', name: 'between "Spring Term 2" and "Summer Term 1"' },
        { start: '2027-05-03', end: '2027-05-03', name: 'Early May bank holiday' },
        { start: '2027-05-29', end: '2027-06-06', name: 'between "Summer Term 1" and "Summer Term 2"' },
        { start: '2027-07-22', end: '2027-09-01', name: 'between "Summer Term 2" and "Autumn Term 1"' },
      ],
      notes: [
        'read the holidays as the gaps between 7 terms, with 1 holiday event',
        'ignored 1 event that names neither a term nor a holiday: INSET day',
      ],
    });
  });

  it('pairs one-day "term starts" and "term ends" events, and adds a half term inside a term', () => {
    const text = calendar(
      allDay('Autumn term ends', '20261218'), // the first mark ends a term that began before the calendar
      allDay('Spring term starts', '20270105'),
      allDay('Half term', '20270215', '20270220'),
      allDay('Last day of spring term', '20270326'),
      allDay('Summer term begins', '20270412'), // a start after the last end: the term runs past the calendar
    );
    expect(holidaysOf(parseHolidayCalendar(text))).toEqual([
      { start: '2026-12-19', end: '2027-01-04', name: 'between "Autumn term" and "Spring term"' },
      { start: '2027-02-15', end: '2027-02-19', name: 'Half term' },
      { start: '2027-03-27', end: '2027-04-11', name: 'between "Spring term" and "Summer term"' },
    ]);
  });

  it('refuses a one-day term event that says neither start nor end, unpaired marks, and a gap too long to be a holiday', () => {
    expect(errorsOf(parseHolidayCalendar(calendar(allDay('Autumn Term 1', '20260903', '20261024'), allDay('Summer Term', '20270412'))))).toEqual([
      'event "Summer Term" (UID summer-term-20270412@school.example): a one-day term event on 2027-04-12 must say whether the term starts or ends then ("Autumn term starts", "Autumn term ends"), or cover the whole term',
    ]);
    expect(errorsOf(parseHolidayCalendar(calendar(allDay('Autumn term starts', '20260903'), allDay('Spring term starts', '20270105'), allDay('Spring term ends', '20270326'))))).toEqual([
      'event "Spring term starts" (UID spring-term-starts-20270105@school.example): a term starts on 2027-01-05, but the term that started on 2026-09-03 (event "Autumn term starts" (UID autumn-term-starts-20260903@school.example)) has not ended',
    ]);
    const missing = errorsOf(parseHolidayCalendar(calendar(allDay('Autumn Term', '20260903', '20261219'), allDay('Summer Term', '20270412', '20270722'))));
    expect(missing).toEqual([expect.stringMatching(/^the 114 days between the term that ends on 2026-12-18 \(event "Autumn Term".*\) and the one that starts on 2027-04-12 .* is a term missing from the calendar\?$/)]);
  });
});

describe('iCalendar: what cannot be read', () => {
  it('a file that is not a calendar, or whose lines are not iCalendar', () => {
    expect(errorsOf(parseHolidaysFile('Half term is 26-30 October', 'holidays.ics'))).toEqual(['line 1: this is not an iCalendar file (it should start with BEGIN:VCALENDAR)']);
    expect(errorsOf(parseHolidaysFile('BEGIN:VCALENDAR\r\nVERSION:2.0\r\nHalf term 26-30 October\r\nEND:VCALENDAR\r\n'))).toEqual([
      'line 3: the calendar cannot be read: invalid line (no token ";" or ":") "Half term 26-30 October"',
    ]);
    expect(errorsOf(parseHolidaysFile('BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:x\r\nEND:VCALENDAR\r\n', 'x.ics'))).toEqual([
      'the calendar cannot be read: invalid ical body. component began but did not end',
    ]);
    expect(errorsOf(parseHolidaysFile(calendar()))).toEqual(['the calendar has no events (VEVENT): nothing to read holidays from']);
  });

  it('events without a start, with a malformed date, or ending before they start, named by summary and UID', () => {
    const text = calendar(
      ['UID:1@x', 'SUMMARY:Half term'],
      ['UID:2@x', 'SUMMARY:Christmas', 'DTSTART;VALUE=DATE:2026-12-21'],
      ['SUMMARY:Easter', 'DTSTART;VALUE=DATE:20270327', 'DTEND;VALUE=DATE:20270320'],
      ['DTSTART;VALUE=DATE:20271399'],
      allDay('Fine', '20261026', '20261031'),
    );
    expect(errorsOf(parseHolidayCalendar(text))).toEqual([
      'event "Half term" (UID 1@x): has no DTSTART (start date)',
      'event "Christmas" (UID 2@x): DTSTART is not a date or date-time (write it as YYYYMMDD, with VALUE=DATE, or YYYYMMDDTHHMMSS)',
      'event "Easter": ends (2027-03-20) before it starts (2027-03-27)',
      'event number 4 (no SUMMARY or UID): DTSTART is not a date or date-time (write it as YYYYMMDD, with VALUE=DATE, or YYYYMMDDTHHMMSS)',
    ]);
  });

  it('binary junk, as a calendar or as ranges, is an error and never a throw', () => {
    const junk = Buffer.from([0xff, 0xfe, 0x00, 0x42, 0x45, 0x47, 0x0a, 0x01, 0x02]);
    expect(parseHolidaysFile(junk, 'x.ics').ok).toBe(false);
    expect(parseHolidaysFile(junk, 'x.txt').ok).toBe(false);
  });
});

describe('which reader', () => {
  it('an .ics name or a BEGIN:VCALENDAR start is a calendar; anything else is ranges', () => {
    expect(parseHolidaysFile(calendar(allDay('Half term', '20261026', '20261031')), 'dates.txt').format).toBe('icalendar');
    expect(parseHolidaysFile('2026-10-26,2026-10-30', 'dates.ICS').format).toBe('icalendar');
    expect(parseHolidaysFile('2026-10-26,2026-10-30', 'dates.txt')).toMatchObject({ ok: true, format: 'ranges' });
  });
});

describe('where ical.js may be loaded', () => {
  // The Lambda bundles stay small (bench/lib/bundles.ts): only the CLI reads calendars, the functions need the ranges.
  const ROOT = path.resolve(import.meta.dirname, '../..');
  const sources = (dir: string): string[] => readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(`${dir}/${e.name}`) : /\.ts$/.test(e.name) ? [`${dir}/${e.name}`] : []);
  const importsOf = (file: string) => [...readFileSync(path.join(ROOT, file), 'utf8').matchAll(/(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)].map((m) => m[1]!);

  it('only functions/domain/holidays.ts imports ical.js, and no function code imports holidays.ts', () => {
    const files = [...sources('functions'), ...sources('events')];
    expect(files).toContain('functions/domain/holidays.ts');
    expect(files.filter((f) => importsOf(f).includes('ical.js'))).toEqual(['functions/domain/holidays.ts']);
    expect(files.filter((f) => importsOf(f).some((i) => /(^|\/)holidays\.ts$/.test(i)))).toEqual([]);
  });
});
