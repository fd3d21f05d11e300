/**
 * What a new-account request creates: the approve_request task of each step as it opens, the set_up_account task
 * once every step has approved, and the account an approved request puts in the register. Pure: the time arrives as
 * a TaskClock.
 */
import type { Account, AccountApproval, IsoDate } from './model.ts';
import { requestedAccountId, STEP_LABELS, stepLabel, type AccountRequest } from './requests.ts';
import { nextTaskActionOn } from './schedule.ts';
import { accountLabel, APPROVAL_WORKING_DAYS, SET_UP_WORKING_DAYS, taskId, type Task } from './tasks.ts';
import { addWorkingDays } from './working-days.ts';

/** The same day a year on; 29 February becomes 28 February in a year without one. */
export function aYearOn(d: IsoDate): IsoDate {
  const y = Number(d.slice(0, 4)) + 1;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const md = d.slice(5) === '02-29' && !leap ? '02-28' : d.slice(5);
  return `${String(y).padStart(4, '0')}-${md}`;
}

export interface TaskClock {
  nowIso: string;
  today: IsoDate;
  /** Working days overdue before a task is escalated (the deployment's setting). */
  escalateAfter: number;
}

function newTask(fields: Omit<Task, 'status' | 'createdAt' | 'updatedAt' | 'version' | 'delivery' | 'remindersSent' | 'sourceEvent' | 'sourceTime'> & { requestId: string }, clock: TaskClock): Task {
  const task: Task = {
    ...fields, status: 'open', sourceEvent: `request:${fields.requestId}`, sourceTime: clock.nowIso, createdAt: clock.nowIso, updatedAt: clock.nowIso,
    version: 1, delivery: { kind: 'created', state: 'pending' }, remindersSent: 0,
  };
  // Its first email goes now; the sweep takes it from the next reminder date on (as for every other task).
  return { ...task, nextActionOn: nextTaskActionOn(task, clock.today, clock.escalateAfter) };
}

/** What a request's tasks are about, in the task list and the emails: not a person, so no leaver rule touches them. */
export function requestSubject(requestId: string): string {
  return `request:${requestId}`;
}

/**
 * The approve_request task of step `index`, assigned to that step's people, due in APPROVAL_WORKING_DAYS working
 * days, and the request with the step marked opened.
 */
export function openStep(request: AccountRequest, index: number, clock: TaskClock, schoolName: string): { request: AccountRequest; task: Task } {
  const step = request.steps[index];
  if (!step) throw new Error(`request ${request.id} has no step ${index + 1}`);
  const who = request.requesterName ? `${request.requesterName} (${request.requester})` : request.requester;
  const fallback = step.fallbackReason ? ` The trust IT contact is asked in place of the ${STEP_LABELS[step.step]}, because ${step.fallbackReason}.` : '';
  const task = newTask({
    id: taskId('approve_request', request.id, `step:${index}`),
    type: 'approve_request',
    subjectEmail: requestSubject(request.id),
    platform: request.platform,
    handle: request.handle,
    school: request.school,
    requestId: request.id,
    requestStep: index,
    dueDate: addWorkingDays(clock.today, APPROVAL_WORKING_DAYS),
    assignees: step.approvers,
    reason: `${who} asks for a new official ${accountLabel(request)} account for ${schoolName}: approval step ${stepLabel(request, index)}.${fallback}`,
  }, clock);
  const steps = request.steps.map((s, i) => (i === index ? { ...s, taskId: task.id, openedAt: clock.nowIso } : s));
  return { request: { ...request, steps }, task };
}

/** The set_up_account task for the school's IT managers (the trust IT contact when it has none). */
export function setUpTask(request: AccountRequest, accountIdValue: string, assignees: string[], clock: TaskClock, schoolName: string): Task {
  return newTask({
    id: taskId('set_up_account', accountIdValue, request.id),
    type: 'set_up_account',
    subjectEmail: requestSubject(request.id),
    accountId: accountIdValue,
    platform: request.platform,
    handle: request.handle,
    school: request.school,
    requestId: request.id,
    dueDate: addWorkingDays(clock.today, SET_UP_WORKING_DAYS),
    assignees,
    reason: `Every approval is in for the new official ${accountLabel(request)} account for ${schoolName} (request ${request.id}): create it with the approved linked email and record it in the register.`,
  }, clock);
}

/**
 * The account an approved request puts in the register: status `approved`, every register field from the form, and
 * the rest of the form kept as its `approval`. `existing` is a closed account with the same platform and handle,
 * which the new one replaces (a handle used again years later).
 */
export function approvedAccount(request: AccountRequest, existing: Account | undefined, clock: Pick<TaskClock, 'nowIso' | 'today'>): Account {
  const approval: AccountApproval = {
    requestId: request.id, requestedBy: request.requester, approvedOn: clock.today, aims: request.aims, whyNotExisting: request.whyNotExisting,
    content: request.content, responsible: request.responsible, ...(request.exitPlan ? { exitPlan: request.exitPlan } : {}), successMeasures: request.successMeasures,
  };
  const account: Account = {
    id: requestedAccountId(request),
    platform: request.platform,
    handle: request.handle,
    school: request.school,
    linkedEmail: request.linkedEmail,
    admins: request.admins,
    mainSupervisor: request.mainSupervisor,
    reserveSupervisor: request.reserveSupervisor,
    purpose: request.purpose,
    audience: request.audience,
    publishedName: request.publishedName,
    monitoringFrequency: request.monitoringFrequency,
    holidayMonitoringFrequency: request.holidayMonitoringFrequency,
    ...(request.plannedEndDate ? { plannedEndDate: request.plannedEndDate } : {}),
    status: 'approved',
    approval,
    createdAt: existing?.createdAt ?? clock.nowIso,
    updatedAt: clock.nowIso,
    version: existing ? existing.version + 1 : 1,
  };
  return account;
}
