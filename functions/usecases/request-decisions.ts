/**
 * The decisions on a request's tasks, as resolveTask makes them (so an emailed link, the console and anything else
 * mean the same thing): `approve` and `reject` on an approve_request task, `set_up` on a set_up_account task. Each
 * plans the changes that go into resolveTask's one commit (the request, the next step's task or the approved account
 * and its set-up task, the account made active), and what follows once it is written (the next emails, the bus
 * events, the requester told).
 */
import { requestChange, taskChange, type Change } from '../domain/changes.ts';
import { requestOutcomeEmail } from '../domain/emails/account-requests.ts';
import type { Account, Actor } from '../domain/model.ts';
import { checkSetUp } from '../domain/request-forms.ts';
import { approvedAccount, aYearOn, openStep, setUpTask, type TaskClock } from '../domain/request-tasks.ts';
import { decideStep, requestedAccountId, type AccountRequest } from '../domain/requests.ts';
import { accountChange } from '../domain/scheduled-changes.ts';
import { accountLabel, type Resolution, type Task } from '../domain/tasks.ts';
import { logger, safeError } from '../adapters/logger.ts';
import type { Deps } from './deps.ts';
import { deliverSoon } from './request-delivery.ts';
import { ResolveError } from './resolve-error.ts';
import { isOneOf, lookUpStaff } from './staff.ts';

export type RequestDecision =
  | { action: 'approve' }
  | { action: 'reject'; reason: string }
  | { action: 'set_up'; handle: string; url: string; linkedEmail: string; admins: string | string[]; loginStored: boolean };

export interface RequestDecisionPlan {
  changes: Change[];
  resolution: Resolution;
  /** What follows once the commit is written: emails for the next task, bus events, the requester told. */
  afterCommit: () => Promise<void>;
}

/** The shortest reason a rejection may give: the requester reads it. */
const MIN_REASON = 5;

export async function planRequestDecision(deps: Deps, task: Task, decision: RequestDecision, actor: Actor, clock: TaskClock): Promise<RequestDecisionPlan> {
  const request = task.requestId ? await deps.store.getRequest(task.requestId) : undefined;
  if (!request) throw new ResolveError(`the request this task is about (${task.requestId ?? 'none'}) is not on record`, 'not_found');
  if (decision.action === 'set_up') return planSetUp(deps, task, request, decision, actor, clock);
  return planStep(deps, task, request, decision, actor, clock);
}

async function schoolName(deps: Deps, id: string): Promise<string> {
  return (await deps.store.getSchool(id))?.name ?? id;
}

async function planStep(deps: Deps, task: Task, request: AccountRequest, decision: Exclude<RequestDecision, { action: 'set_up' }>, actor: Actor, clock: TaskClock): Promise<RequestDecisionPlan> {
  const index = task.requestStep ?? -1;
  if (request.status !== 'pending' || request.currentStep !== index) {
    throw new ResolveError(`the request is no longer waiting for this approval (it is ${request.status.replace('_', ' ')})`, 'not_open');
  }
  // Approvals are personal: only the people the step asks (or the task was escalated to) decide it, whoever else
  // may see the task, and each decision is recorded as theirs.
  if (!(await isOneOf(deps, task.assignees, actor.by))) {
    throw new ResolveError(`${actor.by} is not asked to approve this step of the request`, 'refused');
  }
  const by = actor.by;
  let reason: string | undefined;
  if (decision.action === 'reject') {
    reason = decision.reason.trim().slice(0, 2000);
    if (reason.length < MIN_REASON) throw new ResolveError('rejecting a request needs a reason: the person who asked is told it', 'invalid');
  }
  const outcome = decision.action === 'approve' ? 'approved' : 'rejected';
  let after = decideStep(request, index, { outcome, by, at: clock.nowIso, ...(reason ? { reason } : {}) }, clock.nowIso);
  const name = await schoolName(deps, request.school);
  const changes: Change[] = [];
  const toDeliver: Task[] = [];
  let account: Account | undefined;

  if (after.status === 'pending') {
    const next = openStep(after, index + 1, clock, name);
    after = next.request;
    changes.push(taskChange(undefined, next.task, 'task.created'));
    toDeliver.push(next.task);
  } else if (after.status === 'approved') {
    const id = requestedAccountId(after);
    const existing = await deps.store.getAccount(id);
    if (existing && existing.status !== 'closed') {
      throw new ResolveError(`${accountLabel(after)} has been added to the register since the request was made (it is ${existing.status.replace('_', ' ')}), so this request cannot create it; reject the request and say so`, 'invalid');
    }
    account = approvedAccount(after, existing, clock);
    const school = await deps.store.getSchool(after.school);
    const assignees = school?.itManagers.length ? school.itManagers : [deps.config.trustItContact];
    const setUp = setUpTask(after, account.id, assignees, clock, name);
    after = { ...after, accountId: account.id, setUpTaskId: setUp.id };
    changes.push(accountChange(existing, account, existing ? 'account.approved_again' : 'account.approved', clock.today));
    changes.push(taskChange(undefined, setUp, 'task.created'));
    toDeliver.push(setUp);
  }
  changes.unshift(requestChange(request, after, `request.${outcome}`));

  const resolution: Resolution = decision.action === 'approve'
    ? { action: 'approve', by, at: clock.nowIso }
    : { action: 'reject', reason: reason!, by, at: clock.nowIso };
  const final = after;
  return {
    changes,
    resolution,
    afterCommit: async () => {
      await deliverSoon(deps, toDeliver);
      const detail = { requestId: final.id, school: final.school, platform: final.platform, handle: final.handle, requester: final.requester };
      if (final.status === 'approved') {
        await deps.publisher.publish('Account Approved', {
          ...detail, accountId: final.accountId, approvals: final.steps.map((s) => ({ step: s.step, by: s.decision?.by, at: s.decision?.at })),
        });
        const school = await deps.store.getSchool(final.school);
        await tellRequester(deps, final, name, 'approved', school?.itManagers ?? []);
      } else if (final.status === 'rejected') {
        const step = final.steps[index]!;
        await deps.publisher.publish('Account Rejected', { ...detail, step: step.step, stepNumber: index + 1, rejectedBy: by, reason });
        await tellRequester(deps, final, name, 'rejected');
      }
    },
  };
}

async function planSetUp(deps: Deps, task: Task, request: AccountRequest, decision: Extract<RequestDecision, { action: 'set_up' }>, actor: Actor, clock: TaskClock): Promise<RequestDecisionPlan> {
  const account = task.accountId ? await deps.store.getAccount(task.accountId) : undefined;
  if (!account) throw new ResolveError(`account ${task.accountId} is not in the register`, 'not_found');
  if (account.status !== 'approved') throw new ResolveError(`${accountLabel(account)} is already set up (it is ${account.status.replace('_', ' ')})`, 'not_open');
  const admins = Array.isArray(decision.admins) ? decision.admins : String(decision.admins ?? '').split(/[;,\s]+/);
  const staff = await lookUpStaff(deps, admins.filter((a) => a.includes('@')));
  const checked = checkSetUp(account, decision, { schools: await deps.store.listSchools(), ...staff });
  if (!checked.ok) throw new ResolveError(checked.problems.join('; '), 'invalid');
  const { fields } = checked;
  const by = actor.by;
  const activeAccount: Account = {
    ...account,
    handle: fields.handle,
    url: fields.url,
    admins: fields.admins,
    status: 'active',
    // Its first review a year on; setting it up is its first recorded activity, so attestation and the neglect check
    // count from today rather than from the day it was approved.
    nextReviewDate: aYearOn(clock.today),
    lastActivityDate: clock.today,
    ...(request.plannedEndDate ? { plannedEndDate: request.plannedEndDate } : {}),
    ...(account.approval ? { approval: { ...account.approval, setUpOn: clock.today, setUpBy: by } } : {}),
    updatedAt: clock.nowIso,
    version: account.version + 1,
  };
  const after: AccountRequest = { ...request, status: 'set_up', setUpAt: clock.nowIso, setUpBy: by, updatedAt: clock.nowIso, version: request.version + 1 };
  const name = await schoolName(deps, request.school);
  return {
    changes: [accountChange(account, activeAccount, 'account.set_up', clock.today), requestChange(request, after, 'request.set_up')],
    resolution: { action: 'set_up', handle: fields.handle, url: fields.url, linkedEmail: fields.linkedEmail, admins: fields.admins, loginStored: true, by, at: clock.nowIso },
    afterCommit: async () => {
      await tellRequester(deps, after, name, 'set_up');
    },
  };
}

/**
 * Tells the requester. The decision is already written by then, so a failed email does not undo it or show the person
 * deciding an error: it is logged (without addresses), and the requester can still follow the request in the console.
 */
async function tellRequester(deps: Deps, request: AccountRequest, schoolName: string, outcome: 'rejected' | 'approved' | 'set_up', itManagers: string[] = []): Promise<void> {
  const ctx = { trustName: deps.config.trustName, trustItContact: deps.config.trustItContact };
  try {
    await deps.mailer.send({ to: [request.requester], ...requestOutcomeEmail(ctx, { request, schoolName, outcome, itManagers }) });
  } catch (err) {
    logger.error('could not tell the requester the outcome of their request', { requestId: request.id, outcome, error: safeError(err) });
  }
}

