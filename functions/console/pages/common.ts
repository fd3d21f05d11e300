/** Words and small pieces the console's pages share: labels for statuses, roles, task types and findings; links. */
import { escapeHtml as e, isSafeHref } from '../../domain/html.ts';
import type { AuditEntry, Finding } from '../../domain/model.ts';
import { accountLabel } from '../../domain/tasks.ts';
import { field, tag } from '../layout.ts';

export const STATUS_LABELS: Record<string, string> = {
  approved: 'Approved, not yet set up',
  active: 'Active',
  transfer_pending: 'Transfer pending',
  closure_pending: 'Closure pending',
  closed: 'Closed',
};

export const TASK_STATUS_LABELS: Record<string, string> = { open: 'Open', done: 'Done', cancelled: 'Cancelled' };

export const TIE_LABELS: Record<string, string> = {
  linked_email: 'Linked email',
  admin: 'Administrator',
  main_supervisor: 'Main supervisor',
  reserve_supervisor: 'Reserve supervisor',
};

export const TASK_TYPE_LABELS: Record<string, string> = {
  transfer_or_close: 'Transfer or close',
  replace_admin: 'Replace an administrator',
  replace_supervisor: 'Replace a supervisor',
  attest_account: 'Confirm it is in use',
  planned_end: 'Planned end',
  policy_review: 'Review a policy',
  acknowledge_policy: 'Accept the social media policy',
  approve_request: 'Approve a new account',
  set_up_account: 'Set up a new account',
};

export const FINDING_LABELS: Record<string, string> = {
  fewer_than_two_admins: 'Fewer than two administrators',
  linked_email_off_domain: 'Linked email not on a school domain',
  unknown_school: 'School not set up',
  linked_email_not_in_directory: 'Linked email not in the directory',
  neglected: 'Neglected',
};

export const label = (labels: Record<string, string>, v: string | undefined | null): string => (v ? labels[v] ?? v : '');

export function accountHref(id: string): string {
  return `/register/${encodeURIComponent(id)}`;
}

export function taskHref(id: string): string {
  return `/tasks/${encodeURIComponent(id)}`;
}

/** "Instagram @oakfield_pe" linking to the account's page. */
export function accountLink(a: { id: string; platform: string; handle: string }): string {
  return `<a href="${accountHref(a.id)}">${e(accountLabel({ platform: a.platform as never, handle: a.handle }))}</a>`;
}

export function findingTags(findings: Finding[]): string {
  return findings.length ? findings.map((f) => tag(f.message, true)).join(' ') : '<span class="muted">None</span>';
}

/** An address, escaped, that may wrap after its `@` in a narrow table column. */
export function addr(email: string | undefined): string {
  return email ? e(email).replace('@', '@<wbr>') : '<span class="muted">None</span>';
}

export function emails(list: readonly string[] | undefined): string {
  return list && list.length ? list.map(addr).join('<br>') : '<span class="muted">None</span>';
}

export function urlHtml(url: string | undefined): string {
  if (!url) return '<span class="muted">None</span>';
  return isSafeHref(url) ? `<a href="${e(url)}" rel="noopener noreferrer">${e(url)}</a>` : e(url);
}

/** An instant as people read it in England: `3 Dec 2026, 14:05`. */
export function when(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return e(iso);
  const text = d.toLocaleString('en-GB', { timeZone: 'Europe/London', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' });
  return `<time datetime="${e(iso)}">${e(text)}</time>`;
}

export function day(date: string | undefined): string {
  if (!date) return '<span class="muted">None</span>';
  const d = new Date(`${date}T12:00:00Z`);
  if (Number.isNaN(d.getTime())) return e(date);
  return `<time datetime="${e(date)}">${e(d.toLocaleDateString('en-GB', { timeZone: 'UTC', day: 'numeric', month: 'short', year: 'numeric' }))}</time>`;
}

/** What an audit entry changed, field by field: `admins: a, b → a, b, c`. */
export function changeHtml(entry: Pick<AuditEntry, 'before' | 'after'>): string {
  const keys = [...new Set([...Object.keys(entry.before ?? {}), ...Object.keys(entry.after ?? {})])];
  if (keys.length === 0) return '<span class="muted">No field changes</span>';
  const show = (v: unknown) => (v === undefined || v === null || v === '' ? '(none)' : Array.isArray(v) ? v.join(', ') : typeof v === 'object' ? JSON.stringify(v) : String(v));
  return `<ul class="plain">${keys.map((k) => {
    const had = entry.before && k in entry.before;
    return `<li><strong>${e(k)}</strong>: ${had ? `${e(show(entry.before![k]))} → ` : ''}${e(show(entry.after?.[k]))}</li>`;
  }).join('')}</ul>`;
}

/** The subject of an audit entry, linked when it is an account or a task. */
export function entityHtml(entry: Pick<AuditEntry, 'entityType' | 'entityId'>): string {
  if (entry.entityType === 'account') return `<a href="${accountHref(entry.entityId)}">${e(entry.entityId)}</a>`;
  if (entry.entityType === 'task') return `task <a href="${taskHref(entry.entityId)}">${e(entry.entityId)}</a>`;
  return `${e(entry.entityType)} ${e(entry.entityId)}`;
}

/** `<option>`s for a select, the empty one first. */
export function options(values: Array<[string, string]>, empty: string): Array<[string, string]> {
  return [['', empty], ...values];
}

/** A list page's filter by status: a GET form back to `path`, its choices the statuses by their labels. */
export function statusFilter(path: string, what: string, statuses: readonly string[], labels: Record<string, string>, status: string | undefined): string {
  return `<form method="get" action="${e(path)}" id="filters" aria-label="Filter the ${e(what)}">
${field({ name: 'status', label: 'Status', value: status ?? '', options: options(statuses.map((s) => [s, label(labels, s)]), 'Any status') })}
<button type="submit">Show ${e(what)}</button>
</form>\n`;
}
