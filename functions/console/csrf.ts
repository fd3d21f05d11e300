/**
 * Cross-site request forgery: every form carries a hidden `_csrf` derived from the session's own secret, and a POST
 * is accepted only with that value (compared in constant time) and, when the browser says where it comes from
 * (`Sec-Fetch-Site`, `Origin`), only from the console itself. Otherwise 403, and nothing is changed.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const CSRF_FIELD = '_csrf';

/** The form token for a session: an HMAC of a fixed label under the session's CSRF secret. */
export function csrfToken(sessionSecret: string): string {
  return createHmac('sha256', sessionSecret).update('custodian-console:form').digest('base64url');
}

export function csrfMatches(sessionSecret: string, given: unknown): boolean {
  if (typeof given !== 'string' || given.length === 0 || given.length > 256) return false;
  const want = Buffer.from(csrfToken(sessionSecret));
  const got = Buffer.from(given);
  return got.length === want.length && timingSafeEqual(got, want);
}

/**
 * Whether the request's own account of where it comes from allows a change. Browsers send `Sec-Fetch-Site`: only
 * `same-origin` is accepted. An `Origin` must be the console's, except `null`: the console's pages send no referrer
 * (`Referrer-Policy: no-referrer`), and browsers then send `Origin: null` on the console's own form posts, so `null`
 * (like no `Origin` at all, from older browsers or scripts) is left to the form token and the SameSite cookie.
 */
export function sameOrigin(headers: { origin?: string; secFetchSite?: string }, baseUrl: string): boolean {
  const site = headers.secFetchSite?.trim().toLowerCase();
  if (site && site !== 'same-origin') return false;
  const origin = headers.origin?.trim();
  if (!origin || origin === 'null') return true;
  try {
    return new URL(origin).origin === new URL(baseUrl).origin;
  } catch {
    return false;
  }
}

/** The hidden field every console form includes. */
export function csrfField(sessionSecret: string): string {
  return `<input type="hidden" name="${CSRF_FIELD}" value="${csrfToken(sessionSecret)}">`;
}
