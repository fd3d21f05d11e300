/**
 * The console's page frame and the pieces every page uses: a skip link, a header with the trust's name, the nav,
 * who is signed in and a sign-out button (a form), the page's `<h1>`, error summaries, tables that scroll sideways on
 * a narrow screen, and form fields with their labels, hints and errors. Pure functions returning HTML; every value
 * from data goes through `escapeHtml`. No JavaScript at all: links and forms only.
 *
 * The one inline stylesheet is allowed by its hash in the Content-Security-Policy (http.ts), so the policy needs
 * neither 'unsafe-inline' nor any script source.
 */
import { createHash } from 'node:crypto';
import { escapeHtml as e } from '../domain/html.ts';
import { csrfField } from './csrf.ts';

export const CSS = `
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:#f4f5f7;color:#1f2933;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif}
a{color:#0b50d6;overflow-wrap:anywhere}
a:focus,button:focus,input:focus,select:focus,textarea:focus,[tabindex]:focus{outline:3px solid #ffbf47;outline-offset:2px}
.skip{position:absolute;left:-999px;top:0;background:#fff;padding:.5rem 1rem;z-index:2}
.skip:focus{left:.5rem}
header{background:#1f2933;color:#fff}
header .bar{max-width:72rem;margin:0 auto;padding:.75rem 1rem;display:flex;flex-wrap:wrap;gap:.5rem 1.5rem;align-items:center;justify-content:space-between}
header a{color:#fff}
.brand{font-weight:700;text-decoration:none}
nav ul{list-style:none;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:.25rem 1rem}
nav a{display:inline-block;padding:.5rem 0;min-height:44px;line-height:28px}
nav a[aria-current=page]{font-weight:700;text-decoration-thickness:3px}
.who{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem;font-size:.9rem}
.who form{margin:0;padding:0;border:0;background:none}
.who button{margin:0;background:#fff;color:#1f2933;padding:.4rem .9rem}
main{max-width:72rem;margin:1rem auto;padding:1.25rem 1rem 2rem;background:#fff;border:1px solid #d9dee3;border-radius:8px}
main:focus{outline:none}
h1{font-size:1.5rem;line-height:1.3;margin:0 0 1rem}
h2{font-size:1.2rem;margin:1.75rem 0 .5rem}
h3{font-size:1.05rem;margin:1.25rem 0 .5rem}
p{margin:0 0 1rem}
p,li{overflow-wrap:break-word}
dl{display:grid;grid-template-columns:minmax(8rem,max-content) 1fr;gap:.25rem 1rem;margin:0 0 1rem}
dt{font-weight:600;color:#52606d}
dd{margin:0;overflow-wrap:anywhere}
.table-wrap{overflow-x:auto;margin:0 0 1rem;border:1px solid #d9dee3;border-radius:6px}
table{border-collapse:collapse;width:100%;font-size:.95rem}
caption{text-align:left;font-weight:600;padding:.5rem .75rem}
th,td{text-align:left;vertical-align:top;padding:.5rem .75rem;border-top:1px solid #e4e7eb}
thead th{background:#f4f5f7;border-top:0;white-space:nowrap}
td,th[scope=row]{overflow-wrap:break-word;min-width:7rem}
table a{overflow-wrap:break-word}
form{border:1px solid #d9dee3;border-radius:8px;padding:1rem;margin:0 0 1rem;background:#fafbfc}
form.inline{border:0;padding:0;background:none;margin:0}
fieldset{border:0;margin:0;padding:0;min-width:0}
legend{font-weight:700;font-size:1.05rem;padding:0;margin:0 0 .5rem}
.fields{display:grid;grid-template-columns:repeat(auto-fill,minmax(14rem,1fr));gap:0 1rem}
label{display:block;font-weight:600;margin:.75rem 0 .25rem}
input[type=text],input[type=email],input[type=date],input[type=url],input[type=search],input[type=file],select,textarea{display:block;width:100%;font:inherit;padding:.55rem;border:1px solid #6b7785;border-radius:6px;background:#fff;color:#1f2933}
textarea{min-height:6rem}
textarea.csv{min-height:10rem;font-family:Consolas,Menlo,monospace;font-size:.9rem}
button{display:inline-block;font:inherit;font-weight:600;margin:1rem .5rem 0 0;padding:.65rem 1.2rem;border:0;border-radius:6px;background:#0b50d6;color:#fff;cursor:pointer;min-height:44px}
button.danger{background:#b42318}
button.secondary{background:#3e4c59}
.hint{color:#52606d;font-size:.9rem;margin:.25rem 0 0}
.wide{display:block;max-width:44rem}
fieldset.group{border-top:1px solid #d9dee3;padding-top:.75rem;margin:1rem 0 0}
.checkbox{display:flex;gap:.6rem;align-items:flex-start;margin:1rem 0 0}
.checkbox input{width:1.5rem;height:1.5rem;margin:0;flex:none}
.checkbox label{margin:0;font-weight:400}
ol.steps{padding-left:1.25rem;margin:0 0 1rem}
ol.steps>li{margin:0 0 .75rem}
ol.steps p{margin:.15rem 0 0}
.field-error{color:#b42318;font-weight:600;margin:.25rem 0 0}
[aria-invalid=true]{border-color:#b42318;border-width:2px}
.box{border-radius:6px;padding:.75rem 1rem;margin:0 0 1rem;border-left:4px solid}
.box p:last-child,.box ul:last-child{margin-bottom:0}
.error{background:#fdecea;border-color:#b42318}
.success{background:#e8f5e9;border-color:#2e7d32}
.info{background:#e8f0fe;border-color:#0b50d6}
.warning{background:#fff4e5;border-color:#b45309}
.tag{display:inline-block;max-width:100%;padding:0 .4rem;margin:0 0 .2rem;border-radius:4px;background:#e4e7eb;font-size:.85rem}
.tag.bad{background:#fdecea;color:#8a1c12}
.muted{color:#52606d;font-size:.9rem}
ul.plain{list-style:none;padding:0;margin:0}
footer{max-width:72rem;margin:0 auto;color:#52606d;font-size:.85rem;padding:0 1rem 2rem}
@media (max-width:40rem){
 main{margin:0;border-radius:0;border-left:0;border-right:0;padding:1rem .75rem 1.5rem}
 dl{grid-template-columns:1fr}
 dd{margin-bottom:.5rem}
 h1{font-size:1.3rem}
}
`;

/** For the Content-Security-Policy: the hash of the one stylesheet above. */
export const CSS_HASH = `'sha256-${createHash('sha256').update(CSS).digest('base64')}'`;

export type Section = 'home' | 'register' | 'tasks' | 'audit' | 'policies' | 'requests' | 'new-request';

const NAV: Array<[Section, string, string]> = [
  ['home', '/', 'Home'],
  ['register', '/register', 'Register'],
  ['tasks', '/tasks?status=open', 'Tasks'],
  ['audit', '/audit', 'History'],
  ['policies', '/policies', 'Policies'],
  ['requests', '/requests', 'Requests'],
  ['new-request', '/requests/new', 'Request a new account'],
];

export interface PageUser {
  email: string;
  name?: string;
  /** The session's CSRF secret: every form on the page carries a token derived from it. */
  csrf: string;
}

export interface PageInput {
  trustName: string;
  title: string;
  body: string;
  /** Absent on pages shown before sign-in (a refused sign-in, sign-in not configured). */
  user?: PageUser;
  section?: Section;
}

export function page(p: PageInput): string {
  const trust = e(p.trustName);
  const nav = p.user
    ? `<nav aria-label="Main"><ul>${NAV.map(([id, href, label]) => `<li><a href="${href}"${id === p.section ? ' aria-current="page"' : ''}>${label}</a></li>`).join('')}</ul></nav>
<div class="who"><span>Signed in as <strong>${e(p.user.name ?? p.user.email)}</strong>${p.user.name ? ` (${e(p.user.email)})` : ''}</span>
<form class="inline" method="post" action="/auth/sign-out">${csrfField(p.user.csrf)}<button type="submit">Sign out</button></form></div>`
    : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>${e(p.title)} – Custodian – ${trust}</title>
<style>${CSS}</style>
</head>
<body>
<a class="skip" href="#main">Skip to main content</a>
<header><div class="bar"><a class="brand" href="/">Custodian · ${trust}</a>
${nav}
</div></header>
<main id="main" tabindex="-1">
<h1>${e(p.title)}</h1>
${p.body}
</main>
<footer>${trust}: Custodian, the trust's register of official social media accounts.</footer>
</body>
</html>
`;
}

/** A table that scrolls sideways on a narrow screen; the scrolling region is focusable and named by the caption. */
export function table(o: { id: string; caption: string; head: string[]; rows: string[][]; empty: string; captionHidden?: boolean }): string {
  if (o.rows.length === 0) return `<p id="${o.id}-empty">${e(o.empty)}</p>\n`;
  const head = o.head.map((h) => `<th scope="col">${e(h)}</th>`).join('');
  const rows = o.rows.map((cells) => `<tr>${cells.map((c, i) => (i === 0 ? `<th scope="row">${c}</th>` : `<td>${c}</td>`)).join('')}</tr>`).join('\n');
  return `<div class="table-wrap" role="region" aria-labelledby="${o.id}-caption" tabindex="0">
<table id="${o.id}"><caption id="${o.id}-caption">${e(o.caption)}</caption>
<thead><tr>${head}</tr></thead>
<tbody>
${rows}
</tbody></table></div>\n`;
}

export interface FieldError {
  field: string;
  message: string;
}

/** The error summary at the top of a form: `role="alert"`, each error linking to its field. */
export function errorSummary(errors: FieldError[], title = 'There is a problem'): string {
  if (errors.length === 0) return '';
  const items = errors.map((x) => `<li><a href="#${fieldId(x.field)}">${e(x.message)}</a></li>`).join('');
  return `<div class="box error" id="error-summary" role="alert"><h2>${e(title)}</h2><ul>${items}</ul></div>\n`;
}

export function fieldId(name: string): string {
  return `f-${name.replace(/[^A-Za-z0-9_-]/g, '-')}`;
}

export interface FieldInput {
  name: string;
  label: string;
  value?: string;
  type?: 'text' | 'email' | 'date' | 'url' | 'search';
  hint?: string;
  error?: string;
  required?: boolean;
  autocomplete?: string;
  options?: Array<[value: string, label: string]>;
  textarea?: boolean;
  readonly?: boolean;
  /** The longest answer the server accepts (the browser then stops typing there). */
  maxLength?: number;
}

/** A labelled field with its hint and error, tied together with `aria-describedby`. */
export function field(f: FieldInput): string {
  const id = fieldId(f.name);
  const described = [f.hint ? `${id}-hint` : '', f.error ? `${id}-error` : ''].filter(Boolean).join(' ');
  const attrs = `id="${id}" name="${e(f.name)}"${described ? ` aria-describedby="${described}"` : ''}${f.error ? ' aria-invalid="true"' : ''}${f.required ? ' required' : ''}${f.readonly ? ' readonly' : ''}${f.maxLength && !f.options ? ` maxlength="${f.maxLength}"` : ''}`;
  let control: string;
  if (f.options) {
    control = `<select ${attrs}>${f.options.map(([v, l]) => `<option value="${e(v)}"${v === (f.value ?? '') ? ' selected' : ''}>${e(l)}</option>`).join('')}</select>`;
  } else if (f.textarea) {
    control = `<textarea ${attrs}>${e(f.value ?? '')}</textarea>`;
  } else {
    control = `<input type="${f.type ?? 'text'}" ${attrs} value="${e(f.value ?? '')}"${f.autocomplete ? ` autocomplete="${f.autocomplete}"` : ' autocomplete="off"'}${f.type === 'email' || f.type === 'text' ? ' spellcheck="false"' : ''}>`;
  }
  return `<div class="field"><label for="${id}">${e(f.label)}</label>
${f.hint ? `<p class="hint" id="${id}-hint">${e(f.hint)}</p>\n` : ''}${f.error ? `<p class="field-error" id="${id}-error">${e(f.error)}</p>\n` : ''}${control}</div>\n`;
}

export function box(kind: 'error' | 'success' | 'info' | 'warning', html: string, id?: string): string {
  return `<div class="box ${kind}"${id ? ` id="${id}"` : ''}${kind === 'error' ? ' role="alert"' : kind === 'success' ? ' role="status"' : ''}>${html}</div>\n`;
}

export function link(href: string, text: string): string {
  return `<a href="${e(href)}">${e(text)}</a>`;
}

export function tag(text: string, bad = false): string {
  return `<span class="tag${bad ? ' bad' : ''}">${e(text)}</span>`;
}

/**
 * A POST form with its CSRF field. `inner` is already-safe HTML. `novalidate`: the server checks every field and
 * says what is wrong next to it, the same way in every browser.
 */
export function postForm(o: { action: string; csrf: string; inner: string; id?: string; enctype?: string; label?: string }): string {
  return `<form method="post" action="${e(o.action)}" novalidate${o.id ? ` id="${o.id}"` : ''}${o.enctype ? ` enctype="${o.enctype}"` : ''}${o.label ? ` aria-label="${e(o.label)}"` : ''}>
${csrfField(o.csrf)}
${o.inner}</form>\n`;
}
