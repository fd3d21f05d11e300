/**
 * The HTML pages behind action links: `GET /actions/{token}` shows the task and its forms (and changes nothing, since
 * mail scanners open links); each form `POST`s one decision back to the same URL. Pure: no I/O, no clock reads.
 *
 * Stable hooks for browser tests: forms `#form-<action>`, submit buttons `#submit-<action>`, field names `action`,
 * `newOwner`, `reason`, `newDate`, `nextReview`, and for set_up `handle`, `url`, `linked_email`, `admins`,
 * `login_stored` (a checkbox); the error box is `#error`; result pages have the title in `<h1>` and `#message`.
 * A request's answers are in `#request` (approve_request, set_up_account).
 */
import { escapeHtml as e, isSafeHref, pageLayout } from '../domain/html.ts';
import { accountTitle, isAddressGone, isPersonSubject, platformName, policyName, supervisorRole, taskTitle, type AccountView } from '../domain/emails/wording.ts';
import type { IsoDate } from '../domain/model.ts';
import { STEP_LABELS, stepLabel, type AccountRequest } from '../domain/requests.ts';
import { PLATFORM_NAMES } from '../domain/tasks.ts';
import { actionsFor, type Action, type Task } from '../domain/tasks.ts';
import { longDate } from '../domain/working-days.ts';

export interface TaskPageInput {
  trustName: string;
  task: Task;                 // open task
  account?: AccountView;      // absent for acknowledge_policy and policy_review
  policy?: { title: string; nextReviewDate: IsoDate };  // policy_review: the policy
  formAction: string;         // the URL to POST to (same as the link)
  error?: string;             // shown at the top in a clear error box
  /** Re-fill the form after an error (the posted fields, named as in usecases/decision-form.ts). */
  values?: { newOwner?: string; reason?: string; newDate?: string; nextReview?: string; handle?: string; url?: string; linked_email?: string; admins?: string; login_stored?: string };
  /** approve_request and set_up_account: the request for a new account, and its school's name. */
  request?: { request: AccountRequest; schoolName: string };
  /** The person the decision will be recorded as (the link's recipient, or the signed-in person in the console). */
  actingAs?: string;
  /** Replaces the default explanation of why the decision is recorded as `actingAs`. */
  actingAsReason?: string;
  /** Extra hidden fields for every form (the console's `_csrf`). */
  hiddenFields?: Record<string, string>;
}

type Decision = Action;

function errorBox(error: string | undefined): string {
  return error ? `<div class="box error" id="error" role="alert"><p><strong>That did not work:</strong> ${e(error)}</p></div>\n` : '';
}

function personHtml(task: Task): string {
  const name = task.subjectName?.trim();
  return name ? `${e(name)} (${e(task.subjectEmail)})` : e(task.subjectEmail);
}

function facts(rows: Array<[string, string]>): string {
  return `<dl>${rows.map(([k, html]) => `<dt>${e(k)}</dt><dd>${html}</dd>`).join('')}</dl>\n`;
}

/** One or two sentences: what this task is about. Returns HTML (every value escaped). */
function aboutHtml(task: Task, account: AccountView | undefined, policy: TaskPageInput['policy']): string {
  const label = `<strong>${e(accountTitle(task, account))}</strong>`;
  const school = e(account?.schoolName || task.school || 'the school');
  const who = personHtml(task);
  switch (task.type) {
    case 'transfer_or_close':
      if (isAddressGone(task)) {
        // A renamed or deleted address: nobody is said to be leaving.
        return `${label} (${school}) is registered to ${e(account?.linkedEmail ?? task.subjectEmail)}, which no longer exists in the directory: the address has been renamed or deleted. `
          + 'Until the login email is changed to an address that works, nobody can reset its password or receive its security codes. '
          + 'Transfer it to the school email address of a continuing member of staff, or close it (trust social media policy A.1.7).';
      }
      return `${label} (${school}) is registered to ${e(account?.linkedEmail ?? task.subjectEmail)}, the address of ${who}, who is leaving. `
        + 'When that school email is switched off, nobody can log in to the account, reset its password or close it. '
        + 'Transfer it to the email address of a continuing member of staff, or close it (trust social media policy A.1.7).';
    case 'replace_admin': {
      const left = (account?.admins ?? []).filter((a) => a.trim().toLowerCase() !== task.subjectEmail.trim().toLowerCase());
      const remain = left.length === 0 ? 'It now has no administrators.' : `The administrators who remain: ${left.map(e).join(', ')}.`;
      if (!isPersonSubject(task)) {
        const has = left.length === 0 ? 'has no administrators' : `has ${left.length === 1 ? 'one administrator' : `${left.length} administrators`}: ${left.map(e).join(', ')}`;
        return `${label} (${school}) ${has}. The trust's social media policy asks for at least two (A.5.4), so that the account is moderated during leave and absences. `
          + 'Name another administrator, close the account, or keep it as it is and say why.';
      }
      return `${who} is leaving and has been removed as an administrator of ${label} (${school}). ${remain} `
        + 'The trust\'s social media policy asks for at least two administrators (A.5.4). '
        + 'Name a replacement administrator, close the account, or keep it as it is and say why.';
    }
    case 'replace_supervisor': {
      const role = e(supervisorRole(task));
      return `${who} is leaving and is the ${role} of ${label} (${school}). `
        + `Name a replacement ${role}, close the account, or keep it as it is and say why.`;
    }
    case 'attest_account':
      return `Is ${label} (${school}) still in use, and is it monitored? The trust's social media policy says a site must not be neglected (A.1.6) `
        + 'and that contact through it is monitored (A.5.3). Confirm it, or, if it is no longer needed, request its closure.';
    case 'planned_end':
      return `${label} (${school}) has reached, or is close to, the planned end date recorded for it: its exit strategy (trust social media policy A.1.6). `
        + 'Extend it with a new planned end date if it is still needed, or close it.';
    case 'policy_review': {
      const title = e(policyName(policy?.title));
      return `<strong>${title.charAt(0).toUpperCase()}${title.slice(1)}</strong> is due for review on ${e(longDate(policy?.nextReviewDate ?? task.dueDate))}. `
        + 'Policies are reviewed at least once a year. Review it, then mark it reviewed below; its next review date is 12 months on unless you give one.';
    }
    default:
      return `${e(task.reason)} This is about ${label} (${school})${isPersonSubject(task) ? ` and ${who}` : ''}.`;
  }
}

/** Who the decision is recorded as: the person the link was sent to (or the signed-in person), never a choice. */
function actingAs(input: TaskPageInput): string {
  return input.actingAs
    ? `<p class="box info" id="acting-as">You are deciding as <strong>${e(input.actingAs)}</strong>: ${input.actingAsReason ? e(input.actingAsReason) : 'this link was sent to you, and your decision is recorded in your name'}.</p>\n`
    : '';
}

function transferCopy(task: Task): { heading: string; label: string; button: string; hint: string } {
  switch (task.type) {
    case 'replace_admin':
      return {
        heading: 'Name a replacement administrator',
        label: "New administrator's email",
        button: 'Add this administrator',
        hint: 'They must be an active member of staff with a school email address. Give them access on the platform too.',
      };
    case 'replace_supervisor':
      return {
        heading: `Name a replacement ${supervisorRole(task)}`,
        label: "New supervisor's email",
        button: 'Make them the supervisor',
        hint: 'They must be an active member of staff with a school email address.',
      };
    default:
      return {
        heading: 'Transfer it to a continuing member of staff',
        label: 'Email address of the continuing member of staff to transfer it to',
        button: 'Record the transfer',
        hint: 'They must be an active member of staff with a school email address. Change the login email on the platform to this address too.',
      };
  }
}

function form(input: TaskPageInput, decision: Decision, inner: string, button: string, buttonClass = ''): string {
  const cls = buttonClass ? ` class="${buttonClass}"` : '';
  return `<form id="form-${decision}" method="post" action="${e(input.formAction)}">
<input type="hidden" name="action" value="${decision}">
${Object.entries(input.hiddenFields ?? {}).map(([k, val]) => `<input type="hidden" name="${e(k)}" value="${e(val)}">\n`).join('')}${inner}<button type="submit" id="submit-${decision}"${cls}>${e(button)}</button>
</form>
`;
}

function decisionForms(input: TaskPageInput): string {
  const { task, account, values } = input;
  const platform = platformName(account?.platform ?? task.platform);
  const label = accountTitle(task, account);
  const out: string[] = [];
  for (const decision of actionsFor(task.type)) {
    if (decision === 'transfer') {
      const c = transferCopy(task);
      out.push(form(input, 'transfer', `<h2>${e(c.heading)}</h2>
<label for="newOwner">${e(c.label)}</label>
<input type="email" id="newOwner" name="newOwner" required autocomplete="off" spellcheck="false" value="${e(values?.newOwner ?? '')}">
<p class="muted">${e(c.hint)}</p>`, c.button));
    } else if (decision === 'close') {
      out.push(form(input, 'close', `<h2>Close the account</h2>
<p class="box warning">Only if ${e(label)} is no longer needed. Close it on ${e(platform)} as well: closing an account usually removes its posts and followers and cannot be undone.</p>`, 'Close the account', 'danger'));
    } else if (decision === 'keep') {
      out.push(form(input, 'keep', `<h2>Keep it as it is</h2>
<label for="reason">Why it should stay as it is</label>
<textarea id="reason" name="reason" required>${e(values?.reason ?? '')}</textarea>`, 'Keep it as it is', 'secondary'));
    } else if (decision === 'confirm') {
      out.push(form(input, 'confirm', `<h2>It is still needed</h2>
<p>${e(label)} is in use, and someone looks at it and answers contact through it as often as the register says.</p>`, 'Yes, it is in use and monitored'));
    } else if (decision === 'request_closure') {
      out.push(form(input, 'request_closure', `<h2>It is no longer needed</h2>
<p class="box warning">The register marks ${e(label)} for closure and the school's IT managers see it. Close it on ${e(platform)} as well once you are sure.</p>
<label for="reason">Why (optional)</label>
<textarea id="reason" name="reason">${e(values?.reason ?? '')}</textarea>`, 'Request closure', 'danger'));
    } else if (decision === 'extend') {
      out.push(form(input, 'extend', `<h2>Extend it</h2>
<label for="newDate">New planned end date</label>
<input type="date" id="newDate" name="newDate" required value="${e(values?.newDate ?? '')}">
<p class="muted">A date after today. The account stays in the register until then, and you will be asked again as it approaches.</p>`, 'Extend to this date'));
    } else if (decision === 'reviewed') {
      out.push(form(input, 'reviewed', `<h2>Mark the policy as reviewed</h2>
<label for="nextReview">Next review date</label>
<input type="date" id="nextReview" name="nextReview" aria-describedby="nextReview-hint" value="${e(values?.nextReview ?? '')}">
<p class="muted" id="nextReview-hint">Optional: leave empty for 12 months on.</p>`, 'Mark as reviewed'));
    }
  }
  return out.join('');
}

function acknowledgePage(input: TaskPageInput): string {
  const { task } = input;
  const body = `${errorBox(input.error)}<p>Every member of staff must read and sign the trust's social media and acceptable use policy. Please read it, then confirm below by ${e(longDate(task.dueDate))}.</p>
${facts([
  ['Name', personHtml(task)],
  ['Due by', e(longDate(task.dueDate))],
  ['Task', e(task.id)],
])}<div class="box info" id="statement">
<p>I confirm that I have been given a copy of the trust's social media and acceptable use policy.</p>
<p>I have read, understood and accept the policy and will abide by it.</p>
</div>
<p class="muted">Nothing has been recorded yet: your acceptance is recorded only when you press the button.</p>
${form(input, 'acknowledge', '', 'I have read and accept the social media policy')}`;
  return pageLayout({ trustName: input.trustName, title: 'Read and accept the social media policy', bodyHtml: body });
}

/** The label of the row naming the task's person. */
function personRowLabel(task: Task): string {
  if (isAddressGone(task)) return 'Registered address';
  if (task.type === 'attest_account') return 'Main supervisor';
  if (task.type === 'planned_end') return 'Supervisor';
  if (task.type === 'policy_review') return 'Policy owner';
  return 'Person leaving';
}

function policyReviewPage(input: TaskPageInput): string {
  const { task, policy } = input;
  const rows: Array<[string, string]> = [
    ['Policy', e(policy?.title ?? 'the social media policy')],
    ['Review date', e(longDate(policy?.nextReviewDate ?? task.dueDate))],
    [personRowLabel(task), personHtml(task)],
    ['Due by', e(longDate(task.dueDate))],
    ['Task', e(task.id)],
  ];
  const body = `${errorBox(input.error)}<p>${aboutHtml(task, undefined, policy)}</p>
${facts(rows)}<p class="box info" id="nothing-yet">Nothing has changed yet. The review is recorded only when you press the button below.</p>
${actingAs(input)}${decisionForms(input)}<p class="muted">The review is recorded in the register's audit in the name of the person deciding.${input.actingAsReason ? '' : ' This link works once.'}</p>`;
  return pageLayout({ trustName: input.trustName, title: taskTitle(task, undefined, policy), bodyHtml: body });
}

// ---------------------------------------------------------------------------------------------------------------
// Requests for new accounts (contracts section 9)

function multiline(text: string): string {
  return e(text).replace(/\r?\n/g, '<br>');
}

function requesterHtml(r: AccountRequest): string {
  return r.requesterName ? `${e(r.requesterName)} (${e(r.requester)})` : e(r.requester);
}

/** Every answer on the form, as the approvers and the IT manager read it. */
function requestFactsHtml(view: { request: AccountRequest; schoolName: string }, extra: Array<[string, string]> = []): string {
  const r = view.request;
  const rows: Array<[string, string]> = [
    ['Requested by', requesterHtml(r)],
    ['School', e(view.schoolName)],
    ['Platform', e(PLATFORM_NAMES[r.platform] ?? r.platform)],
    ['Proposed handle', e(r.handle)],
    ['Published name', e(r.publishedName)],
    ['Purpose', multiline(r.purpose)],
    ['Aims', multiline(r.aims)],
    ['Why not an existing account', multiline(r.whyNotExisting)],
    ['Content', multiline(r.content)],
    ['Audience', multiline(r.audience)],
    ['Linked email', e(r.linkedEmail)],
    ['Administrators', r.admins.map(e).join(', ')],
    ['Main supervisor', e(r.mainSupervisor)],
    ['Reserve supervisor', e(r.reserveSupervisor)],
    ['Monitoring in term time', e(r.monitoringFrequency)],
    ['Monitoring in holidays', e(r.holidayMonitoringFrequency)],
    ['Monitors and responds', multiline(r.responsible)],
    ...(r.plannedEndDate ? [['Planned end', e(longDate(r.plannedEndDate))] as [string, string]] : []),
    ...(r.exitPlan ? [['Exit plan', multiline(r.exitPlan)] as [string, string]] : []),
    ['Success measures', multiline(r.successMeasures)],
    ...extra,
  ];
  return `<div id="request">${facts(rows)}</div>`;
}

/** The steps decided so far, one line each. */
function decisionsHtml(r: AccountRequest): string {
  const lines = r.steps.flatMap((s, i) => (s.decision
    ? [`<li>Step ${i + 1} (${e(STEP_LABELS[s.step])}): ${s.decision.outcome === 'approved' ? 'approved' : 'rejected'} by ${e(s.decision.by)} on ${e(longDate(s.decision.at.slice(0, 10)))}</li>`]
    : []));
  return lines.length ? `<ul id="decisions">${lines.join('')}</ul>\n` : '';
}

function approveRequestPage(input: TaskPageInput): string {
  const { task, values } = input;
  const view = input.request;
  if (!view) return pageLayout({ trustName: input.trustName, title: taskTitle(task), bodyHtml: `${errorBox(input.error)}<p>${e(task.reason)}</p>` });
  const r = view.request;
  const index = task.requestStep ?? r.currentStep;
  const step = r.steps[index];
  const label = accountTitle(task);
  const who = step?.step === 'headteacher' ? `the headteacher of ${view.schoolName}` : step?.step === 'trust_approvers' ? "one of the trust's approvers" : 'their line manager';
  const asked = step?.fallbackReason
    ? `You are asked as the trust's IT contact, in place of ${e(who)}, because ${e(step.fallbackReason)}.`
    : `You are asked as ${e(who)}.`;
  const last = index + 1 >= r.steps.length;
  const earlier = decisionsHtml(r);
  const body = `${errorBox(input.error)}<p>${requesterHtml(r)} asks to open a new official <strong>${e(label)}</strong> account for ${e(view.schoolName)}. This is approval step ${e(stepLabel(r, index))}. ${asked}</p>
<p>The trust's social media policy asks for approval before an official site is created (A.3.2), with an exit plan from the outset (A.1.6) and a way to judge its success (A.1.8).</p>
${earlier ? `<h2>Already decided</h2>\n${earlier}` : ''}<h2>The request</h2>
${requestFactsHtml(view, [['Approval step', e(stepLabel(r, index))], ['Due by', e(longDate(task.dueDate))], ['Request', e(r.id)], ['Task', e(task.id)]])}<p class="box info" id="nothing-yet">Nothing has changed yet. The decision is made only when you press one of the buttons below. Choose one.</p>
${actingAs(input)}${form(input, 'approve', `<h2>Approve it</h2>
<p>${last ? "This is the last approval: the account enters the register as approved, and the school's IT managers are asked to set it up." : `The request goes on to the next step (${e(stepLabel(r, index + 1))}).`}</p>`, 'Approve the request')}${form(input, 'reject', `<h2>Reject it</h2>
<p class="box warning">The request ends here: no further approvals are asked for, and nothing is added to the register.</p>
<label for="reason">Why you reject it (the person who asked is told)</label>
<textarea id="reason" name="reason" required>${e(values?.reason ?? '')}</textarea>`, 'Reject the request', 'danger')}<p class="muted">Your decision is recorded in the register's audit in your name.${input.actingAsReason ? '' : ' This link works once.'}</p>`;
  return pageLayout({ trustName: input.trustName, title: taskTitle(task), bodyHtml: body });
}

function setUpPage(input: TaskPageInput): string {
  const { task, account, values } = input;
  const view = input.request;
  const label = accountTitle(task, account);
  const linked = account?.linkedEmail ?? view?.request.linkedEmail ?? '';
  const approvedAdmins = account?.admins ?? view?.request.admins ?? [];
  const platform = platformName(account?.platform ?? task.platform);
  const about = view
    ? `The request by ${requesterHtml(view.request)} for a new official <strong>${e(label)}</strong> account for ${e(view.schoolName)} has every approval it needs. It is in the register as approved, waiting for you to set it up.`
    : `<strong>${e(label)}</strong> is approved and waiting to be set up.`;
  const body = `${errorBox(input.error)}<p>${about}</p>
<p>Create the account on ${e(platform)} (or confirm it exists) with the approved linked email, give at least two members of staff administrator access, and store its login details as the trust requires, so that access is never lost (policy A.1.7). Then record it below: the account becomes active in the register, with its first review a year on.</p>
${view ? decisionsHtml(view.request) : ''}${view ? `<h2>The approved request</h2>\n${requestFactsHtml(view, [['Due by', e(longDate(task.dueDate))], ['Request', e(view.request.id)], ['Task', e(task.id)]])}` : facts([['Due by', e(longDate(task.dueDate))], ['Task', e(task.id)]])}<p class="box info" id="nothing-yet">Nothing has changed yet. The set-up is recorded only when you press the button below.</p>
${actingAs(input)}${form(input, 'set_up', `<h2>Record the set-up</h2>
<label for="handle">Handle</label>
<input type="text" id="handle" name="handle" required autocomplete="off" spellcheck="false" aria-describedby="handle-hint" value="${e(values?.handle ?? account?.handle ?? view?.request.handle ?? '')}">
<p class="muted" id="handle-hint">The approved handle; you may correct its capital letters.</p>
<label for="url">Address (URL)</label>
<input type="url" id="url" name="url" required autocomplete="off" spellcheck="false" placeholder="https://" value="${e(values?.url ?? '')}">
<label for="linked_email">Linked email</label>
<input type="email" id="linked_email" name="linked_email" required autocomplete="off" spellcheck="false" aria-describedby="linked_email-hint" value="${e(values?.linked_email ?? '')}">
<p class="muted" id="linked_email-hint">Type the address the account was created with, to confirm it: it must be the approved one, ${e(linked)}.</p>
<label for="admins">Administrators</label>
<textarea id="admins" name="admins" required aria-describedby="admins-hint">${e(values?.admins ?? approvedAdmins.join('\n'))}</textarea>
<p class="muted" id="admins-hint">At least two members of staff with administrator access, one address a line.</p>
<label class="check" for="login_stored"><input type="checkbox" id="login_stored" name="login_stored" value="yes" required${values?.login_stored ? ' checked' : ''}> The login details are stored as the trust requires</label>`, 'Record it as set up')}<p class="muted">The set-up is recorded in the register's audit in your name.${input.actingAsReason ? '' : ' This link works once.'}</p>`;
  return pageLayout({ trustName: input.trustName, title: taskTitle(task, account), bodyHtml: body });
}

/** The page an action link opens: the task, and one form per decision it offers. */
export function taskPage(input: TaskPageInput): string {
  const { task, account } = input;
  if (task.type === 'acknowledge_policy') return acknowledgePage(input);
  if (task.type === 'policy_review') return policyReviewPage(input);
  if (task.type === 'approve_request') return approveRequestPage(input);
  if (task.type === 'set_up_account') return setUpPage(input);

  const rows: Array<[string, string]> = [['Account', e(accountTitle(task, account))]];
  if (account?.url) rows.push(['Link', isSafeHref(account.url) ? `<a href="${e(account.url)}" rel="noopener noreferrer">${e(account.url)}</a>` : e(account.url)]);
  rows.push(['School', e(account?.schoolName || task.school || '')]);
  if (account) {
    rows.push(['Registered to', e(account.linkedEmail)]);
    rows.push(['Administrators', account.admins.length ? account.admins.map(e).join(', ') : 'none recorded']);
  }
  if (task.type === 'replace_supervisor') rows.push(['Role', e(supervisorRole(task))]);
  if (isPersonSubject(task)) rows.push([personRowLabel(task), personHtml(task)]);
  else if (task.type === 'attest_account' || task.type === 'planned_end') rows.push([personRowLabel(task), task.assignees.map(e).join(', ')]);
  const leaver = (task.type === 'transfer_or_close' || task.type === 'replace_admin' || task.type === 'replace_supervisor') && !isAddressGone(task) && isPersonSubject(task);
  if (task.eventDate && leaver) rows.push(['Leave date', e(longDate(task.eventDate))]);
  rows.push(['Due by', e(longDate(task.dueDate))]);
  rows.push(['Task', e(task.id)]);

  const body = `${errorBox(input.error)}<p>${aboutHtml(task, account, input.policy)}</p>
${facts(rows)}<p class="box info" id="nothing-yet">Nothing has changed yet. The decision is made only when you press one of the buttons below. Choose one.</p>
${actingAs(input)}${decisionForms(input)}<p class="muted">Your decision is recorded in the register's audit in the name of the person deciding.${input.actingAsReason ? '' : ' This link works once.'}</p>`;
  return pageLayout({ trustName: input.trustName, title: taskTitle(task, account), bodyHtml: body });
}

/** A simple page after a decision (or when a link cannot be used): the title in `<h1>`, the message in `#message`. */
export function resultPage(opts: { trustName: string; title: string; message: string; kind: 'success' | 'error' | 'info' }): string {
  const kind = opts.kind === 'success' || opts.kind === 'error' ? opts.kind : 'info';
  const role = kind === 'error' ? ' role="alert"' : '';
  return pageLayout({
    trustName: opts.trustName,
    title: opts.title,
    bodyHtml: `<div class="box ${kind}" id="result"${role}><p id="message">${e(opts.message)}</p></div>\n`,
  });
}
