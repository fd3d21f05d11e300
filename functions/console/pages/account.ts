/**
 * `GET /register/{accountId}`: the account, its findings, its open tasks and its history; and, for those who may
 * change it, an edit form whose fields are named as the register CSV's columns (contracts section 4), so an edit is
 * checked exactly as an imported row is. After a refused edit the form keeps what was typed and shows each error by
 * its field, with a summary at the top linking to them.
 */
import { escapeHtml as e } from '../../domain/html.ts';
import { MONITORING_FREQUENCIES } from '../../domain/model.ts';
import { registerRecord, REGISTER_COLUMNS } from '../../domain/register-csv.ts';
import { accountLabel } from '../../domain/tasks.ts';
import type { AccountView } from '../../usecases/console/index.ts';
import { box, errorSummary, field, postForm, table, type FieldError, type FieldInput } from '../layout.ts';
import { accountHref, addr, changeHtml, day, emails, findingTags, label, STATUS_LABELS, TASK_TYPE_LABELS, taskHref, urlHtml, when } from './common.ts';

/** How each column is asked for in the form. */
const COLUMN_FIELDS: Record<string, Omit<FieldInput, 'name' | 'value' | 'error'>> = {
  platform: { label: 'Platform', hint: 'Identifies the account with the handle: it cannot be changed here.', readonly: true },
  handle: { label: 'Handle', hint: 'Identifies the account with the platform: it cannot be changed here.', readonly: true },
  school: { label: 'School', hint: 'The school id, as set up with custodian schools set.', required: true },
  linked_email: { label: 'Linked email', type: 'email', hint: 'The address the account is registered to: an official school address.', required: true },
  admins: { label: 'Administrators', hint: 'Email addresses separated by semicolons; at least two.', required: true },
  main_supervisor: { label: 'Main supervisor', type: 'email', required: true },
  url: { label: 'Address (URL)', type: 'url' },
  reserve_supervisor: { label: 'Reserve supervisor', type: 'email' },
  purpose: { label: 'Purpose', textarea: true },
  audience: { label: 'Audience', textarea: true },
  published_name: { label: 'Published name' },
  monitoring_frequency: { label: 'Monitoring frequency (term time)', options: MONITORING_FREQUENCIES.map((f) => [f, f[0]!.toUpperCase() + f.slice(1)]) },
  holiday_monitoring_frequency: {
    label: 'Monitoring frequency (school holidays)',
    hint: "How often it is checked in the school's holidays; the same as in term time unless chosen.",
    options: [['', 'Same as in term time'], ...MONITORING_FREQUENCIES.map((f): [string, string] => [f, f[0]!.toUpperCase() + f.slice(1)])],
  },
  planned_end_date: { label: 'Planned end date', type: 'date', hint: 'Optional: when the account is to be closed (its exit strategy).' },
  next_review_date: { label: 'Next review date', type: 'date' },
  last_activity_date: { label: 'Last activity date', type: 'date', hint: 'Not in the future.' },
};

export interface EditState {
  values: Record<string, string>;
  errors: FieldError[];
}

function editForm(v: AccountView, csrf: string, state?: EditState): string {
  const values = state?.values ?? (registerRecord(v.account) as Record<string, string>);
  const errorOf = (name: string) => state?.errors.filter((x) => x.field === name).map((x) => x.message).join('; ') || undefined;
  const fields = REGISTER_COLUMNS.map((name) => field({ name, value: values[name] ?? '', ...(COLUMN_FIELDS[name] ?? { label: name }), ...(errorOf(name) ? { error: errorOf(name)! } : {}) })).join('');
  const summary = state ? errorSummary(state.errors.map((x) => ({ field: REGISTER_COLUMNS.includes(x.field) ? x.field : 'submit-edit', message: x.field && REGISTER_COLUMNS.includes(x.field) ? `${COLUMN_FIELDS[x.field]?.label ?? x.field}: ${x.message}` : x.message }))) : '';
  return `<h2 id="edit">Change this account</h2>
${summary}${postForm({
    action: accountHref(v.account.id),
    csrf,
    id: 'edit-form',
    label: 'Change this account',
    inner: `<input type="hidden" name="version" value="${e(v.account.version)}">
<p class="hint">The same rules as a register import: each field is checked as a row of the register file would be.</p>
<div class="fields">
${fields}</div>
<button type="submit" id="f-submit-edit">Save changes</button>
`,
  })}`;
}

export function accountPage(v: AccountView, csrf: string, o: { state?: EditState; saved?: boolean } = {}): { title: string; body: string } {
  const a = v.account;
  const facts: Array<[string, string]> = [
    ['Platform and handle', e(accountLabel(a))],
    ['School', e(v.school?.name ?? a.school)],
    ['Status', e(label(STATUS_LABELS, a.status))],
    ['Linked email', e(a.linkedEmail)],
    ['Administrators', emails(a.admins)],
    ['Main supervisor', e(a.mainSupervisor)],
    ['Reserve supervisor', a.reserveSupervisor ? e(a.reserveSupervisor) : '<span class="muted">None</span>'],
    ['Address', urlHtml(a.url)],
    ['Published name', a.publishedName ? e(a.publishedName) : '<span class="muted">None</span>'],
    ['Purpose', a.purpose ? e(a.purpose) : '<span class="muted">None</span>'],
    ['Audience', a.audience ? e(a.audience) : '<span class="muted">None</span>'],
    ['Monitoring in term time', e(a.monitoringFrequency)],
    ['Monitoring in the holidays', e(a.holidayMonitoringFrequency ?? a.monitoringFrequency)],
    ['Planned end', day(a.plannedEndDate)],
    ['Next review', day(a.nextReviewDate)],
    ['Last activity', day(a.lastActivityDate)],
    ['Last confirmed in use', day(a.lastAttestedOn)],
    ['Findings', findingTags(v.findings)],
  ];
  const saved = o.saved === undefined ? ''
    : box('success', `<p>${o.saved ? 'Your changes were saved. They are at the top of the history below.' : 'Nothing had changed, so nothing was saved.'}</p>`, 'saved');
  const tasks = table({
    id: 'open-tasks',
    caption: 'Open tasks',
    head: ['Task', 'About', 'Due', 'Asked'],
    rows: v.openTasks.map((t) => [`<a href="${taskHref(t.id)}">${e(label(TASK_TYPE_LABELS, t.type))}</a>`, addr(t.subjectEmail), day(t.dueDate), emails(t.assignees)]),
    empty: 'No open tasks.',
  });
  const history = table({
    id: 'history',
    caption: 'History, newest first',
    head: ['When', 'Who', 'What', 'Source', 'Change'],
    rows: v.history.map((h) => [when(h.at), addr(h.by), e(h.action), e(h.source), changeHtml(h)]),
    empty: 'No history yet.',
  });
  return {
    title: accountLabel(a),
    body: `${saved}<dl>${facts.map(([k, html]) => `<dt>${e(k)}</dt><dd>${html}</dd>`).join('')}</dl>
<h2>Open tasks</h2>
${tasks}${v.canChange ? editForm(v, csrf, o.state) : '<p class="muted">Only the school\'s IT managers or a trust administrator can change this account.</p>\n'}<h2>History</h2>
${history}<p><a href="/audit?account=${encodeURIComponent(a.id)}">This history on the history page</a> · <a href="/audit.csv?account=${encodeURIComponent(a.id)}">Download it (CSV)</a></p>`,
  };
}
