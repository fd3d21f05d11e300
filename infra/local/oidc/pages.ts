/**
 * The provider's HTML: the sign-in form, sign-out, and errors. Plain server-rendered pages that work
 * without JavaScript and meet the same accessibility bar as the console (labelled input, one heading,
 * errors announced with role="alert"). Everything interpolated is escaped.
 */
import { createHash } from 'node:crypto';

export const esc = (s: unknown): string =>
  String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const STYLE = `body{font-family:system-ui,sans-serif;margin:0;padding:1.5rem;color:#1b1b1b;background:#f4f4f4;line-height:1.5}
main{max-width:26rem;margin:2rem auto;padding:1.5rem;background:#fff;border:1px solid #8a8a8a;border-radius:4px}
h1{font-size:1.5rem;margin-top:0}label{display:block;font-weight:600;margin-bottom:.25rem}
input{box-sizing:border-box;width:100%;font:inherit;padding:.5rem;border:2px solid #505050;border-radius:3px;margin-bottom:1rem}
button{font:inherit;font-weight:600;padding:.5rem 1.25rem;border:2px solid #005a9e;border-radius:3px;background:#005a9e;color:#fff;cursor:pointer;margin:0 .5rem .5rem 0}
button.secondary{background:#fff;color:#005a9e}:focus-visible{outline:3px solid #1b1b1b;outline-offset:2px}
.alert{color:#a4000f;font-weight:600;border-left:4px solid #a4000f;padding-left:.75rem}.hint{color:#505050}`;

function page(title: string, body: string, head = ''): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} – Custodian local sign-in</title>
<style>${STYLE}</style>${head}
</head>
<body>
<main>
${body}
</main>
</body>
</html>`;
}

export function signInPage(o: { action: string; email?: string; error?: string }): string {
  const describedBy = o.error ? ' aria-invalid="true" aria-describedby="email-error"' : '';
  return page(
    'Sign in',
    `<h1>Sign in to Custodian</h1>
<p class="hint">Local stand-in for Microsoft Entra ID: any enabled user in the Graph directory emulator can sign in with their email address. There is no password.</p>
${o.error ? `<p class="alert" role="alert" id="email-error">${esc(o.error)}</p>` : ''}
<form method="post" action="${esc(o.action)}" novalidate>
<label for="email">Email address</label>
<input id="email" name="email" type="email" autocomplete="username" spellcheck="false" required value="${esc(o.email ?? '')}"${describedBy}>
<button type="submit">Sign in</button>
</form>`,
  );
}

/** Submits oidc-provider's logout form on load; the button is there for browsers without JavaScript. */
const AUTO_SUBMIT = `document.getElementById('op.logoutForm').submit();`;
export const AUTO_SUBMIT_SHA = `'sha256-${createHash('sha256').update(AUTO_SUBMIT).digest('base64')}'`;

/**
 * RP-initiated logout. oidc-provider always answers the end-session request with a page holding a form
 * (`form`: its action and one-time xsrf value) that must be POSTed to finish. When a registered client
 * asked for the logout, the page submits it straight away with logout=yes, which is what Entra does for
 * a single signed-in account; otherwise the person is asked, so a stray link cannot sign them out.
 */
export function logoutPage(form: string, auto: boolean): string {
  const logoutField = `<input type="hidden" name="logout" value="yes" form="op.logoutForm">`;
  if (auto) {
    return page(
      'Signing out',
      `<h1>Signing out</h1>
${form}${logoutField}
<p>You are being signed out of the local sign-in provider.</p>
<noscript><button type="submit" form="op.logoutForm">Continue</button></noscript>
<script>${AUTO_SUBMIT}</script>`,
    );
  }
  return page(
    'Sign out',
    `<h1>Sign out of the local sign-in provider?</h1>
${form}
<button type="submit" form="op.logoutForm" name="logout" value="yes">Sign out</button>
<button type="submit" form="op.logoutForm" class="secondary">Stay signed in</button>`,
  );
}

export function signedOutPage(): string {
  return page('Signed out', `<h1>You have signed out</h1>\n<p>You can close this window.</p>`);
}

export function errorPage(title: string, detail: string): string {
  return page(title, `<h1>${esc(title)}</h1>\n<p role="alert">${esc(detail)}</p>\n<p>Go back to Custodian and sign in again.</p>`);
}
