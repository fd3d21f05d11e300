/**
 * The emails' tiny document model: content is written once as blocks of runs and rendered twice, to plain text and to
 * HTML, so the two parts always say the same thing. Values from data are escaped in HTML and kept raw (minus control
 * characters) in text. Also used by the other email builders in the domain folder (digest.ts).
 */
import { EMAIL_STYLES as S, emailLayout, escapeHtml, headerSafe, isSafeHref } from '../html.ts';

export interface EmailContent { subject: string; text: string; html: string }
export interface MailContext { trustName: string; trustItContact: string }

/** Inline content. A bare string is our own copy; `value` is data kept on one line in text; `text` is data that may wrap. */
export type Run =
  | string
  | { value: string }
  | { text: string }
  | { code: string }
  | { link: string }
  | { strong: Run[] };

export type Block =
  | { p: Run[] }
  | { note: Run[] }
  | { h: string }
  | { list: Run[][] }
  | { facts: Array<[string, Run[]]> }
  | { button: { url: string; label: string } }
  | { small: Run[] }
  /** A data table: aligned columns in text, a real table in HTML. `mark` highlights a row (e.g. overdue). */
  | { table: { head: string[]; rows: Array<{ cells: Run[][]; mark?: boolean }> } };

/** The document model, for other email builders (../digest.ts). */
export type { Block as EmailBlock, Run as EmailRun };

export const v = (value: string): Run => ({ value });

const TEXT_WIDTH = 72;
/** Stands in for a space inside a value so wrapping never splits it; never survives into output. */
const GLUE = '\u0001';

/** Data in plain text: control characters (CR, LF, tabs...) become spaces, runs of spaces collapse. */
export function plain(value: string): string {
  return String(value ?? '').replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ').replace(/\s+/g, ' ').trim();
}

function runText(run: Run): string {
  if (typeof run === 'string') return run;
  if ('value' in run) return plain(run.value).replace(/ /g, GLUE);
  if ('text' in run) return plain(run.text);
  if ('code' in run) return plain(run.code).replace(/ /g, GLUE);
  if ('link' in run) return plain(run.link).replace(/ /g, GLUE);
  return run.strong.map(runText).join('');
}

function runHtml(run: Run): string {
  if (typeof run === 'string') return escapeHtml(run);
  if ('value' in run) return escapeHtml(run.value);
  if ('text' in run) return escapeHtml(run.text);
  if ('code' in run) return `<code style="${S.code}">${escapeHtml(run.code)}</code>`;
  if ('link' in run) {
    return isSafeHref(run.link)
      ? `<a href="${escapeHtml(run.link)}" style="${S.link}">${escapeHtml(run.link)}</a>`
      : escapeHtml(run.link);
  }
  return `<strong>${run.strong.map(runHtml).join('')}</strong>`;
}

/** Greedy word wrap; `first` prefixes the first line, `rest` the others. Long words (URLs) overflow on their own line. */
function wrap(content: string, first = '', rest = first, width = TEXT_WIDTH): string {
  const words = content.split(' ').filter((w) => w.length > 0);
  const lines: string[] = [];
  let line = first;
  let empty = true;
  for (const word of words) {
    if (!empty && line.length + 1 + word.length > width) {
      lines.push(line);
      line = rest + word;
    } else {
      line += (empty ? '' : ' ') + word;
    }
    empty = false;
  }
  lines.push(line);
  return lines.map((l) => l.trimEnd()).join('\n');
}

/** Columns padded to their widest cell, two spaces apart, a dashed rule under the header. Never wrapped. */
function tableText(t: { head: string[]; rows: Array<{ cells: Run[][] }> }): string {
  const cell = (runs: Run[]) => runs.map(runText).join('').split(GLUE).join(' ');
  const grid = [t.head.map(plain), t.head.map(() => ''), ...t.rows.map((r) => t.head.map((_, i) => cell(r.cells[i] ?? [])))];
  const widths = t.head.map((_, i) => Math.max(...grid.map((row) => Array.from(row[i] ?? '').length)));
  grid[1] = widths.map((w) => '-'.repeat(w));
  const pad = (text: string, w: number) => text + ' '.repeat(Math.max(0, w - Array.from(text).length));
  return grid.map((row) => row.map((c, i) => pad(c, widths[i] ?? 0)).join('  ').trimEnd()).join('\n');
}

function renderText(blocks: Block[]): string {
  const out: string[] = [];
  for (const b of blocks) {
    if ('p' in b || 'small' in b) out.push(wrap(('p' in b ? b.p : b.small).map(runText).join('')));
    else if ('note' in b) out.push(wrap(b.note.map(runText).join(''), '** ', '   '));
    else if ('h' in b) out.push(`${b.h}\n${'-'.repeat(Math.min(b.h.length, TEXT_WIDTH))}`);
    else if ('list' in b) out.push(b.list.map((item) => wrap(item.map(runText).join(''), '- ', '  ')).join('\n'));
    else if ('facts' in b) {
      const pad = Math.max(...b.facts.map(([k]) => k.length)) + 2;
      out.push(b.facts.map(([k, runs]) => wrap(runs.map(runText).join(''), `${k}:`.padEnd(pad), ' '.repeat(pad))).join('\n'));
    } else if ('table' in b) out.push(tableText(b.table));
    else out.push(`${b.button.label}:\n${plain(b.button.url)}`);
  }
  return `${out.join('\n\n').split(GLUE).join(' ')}\n`;
}

function renderHtml(blocks: Block[]): string {
  const out: string[] = [];
  for (const b of blocks) {
    if ('p' in b) out.push(`<p style="${S.p}">${b.p.map(runHtml).join('')}</p>`);
    else if ('small' in b) out.push(`<p style="${S.small}">${b.small.map(runHtml).join('')}</p>`);
    else if ('note' in b) out.push(`<p style="${S.note}">${b.note.map(runHtml).join('')}</p>`);
    else if ('h' in b) out.push(`<h2 style="${S.h2}">${escapeHtml(b.h)}</h2>`);
    else if ('list' in b) out.push(`<ul style="${S.ul}">${b.list.map((item) => `<li style="${S.li}">${item.map(runHtml).join('')}</li>`).join('')}</ul>`);
    else if ('facts' in b) {
      const rows = b.facts.map(([k, runs]) => `<tr><th scope="row" style="${S.th}">${escapeHtml(k)}</th><td style="${S.td}">${runs.map(runHtml).join('')}</td></tr>`);
      out.push(`<table role="presentation" style="${S.table}">${rows.join('')}</table>`);
    } else if ('table' in b) {
      const head = b.table.head.map((h) => `<th scope="col" style="${S.dataTh}">${escapeHtml(h)}</th>`).join('');
      const rows = b.table.rows.map((r) => {
        const cells = b.table.head.map((_, i) => `<td style="${S.dataTd}">${(r.cells[i] ?? []).map(runHtml).join('')}</td>`).join('');
        return `<tr${r.mark ? ` style="${S.marked}"` : ''}>${cells}</tr>`;
      });
      out.push(`<table style="${S.dataTable}"><thead><tr>${head}</tr></thead><tbody>${rows.join('')}</tbody></table>`);
    } else {
      const { url, label } = b.button;
      if (isSafeHref(url)) {
        out.push(`<p style="margin:8px 0 14px 0;"><a href="${escapeHtml(url)}" style="${S.button}">${escapeHtml(label)}</a></p>`);
        out.push(`<p style="${S.small}">If the button does not work, copy this address into your browser:<br><a href="${escapeHtml(url)}" style="${S.link}">${escapeHtml(url)}</a></p>`);
      } else {
        out.push(`<p style="${S.p}">${escapeHtml(label)}: ${escapeHtml(url)}</p>`);
      }
    }
  }
  return out.join('\n');
}

export function render(ctx: Pick<MailContext, 'trustName'>, subject: string, title: string, blocks: Block[]): EmailContent {
  return {
    subject: headerSafe(subject),
    text: `${renderText([{ h: plain(title) }, ...blocks])}\n--\n${wrap(`${plain(ctx.trustName).replace(/ /g, GLUE)}: sent by Custodian, the trust's register of official social media accounts.`).split(GLUE).join(' ')}\n`,
    html: emailLayout({ trustName: ctx.trustName, title, bodyHtml: renderHtml(blocks) }),
  };
}

/** Subject (through headerSafe), text and HTML from blocks, for other email builders (../digest.ts). */
export { render as renderEmail };
