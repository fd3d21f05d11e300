/**
 * Resolving a task: transfer (to a continuing member of staff), close, keep (with a reason), or acknowledge the
 * policy; and, for a request for a new account, approve or reject a step, or record the account set up
 * (request-decisions.ts). The same code serves the emailed action pages, the console and `custodian tasks resolve`.
 * The task, the account, the request, any task a decision opens or makes moot, the link's one-time nonce and the
 * audit entries are one transaction.
 */
import { emailDomain, isEmail, mailboxOf, normaliseEmail, parseDate, type Account, type Actor, type Person } from '../domain/model.ts';
import { policyReviewChange, PolicyError } from './policies.ts';
import { actionsFor, cancelledDelivery, type Resolution, type Task } from '../domain/tasks.ts';
import { londonDate } from '../domain/working-days.ts';
import { logger } from '../adapters/logger.ts';
import { personChange, taskChange, type Change } from '../domain/changes.ts';
import { accountChange } from '../domain/scheduled-changes.ts';
import type { Deps } from './deps.ts';
import { deliverPending } from './notify.ts';
import { refreshPersonExpiry } from './leavers.ts';
import { ConflictError, retryOnConflict } from './ports.ts';
import { planRequestDecision, type RequestDecision, type RequestDecisionPlan } from './request-decisions.ts';
import { ResolveError } from './resolve-error.ts';
import { describeClosed, linkRefusal } from '../domain/task-refusals.ts';

export type Decision =
  | { action: 'transfer'; to: string }
  | { action: 'close' }
  | { action: 'keep'; reason: string }
  | { action: 'acknowledge' }
  | { action: 'confirm' }
  | { action: 'request_closure'; reason?: string }
  | { action: 'extend'; to: string }
  | { action: 'reviewed'; nextReview?: string }
  /** approve_request: approve this step of the request, or reject it (the requester is told the reason). */
  | RequestDecision;

export { ResolveError };
export { describeClosed, linkRefusal };

/** Why an address cannot take over an account, or undefined when it can. */
export async function refuseNewOwner(deps: Deps, to: string, task: Task): Promise<string | undefined> {
  if (!isEmail(to)) return `"${to}" is not an email address`;
  const email = normaliseEmail(to);
  const schools = await deps.store.listSchools();
  const domains = new Set(schools.flatMap((s) => s.domains));
  if (!domains.has(emailDomain(email))) return `${email} is not on a trust domain (${[...domains].sort().join(', ')})`;
  const leaver = await deps.store.findPerson([task.subjectEmail]);
  const theirs = new Set([task.subjectEmail, ...(leaver?.addresses ?? [])].map(mailboxOf));
  if (theirs.has(mailboxOf(email))) return `${email} belongs to the person who is leaving`;
  const person = await deps.store.findPerson([email]);
  if (person && (person.status !== 'active' || person.accountEnabled === false)) {
    return `${email} is not an active member of staff (${person.accountEnabled === false ? 'their account is disabled' : `they are ${person.status === 'left' ? 'a leaver' : 'leaving'}`})`;
  }
  // Once the directory is connected every member of staff is known to it: an address it does not know is refused.
  if (!person && (await directoryConnected(deps))) return `${email} is not a member of staff known to the directory`;
  return undefined;
}

async function directoryConnected(deps: Deps): Promise<boolean> {
  return (await deps.store.getDirectoryState()) !== undefined;
}

export interface ResolveInput {
  taskId: string;
  decision: Decision;
  actor: Actor;
  /** An emailed link's nonce and expiry: recorded so the link works once. */
  linkNonce?: { nonce: string; expiresAt: number };
  /**
   * An emailed link's recipient and the task generation it was made for: checked against the task as it is when the
   * decision is written, so a link whose person is no longer asked, or from before a reopen, changes nothing.
   */
  link?: { recipient: string; generation: number };
}

export async function resolveTask(deps: Deps, input: ResolveInput): Promise<Task> {
  try {
    return await retryOnConflict(() => attemptResolve(deps, input));
  } catch (err) {
    if (err instanceof ConflictError) throw new ResolveError('the task changed while it was being resolved; try again', 'conflict');
    throw err;
  }
}

async function attemptResolve(deps: Deps, input: ResolveInput): Promise<Task> {
  const { store } = deps;
  const task = await store.getTask(input.taskId);
  if (!task) throw new ResolveError(`no task ${input.taskId}`, 'not_found');
  if (task.status !== 'open') throw new ResolveError(describeClosed(task), 'not_open');
  if (input.link) {
    const refusal = linkRefusal(task, input.link);
    if (refusal) throw new ResolveError(refusal, 'refused');
  }
  const { decision } = input;
  if (!(actionsFor(task.type) as string[]).includes(decision.action)) {
    throw new ResolveError(`a ${task.type} task cannot be resolved with "${decision.action}"`, 'invalid');
  }
  const now = deps.clock();
  const nowIso = now.toISOString();
  const today = londonDate(now);
  const by = input.actor.by;
  const changes: Change[] = [];
  let resolution: Resolution;
  const moot: Task[] = [];
  let requestPlan: RequestDecisionPlan | undefined;

  const account = task.accountId ? await store.getAccount(task.accountId) : undefined;
  let accountAfter: Account | undefined = account;
  const openOnAccount = account ? (await store.listTasks('open')).filter((t) => t.accountId === account.id && t.id !== task.id) : [];

  switch (decision.action) {
    case 'transfer': {
      const refusal = await refuseNewOwner(deps, decision.to, task);
      if (refusal) throw new ResolveError(refusal, 'invalid');
      const to = normaliseEmail(decision.to);
      if (!account) throw new ResolveError(`account ${task.accountId} is not in the register`, 'not_found');
      if (task.type === 'transfer_or_close') {
        const stillPending = openOnAccount.some((t) => t.type === 'transfer_or_close');
        // An account approved but not yet set up stays so: its set-up task makes it active.
        accountAfter = { ...account, linkedEmail: to, status: stillPending || account.status === 'approved' ? account.status : 'active' };
      } else if (task.type === 'replace_admin') {
        accountAfter = { ...account, admins: account.admins.includes(to) ? account.admins : [...account.admins, to] };
      } else {
        accountAfter = task.role === 'reserve_supervisor' ? { ...account, reserveSupervisor: to } : { ...account, mainSupervisor: to };
      }
      resolution = { action: 'transfer', to, by, at: nowIso };
      break;
    }
    case 'close': {
      if (!account) throw new ResolveError(`account ${task.accountId} is not in the register`, 'not_found');
      accountAfter = { ...account, status: 'closed', closedOn: today };
      resolution = { action: 'close', by, at: nowIso, closedOn: today };
      // A closed account needs no other decisions: its other open tasks are cancelled, and their assignees told.
      moot.push(...openOnAccount);
      break;
    }
    case 'keep': {
      const reason = decision.reason.trim();
      if (reason.length < 5) throw new ResolveError('keeping it as it is needs a written reason', 'invalid');
      if (account && task.type === 'transfer_or_close' && account.status === 'transfer_pending' && !openOnAccount.some((t) => t.type === 'transfer_or_close')) {
        accountAfter = { ...account, status: 'active' };
      }
      resolution = { action: 'keep', reason: reason.slice(0, 1000), by, at: nowIso };
      break;
    }
    case 'confirm': {
      if (!account) throw new ResolveError(`account ${task.accountId} is not in the register`, 'not_found');
      // The supervisor vouches the account is in use and monitored: it is no longer neglected.
      accountAfter = { ...account, lastAttestedOn: today, neglectedSince: undefined };
      resolution = { action: 'confirm', by, at: nowIso };
      break;
    }
    case 'request_closure': {
      if (!account) throw new ResolveError(`account ${task.accountId} is not in the register`, 'not_found');
      accountAfter = { ...account, status: 'closure_pending', lastAttestedOn: today };
      const reason = decision.reason?.trim();
      resolution = { action: 'request_closure', by, at: nowIso, ...(reason ? { reason: reason.slice(0, 1000) } : {}) };
      break;
    }
    case 'extend': {
      if (!account) throw new ResolveError(`account ${task.accountId} is not in the register`, 'not_found');
      const to = parseDate(decision.to);
      if (!to) throw new ResolveError(`"${decision.to}" is not a date`, 'invalid');
      if (to <= today) throw new ResolveError('the new planned end must be after today', 'invalid');
      accountAfter = { ...account, plannedEndDate: to };
      resolution = { action: 'extend', to, by, at: nowIso };
      break;
    }
    case 'reviewed': {
      if (!task.policyId) throw new ResolveError('this task is not about a policy', 'invalid');
      try {
        const change = await policyReviewChange(deps, task.policyId, decision.nextReview);
        changes.push(change.change);
        resolution = { action: 'reviewed', nextReview: change.after.nextReviewDate, by, at: nowIso };
      } catch (err) {
        if (err instanceof PolicyError) throw new ResolveError(err.message, 'invalid');
        throw err;
      }
      break;
    }
    case 'approve':
    case 'reject':
    case 'set_up': {
      requestPlan = await planRequestDecision(deps, task, decision, input.actor, { nowIso, today, escalateAfter: deps.config.escalateAfterWorkingDays });
      changes.push(...requestPlan.changes);
      resolution = requestPlan.resolution;
      break;
    }
    case 'acknowledge': {
      const person = await store.findPerson([task.subjectEmail]);
      if (person) {
        const after: Person = { ...person, policyAcknowledgedAt: nowIso, updatedAt: nowIso, version: person.version + 1 };
        changes.push(personChange(person, after, 'person.policy_acknowledged'));
      }
      resolution = { action: 'acknowledge', by, at: nowIso };
      break;
    }
  }

  const done: Task = { ...task, status: 'done', resolution, updatedAt: nowIso, version: task.version + 1 };
  changes.push(taskChange(task, done, `task.${decision.action === 'acknowledge' ? 'acknowledged' : 'resolved'}`));
  if (account && accountAfter && accountAfter !== account) {
    const verb = {
      close: 'closed', transfer: 'transferred', keep: 'kept', confirm: 'attested', request_closure: 'closure_requested', extend: 'extended', reviewed: 'reviewed',
      acknowledge: 'acknowledged', approve: 'approved', reject: 'rejected', set_up: 'set_up',
    }[decision.action];
    changes.push(accountChange(account, { ...accountAfter, updatedAt: nowIso, version: account.version + 1 }, `account.${verb}`, today));
  }
  for (const t of moot) {
    const cancelled: Task = {
      ...t,
      status: 'cancelled',
      resolution: { action: 'cancelled', reason: 'the account was closed', by, at: nowIso },
      delivery: cancelledDelivery(t),
      updatedAt: nowIso,
      version: t.version + 1,
    };
    changes.push(taskChange(t, cancelled, 'task.cancelled'));
  }
  if (input.linkNonce) changes.push({ kind: 'link_used', nonce: input.linkNonce.nonce, taskId: task.id, expiresAt: input.linkNonce.expiresAt, at: nowIso });
  try {
    await store.commit(changes, input.actor);
  } catch (err) {
    if (err instanceof ConflictError && input.linkNonce && (await store.isLinkUsed(input.linkNonce.nonce))) {
      throw new ResolveError('this link has already been used', 'not_open');
    }
    throw err;
  }

  await deps.publisher.publish('Task Resolved', {
    taskId: done.id,
    taskType: done.type,
    accountId: done.accountId,
    platform: done.platform,
    handle: done.handle,
    school: done.school,
    subjectEmail: done.subjectEmail,
    resolution: done.resolution,
  });
  if (moot.length) await deliverPending(deps, await store.getTasks(moot.map((t) => t.id)));
  if (requestPlan) await requestPlan.afterCommit();
  // The leaver's last open task done: their record can start its retention period. So can that of anyone whose
  // task a closure made moot (another leaver of the same account).
  for (const subject of new Set([done.subjectEmail, ...moot.map((t) => t.subjectEmail)])) {
    if (!subject.startsWith('account:') && !subject.startsWith('request:')) await refreshPersonExpiry(deps, subject);
  }
  logger.info('task resolved', { taskId: done.id, taskType: done.type, action: decision.action });
  return done;
}
