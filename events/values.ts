/**
 * The pure value helpers the event contracts validate with: addresses and calendar dates. No imports, so the
 * contracts in `events/` depend on nothing in `functions/`; functions/domain/model.ts re-exports them.
 */

/** A calendar date, `YYYY-MM-DD` (the same as functions/domain/model.ts `IsoDate`). */
type IsoDate = string;

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

/**
 * A pragmatic address check: one `@`, a dotted domain, no spaces. Typos beyond that are caught by domain findings.
 * Printable ASCII only (contracts section 6): an address with an invisible character (a zero-width space) or a
 * look-alike letter (a Cyrillic `е`) would look like a colleague's while reaching no one, so it is refused.
 */
// The local part: RFC 5322 "atext" and dots; no control characters, quotes or brackets that could reach headers.
const EMAIL_RE = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~.]+@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/i;
export function isEmail(value: string): boolean {
  return value.length <= 254 && EMAIL_RE.test(value.trim());
}

/**
 * The mailbox an address reaches: `leaver+social@school` is delivered to `leaver@school`, so for deciding whose
 * an address is, the `+tag` does not count.
 */
export function mailboxOf(email: string): string {
  const e = normaliseEmail(email);
  const at = e.lastIndexOf('@');
  return at < 0 ? e : `${e.slice(0, at).replace(/\+.*$/, '')}${e.slice(at)}`;
}

/**
 * Accepts `YYYY-MM-DD` or the UK `DD/MM/YYYY`; returns `YYYY-MM-DD`, or undefined for a malformed or impossible date.
 */
export function parseDate(value: string): IsoDate | undefined {
  const v = value.trim();
  let y: number, m: number, d: number;
  let match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
  if (match) {
    [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  } else if ((match = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(v))) {
    [d, m, y] = [Number(match[1]), Number(match[2]), Number(match[3])];
  } else {
    return undefined;
  }
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return undefined;
  return date.toISOString().slice(0, 10);
}

/**
 * The source of the events Custodian itself publishes (Account Flagged, Task Resolved…), for trusts to wire ticketing
 * systems to. Here rather than in schemas.ts so the publisher can name it without bundling zod.
 */
export const CUSTODIAN_SOURCE = 'custodian';
