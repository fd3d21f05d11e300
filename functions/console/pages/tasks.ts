/**
 * `GET /tasks` (the tasks the viewer may see, filtered by status) and `GET /tasks/{taskId}` (one task, and a form per
 * decision the viewer may make). The decisions are those of the emailed action page, made as the signed-in person:
 * nobody chooses whose name a decision goes under. Form fields as on the action page (usecases/decision-form.ts):
 * `action`, `newOwner`, `reason`, `newDate`, `nextReview`, and for set_up `handle`, `url`, `linked_email`, `admins`
 * (one a line) and the checkbox `login_stored`; plus `_csrf`. Hooks: forms `#form-<action>`, buttons
 * `#submit-<action>`, fields `#f-<name>`; a request's answers `#request` (approve_request, set_up_account).
 */
import { escapeHtml as e } from '../../domain/html.ts';
import { TASK_STATUSES } from '../../domain/model.ts';
import { stepLabel } from '../../domain/requests.ts';
import { accountLabel, type Action, type Task } from '../../domain/tasks.ts';
import type { DecisionForm, TaskRow, TaskView } from '../../usecases/console/index.ts';
import { box, errorSummary, field, fieldId, postForm, table, type FieldError } from '../layout.ts';
import { accountHref, addr, day, emails, label, statusFilter, TASK_STATUS_LABELS, TASK_TYPE_LABELS, taskHref, when } from './common.ts';
import { requestFactsHtml, requesterHtml, requestHref } from './requests.ts';

export function tasksPage(rows: TaskRow[], status: string | undefined): { title: string; body: string } {
  const filter = statusFilter('/tasks', 'tasks', TASK_STATUSES, TASK_STATUS_LABELS, status);
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

/** What was posted, to fill the forms in again after a refusal. */
export type DecisionValues = DecisionForm;

/** The set-up form's fields, in its order. */
export const SET_UP_FIELDS = ['handle', 'url', 'linked_email', 'admins', 'login_stored'] as const;
const SET_UP_LABELS: Record<string, string> = { handle: 'Handle', url: 'Address (URL)', linked_email: 'Linked email', admins: 'Administrators', login_stored: 'Login details' };

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

/** The set-up form (set_up_account): the approved handle, the URL, the linked email typed to confirm it, the administrators, the login details stored. */
function setUpFields(v: TaskView, values: DecisionValues, errors: FieldError[]): string {
  const errorOf = (name: string) => errors.filter((x) => x.field === name).map((x) => x.message).join(' ') || undefined;
  const err = (name: string) => (errorOf(name) ? { error: errorOf(name)! } : {});
  const approved = v.account ?? v.request;
  const linked = approved?.linkedEmail ?? '';
  const filled = Object.values(values).some((x) => x);
  const checkError = errorOf('login_stored');
  const id = fieldId('login_stored');
  return `${field({ name: 'handle', label: 'Handle', value: filled ? values.handle ?? '' : approved?.handle ?? '', required: true, hint: 'The approved handle; you may correct its capital letters.', ...err('handle') })}`
    + field({ name: 'url', label: 'Address (URL)', type: 'url', value: values.url ?? '', required: true, hint: 'The account\'s web address, starting https://', ...err('url') })
    + field({ name: 'linked_email', label: 'Linked email', type: 'email', value: values.linked_email ?? '', required: true, hint: `Type the address the account was created with, to confirm it: it must be the approved one, ${linked}.`, ...err('linked_email') })
    + field({ name: 'admins', label: 'Administrators', textarea: true, value: filled ? values.admins ?? '' : (approved?.admins ?? []).join('\n'), required: true, hint: 'At least two members of staff with administrator access: one school email address a line.', ...err('admins') })
    + `<div class="checkbox"><input type="checkbox" id="${id}" name="login_stored" value="yes" required${values.login_stored ? ' checked' : ''}${checkError ? ` aria-invalid="true" aria-describedby="${id}-error"` : ''}>
<label for="${id}">The login details are stored as the trust requires, so that access is never lost</label></div>
${checkError ? `<p class="field-error" id="${id}-error">${e(checkError)}</p>\n` : ''}`;
}

function decisionForms(v: TaskView, csrf: string, values: DecisionValues, fieldErrors: FieldError[]): string {
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
      case 'approve': {
        const r = v.request;
        const index = t.requestStep ?? r?.currentStep ?? 0;
        const next = r && index + 1 < r.steps.length
          ? `The request goes on to the next step (${stepLabel(r, index + 1)}).`
          : "This is the last approval: the account enters the register as approved, and the school's IT managers are asked to set it up.";
        out.push(decisionForm(t.id, csrf, action, 'Approve it', `<p>${e(next)}</p>\n`, 'Approve the request'));
        break;
      }
      case 'reject':
        out.push(decisionForm(t.id, csrf, action, 'Reject it', `<p>The request ends here: no further approvals are asked for, and nothing is added to the register.</p>
${field({ name: 'reason', label: 'Why you reject it (the person who asked is told)', textarea: true, required: true, value: values.reason ?? '' })}`, 'Reject the request', 'danger'));
        break;
      case 'set_up':
        out.push(decisionForm(t.id, csrf, action, 'Record the set-up', `<p>Create the account on the platform (or confirm it exists) with the approved linked email, give at least two members of staff administrator access, and store its login details as the trust requires. Then record it here: the account becomes active in the register, with its first review a year on.</p>
${setUpFields(v, values, fieldErrors)}`, 'Record it as set up'));
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
    approve: 'approved', reject: `rejected${'reason' in r && r.reason ? `: ${r.reason}` : ''}`,
    set_up: `recorded as set up${'url' in r ? ` at ${r.url}` : ''}`,
  };
  return `<p id="resolution">${e(what[r.action] ?? r.action)}, by ${e(r.by)}, ${when(r.at)}.</p>\n`;
}

/** Splits a set-up refusal ("handle: …; admins: …") into its fields' errors; the rest stays one message. */
export function setUpErrors(message: string): { fieldErrors: FieldError[]; rest: string[] } {
  const fieldErrors: FieldError[] = [];
  const rest: string[] = [];
  const names = SET_UP_FIELDS.join('|');
  for (const part of message.split(new RegExp(`; (?=(?:${names}): )`))) {
    const m = new RegExp(`^(${names}): (.*)$`, 's').exec(part);
    if (m) fieldErrors.push({ field: m[1]!, message: m[2]!.charAt(0).toUpperCase() + m[2]!.slice(1) });
    else rest.push(part);
  }
  return { fieldErrors, rest };
}

export function taskPage(v: TaskView, csrf: string, o: { error?: string; values?: DecisionValues; done?: string; fieldErrors?: FieldError[]; schoolName?: string } = {}): { title: string; body: string } {
  const t = v.task;
  const r = v.request;
  const facts: Array<[string, string]> = [
    ['Task', e(label(TASK_TYPE_LABELS, t.type))],
    ['Status', e(label(TASK_STATUS_LABELS, t.status))],
  ];
  if (v.account) facts.push(['Account', `<a href="${accountHref(v.account.id)}">${e(accountLabel(v.account))}</a> (${e(v.account.school)})`]);
  else if (t.accountId) facts.push(['Account', e(t.accountId)]);
  else if (r) facts.push(['Account', `${e(accountLabel(r))} (not in the register yet)`]);
  if (v.policy) facts.push(['Policy', e(v.policy.title)]);
  if (r) {
    facts.push(['Request', `<a href="${requestHref(r.id)}">Where the request stands</a>, requested by ${requesterHtml(r)}`]);
    if (t.type === 'approve_request' && t.requestStep !== undefined) facts.push(['Approval step', e(stepLabel(r, t.requestStep))]);
  } else {
    facts.push(['About', `${t.subjectName ? `${e(t.subjectName)} (${e(t.subjectEmail)})` : e(t.subjectEmail)}`]);
  }
  facts.push(['Why', e(t.reason)]);
  if (t.eventDate) facts.push(['Date', day(t.eventDate)]);
  facts.push(['Due by', day(t.dueDate)]);
  facts.push(['Asked', emails(t.assignees)]);
  if (v.account) {
    facts.push(['Linked email', e(v.account.linkedEmail)]);
    facts.push(['Administrators', emails(v.account.admins)]);
  }
  const fieldErrors = o.fieldErrors ?? [];
  const decide = t.status !== 'open'
    ? resolutionHtml(t)
    : v.actions.length
      ? `<h2>Decide</h2>\n<p>Your decision is recorded under your own address.</p>\n${decisionForms(v, csrf, o.values ?? {}, fieldErrors)}`
      : '<p class="muted">This task is not yours to decide.</p>\n';
  const top = (o.error ? box('error', `<p><strong>That did not work:</strong> ${e(o.error)}</p>`, 'error') : '')
    + (fieldErrors.length ? errorSummary(fieldErrors.map((x) => ({ field: x.field, message: `${SET_UP_LABELS[x.field] ?? x.field}: ${x.message}` })), 'Nothing was recorded: check these answers') : '')
    + (o.done ? box('success', `<p>${e(o.done)}</p>`, 'done') : '');
  const answers = r ? `<h2>The request</h2>\n${requestFactsHtml(r, o.schoolName ?? r.school)}` : '';
  const what = v.account ? accountLabel(v.account) : r ? accountLabel(r) : undefined;
  return {
    title: label(TASK_TYPE_LABELS, t.type) + (what ? `: ${what}` : ''),
    body: `${top}<dl>${facts.map(([k, html]) => `<dt>${e(k)}</dt><dd>${html}</dd>`).join('')}</dl>
${decide}${answers}`,
  };
}
