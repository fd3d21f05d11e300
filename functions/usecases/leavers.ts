/**
 * Leavers, cancellations and joiners, from HR events and (through the same entry points) the directory.
 * Each reads what it needs through indexes (never a scan), plans with the pure rules in domain/leavers.ts,
 * writes each account's changes with their tasks and audit entries in one transaction, and then delivers the
 * tasks' emails. Every step is idempotent: a duplicate or replayed event changes nothing and sends nothing.
 */
import type { StaffJoiner, StaffLeaver } from '../../events/schemas.ts';
import { logger } from '../adapters/logger.ts';
import { personChange, taskChange, type Change } from '../domain/changes.ts';
import { accountChange } from '../domain/scheduled-changes.ts';
import { compareInstants, instant } from '../domain/instants.ts';
import { joinerTask, planCancellation, planLeaver, type AccountPlan, type LeaverReport, type PlanContext } from '../domain/leavers.ts';
import { hrPersonKey, personalDataExpiry, type Actor, type IsoDate, type Person } from '../domain/model.ts';
import { withoutPersonalData } from '../domain/retention.ts';
import type { Task } from '../domain/tasks.ts';
import { londonDate } from '../domain/working-days.ts';
import type { Deps } from './deps.ts';
import { claimedOnCommit, deliverPending, noteClaims, releasingClaimsOnFailure, withOwnClaims, type OwnClaims } from './notify.ts';
import { CommitTooLargeError, ConflictError, retryOnConflict } from './ports.ts';

export interface EventMeta {
  id: string;
  /**
   * When it happened, ISO 8601 (an HR event's `occurredAt`, else EventBridge `time`): leavers, cancellations and
   * joiners are ordered by it, whatever order they arrive in. Compared as instants, and stored in one form.
   */
  time: string;
  /** `hr` or `directory`, for the audit. */
  origin: 'hr' | 'directory';
}

/** A leaver as HR reports it (events/schemas.ts); the directory reports the same fields. */
export type LeaverInput = Omit<StaffLeaver, 'reason'>;

export interface LeaverOutcome {
  skipped?: string;
  plans: AccountPlan[];
  emailsSent: number;
}

async function planContext(deps: Deps): Promise<PlanContext> {
  const now = deps.clock();
  return {
    today: londonDate(now),
    nowIso: now.toISOString(),
    trustItContact: deps.config.trustItContact,
    escalateAfter: deps.config.escalateAfterWorkingDays,
    schools: new Map((await deps.store.listSchools()).map((s) => [s.id, s])),
  };
}

/** The event's time in the one form times are stored in (domain/instants.ts). */
function inOneForm(meta: EventMeta): EventMeta {
  return { ...meta, time: instant(meta.time) };
}

function actor(meta: EventMeta): Actor {
  return { by: `system:${meta.origin}`, source: `event:${meta.id}` };
}

function addressesOf(person: Person | undefined, email: string): string[] {
  return [...new Set([email, ...(person?.addresses ?? [])])];
}

/** Reads what a leaver report concerns and plans it with the pure rules; writes nothing. */
async function planLeaverReport(deps: Deps, input: LeaverInput, meta: EventMeta): Promise<{ person?: Person; report: LeaverReport; plans: AccountPlan[]; skipped?: string; ctx: PlanContext }> {
  const { store } = deps;
  const person = await store.findPerson([input.email]);
  const report: LeaverReport = {
    addresses: addressesOf(person, input.email),
    displayName: input.displayName ?? person?.displayName,
    leaveDate: input.leaveDate,
    lineManager: input.lineManagerEmail ?? person?.lineManagerEmail ?? person?.directoryManagerEmail,
    eventId: meta.id,
    eventTime: meta.time,
  };
  const ctx = await planContext(deps);
  // A report no newer than a cancellation already recorded must not revive the tasks (a tie goes to the cancellation).
  if (person?.cancelledAt && compareInstants(meta.time, person.cancelledAt) <= 0) {
    return { person, report, plans: [], skipped: 'older than the cancellation recorded for this person', ctx };
  }
  const links = await store.linksForEmails(report.addresses);
  const accounts = await store.getAccounts(links.map((l) => l.accountId));
  const existing = new Map((await store.tasksForSubjects(report.addresses)).map((t) => [t.id, t]));
  return { person, report, plans: planLeaver(report, accounts, existing, ctx), ctx };
}

export async function processLeaver(deps: Deps, input: LeaverInput, received: EventMeta): Promise<LeaverOutcome> {
  const meta = inOneForm(received);
  const claims: OwnClaims = new Map();
  const { outcome, emailsSent } = await releasingClaimsOnFailure(deps, claims, async () => {
    const outcome = await retryOnConflict(async () => {
      const planned = await planLeaverReport(deps, input, meta);
      if (planned.skipped) return { skipped: planned.skipped, plans: [], addresses: planned.report.addresses };
      const { person, report, plans, ctx } = planned;

      const nowIso = ctx.nowIso;
      const base: Person = person ?? {
        key: hrPersonKey(input.email), primaryEmail: input.email, addresses: [input.email], status: 'active', createdAt: nowIso, updatedAt: nowIso, version: 0,
      };
      const newer = !base.leaverReportedAt || compareInstants(meta.time, base.leaverReportedAt) > 0;
      const updated: Person = {
        ...base,
        addresses: [...new Set([...base.addresses, input.email])],
        ...(input.displayName && !base.displayName ? { displayName: input.displayName } : {}),
        ...(input.employeeId ? { employeeId: input.employeeId } : {}),
        ...(input.school ? { school: input.school } : {}),
        ...(input.lineManagerEmail ? { lineManagerEmail: input.lineManagerEmail } : {}),
        ...(newer ? { status: input.leaveDate <= ctx.today ? 'left' : 'leaving', leaveDate: input.leaveDate, leaverReportedAt: meta.time } : {}),
        updatedAt: nowIso,
        version: base.version + 1,
      };
      // The person's change goes in the first account's commit rather than a transaction of its own: still one
      // atomic write with its audit entry (and every version condition), one round trip fewer, and a conflict on
      // that account now leaves nothing half written. (DynamoDB bills a transaction by its items, so this saves no
      // billed units; DynamoDB Local's consumed-capacity figure, which counts alike items once, drops by 4.)
      const personChanges = [personChange(person, updated, person ? 'person.leaver_reported' : 'person.created')];
      await commitPlans(deps, plans, actor(meta), 'account.leaver_flagged', ctx.today, claims, personChanges);
      return { plans, addresses: report.addresses };
    });
    const tasks = withOwnClaims(await deps.store.tasksForSubjects(outcome.addresses), claims);
    return { outcome, emailsSent: await deliverPending(deps, tasks.filter((t) => t.status === 'open'), claims) };
  });
  await refreshPersonExpiry(deps, input.email);
  logger.info('leaver processed', {
    eventId: meta.id,
    origin: meta.origin,
    accounts: outcome.plans.length,
    tasksWritten: outcome.plans.reduce((n, p) => n + p.tasks.length, 0),
    emailsSent,
    ...(outcome.skipped ? { skipped: outcome.skipped } : {}),
  });
  return { ...(outcome.skipped ? { skipped: outcome.skipped } : {}), plans: outcome.plans, emailsSent };
}

/**
 * Each account's changes, with its tasks and their audit entries, in one commit. The tasks' news is delivered
 * straight after by this invocation, so they are written already claimed for it (notify.ts claimedOnCommit).
 * `leading` (the person's change) rides in the first account's commit, or is committed alone when no account
 * changes; should the two together be more than one commit holds, each is committed on its own, as before.
 */
async function commitPlans(deps: Deps, plans: AccountPlan[], by: Actor, action: string, today: IsoDate, claims: OwnClaims, leading: Change[] = []): Promise<void> {
  if (plans.length === 0 && leading.length > 0) await deps.store.commit(leading, by);
  for (const [i, plan] of plans.entries()) {
    const tasks = plan.tasks.map((t) => ({ before: t.before, after: claimedOnCommit(t.after, deps.clock()) }));
    const changes = [
      ...(plan.after !== plan.before ? [accountChange(plan.before, plan.after, action, today)] : []),
      ...tasks.map((t) => taskChange(t.before, t.after, t.before ? 'task.reopened' : 'task.created')),
    ];
    if (i === 0 && leading.length > 0) {
      try {
        await deps.store.commit([...leading, ...changes], by);
      } catch (err) {
        if (!(err instanceof CommitTooLargeError)) throw err;
        await deps.store.commit(leading, by);
        await deps.store.commit(changes, by);
      }
    } else {
      await deps.store.commit(changes, by);
    }
    noteClaims(claims, tasks.map((t) => t.after));
  }
}

const RETENTION: Actor = { by: 'system:retention', source: 'retention' };

/**
 * Sets (or clears) when a person's record expires: a retention period after they leave, once none of their
 * tasks is open (see personalDataExpiry). Bookkeeping on top of a change already made, so it is best effort:
 * a conflict means someone else is writing the record, and the next change recomputes it.
 *
 * Once the retention period has started, their closed tasks are reduced (domain/retention.ts: the name removed,
 * the reason rewritten without it, a decision's free text not kept), each as an audited `task.personal_data_reduced`
 * by `system:retention`. The tasks stay: they are the register's history. This runs whenever the period is set, not
 * only when it is first set, so a task missed by a conflict, or closed later, is reduced the next time.
 */
export async function refreshPersonExpiry(deps: Deps, email: string): Promise<void> {
  const person = await deps.store.findPerson([email]);
  if (!person) return;
  const tasks = await deps.store.tasksForSubjects(person.addresses);
  const open = tasks.filter((t) => t.status === 'open').length;
  const expiry = personalDataExpiry(person, open, londonDate(deps.clock()), deps.config.personRetentionDays);
  if (expiry !== person.personalDataExpiresAt) {
    const after: Person = { ...person, personalDataExpiresAt: expiry, updatedAt: deps.clock().toISOString(), version: person.version + 1 };
    if (expiry === undefined) delete after.personalDataExpiresAt;
    try {
      await deps.store.commit([personChange(person, after, 'person.retention')], RETENTION);
    } catch (err) {
      // Someone else is changing the person (perhaps they are staying after all): leave their tasks as they are.
      if (err instanceof ConflictError) return;
      throw err;
    }
  }
  if (expiry === undefined) return;
  let reduced = 0;
  for (const task of tasks) {
    if (!withoutPersonalData(task, [person.displayName])) continue;
    const done = await retryOnConflict(async () => {
      const current = await deps.store.getTask(task.id);
      const after = current && withoutPersonalData(current, [person.displayName]);
      if (!current || !after) return false;
      await deps.store.commit([taskChange(current, { ...after, updatedAt: deps.clock().toISOString(), version: current.version + 1 }, 'task.personal_data_reduced')], RETENTION);
      return true;
    }).catch((err: unknown) => {
      if (err instanceof ConflictError) return false;
      throw err;
    });
    if (done) reduced++;
  }
  if (reduced > 0) logger.info('personal data of closed tasks reduced', { tasks: reduced });
}

/**
 * Addresses that no longer exist in the directory (a rename, a removed alias): accounts registered to them get a
 * transfer_or_close task, because nobody can recover them by email any more.
 */
export async function processAddressesGone(deps: Deps, input: { addresses: string[]; displayName?: string; eventId: string; eventTime: string }): Promise<number> {
  const claims: OwnClaims = new Map();
  const plans = await releasingClaimsOnFailure(deps, claims, async () => {
    const plans = await retryOnConflict(async () => {
      const { store } = deps;
      const report: LeaverReport = {
        addresses: input.addresses,
        displayName: input.displayName,
        leaveDate: londonDate(deps.clock()),
        eventId: input.eventId,
        eventTime: input.eventTime,
        cause: 'address_gone',
      };
      const links = await store.linksForEmails(input.addresses);
      const accounts = await store.getAccounts(links.filter((l) => l.role === 'linked').map((l) => l.accountId));
      const existing = new Map((await store.tasksForSubjects(input.addresses)).map((t) => [t.id, t]));
      const ctx = await planContext(deps);
      const planned = planLeaver(report, accounts, existing, ctx);
      const meta: EventMeta = { id: input.eventId, time: input.eventTime, origin: 'directory' };
      await commitPlans(deps, planned, actor(meta), 'account.address_gone', ctx.today, claims);
      return planned;
    });
    const tasks = withOwnClaims(await deps.store.tasksForSubjects(input.addresses), claims);
    await deliverPending(deps, tasks.filter((t) => t.status === 'open'), claims);
    return plans;
  });
  logger.info('addresses gone from the directory', { addresses: input.addresses.length, accounts: plans.length });
  return plans.length;
}

/**
 * The leaver is not leaving after all (HR cancelled, or they joined again): their open tasks are cancelled and
 * the assignees told, they are restored as administrator, accounts waiting on them return to active.
 */
export async function processCancellation(deps: Deps, input: { email: string; reason: string }, received: EventMeta): Promise<{ skipped?: string; cancelled: number }> {
  const meta = inOneForm(received);
  const result = await retryOnConflict(async () => {
    const { store } = deps;
    const person = await store.findPerson([input.email]);
    const addresses = addressesOf(person, input.email);
    if (person?.leaverReportedAt && compareInstants(meta.time, person.leaverReportedAt) < 0) {
      return { skipped: 'older than the newest leaver report for this person', cancelled: 0, addresses };
    }
    const ctx = await planContext(deps);
    const tasks = await store.tasksForSubjects(addresses);
    const links = await store.linksForEmails(addresses);
    const accounts = await store.getAccounts([...links.map((l) => l.accountId), ...tasks.flatMap((t) => (t.accountId ? [t.accountId] : []))]);
    const plan = planCancellation(addresses, accounts, tasks, input.reason, `system:${meta.origin}`, ctx);

    // The cancellation is recorded even for someone not known yet (it arrived before their leaver report), so a
    // leaver report older than it, whenever it arrives, revives nothing. A replayed older cancellation never moves
    // the recorded time back.
    const base: Person = person ?? {
      key: hrPersonKey(input.email), primaryEmail: input.email, addresses: [input.email], status: 'active', createdAt: ctx.nowIso, updatedAt: ctx.nowIso, version: 0,
    };
    const cancelledAt = base.cancelledAt && compareInstants(base.cancelledAt, meta.time) > 0 ? instant(base.cancelledAt) : meta.time;
    const after: Person = { ...base, status: 'active', leaveDate: undefined, personalDataExpiresAt: undefined, cancelledAt, updatedAt: ctx.nowIso, version: base.version + 1 };
    await store.commit([personChange(person, after, person ? 'person.leaver_cancelled' : 'person.created')], actor(meta));
    // Each account's changes with its tasks in one commit.
    const byAccount = new Map<string, Change[]>();
    const push = (key: string, change: Change) => byAccount.set(key, [...(byAccount.get(key) ?? []), change]);
    for (const a of plan.accounts) push(a.after.id, accountChange(a.before, a.after, 'account.leaver_cancelled', ctx.today));
    for (const t of plan.tasks) push(t.after.accountId ?? t.after.id, taskChange(t.before, t.after, 'task.cancelled'));
    for (const changes of byAccount.values()) await store.commit(changes, actor(meta));
    return { cancelled: plan.tasks.length, addresses };
  });
  const tasks = await deps.store.tasksForSubjects(result.addresses);
  const emailsSent = await deliverPending(deps, tasks.filter((t) => t.status === 'cancelled'));
  logger.info('leaver cancellation processed', { eventId: meta.id, cancelled: result.cancelled, emailsSent, ...(result.skipped ? { skipped: result.skipped } : {}) });
  return { ...(result.skipped ? { skipped: result.skipped } : {}), cancelled: result.cancelled };
}

export type JoinerInput = StaffJoiner;

/** A joiner is recorded and asked to acknowledge the policy; someone re-joining has their leaver tasks cancelled. */
export async function processJoiner(deps: Deps, input: JoinerInput, received: EventMeta): Promise<{ task?: Task; cancelled: number }> {
  const meta = inOneForm(received);
  const existing = await deps.store.findPerson([input.email]);
  let cancelled = 0;
  if (existing && (existing.status === 'leaving' || existing.status === 'left')) {
    cancelled = (await processCancellation(deps, { email: input.email, reason: `${input.displayName ?? existing.displayName ?? input.email} has joined again` }, meta)).cancelled;
  }
  const task = await retryOnConflict(async () => {
    const { store } = deps;
    const person = await store.findPerson([input.email]);
    const ctx = await planContext(deps);
    const base: Person = person ?? {
      key: hrPersonKey(input.email), primaryEmail: input.email, addresses: [input.email], status: 'active', createdAt: ctx.nowIso, updatedAt: ctx.nowIso, version: 0,
    };
    // A joiner report older than the newest leaver report (a replay, a late redrive) does not bring a leaver back.
    const stale = base.status !== 'active' && !!base.leaverReportedAt && compareInstants(meta.time, base.leaverReportedAt) < 0;
    const updated: Person = {
      ...base,
      addresses: [...new Set([...base.addresses, input.email])],
      status: stale ? base.status : 'active',
      personalDataExpiresAt: stale ? base.personalDataExpiresAt : undefined,
      // Joining cancels any leaving before it: a leaver report older than the joiner, arriving after it, revives
      // nothing, as it would not had it arrived first (processCancellation would then have cancelled it).
      ...(stale || (base.cancelledAt && compareInstants(base.cancelledAt, meta.time) > 0) ? {} : { cancelledAt: meta.time }),
      startDate: input.startDate,
      ...(input.displayName ? { displayName: input.displayName } : {}),
      ...(input.employeeId ? { employeeId: input.employeeId } : {}),
      ...(input.school ? { school: input.school } : {}),
      ...(input.lineManagerEmail ? { lineManagerEmail: input.lineManagerEmail } : {}),
      updatedAt: ctx.nowIso,
      version: base.version + 1,
    };
    const changes: Change[] = [personChange(person, updated, person ? 'person.joined' : 'person.created')];
    let ackTask: Task | undefined;
    if (!updated.policyAcknowledgedAt) {
      const wanted = joinerTask(updated, input.startDate, { id: meta.id, time: meta.time }, ctx);
      const before = await store.getTask(wanted.id);
      if (!before) {
        ackTask = wanted;
        changes.push(taskChange(undefined, wanted, 'task.created'));
      } else {
        ackTask = before;
      }
    }
    await store.commit(changes, actor(meta));
    return ackTask;
  });
  if (task) await deliverPending(deps, [(await deps.store.getTask(task.id))!]);
  logger.info('joiner processed', { eventId: meta.id, cancelled, policyTask: !!task });
  return { ...(task ? { task } : {}), cancelled };
}
