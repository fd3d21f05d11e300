/**
 * When things happened, as ISO 8601 date-times. The same instant can be written many ways (`…T09:00:00Z`,
 * `…T09:00:00.000Z`, `…T10:00:00+01:00`), and as text they do not sort as time does, so event times are written in
 * one form (`instant`) and compared as instants (`compareInstants`), never as strings. Pure.
 */

/** The one form an instant is stored in: UTC with milliseconds (`Date#toISOString`). Text that is not a date-time is kept as it is. */
export function instant(iso: string): string {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? iso : new Date(ms).toISOString();
}

/** Negative when `a` happened before `b`, 0 at the same instant, positive after (in any ISO 8601 form). */
export function compareInstants(a: string, b: string): number {
  return Date.parse(a) - Date.parse(b);
}
