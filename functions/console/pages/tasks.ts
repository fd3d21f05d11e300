/**
 * `GET /tasks` (the tasks the viewer may see, filtered by status) and `GET /tasks/{taskId}` (one task, and a form per
 * decision the viewer may make). The decisions are those of the emailed action page, made as the signed-in person:
 * nobody chooses whose name a decision goes under. Form fields: `action`, `newOwner`, `reason`, `newDate`, `nextReview`.
 */
import { escapeHtml as e } from '../../domain/html.ts';
import { TASK_STATUSES } from '../../domain/model.ts';
import { accountLabel, type Action, type Task } from '../../domain/tasks.ts';
import type { TaskRow, TaskView } from '../../usecases/console/index.ts';
import { box, field, postForm, table } from '../layout.ts';
import { accountHref, addr, day, emails, label, options, TASK_STATUS_LABELS, TASK_TYPE_LABELS, taskHref, when } from './common.ts';

export function tasksPage(rows: TaskRow[], status: string | undefined): { title: string; body: string } {
  const filter = `<form method="get" action="/tasks" id="filters" aria-label="Filter the tasks">
${field({ name: 'status', label: 'Status', value: status ?? '', options: options(TASK_STATUSES.map((s) => [s, label(TASK_STATUS_LABELS, s)]), 'Any status') })}
<button type="submit">Show tasks</button>
</form>\n`;
  const list = table({
    id: 'tasks',
    caption: `${rows.length} ${rows.length === 1 ? 'task' : 'tasks'}`,
    head: ['Task', 'Status', 'Account', 'About', 'Due', 'Asked'],
    rows: rows.map((t) => [
      `<a href="${taskHref(t.id)}">${e(label(TASK_TYPE_LABELS, t.type))}</a>`,
      e(label(TASK_STATUS_LABELS, t.status)),
      t.accountId ? `<a href="${accountHref(t.accountId)}">${e(t.accountId)}</a>` : '<span class="muted">None</span>',
      addr(t.subjectEmail),
      day(t.dueDate),
      emails(t.assignees),
    ]),
    empty: 'No tasks here.',
  });
  return { title: 'Tasks', body: `${filter}${list}` };
}

export interface DecisionValues {
  newOwner?: string;
  reason?: string;
  newDate?: string;
  nextReview?: string;
}

function decisionForm(id: string, csrf: string, action: Action, heading: string, inner: string, button: string, cls = ''): string {
  return postForm({
    action: taskHref(id),
    csrf,
    id: `form-${action}`,
    label: heading,
    inner: `<input type="hidden" name="action" value="${action}">
<h3>${e(heading)}</h3>
${inner}<button type="submit" id="submit-${action}"${cls ? ` class="${cls}"` : ''}>${e(button)}</button>
`,
  });
}

function transferWords(task: Task): { heading: string; label: string; button: string } {
  if (task.type === 'replace_admin') return { heading: 'Name a replacement administrator', label: "New administrator's email", button: 'Add this administrator' };
  if (task.type === 'replace_supervisor') return { heading: 'Name a replacement supervisor', label: "New supervisor's email", button: 'Make them the supervisor' };
  return { heading: 'Transfer it to a continuing member of staff', label: 'Email address of the member of staff to transfer it to', button: 'Record the transfer' };
}

function decisionForms(v: TaskView, csrf: string, values: DecisionValues): string {
  const t = v.task;
  const out: string[] = [];
  for (const action of v.actions) {
    switch (action) {
      case 'transfer': {
        const w = transferWords(t);
        out.push(decisionForm(t.id, csrf, action, w.heading, field({ name: 'newOwner', label: w.label, type: 'email', value: values.newOwner ?? '', required: true, hint: 'An active member of staff with a school email address.' }), w.button));
        break;
      }
      case 'close':
        out.push(decisionForm(t.id, csrf, action, 'Close the account', '<p>Only if it is no longer needed. Close it on the platform as well.</p>\n', 'Close the account', 'danger'));
        break;
      case 'keep':
        out.push(decisionForm(t.id, csrf, action, 'Keep it as it is', field({ name: 'reason', label: 'Why it should stay as it is', textarea: true, required: true, value: values.reason ?? '' }), 'Keep it as it is', 'secondary'));
        break;
      case 'confirm':
        out.push(decisionForm(t.id, csrf, action, 'It is still needed', '<p>It is in use, and someone looks at it and answers contact through it as often as the register says.</p>\n', 'Yes, it is in use and monitored'));
        break;
      case 'request_closure':
        out.push(decisionForm(t.id, csrf, action, 'It is no longer needed', field({ name: 'reason', label: 'Why (optional)', textarea: true, value: values.reason ?? '' }), 'Request closure', 'danger'));
        break;
      case 'extend':
        out.push(decisionForm(t.id, csrf, action, 'Extend it', field({ name: 'newDate', label: 'New planned end date', type: 'date', required: true, value: values.newDate ?? '' }), 'Extend to this date'));
        break;
      case 'reviewed':
        out.push(decisionForm(t.id, csrf, action, 'Mark the policy as reviewed', field({ name: 'nextReview', label: 'Next review date', type: 'date', hint: 'Optional: leave empty for 12 months on.', value: values.nextReview ?? '' }), 'Mark as reviewed'));
        break;
      case 'acknowledge':
        out.push(decisionForm(t.id, csrf, action, 'Accept the social media policy', '<p>I have read, understood and accept the trust\'s social media and acceptable use policy and will abide by it.</p>\n', 'I have read and accept the policy'));
        break;
    }
  }
  return out.join('');
}

function resolutionHtml(t: Task): string {
  const r = t.resolution;
  if (!r) return '';
  const what: Record<string, string> = {
    transfer: `transferred to ${'to' in r ? String(r.to) : ''}`, close: 'closed', keep: 'kept as it is', acknowledge: 'accepted',
    confirm: 'confirmed in use', request_closure: 'closure requested', extend: `extended to ${'to' in r ? String(r.to) : ''}`,
    reviewed: 'reviewed', cancelled: `cancelled${'reason' in r && r.reason ? `: ${r.reason}` : ''}`,
  };
  return `<p id="resolution">${e(what[r.action] ?? r.action)}, by ${e(r.by)}, ${when(r.at)}.</p>\n`;
}

export function taskPage(v: TaskView, csrf: string, o: { error?: string; values?: DecisionValues; done?: string } = {}): { title: string; body: string } {
  const t = v.task;
  const facts: Array<[string, string]> = [
    ['Task', e(label(TASK_TYPE_LABELS, t.type))],
    ['Status', e(label(TASK_STATUS_LABELS, t.status))],
  ];
  if (v.account) facts.push(['Account', `<a href="${accountHref(v.account.id)}">${e(accountLabel(v.account))}</a> (${e(v.account.school)})`]);
  else if (t.accountId) facts.push(['Account', e(t.accountId)]);
  if (v.policy) facts.push(['Policy', e(v.policy.title)]);
  facts.push(['About', `${t.subjectName ? `${e(t.subjectName)} (${e(t.subjectEmail)})` : e(t.subjectEmail)}`]);
  facts.push(['Why', e(t.reason)]);
  if (t.eventDate) facts.push(['Date', day(t.eventDate)]);
  facts.push(['Due by', day(t.dueDate)]);
  facts.push(['Asked', emails(t.assignees)]);
  if (v.account) {
    facts.push(['Linked email', e(v.account.linkedEmail)]);
    facts.push(['Administrators', emails(v.account.admins)]);
  }
  const decide = t.status !== 'open'
    ? resolutionHtml(t)
    : v.actions.length
      ? `<h2>Decide</h2>\n<p>Your decision is recorded under your own address.</p>\n${decisionForms(v, csrf, o.values ?? {})}`
      : '<p class="muted">This task is not yours to decide.</p>\n';
  const top = (o.error ? box('error', `<p><strong>That did not work:</strong> ${e(o.error)}</p>`, 'error') : '')
    + (o.done ? box('success', `<p>${e(o.done)}</p>`, 'done') : '');
  return {
    title: label(TASK_TYPE_LABELS, t.type) + (v.account ? `: ${accountLabel(v.account)}` : ''),
    body: `${top}<dl>${facts.map(([k, html]) => `<dt>${e(k)}</dt><dd>${html}</dd>`).join('')}</dl>
${decide}`,
  };
}
