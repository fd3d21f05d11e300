/**
 * A school's holidays from the term dates it publishes (contracts section 9): an iCalendar file, or plain
 * `YYYY-MM-DD,YYYY-MM-DD` ranges. Pure: text in, ranges or problems out; the CLI reads the file.
 *
 * Only the CLI imports this module (it brings `ical.js`); the sweep needs only the ranges, on the school record, and
 * the rules that use them live in cadence.ts.
 *
 * The rules for an iCalendar file (README "The `custodian` command"):
 * - Schools publish term dates either as holiday events or as term events. An event whose SUMMARY names a term
 *   ("Autumn Term", "Spring term 2", "Summer term starts") and not a holiday ("Half term", "Christmas holiday",
 *   "Bank holiday") is a term event.
 * - With no term events, every event is a holiday or closure: each one's dates are a holiday.
 * - With term events, the holidays are the gaps between terms (not before the first term or after the last), plus
 *   any event whose SUMMARY names a holiday (a half term inside a whole-term event); other events (INSET days,
 *   parents' evenings) are ignored and reported as ignored.
 * - A term event of several days is the term. A one-day term event is where a term starts ("starts", "begins",
 *   "first day") or ends ("ends", "finishes", "last day"); each start is paired with the next end. An end before any
 *   start closes a term that began before the calendar does; a start after the last end opens one that ends after it.
 * - All-day events end the day before DTEND (DTEND is exclusive); an event without DTEND or DURATION lasts its day.
 *   Timed events cover the days from their start to their end (an end at midnight does not count that day).
 *   Cancelled events are left out; a recurring event counts each occurrence up to two years after its first.
 * - Ranges that overlap or touch are merged.
 * Guards against a calendar read the wrong way round: no holiday (one event, or a gap between terms) may be longer
 * than 11 weeks, and holidays may not cover more than half of the days from the first to the last, as terms would.
 */
import ICAL from 'ical.js';
import { parseDate, type HolidayRange, type IsoDate } from './model.ts';
import { mergeHolidayRanges } from './cadence.ts';
import { addDays, londonDate } from './working-days.ts';

/** The longest a single holiday may be: a long summer holiday is about ten weeks. */
export const LONGEST_HOLIDAY_DAYS = 77;
/** A year's holidays are about a quarter of it; more than this share of the calendar's days means they are terms. */
const MOST_OF_THE_CALENDAR = 0.5;
/** Recurring events are counted this many years after their first occurrence, at most this many times. */
const RECURRENCE_YEARS = 2;
const MAX_OCCURRENCES = 200;

export type HolidaysResult =
  | {
      ok: true;
      format: 'icalendar' | 'ranges';
      holidays: HolidayRange[];
      /** What the reader decided that the person loading the file should know (events ignored, say). */
      notes: string[];
    }
  | { ok: false; format: 'icalendar' | 'ranges'; errors: string[] };

/**
 * Reads a holidays file: an iCalendar file when its name ends `.ics` (or `.ical`, `.ifb`, `.icalendar`) or its text
 * starts with `BEGIN:VCALENDAR`; otherwise date ranges.
 */
export function parseHolidaysFile(content: string | Buffer, fileName = ''): HolidaysResult {
  const text = (typeof content === 'string' ? content : content.toString('utf8')).replace(/^\uFEFF/, '');
  const calendar = /\.(ics|ical|icalendar|ifb)$/i.test(fileName) || /^\s*BEGIN:VCALENDAR/i.test(text);
  return calendar ? parseHolidayCalendar(text) : parseHolidayRanges(text);
}

// ---------------------------------------------------------------------------------------------------------------
// Date ranges

/**
 * One range a line: `start,end` (both days included, `YYYY-MM-DD`; `DD/MM/YYYY` is read too), optionally a third
 * value naming it (`2026-10-26,2026-10-30,October half term`), or one date for a one-day holiday. `#` starts a
 * comment; blank lines are skipped.
 */
export function parseHolidayRanges(text: string): HolidaysResult {
  const errors: string[] = [];
  const ranges: Array<HolidayRange & { where: string }> = [];
  text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/).forEach((raw, i) => {
    const where = `line ${i + 1}`;
    const line = raw.replace(/#.*$/, '').trim();
    if (line === '') return;
    const [startText = '', endText, ...rest] = line.split(',').map((v) => v.trim());
    const name = rest.join(',').trim();
    const start = parseDate(startText);
    const end = endText === undefined || endText === '' ? start : parseDate(endText);
    const bad = [...(start ? [] : [startText]), ...(end || endText === undefined || endText === '' ? [] : [endText])].map((v) => JSON.stringify(v.slice(0, 40)));
    if (bad.length > 0) {
      errors.push(`${where}: ${bad.join(' and ')} ${bad.length === 1 ? 'is not a date' : 'are not dates'} (write each line as YYYY-MM-DD,YYYY-MM-DD)`);
      return;
    }
    const problem = rangeProblem(start!, end!);
    if (problem) errors.push(`${where}: ${problem}`);
    else ranges.push({ start: start!, end: end!, ...(name ? { name } : {}), where });
  });
  if (errors.length === 0 && ranges.length === 0) errors.push('the file has no holiday ranges (one a line: YYYY-MM-DD,YYYY-MM-DD)');
  if (errors.length > 0) return { ok: false, format: 'ranges', errors };
  return finish('ranges', ranges.map(({ where: _, ...r }) => r), []);
}

// ---------------------------------------------------------------------------------------------------------------
// iCalendar

const TERM = /\bterms?\b/i;
const HOLIDAY = /\b(holidays?|half[\s-]*terms?|break|closed|closure|vacation)\b/i;
const STARTS = /\b(starts?|starting|begins?|beginning|first day|opens?|commences?)\b|\bstart of\b/i;
const ENDS = /\b(ends?|ending|finish(es)?|finishing|last day|closes?)\b|\bend of\b/i;

interface CalendarEvent {
  /** How the problem report names it: `event "Half term" (UID 123@school)`. */
  label: string;
  summary: string;
  start: IsoDate;
  end: IsoDate;
}

export function parseHolidayCalendar(text: string): HolidaysResult {
  const fail = (...errors: string[]): HolidaysResult => ({ ok: false, format: 'icalendar', errors });
  if (!/^\s*BEGIN:VCALENDAR/i.test(text)) return fail('line 1: this is not an iCalendar file (it should start with BEGIN:VCALENDAR)');
  let roots: ICAL.Component[];
  try {
    const jcal = ICAL.parse(text) as unknown[];
    const all = (typeof jcal[0] === 'string' ? [jcal] : jcal) as unknown[][];
    roots = all.map((j) => new ICAL.Component(j as never));
  } catch (err) {
    return fail(parseErrorReason(text, err));
  }
  const vevents = roots.flatMap((r) => r.getAllSubcomponents('vevent'));
  if (vevents.length === 0) return fail('the calendar has no events (VEVENT): nothing to read holidays from');

  const errors: string[] = [];
  const events: CalendarEvent[] = [];
  let cancelled = 0;
  vevents.forEach((vevent, i) => {
    const summary = String(vevent.getFirstPropertyValue('summary') ?? '').trim();
    const uid = String(vevent.getFirstPropertyValue('uid') ?? '').trim();
    const label = summary || uid
      ? `event ${summary ? JSON.stringify(summary.slice(0, 80)) : `number ${i + 1}`}${uid ? ` (UID ${uid.slice(0, 80)})` : ''}`
      : `event number ${i + 1} (no SUMMARY or UID)`;
    if (String(vevent.getFirstPropertyValue('status') ?? '').toUpperCase() === 'CANCELLED') {
      cancelled++;
      return;
    }
    const read = eventDays(vevent);
    if ('problem' in read) {
      errors.push(`${label}: ${read.problem}`);
      return;
    }
    for (const [start, end] of read.days) events.push({ label, summary, start, end });
  });
  if (errors.length > 0) return fail(...errors);

  const notes: string[] = [];
  if (cancelled > 0) notes.push(`left out ${cancelled} cancelled event${cancelled === 1 ? '' : 's'}`);
  const isTerm = (e: CalendarEvent) => TERM.test(e.summary) && !HOLIDAY.test(e.summary);
  const terms = events.filter(isTerm);
  if (terms.length === 0) {
    const long = events.filter((e) => span(e.start, e.end) > LONGEST_HOLIDAY_DAYS);
    if (long.length > 0) {
      return fail(...long.map((e) => `${e.label}: ${e.start} to ${e.end} is ${span(e.start, e.end)} days, too long for a holiday (at most ${LONGEST_HOLIDAY_DAYS}); if it is a term, put "Term" in its SUMMARY and the holidays are read from the gaps between terms`));
    }
    return finish('icalendar', events.map(toRange), notes);
  }

  // Term dates: the holidays are the gaps between terms, and the events that name a holiday.
  const spans = termSpans(terms);
  if ('problems' in spans) return fail(...spans.problems);
  const holidays: HolidayRange[] = [];
  const gapErrors: string[] = [];
  spans.terms.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  let before: TermSpan | undefined;
  for (const term of spans.terms) {
    if (before && term.start > addDays(before.end, 1)) {
      const start = addDays(before.end, 1);
      const end = addDays(term.start, -1);
      if (span(start, end) > LONGEST_HOLIDAY_DAYS) {
        gapErrors.push(`the ${span(start, end)} days between the term that ends on ${before.end} (${before.label}) and the one that starts on ${term.start} (${term.label}) are too long for a holiday (at most ${LONGEST_HOLIDAY_DAYS}): is a term missing from the calendar?`);
      } else {
        holidays.push({ start, end, name: `between ${quoteName(before.name)} and ${quoteName(term.name)}` });
      }
    }
    if (!before || term.end > before.end) before = term;
  }
  if (gapErrors.length > 0) return fail(...gapErrors);
  const named = events.filter((e) => !isTerm(e) && HOLIDAY.test(e.summary));
  const ignored = events.filter((e) => !isTerm(e) && !HOLIDAY.test(e.summary));
  const long = named.filter((e) => span(e.start, e.end) > LONGEST_HOLIDAY_DAYS);
  if (long.length > 0) return fail(...long.map((e) => `${e.label}: ${e.start} to ${e.end} is ${span(e.start, e.end)} days, too long for a holiday (at most ${LONGEST_HOLIDAY_DAYS})`));
  holidays.push(...named.map(toRange));
  notes.push(`read the holidays as the gaps between ${spans.terms.length} term${spans.terms.length === 1 ? '' : 's'}${named.length ? `, with ${named.length} holiday event${named.length === 1 ? '' : 's'}` : ''}`);
  if (ignored.length > 0) {
    const names = [...new Set(ignored.map((e) => e.summary || '(no summary)'))];
    notes.push(`ignored ${ignored.length} event${ignored.length === 1 ? '' : 's'} that name${ignored.length === 1 ? 's' : ''} neither a term nor a holiday: ${names.slice(0, 5).join(', ')}${names.length > 5 ? ', …' : ''}`);
  }
  if (holidays.length === 0) return fail('the calendar\'s terms leave no gaps between them, and no event names a holiday: no holidays found');
  return finish('icalendar', holidays, notes);
}

interface TermSpan {
  start: IsoDate;
  end: IsoDate;
  /** The summary that names the term, for gap names. */
  name: string;
  label: string;
}

/** Terms from term events: several days make a term; one-day events mark where a term starts or ends. */
function termSpans(events: CalendarEvent[]): { terms: TermSpan[] } | { problems: string[] } {
  const terms: TermSpan[] = [];
  const problems: string[] = [];
  const marks: Array<CalendarEvent & { kind: 'start' | 'end' }> = [];
  for (const e of events) {
    if (e.start !== e.end) {
      terms.push({ start: e.start, end: e.end, name: e.summary, label: e.label });
      continue;
    }
    const starts = STARTS.test(e.summary);
    const ends = ENDS.test(e.summary);
    if (starts === ends) {
      problems.push(`${e.label}: a one-day term event on ${e.start} must say whether the term starts or ends then ("Autumn term starts", "Autumn term ends"), or cover the whole term`);
      continue;
    }
    marks.push({ ...e, kind: starts ? 'start' : 'end' });
  }
  marks.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : a.kind === b.kind ? 0 : a.kind === 'start' ? -1 : 1));
  let open: (typeof marks)[number] | undefined;
  let closedOne = false;
  for (const m of marks) {
    if (m.kind === 'start') {
      if (open) problems.push(`${m.label}: a term starts on ${m.start}, but the term that started on ${open.start} (${open.label}) has not ended`);
      open = m;
    } else if (open) {
      terms.push({ start: open.start, end: m.start, name: termName(open.summary), label: `${open.label} to ${m.label}` });
      open = undefined;
      closedOne = true;
    } else if (!closedOne && terms.every((t) => t.end < m.start)) {
      // The first mark ends a term that began before the calendar does.
      terms.push({ start: m.start, end: m.start, name: termName(m.summary), label: m.label });
      closedOne = true;
    } else {
      problems.push(`${m.label}: a term ends on ${m.start}, but no term starts after the one before it ended`);
    }
  }
  // A term that starts after the last end runs past the calendar's end.
  if (open) terms.push({ start: open.start, end: open.start, name: termName(open.summary), label: open.label });
  return problems.length > 0 ? { problems } : { terms };
}

/** "Autumn term starts" → "Autumn term". */
function termName(summary: string): string {
  return summary.replace(STARTS, '').replace(ENDS, '').replace(/\s*[-–:,]\s*$/, '').replace(/\s{2,}/g, ' ').trim() || summary;
}

function quoteName(name: string): string {
  return name ? `"${name}"` : 'a term';
}

/**
 * The days an event covers, as inclusive `[start, end]` date pairs (several for a recurring event), or why it cannot
 * be read. ical.js reads a malformed date as some other date rather than refusing it, so each value is checked as
 * written first.
 */
function eventDays(vevent: ICAL.Component): { days: Array<[IsoDate, IsoDate]> } | { problem: string } {
  const dtstart = vevent.getFirstProperty('dtstart');
  if (!dtstart) return { problem: 'has no DTSTART (start date)' };
  const startProblem = valueProblem(dtstart, 'DTSTART');
  if (startProblem) return { problem: startProblem };
  const dtend = vevent.getFirstProperty('dtend');
  if (dtend) {
    const endProblem = valueProblem(dtend, 'DTEND');
    if (endProblem) return { problem: endProblem };
  }
  let event: ICAL.Event;
  try {
    event = new ICAL.Event(vevent);
    const one = daysOf(event.startDate, event.endDate);
    if ('problem' in one) return one;
    if (!event.isRecurring()) return { days: [one.days] };
    const days: Array<[IsoDate, IsoDate]> = [];
    const until = addDays(one.days[0], 366 * RECURRENCE_YEARS);
    const iterator = event.iterator();
    for (let next = iterator.next(); next && days.length < MAX_OCCURRENCES; next = iterator.next()) {
      const occurrence = event.getOccurrenceDetails(next);
      const d = daysOf(occurrence.startDate, occurrence.endDate);
      if ('problem' in d) return d;
      if (d.days[0] > until) break;
      days.push(d.days);
    }
    return { days };
  } catch (err) {
    return { problem: `cannot be read (${err instanceof Error ? err.message : String(err)})` };
  }
}

function valueProblem(property: ICAL.Property, name: string): string | undefined {
  const [, , type, value] = property.toJSON() as [string, unknown, string, unknown];
  const text = typeof value === 'string' ? value : '';
  const ok = type === 'date'
    ? /^\d{4}-\d{2}-\d{2}$/.test(text) && parseDate(text) !== undefined
    : type === 'date-time' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z?$/.test(text) && parseDate(text.slice(0, 10)) !== undefined;
  return ok ? undefined : `${name} is not a date or date-time (write it as YYYYMMDD, with VALUE=DATE, or YYYYMMDDTHHMMSS)`;
}

/** The inclusive days from `start` to `end` (exclusive for all-day events; a timed end at midnight is exclusive too). */
function daysOf(start: ICAL.Time, end: ICAL.Time): { days: [IsoDate, IsoDate] } | { problem: string } {
  const first = dateOf(start);
  let last: IsoDate;
  if (start.isDate) {
    last = end.isDate ? addDays(dateOf(end), -1) : dateOf(end);
  } else {
    const justBefore = end.clone();
    justBefore.adjust(0, 0, 0, -1);
    last = dateOf(justBefore);
  }
  if (end.compare(start) < 0) return { problem: `ends (${dateOf(end)}) before it starts (${first})` };
  return { days: [first, last < first ? first : last] };
}

/** The calendar date of a time: a UTC time as the date in England, a local or floating one as written. */
function dateOf(t: ICAL.Time): IsoDate {
  if (!t.isDate && t.zone?.tzid === 'UTC') return londonDate(t.toJSDate());
  return `${String(t.year).padStart(4, '0')}-${String(t.month).padStart(2, '0')}-${String(t.day).padStart(2, '0')}`;
}

/** ical.js's reason, with the line it is about when it quotes one. */
function parseErrorReason(text: string, err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const quoted = /"([^"]*)"\s*$/.exec(message)?.[1];
  const line = quoted === undefined ? -1 : text.split(/\r\n|\n|\r/).findIndex((l) => l.trim() === quoted.trim());
  return `${line >= 0 ? `line ${line + 1}: ` : ''}the calendar cannot be read: ${message}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Shared

function span(start: IsoDate, end: IsoDate): number {
  return Math.round((Date.parse(`${end}T00:00:00Z`) - Date.parse(`${start}T00:00:00Z`)) / 86_400_000) + 1;
}

function rangeProblem(start: IsoDate, end: IsoDate): string | undefined {
  if (end < start) return `ends (${end}) before it starts (${start})`;
  if (span(start, end) > LONGEST_HOLIDAY_DAYS) return `${start} to ${end} is ${span(start, end)} days, too long for a holiday (at most ${LONGEST_HOLIDAY_DAYS}); are these term dates?`;
  return undefined;
}

function toRange(e: CalendarEvent): HolidayRange {
  return { start: e.start, end: e.end, ...(e.summary ? { name: e.summary } : {}) };
}

/** Merged, and checked as a whole: holidays are a minority of the calendar's days. */
function finish(format: 'icalendar' | 'ranges', ranges: HolidayRange[], notes: string[]): HolidaysResult {
  const holidays = mergeHolidayRanges(ranges);
  if (holidays.length > 1) {
    const first = holidays[0]!.start;
    const last = holidays.at(-1)!.end;
    const days = holidays.reduce((n, h) => n + span(h.start, h.end), 0);
    if (days / span(first, last) > MOST_OF_THE_CALENDAR) {
      return {
        ok: false,
        format,
        errors: [`these holidays cover ${days} of the ${span(first, last)} days from ${first} to ${last}; holidays are about a quarter of a school year, so these look like terms${format === 'icalendar' ? ' (put "Term" in the SUMMARY of term events: the holidays are then read from the gaps between them)' : ''}`],
      };
    }
  }
  return { ok: true, format, holidays, notes };
}
