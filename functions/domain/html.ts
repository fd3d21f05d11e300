/**
 * HTML escaping, header-safe text, and the shared layouts for emails and action-link pages. Pure.
 *
 * Every value that comes from data (names, handles, addresses, URLs, reasons) goes through `escapeHtml` before it is
 * put into HTML; layouts escape their own inputs except `bodyHtml`, which the caller has already built safely.
 */

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

/** Escapes `& < > " '` and backtick; `undefined` and `null` become the empty string. Safe in text and quoted attributes. */
export function escapeHtml(value: unknown): string {
  if (value === undefined || value === null) return '';
  return String(value).replace(/[&<>"'`]/g, (c) => HTML_ESCAPES[c] ?? c);
}

const HEADER_MAX = 200;

/** Subject/header safe: CR, LF and other control characters become spaces, runs of spaces collapse, max 200 chars. */
export function headerSafe(value: string): string {
  // C0 and C1 controls, DEL, and the Unicode line and paragraph separators.
  const flat = String(value ?? '')
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  const chars = Array.from(flat); // code points, so a surrogate pair is never split
  if (chars.length <= HEADER_MAX) return flat;
  return `${chars.slice(0, HEADER_MAX - 1).join('').trimEnd()}…`;
}

/** Only http(s) URLs become links; anything else (`javascript:`, `data:`) is shown as text by the callers. */
export function isSafeHref(url: string | undefined): url is string {
  if (!url) return false;
  try {
    const u = new URL(url);
    return u.protocol === 'https:' || u.protocol === 'http:';
  } catch {
    return false;
  }
}

/** Inline styles used by email bodies (email clients drop <style> blocks, so emails use style attributes only). */
export const EMAIL_STYLES = {
  p: 'margin:0 0 14px 0;font-size:15px;line-height:1.5;color:#1f2933;',
  h2: 'margin:22px 0 8px 0;font-size:16px;line-height:1.3;color:#1f2933;',
  ul: 'margin:0 0 14px 0;padding:0 0 0 20px;font-size:15px;line-height:1.5;color:#1f2933;',
  li: 'margin:0 0 6px 0;',
  table: 'border-collapse:collapse;margin:0 0 16px 0;font-size:15px;line-height:1.4;color:#1f2933;',
  th: 'text-align:left;vertical-align:top;padding:4px 14px 4px 0;font-weight:600;color:#52606d;white-space:nowrap;',
  td: 'text-align:left;vertical-align:top;padding:4px 0;word-break:break-word;',
  button:
    'display:inline-block;background:#0b5fff;color:#ffffff;text-decoration:none;font-weight:600;font-size:16px;' +
    'padding:12px 22px;border-radius:6px;',
  note: 'margin:0 0 16px 0;padding:12px 14px;background:#fff4e5;border-left:4px solid #d97706;font-size:15px;line-height:1.5;color:#1f2933;',
  small: 'margin:0 0 12px 0;font-size:13px;line-height:1.5;color:#52606d;',
  code: 'font-family:Consolas,Menlo,monospace;font-size:14px;background:#f1f3f5;padding:1px 4px;border-radius:3px;',
  link: 'color:#0b5fff;word-break:break-all;',
  /** Data tables (the weekly digest): ruled rows, a highlighted row for what needs attention first. */
  dataTable: 'border-collapse:collapse;width:100%;margin:0 0 16px 0;font-size:14px;line-height:1.4;color:#1f2933;',
  dataTh: 'text-align:left;vertical-align:bottom;padding:6px 8px;border-bottom:2px solid #9aa5b1;font-weight:600;color:#52606d;',
  dataTd: 'text-align:left;vertical-align:top;padding:6px 8px;border-bottom:1px solid #e4e7eb;word-break:break-word;',
  marked: 'background:#fff4e5;',
} as const;

/**
 * A complete, self-contained HTML email document: inline CSS only, a heading, the body HTML, a footer line naming
 * the trust and saying the email was sent by Custodian. `footer`, if given, is plain text shown above that line.
 */
export function emailLayout(opts: { trustName: string; title: string; bodyHtml: string; footer?: string }): string {
  const trust = escapeHtml(opts.trustName);
  const title = escapeHtml(opts.title);
  const extra = opts.footer ? `<p style="${EMAIL_STYLES.small}">${escapeHtml(opts.footer)}</p>` : '';
  return `<!doctype html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
</head>
<body style="margin:0;padding:0;background:#f4f5f7;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="border-collapse:collapse;background:#f4f5f7;">
<tr><td align="center" style="padding:24px 12px;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="border-collapse:collapse;max-width:640px;background:#ffffff;border:1px solid #d9dee3;border-radius:8px;">
<tr><td style="padding:18px 24px 0 24px;font-family:Arial,Helvetica,sans-serif;font-size:13px;color:#52606d;">${trust}</td></tr>
<tr><td style="padding:8px 24px 24px 24px;font-family:Arial,Helvetica,sans-serif;">
<h1 style="margin:0 0 18px 0;font-size:21px;line-height:1.3;color:#1f2933;">${title}</h1>
${opts.bodyHtml}
</td></tr>
<tr><td style="padding:14px 24px 18px 24px;border-top:1px solid #e4e7eb;font-family:Arial,Helvetica,sans-serif;">
${extra}<p style="${EMAIL_STYLES.small}">${trust}: sent by Custodian, the trust's register of official social media accounts.</p>
</td></tr>
</table>
</td></tr>
</table>
</body>
</html>
`;
}

const PAGE_CSS = `
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:#f4f5f7;color:#1f2933;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif}
header,main,footer{max-width:40rem;margin:0 auto;padding:0 1rem}
header{padding-top:1rem;color:#52606d;font-size:.9rem}
main{background:#fff;border:1px solid #d9dee3;border-radius:8px;padding:1.25rem 1rem 1.5rem;margin-top:.5rem}
h1{font-size:1.4rem;line-height:1.3;margin:0 0 1rem}
h2{font-size:1.1rem;margin:1.5rem 0 .5rem}
p{margin:0 0 1rem}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem;margin:0 0 1rem}
dt{font-weight:600;color:#52606d}
dd{margin:0;overflow-wrap:anywhere}
a{color:#0b5fff;overflow-wrap:anywhere}
form{border:1px solid #d9dee3;border-radius:8px;padding:1rem;margin:0 0 1rem;background:#fafbfc}
form h2{margin-top:0}
label{display:block;font-weight:600;margin:.75rem 0 .25rem}
input[type=email],input[type=date],input[type=text],input[type=url],select,textarea{display:block;width:100%;font:inherit;padding:.6rem;border:1px solid #9aa5b1;border-radius:6px;background:#fff}
label.check{display:flex;gap:.6rem;align-items:flex-start}
label.check input{flex:none;width:1.5rem;height:1.5rem;margin:0}
textarea{min-height:6rem}
button{display:inline-block;font:inherit;font-weight:600;margin-top:1rem;padding:.75rem 1.25rem;border:0;border-radius:6px;background:#0b5fff;color:#fff;cursor:pointer;min-height:44px}
button.danger{background:#b42318}
button.secondary{background:#3e4c59}
.box{border-radius:6px;padding:.75rem 1rem;margin:0 0 1rem;border-left:4px solid}
.error{background:#fdecea;border-color:#b42318}
.success{background:#e8f5e9;border-color:#2e7d32}
.info{background:#e8f0fe;border-color:#0b5fff}
.warning{background:#fff4e5;border-color:#d97706}
.muted{color:#52606d;font-size:.9rem}
footer{color:#52606d;font-size:.85rem;padding-top:1rem;padding-bottom:2rem}
`;

/**
 * A complete HTML page (for action links): `<!doctype html>`, lang en-GB, viewport meta, inline `<style>` only,
 * no `<script>`, readable on a phone. The title is the page's `<h1>`.
 */
export function pageLayout(opts: { trustName: string; title: string; bodyHtml: string }): string {
  const trust = escapeHtml(opts.trustName);
  const title = escapeHtml(opts.title);
  return `<!doctype html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<meta name="referrer" content="no-referrer">
<title>${title} – ${trust}</title>
<style>${PAGE_CSS}</style>
</head>
<body>
<header>${trust}</header>
<main>
<h1>${title}</h1>
${opts.bodyHtml}
</main>
<footer>${trust}: Custodian, the trust's register of official social media accounts.</footer>
</body>
</html>
`;
}
