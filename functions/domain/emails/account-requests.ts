/**
 * The emails of the new-account workflow (contracts section 9): the request each approver is asked to decide, the
 * set-up asked of the school's IT managers once every approval is in, and what the requester is told (rejected,
 * approved, set up). Each names the account, the school and the people, says why it was sent and, where something
 * is asked, by when. None shows a terminal command: these decisions are made on the page or in the console.
 */
import { PLATFORM_NAMES, type Task } from '../tasks.ts';
import type { IsoDate } from '../model.ts';
import { STEP_LABELS, stepLabel, type AccountRequest, type ApprovalStep } from '../requests.ts';
import { longDate } from '../working-days.ts';
import { render, v, type Block, type EmailContent, type MailContext, type Run } from './render.ts';
import { joinValues, linkBlocks } from './blocks.ts';
import { accountTitle, shortDate } from './wording.ts';

/** The request as the emails show it: the request and its school's name. */
export interface RequestView {
  request: AccountRequest;
  schoolName: string;
}

/** "Jo Smith (jo.smith@oakfield.sch.uk)", or the address alone. */
export function requesterRuns(r: Pick<AccountRequest, 'requester' | 'requesterName'>): Run[] {
  const name = r.requesterName?.trim();
  return name ? [v(name), ' (', v(r.requester), ')'] : [v(r.requester)];
}

function requesterName(r: Pick<AccountRequest, 'requester' | 'requesterName'>): string {
  return r.requesterName?.trim() || r.requester;
}

/** "Instagram @oakfield_pe". */
export function requestLabel(r: Pick<AccountRequest, 'platform' | 'handle'>): string {
  return accountTitle({ platform: r.platform, handle: r.handle });
}

/** Who a step asks, in words: "the line manager", "the headteacher of Oakfield Academy", "a trust approver". */
function stepWho(step: ApprovalStep, schoolName: string): string {
  if (step.step === 'headteacher') return `the headteacher of ${schoolName}`;
  if (step.step === 'trust_approvers') return "the trust's approvers (Director of IT or Director of Marketing)";
  return "the requester's line manager";
}

/** One line per step decided so far: "line manager: approved by x on Monday 7 December 2026". */
function decisionsSoFar(r: AccountRequest): Run[][] {
  return r.steps.flatMap((s, i) => (s.decision
    ? [[`Step ${i + 1} (${STEP_LABELS[s.step]}): `, s.decision.outcome === 'approved' ? 'approved by ' : 'rejected by ', v(s.decision.by), ' on ', v(longDate(s.decision.at.slice(0, 10))), '.']]
    : []));
}

/** Every answer on the form, as a facts table. */
export function requestFacts(view: RequestView, extra: Array<[string, Run[]]> = []): Block {
  const r = view.request;
  const rows: Array<[string, Run[]]> = [
    ['Requested by', requesterRuns(r)],
    ['School', [v(view.schoolName)]],
    ['Platform', [v(PLATFORM_NAMES[r.platform] ?? r.platform)]],
    ['Proposed handle', [v(r.handle)]],
    ['Published name', [v(r.publishedName)]],
    ['Purpose', [{ text: r.purpose }]],
    ['Aims', [{ text: r.aims }]],
    ['Why not an existing account', [{ text: r.whyNotExisting }]],
    ['Content', [{ text: r.content }]],
    ['Audience', [{ text: r.audience }]],
    ['Linked email', [v(r.linkedEmail)]],
    ['Administrators', joinValues(r.admins)],
    ['Main supervisor', [v(r.mainSupervisor)]],
    ['Reserve supervisor', [v(r.reserveSupervisor)]],
    ['Monitoring in term time', [v(r.monitoringFrequency)]],
    ['Monitoring in holidays', [v(r.holidayMonitoringFrequency)]],
    ['Monitors and responds', [{ text: r.responsible }]],
    ...(r.plannedEndDate ? [['Planned end', [v(longDate(r.plannedEndDate))]] as [string, Run[]]] : []),
    ...(r.exitPlan ? [['Exit plan', [{ text: r.exitPlan }]] as [string, Run[]]] : []),
    ['Success measures', [{ text: r.successMeasures }]],
    ...extra,
  ];
  return { facts: rows };
}

/**
 * approve_request created: to one approver of the request's current step, with their own link. Says who asks for
 * what, why this person is asked (and, when the step fell back to the trust IT contact, why), what approving and
 * rejecting do, by when, and what happens if nothing is done.
 */
export function approvalRequestEmail(
  ctx: MailContext,
  input: RequestView & { task: Task; actionUrl: string; linkExpiresOn: IsoDate },
): EmailContent {
  const { task, request: r, schoolName, actionUrl, linkExpiresOn } = input;
  const index = task.requestStep ?? r.currentStep;
  const step = r.steps[index]!;
  const label = requestLabel(r);
  const due = longDate(task.dueDate);
  const subject = `Approval needed by ${shortDate(task.dueDate)}: new ${label} account for ${schoolName}, requested by ${requesterName(r)}`;
  const why: Run[] = step.fallbackReason
    ? ["You are asked as the trust's IT contact, in place of ", stepWho(step, schoolName), ', because ', { text: step.fallbackReason }, '.']
    : ['You are asked as ', stepWho(step, schoolName), step.approvers.length > 1 ? '; any one of them may decide, and the first decision counts.' : '.'];
  const earlier = decisionsSoFar(r);
  const blocks: Block[] = [
    { p: [...requesterRuns(r), ' asks to open a new official ', v(label), ' account for ', v(schoolName), '. This is approval step ', v(stepLabel(r, index)), '. ', ...why] },
    {
      p: [
        "The trust's social media policy asks for approval before an official site is created (A.3.2). Consider whether an existing account could serve instead (A.1.2), ",
        'the audience (A.1.3), whether enough staff will keep it monitored (A.1.5), its exit plan (A.1.6) and how its success will be judged (A.1.8).',
      ],
    },
    ...(earlier.length ? [{ p: ['Already decided:'] } as Block, { list: earlier } as Block] : []),
    { h: `What to do by ${due}` },
    {
      list: [
        [{ strong: ['Approve: '] }, index + 1 < r.steps.length ? `the request goes on to the next step (${stepLabel(r, index + 1)}).` : "it is the last approval: the account enters the register as approved, and the school's IT managers are asked to set it up."],
        [{ strong: ['Reject: '] }, 'say why on the decision page. The request ends there, and ', v(requesterName(r)), ' is told your reason.'],
      ],
    },
    { h: 'The request' },
    requestFacts(input, [['Approval step', [v(stepLabel(r, index))]], ['Due by', [v(due)]], ['Request', [v(r.id)]], ['Task', [v(task.id)]]]),
    { h: 'Make the decision' },
    ...linkBlocks(actionUrl, linkExpiresOn, 'Open the decision page', 'your decision'),
    { p: ['You can also decide in Custodian, signed in with your school account.'] },
    { h: 'If nothing is done' },
    { p: ['You will get reminders before the due date and on it, ', v(due), ". If it is still not decided after that, it is escalated to the trust's IT contact, ", v(ctx.trustItContact), '.'] },
    { small: ['You are receiving this because you are asked to approve this request. Request id ', v(r.id), '. Task id ', v(task.id), '.'] },
  ];
  return render(ctx, subject, `Approve or reject a new account: ${label}`, blocks);
}

/**
 * set_up_account created: to the school's IT managers (or the trust IT contact): every approval is in; create the
 * account (or confirm it) with the approved linked email and record it, so that access is never lost (A.1.7).
 */
export function setUpAccountEmail(
  ctx: MailContext,
  input: RequestView & { task: Task; actionUrl: string; linkExpiresOn: IsoDate; recipient: string },
): EmailContent {
  const { task, request: r, schoolName, actionUrl, linkExpiresOn, recipient } = input;
  const label = requestLabel(r);
  const due = longDate(task.dueDate);
  const subject = `Action needed by ${shortDate(task.dueDate)}: set up the approved ${label} account for ${schoolName}`;
  const blocks: Block[] = [
    { p: ['The request by ', ...requesterRuns(r), ' for a new official ', v(label), ' account for ', v(schoolName), ' has every approval it needs. It is in the register as approved, and is waiting for you to set it up.'] },
    { list: decisionsSoFar(r) },
    { p: ["The trust's social media policy asks the IT manager to record each account with the email address connected to it, so that the school never loses access when someone leaves (A.1.7), and the approval form asks for sites to be created with the IT manager, so that access details are recorded properly."] },
    { h: `What to do by ${due}` },
    {
      list: [
        ['Create the account on ', v(PLATFORM_NAMES[r.platform] ?? r.platform), ' (or confirm it exists) with the approved linked email, ', v(r.linkedEmail), ', never a personal address.'],
        ['Give at least two members of staff administrator access (approved: ', ...joinValues(r.admins), ').'],
        ['Store its login details as the trust requires.'],
        ['Then record its handle and address (URL) on the set-up page, and confirm the rest. The account becomes active in the register, with its first review a year on.'],
      ],
    },
    { h: 'The approved request' },
    requestFacts(input, [['Due by', [v(due)]], ['Request', [v(r.id)]], ['Task', [v(task.id)]]]),
    { h: 'Record the set-up' },
    ...linkBlocks(actionUrl, linkExpiresOn, 'Open the set-up page', 'what you set up'),
    { h: 'If nothing is done' },
    { p: ['You will get reminders before the due date and on it, ', v(due), ". If it is still not done after that, it is escalated to the trust's IT contact, ", v(ctx.trustItContact), '.'] },
    {
      small: [
        recipient === ctx.trustItContact ? `You are receiving this as the trust's IT contact (no IT manager is recorded for ${schoolName}). ` : `You are receiving this as an IT manager of ${schoolName}. `,
        'Request id ', v(r.id), '. Task id ', v(task.id), '.',
      ],
    },
  ];
  return render(ctx, subject, `Set up the new account ${label}`, blocks);
}

/** What the requester is told: a rejection (with its reason), the last approval, or that the account is set up. */
export function requestOutcomeEmail(ctx: MailContext, input: RequestView & { outcome: 'rejected' | 'approved' | 'set_up'; itManagers?: string[] }): EmailContent {
  const { request: r, schoolName, outcome } = input;
  const label = requestLabel(r);
  const facts: Block = {
    facts: [
      ['Account', [v(label)]], ['School', [v(schoolName)]], ['Requested by', requesterRuns(r)],
      ['Submitted', [v(longDate(r.submittedAt.slice(0, 10)))]], ['Request', [v(r.id)]],
    ],
  };
  const footer: Block = { small: ['You are receiving this because you asked for this account in Custodian. Request id ', v(r.id), '.'] };
  if (outcome === 'rejected') {
    const index = r.steps.findIndex((s) => s.decision?.outcome === 'rejected');
    const step = r.steps[index];
    const decision = step?.decision;
    const blocks: Block[] = [
      {
        p: [
          'Your request for a new official ', v(label), ' account for ', v(schoolName), ' was not approved. ',
          ...(decision ? ['It was rejected at approval step ', v(stepLabel(r, index)), ' by ', v(decision.by), ' on ', v(longDate(decision.at.slice(0, 10))), '.'] : []),
        ],
      },
      { h: 'Their reason' },
      { p: [{ text: decision?.reason ?? 'No reason was given.' }] },
      { h: 'What happens now' },
      { p: ['The request has ended: no further approvals are asked for, and nothing has been added to the register. Please do not create the account. If the concerns can be addressed, you can make a new request in Custodian.'] },
      facts,
      footer,
    ];
    return render(ctx, `Not approved: your request for ${label} (${schoolName})`, `Your request for ${label} was not approved`, blocks);
  }
  if (outcome === 'approved') {
    const it = input.itManagers ?? [];
    const blocks: Block[] = [
      { p: ['Your request for a new official ', v(label), ' account for ', v(schoolName), ' has been approved at every step:'] },
      { list: decisionsSoFar(r) },
      { h: 'What happens now' },
      {
        p: [
          'The account is in the register as approved. ', ...(it.length ? ['The school\'s IT managers (', ...joinValues(it), ')'] : ["The trust's IT contact"]),
          ' have been asked to set it up with the approved linked email, ', v(r.linkedEmail), ', and to record its login details, so access is never lost when someone leaves (policy A.1.7). ',
          'Please do not create it yourself with another address. You will be told when it is set up.',
        ],
      },
      facts,
      footer,
    ];
    return render(ctx, `Approved: your request for ${label} (${schoolName})`, `Your request for ${label} was approved`, blocks);
  }
  const blocks: Block[] = [
    { p: ['The new official ', v(label), ' account for ', v(schoolName), ' that you asked for is set up and active in the register', ...(r.setUpBy ? [' (recorded by ', v(r.setUpBy), ')'] : []), '.'] },
    { h: 'What happens now' },
    {
      p: [
        'Its main supervisor, ', v(r.mainSupervisor), ', will be asked from time to time to confirm that it is in use and monitored (', v(r.monitoringFrequency),
        ' in term time, ', v(r.holidayMonitoringFrequency), ' in the holidays), and it is reviewed once a year. The policy asks that a site is never neglected (A.1.6).',
      ],
    },
    facts,
    footer,
  ];
  return render(ctx, `Set up: ${label} (${schoolName}) is in the register`, `${label} is set up`, blocks);
}
