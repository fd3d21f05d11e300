/**
 * Requests for new official accounts (contracts section 9): the form (`GET /requests/new`), the list
 * (`GET /requests`) and one request's progress (`GET /requests/{requestId}`).
 *
 * The form is the Site Creation Approval Form of the trust's policy (000 Appendix B), its fields named as the
 * register's CSV columns where one exists. Every field has a label and a short hint; after a refusal each problem is
 * shown next to its field (`aria-describedby`, `aria-invalid`) and in a summary at the top (`role="alert"`, each
 * linking to its field), with everything typed kept. No JavaScript: the server checks every answer.
 *
 * Hooks for tests: the form `#request-form`, fields `#f-<name>`, errors `#f-<name>-error`, the summary
 * `#error-summary`, the button `#submit-request`; the list `#requests`; on a request's page `#status`, the steps
 * `#steps` (each `#step-<n>`, the set-up `#step-set-up`), the link to decide `#decide`, the answers `#request`.
 */
import { escapeHtml as e } from '../../domain/html.ts';
import { MONITORING_FREQUENCIES, PLATFORMS, type School } from '../../domain/model.ts';
import { MAX_LENGTH, type RequestFormField } from '../../domain/request-forms.ts';
import { REQUEST_STATUSES, type AccountRequest } from '../../domain/requests.ts';
import { accountLabel, PLATFORM_NAMES } from '../../domain/tasks.ts';
import type { RequestProgress, RequestRole, RequestRow, StepProgress } from '../../usecases/console/index.ts';
import { box, errorSummary, field, postForm, table, tag, type FieldError } from '../layout.ts';
import { accountHref, day, emails, label, options, statusFilter, taskHref, when } from './common.ts';
import { capitalise } from '../../domain/text.ts';

export const REQUEST_STATUS_LABELS: Record<string, string> = {
  pending: 'Waiting for approval',
  approved: 'Approved, to be set up',
  set_up: 'Set up',
  rejected: 'Rejected',
};

export function requestHref(id: string): string {
  return `/requests/${encodeURIComponent(id)}`;
}


const FREQUENCY_OPTIONS = MONITORING_FREQUENCIES.map((f): [string, string] => [f, capitalise(f)]);

interface FieldSpec {
  label: string;
  hint: string;
  kind?: 'textarea' | 'email' | 'date' | 'school' | 'platform' | 'frequency';
  /** Optional on its own (the planned end date and the exit plan: one of them is needed). */
  optional?: boolean;
}

/** How each answer is asked for. */
const FIELDS: Record<RequestFormField, FieldSpec> = {
  school: { label: 'School', hint: 'The school the account will speak for.', kind: 'school' },
  platform: { label: 'Platform', hint: 'Where the account will be.', kind: 'platform' },
  handle: { label: 'Proposed handle', hint: 'The name after the @, e.g. oakfield_drama: letters, digits, dots, dashes and underscores, no spaces.' },
  published_name: { label: 'Published name', hint: 'The name people will see on the account.' },
  purpose: { label: 'Purpose', hint: 'What the account is for.', kind: 'textarea' },
  aims: { label: 'Aims', hint: 'What it aims to achieve.', kind: 'textarea' },
  why_not_existing: { label: 'Why an existing account cannot be used', hint: "Why the school's or the trust's existing accounts cannot do this.", kind: 'textarea' },
  content: { label: 'Content', hint: 'What will be posted, e.g. news, events, photos with consent.', kind: 'textarea' },
  audience: { label: 'Audience', hint: 'Who it is for, e.g. parents and carers, students, the local community.', kind: 'textarea' },
  success_measures: { label: 'How success will be judged', hint: 'How you will tell whether the account is working.', kind: 'textarea' },
  main_supervisor: { label: 'Main supervisor', hint: 'The member of staff who oversees the account: their school email address.', kind: 'email' },
  reserve_supervisor: { label: 'Reserve supervisor', hint: 'A different member of staff, who covers when the main supervisor is away.', kind: 'email' },
  monitoring_frequency: { label: 'Monitoring in term time', hint: 'How often someone checks the account and answers messages in term time.', kind: 'frequency' },
  holiday_monitoring_frequency: { label: 'Monitoring in the holidays', hint: 'How often in the school holidays.', kind: 'frequency' },
  responsible: { label: 'Who monitors and responds', hint: 'Who updates the account and answers its users: names or a team.', kind: 'textarea' },
  linked_email: { label: 'Linked email', hint: "The address the account will be registered with: an official address on the school's domain, never a personal one.", kind: 'email' },
  admins: { label: 'Administrators', hint: 'At least two members of staff who will have administrator access: one school email address a line.', kind: 'textarea' },
  planned_end_date: { label: 'Planned end date', hint: 'When the account will close, if it is for a set time.', kind: 'date', optional: true },
  exit_plan: { label: 'Exit plan', hint: 'What happens to the account when it is no longer needed, or when its supervisors leave.', kind: 'textarea', optional: true },
};

/** The form's sections, in the order the page shows them. */
const GROUPS: Array<{ legend: string; intro?: string; fields: RequestFormField[] }> = [
  { legend: 'The account', fields: ['school', 'platform', 'handle', 'published_name'] },
  { legend: 'What it is for', fields: ['purpose', 'aims', 'why_not_existing', 'content', 'audience', 'success_measures'] },
  { legend: 'Who looks after it', fields: ['main_supervisor', 'reserve_supervisor', 'monitoring_frequency', 'holiday_monitoring_frequency', 'responsible'] },
  { legend: 'Access', intro: 'So that the school never loses access: the account is registered to an official address, and at least two people can manage it.', fields: ['linked_email', 'admins'] },
  { legend: 'How it ends', intro: 'A plan from the outset for how long the account will last: give a planned end date, an exit plan, or both.', fields: ['planned_end_date', 'exit_plan'] },
];

const PAGE_ORDER = new Map(GROUPS.flatMap((g) => g.fields).map((f, i) => [f, i]));

export interface RequestFormState {
  values: Record<string, string>;
  errors: FieldError[];
}

function platformName(p: string): string {
  return p === 'other' ? 'Other' : PLATFORM_NAMES[p] ?? p;
}

function formField(name: RequestFormField, value: string, error: string | undefined, schools: School[]): string {
  const spec = FIELDS[name];
  const base = { name, label: spec.label, hint: spec.hint, value, required: !spec.optional, maxLength: MAX_LENGTH[name], ...(error ? { error } : {}) };
  switch (spec.kind) {
    case 'school': return field({ ...base, options: schools.length === 1 ? schools.map((s): [string, string] => [s.id, s.name]) : options(schools.map((s) => [s.id, s.name]), 'Choose the school') });
    case 'platform': return field({ ...base, options: options(PLATFORMS.map((p) => [p, platformName(p)]), 'Choose the platform') });
    case 'frequency': return field({ ...base, options: options(FREQUENCY_OPTIONS, 'Choose how often') });
    case 'textarea': return field({ ...base, textarea: true });
    case 'email': return field({ ...base, type: 'email' });
    case 'date': return field({ ...base, type: 'date' });
    default: return field(base);
  }
}

/**
 * `GET /requests/new`, and the same form again after a refusal. `schools`: those the viewer may ask for (the schools
 * they are on, or every school); with one, it is chosen already.
 */
export function requestFormPage(schools: School[], csrf: string, state?: RequestFormState): { title: string; body: string } {
  const values = state?.values ?? {};
  const errorsOf = (name: string) => (state?.errors ?? []).filter((x) => x.field === name).map((x) => capitalise(x.message));
  const sections = GROUPS.map((g) => {
    // Short answers side by side on a wide screen; long ones across the page.
    const parts: string[] = [];
    let row: string[] = [];
    const flush = () => { if (row.length) parts.push(`<div class="fields">\n${row.join('')}</div>\n`); row = []; };
    for (const name of g.fields) {
      const errs = errorsOf(name);
      const html = formField(name, values[name] ?? (name === 'school' && schools.length === 1 ? schools[0]!.id : ''), errs.length ? errs.join(' ') : undefined, schools);
      if (FIELDS[name].kind === 'textarea') { flush(); parts.push(`<div class="wide">\n${html}</div>\n`); } else row.push(html);
    }
    flush();
    return `<fieldset class="group"><legend>${e(g.legend)}</legend>\n${g.intro ? `<p class="hint">${e(g.intro)}</p>\n` : ''}${parts.join('')}</fieldset>\n`;
  }).join('');
  const summary = state?.errors.length
    ? errorSummary([...state.errors]
      .sort((a, b) => (PAGE_ORDER.get(a.field as RequestFormField) ?? 99) - (PAGE_ORDER.get(b.field as RequestFormField) ?? 99))
      .map((x) => ({ field: x.field in FIELDS ? x.field : 'submit-request', message: `${FIELDS[x.field as RequestFormField]?.label ?? x.field}: ${x.message}` })), 'Nothing was sent: check these answers')
    : '';
  return {
    title: 'Request a new official account',
    body: `${summary}<p>The trust's social media policy asks for approval before an official account is opened, so that every account has supervisors, is monitored, and stays with the school when people leave. Fill in this form (the site creation approval form); it goes to each approver in turn (usually your line manager, your headteacher, then the trust), and you can follow it under <a href="/requests">Requests</a>. Once it is approved, the school's IT manager sets the account up and records it in the register.</p>
<p class="hint">Every answer is needed unless it says otherwise.</p>
${postForm({
    action: '/requests',
    csrf,
    id: 'request-form',
    label: 'Request a new official account',
    inner: `${sections}<button type="submit" id="submit-request">Send the request</button>\n`,
  })}`,
  };
}

/** `GET /requests`: the requests the viewer may see, newest first, filtered by status. */
export function requestsPage(rows: RequestRow[], status: string | undefined, done?: string): { title: string; body: string } {
  const filter = statusFilter('/requests', 'requests', REQUEST_STATUSES, REQUEST_STATUS_LABELS, status);
  const list = table({
    id: 'requests',
    caption: `${rows.length} ${rows.length === 1 ? 'request' : 'requests'}, newest first`,
    head: ['Account', 'School', 'Status', 'Waiting for', 'Requested by', 'Sent'],
    rows: rows.map((r) => [
      `<a href="${requestHref(r.id)}">${e(accountLabel({ platform: r.platform as never, handle: r.handle }))}</a>`,
      e(r.school),
      e(label(REQUEST_STATUS_LABELS, r.status)),
      r.waitingFor ? e(r.waitingFor) : '<span class="muted">Nobody</span>',
      e(r.requester).replace('@', '@<wbr>'),
      when(r.submittedAt),
    ]),
    empty: 'No requests here.',
  });
  return {
    title: 'Requests for new accounts',
    body: `${done ? box('success', `<p>${e(done)}</p>`, 'done') : ''}<p>Requests for new official accounts that you made, that you are asked to approve, or that concern the schools you manage.</p>
<p><a href="/requests/new" id="new-request">Request a new official account</a></p>
${filter}${list}`,
  };
}

function multiline(text: string): string {
  return e(text).replace(/\r?\n/g, '<br>');
}

export function requesterHtml(r: Pick<AccountRequest, 'requester' | 'requesterName'>): string {
  return r.requesterName ? `${e(r.requesterName)} (${e(r.requester)})` : e(r.requester);
}

/** Every answer on the form, as the approvers and the IT manager read it (`#request`). */
export function requestFactsHtml(r: AccountRequest, schoolName: string): string {
  const none = '<span class="muted">None</span>';
  const rows: Array<[string, string]> = [
    ['Requested by', requesterHtml(r)],
    ['Sent', when(r.submittedAt)],
    ['School', e(schoolName)],
    ['Platform', e(platformName(r.platform))],
    ['Proposed handle', e(r.handle)],
    [FIELDS.published_name.label, e(r.publishedName)],
    [FIELDS.purpose.label, multiline(r.purpose)],
    [FIELDS.aims.label, multiline(r.aims)],
    [FIELDS.why_not_existing.label, multiline(r.whyNotExisting)],
    [FIELDS.content.label, multiline(r.content)],
    [FIELDS.audience.label, multiline(r.audience)],
    [FIELDS.success_measures.label, multiline(r.successMeasures)],
    [FIELDS.main_supervisor.label, e(r.mainSupervisor)],
    [FIELDS.reserve_supervisor.label, e(r.reserveSupervisor)],
    [FIELDS.monitoring_frequency.label, e(capitalise(r.monitoringFrequency))],
    [FIELDS.holiday_monitoring_frequency.label, e(capitalise(r.holidayMonitoringFrequency))],
    [FIELDS.responsible.label, multiline(r.responsible)],
    [FIELDS.linked_email.label, e(r.linkedEmail)],
    [FIELDS.admins.label, emails(r.admins)],
    [FIELDS.planned_end_date.label, day(r.plannedEndDate)],
    [FIELDS.exit_plan.label, r.exitPlan ? multiline(r.exitPlan) : none],
  ];
  return `<dl id="request">${rows.map(([k, html]) => `<dt>${e(k)}</dt><dd>${html}</dd>`).join('')}</dl>\n`;
}

const STATE_WORDS: Record<StepProgress['state'], string> = {
  approved: 'Approved',
  rejected: 'Rejected',
  waiting: 'Waiting for a decision',
  not_reached: 'Not reached yet',
  not_needed: 'Not needed',
};

function stepHtml(s: StepProgress): string {
  const lines: string[] = [`<p>Asked: ${emails(s.approvers)}</p>`];
  if (s.fallbackReason) lines.push(`<p>Asked as the trust's IT contact in place of the ${e(s.label)}, because ${e(s.fallbackReason)}.</p>`);
  if (s.state === 'approved' || s.state === 'rejected') {
    lines.push(`<p>${s.state === 'approved' ? 'Approved' : 'Rejected'} by ${e(s.decidedBy)}${s.decidedAt ? `, ${when(s.decidedAt)}` : ''}.</p>`);
    if (s.reason) lines.push(`<p>Reason: ${multiline(s.reason)}</p>`);
  } else if (s.state === 'waiting') {
    lines.push(`<p>Due by ${day(s.dueDate)}.</p>`);
  } else if (s.state === 'not_needed') {
    lines.push('<p class="muted">The request was rejected at an earlier step.</p>');
  }
  return `<li id="step-${s.number}"><strong>${e(capitalise(s.label))}</strong> ${tag(STATE_WORDS[s.state], s.state === 'rejected')}\n${lines.join('\n')}</li>`;
}

function setUpHtml(p: RequestProgress): string {
  const r = p.request;
  const lines: string[] = [];
  let state: string;
  if (p.setUp?.state === 'done') {
    state = 'Done';
    lines.push(`<p>Recorded by ${e(p.setUp.by)}${p.setUp.at ? `, ${when(p.setUp.at)}` : ''}.${r.accountId ? ` The account is active in the register: ${`<a href="${accountHref(r.accountId)}">${e(accountLabel(r))}</a>`}.` : ''}</p>`);
  } else if (p.setUp?.state === 'waiting') {
    state = 'Waiting for the set-up';
    lines.push(`<p>Asked: ${emails(p.setUp.assignees)}</p>`);
    if (p.setUp.dueDate) lines.push(`<p>Due by ${day(p.setUp.dueDate)}.</p>`);
    if (r.accountId) lines.push(`<p>In the register as approved: <a href="${accountHref(r.accountId)}">${e(accountLabel(r))}</a>.</p>`);
  } else if (r.status === 'rejected') {
    state = 'Not needed';
    lines.push('<p class="muted">Nothing is added to the register.</p>');
  } else {
    state = 'Not reached yet';
    lines.push("<p class=\"muted\">After the last approval, the school's IT managers create the account with the approved linked email and record it in the register.</p>");
  }
  return `<li id="step-set-up"><strong>Set-up by the school's IT managers</strong> ${tag(state)}\n${lines.join('\n')}</li>`;
}

function statusHtml(p: RequestProgress): string {
  const r = p.request;
  switch (r.status) {
    case 'pending': {
      const s = p.steps[r.currentStep];
      return box('info', `<p><strong>Waiting for approval</strong>: step ${r.currentStep + 1} of ${p.steps.length}${s ? `, the ${e(s.label)}` : ''}.</p>`, 'status');
    }
    case 'approved':
      return box('info', "<p><strong>Approved</strong>: every approval is in. The account is in the register as approved, waiting for the school's IT managers to set it up.</p>", 'status');
    case 'set_up':
      return box('success', `<p><strong>Set up</strong>: the account is active in the register${r.accountId ? ` (<a href="${accountHref(r.accountId)}">${e(accountLabel(r))}</a>)` : ''}.</p>`, 'status');
    case 'rejected': {
      const s = p.steps.find((x) => x.state === 'rejected');
      return box('warning', `<p><strong>Rejected</strong>${s ? ` at step ${s.number} by ${e(s.decidedBy)}${s.reason ? `: ${multiline(s.reason)}` : ''}` : ''}. Nothing is added to the register.</p>`, 'status');
    }
  }
}

const ROLE_WORDS: Record<RequestRole, string> = {
  requester: 'you asked for it',
  approver: 'you are asked to approve it',
  it_manager: "you are an IT manager of its school",
  trust_it_contact: "you are the trust's IT contact",
  trust_admin: 'you are a trust administrator',
};

/** `GET /requests/{requestId}`: where the request stands, step by step, then its answers. */
export function requestPage(p: RequestProgress, o: { submitted?: boolean } = {}): { title: string; body: string } {
  const r = p.request;
  const decide = p.taskToDecide
    ? box('info', `<p><a id="decide" href="${taskHref(p.taskToDecide)}">${p.taskToDecide === p.setUp?.taskId ? 'Record the set-up of this account' : 'Approve or reject this request'}</a>: it is waiting for you.</p>`)
    : '';
  const submitted = o.submitted
    ? box('success', `<p>Your request has been sent. ${p.steps[0] ? `The first approver (${emails(p.steps[0].approvers)}) has been emailed.` : ''} You will be emailed when it is approved or rejected; this page shows where it stands.</p>`, 'submitted')
    : '';
  return {
    title: `New account request: ${accountLabel(r)}`,
    body: `${submitted}${statusHtml(p)}${decide}<p>For ${e(p.schoolName)}, requested by ${requesterHtml(r)}. You see it because ${p.roles.map((x) => e(ROLE_WORDS[x])).join(', and ')}.</p>
<h2>Approvals</h2>
<ol class="steps" id="steps">
${p.steps.map(stepHtml).join('\n')}
${setUpHtml(p)}
</ol>
<h2>The request</h2>
${requestFactsHtml(r, p.schoolName)}`,
  };
}
