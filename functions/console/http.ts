/**
 * What every console response carries, and the small helpers the routes share: HTML or JSON by `Accept`, redirects,
 * and the error pages. The headers: never cached (`no-store`: pages show personal data), a Content-Security-Policy
 * that allows no script at all and only the console's one stylesheet (by its hash), no framing, no referrer.
 */
import type { Context } from 'hono';
import { escapeHtml as e } from '../domain/html.ts';
import { CSS_HASH, page, type PageUser, type Section } from './layout.ts';

export function securityHeaders(formTargets: string[]): Record<string, string> {
  // form-action also names the sign-in provider: signing out is a form POST answered with a redirect to its logout page.
  const csp = [
    "default-src 'none'",
    `style-src ${CSS_HASH}`,
    "img-src 'self'",
    `form-action 'self'${formTargets.map((t) => ` ${t}`).join('')}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');
  return {
    'cache-control': 'no-store',
    'content-security-policy': csp,
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
    'cross-origin-opener-policy': 'same-origin',
  };
}

/** Whether the caller asked for JSON (`Accept: application/json`) rather than a page. */
export function wantsJson(c: Context): boolean {
  const accept = c.req.header('accept') ?? '';
  return /\bapplication\/json\b/i.test(accept) && !/\btext\/html\b/i.test(accept);
}

export function htmlPage(c: Context, status: number, o: { trustName: string; title: string; body: string; user?: PageUser; section?: Section }): Response {
  return c.html(page(o), status as 200);
}

/** A page with just a message: refusals, errors, "signed out". */
export function messagePage(c: Context, status: number, o: { trustName: string; title: string; message: string; user?: PageUser; kind?: 'error' | 'info' | 'success'; extra?: string }): Response {
  const kind = o.kind ?? 'error';
  const role = kind === 'error' ? ' role="alert"' : kind === 'success' ? ' role="status"' : '';
  const body = `<div class="box ${kind}" id="message"${role}><p>${e(o.message)}</p></div>\n${o.extra ?? ''}`;
  return htmlPage(c, status, { trustName: o.trustName, title: o.title, body, ...(o.user ? { user: o.user } : {}) });
}

/** 303 See Other: after a POST the browser GETs the next page, so a reload does not send the form again. */
export function seeOther(c: Context, location: string): Response {
  return c.redirect(location, 303);
}

/** A JSON error body, for callers that asked for JSON. */
export function jsonError(c: Context, status: number, message: string): Response {
  return c.json({ error: message }, status as 400);
}
