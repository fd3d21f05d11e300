/**
 * Resolving a task (`resolveTask`), as the emailed action page and `custodian tasks resolve` do, on the in-memory
 * store: each decision's effect on the task, the account and the register; who may take an account over; one-time
 * links; tasks already decided; the Task Resolved event; the audit; and a concurrent change. Given / when / then.
 */
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { personChange } from '../../functions/domain/changes.ts';
import { accountChange } from '../../functions/domain/scheduled-changes.ts';
import type { Account, Actor, Person } from '../../functions/domain/model.ts';
import type { Task } from '../../functions/domain/tasks.ts';
import type { MemoryStore, SeedRecords } from '../../functions/adapters/memory-store.ts';
import { processCancellation, processJoiner, processLeaver } from '../../functions/usecases/leavers.ts';
import { addPolicy } from '../../functions/usecases/policies.ts';
import { ConflictError, type Store } from '../../functions/usecases/ports.ts';
import { resolveTask, ResolveError, type Decision, type ResolveInput } from '../../functions/usecases/resolve.ts';
import { putSchool } from '../../functions/usecases/schools.ts';
import { runSweep } from '../../functions/usecases/sweep.ts';
import { harness, hrEvent, SCHOOLS, seedSampleRegister, type Harness } from './support.ts';

const LEAVER = 'r.hughes@oakfield.sch.uk';
const MANAGER = 'd.okafor@oakfield.sch.uk';
const IT = 'it@oakfield.sch.uk';
const TODAY = '2026-12-03';
const NOW = `${TODAY}T10:00:00.000Z`;

let h: Harness;
const taskOn = async (accountId: string, type?: Task['type']) =>
  (await h.store.listTasks()).find((t) => t.accountId === accountId && (!type || t.type === type))!;
const byManager = (task: Task): Actor => ({ by: MANAGER, source: `email-action:${task.id}` });
const resolve = (task: Task, decision: Decision, extra: Partial<ResolveInput> = {}) =>
  resolveTask(h.deps, { taskId: task.id, decision, actor: byManager(task), ...extra });

/** Everything the store holds and everything sent, to show a refused decision changed nothing. */
async function snapshot() {
  return JSON.stringify({
    accounts: await h.store.listAccounts(), tasks: await h.store.listTasks(), audit: await h.store.auditSince('2026-01-01'),
    sent: h.mailer.sent.length, events: h.publisher.events.length,
  });
}

async function refused(promise: Promise<unknown>): Promise<ResolveError> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ResolveError);
  return err as ResolveError;
}

async function addPerson(over: Partial<Person> & Pick<Person, 'key' | 'addresses'>): Promise<void> {
  const nowIso = h.clock.now().toISOString();
  await h.store.commit([personChange(undefined, { primaryEmail: over.addresses[0]!, status: 'active', createdAt: nowIso, updatedAt: nowIso, version: 1, ...over }, 'person.created')], { by: 'system:directory', source: 'directory' });
}

/** The sweep of the given morning (it opens attestation, planned-end and policy review tasks). */
async function sweepOn(day: string): Promise<void> {
  h.clock.set(`${day}T07:00:00Z`);
  await runSweep(h.deps, { escalateAfterWorkingDays: 3 });
}

let rachelLeaving: SeedRecords;
beforeAll(async () => {
  // The sample register, and Rachel Hughes reported on 2 December as leaving on 29 January (four tasks), built once
  const b = harness('2026-12-02T09:00:00Z');
  await seedSampleRegister(b);
  await processLeaver(b.deps, { email: LEAVER, leaveDate: '2027-01-29', displayName: 'Rachel Hughes', lineManagerEmail: MANAGER }, hrEvent(b));
  rachelLeaving = { schools: await b.store.listSchools(), accounts: await b.store.listAccounts(), tasks: await b.store.listTasks(), people: await b.store.listPeople() };
});

/** Just the three schools, on 3 December. */
async function givenSchools(): Promise<void> {
  h = harness('2026-12-03T12:00:00Z');
  for (const s of SCHOOLS) await putSchool(h.store, s, { by: IT, source: 'test' });
}

/** Given Rachel leaving, the next morning. */
function givenRachelLeaving(): void {
  h = harness(NOW);
  h.store.seed(rachelLeaving);
}

describe('transfer', () => {
  beforeEach(givenRachelLeaving);

  it('to a continuing member of staff: the account is theirs and active again, the task done, audited and published', async () => {
    const task = await taskOn('instagram:oakfield_pe');
    const done = await resolve(task, { action: 'transfer', to: ' S.Ahmed@Oakfield.sch.uk ' });

    expect(done).toMatchObject({ status: 'done', resolution: { action: 'transfer', to: 's.ahmed@oakfield.sch.uk', by: MANAGER, at: NOW } });
    expect(await h.store.getTask(task.id)).toMatchObject({ status: 'done', resolution: done.resolution });
    expect(await h.store.getAccount('instagram:oakfield_pe')).toMatchObject({ linkedEmail: 's.ahmed@oakfield.sch.uk', status: 'active' });
    const history = await h.store.auditFor('account', 'instagram:oakfield_pe');
    expect(history.find((e) => e.action === 'account.transferred')).toMatchObject({
      by: MANAGER, source: `email-action:${task.id}`, at: NOW,
      before: { linkedEmail: LEAVER, status: 'transfer_pending' }, after: { linkedEmail: 's.ahmed@oakfield.sch.uk', status: 'active' },
    });
    expect((await h.store.auditFor('task', task.id)).find((e) => e.action === 'task.resolved')).toMatchObject({ by: MANAGER, source: `email-action:${task.id}` });
    expect(h.publisher.events.filter((e) => e.detailType === 'Task Resolved')).toEqual([{
      detailType: 'Task Resolved',
      detail: expect.objectContaining({ taskId: task.id, taskType: 'transfer_or_close', accountId: 'instagram:oakfield_pe', school: 'oakfield', resolution: done.resolution }),
    }]);
  });

  it('of a replace_admin task adds the new administrator', async () => {
    await resolve(await taskOn('x:oakfieldsport'), { action: 'transfer', to: 'j.patel@oakfield.sch.uk' });
    expect((await h.store.getAccount('x:oakfieldsport'))!.admins).toEqual(['s.okafor@oakfield.sch.uk', 'j.patel@oakfield.sch.uk']);
  });

  it('of a replace_supervisor task names the new supervisor in the leaver\'s role', async () => {
    await resolve(await taskOn('blog:oakfield-library'), { action: 'transfer', to: 'j.patel@oakfield.sch.uk' });
    expect(await h.store.getAccount('blog:oakfield-library')).toMatchObject({ mainSupervisor: 'j.patel@oakfield.sch.uk', reserveSupervisor: 'd.fraser@oakfield.sch.uk' });
  });

  it.each([
    ['not an email address', 'rachel', '"rachel" is not an email address'],
    ['an address outside the trust', 'someone@gmail.com', 'someone@gmail.com is not on a trust domain (hillcrest.sch.uk, oakfield.sch.uk, riverside.sch.uk)'],
    ['the leaver', 'R.Hughes@Oakfield.sch.uk', 'r.hughes@oakfield.sch.uk belongs to the person who is leaving'],
  ])('is refused to %s, and changes nothing', async (_, to, message) => {
    const task = await taskOn('instagram:oakfield_pe');
    const before = await snapshot();
    const err = await refused(resolve(task, { action: 'transfer', to }));
    expect(err).toMatchObject({ code: 'invalid', message });
    expect(await snapshot()).toBe(before);
  });

  it('is refused to one of the leaver\'s other addresses', async () => {
    const person = (await h.store.findPerson([LEAVER]))!;
    await h.store.commit([personChange(person, { ...person, addresses: [...person.addresses, 'rachel.hughes@oakfield.sch.uk'], version: person.version + 1 }, 'person.addresses')], { by: 'system:directory', source: 'directory' });
    const err = await refused(resolve(await taskOn('instagram:oakfield_pe'), { action: 'transfer', to: 'rachel.hughes@oakfield.sch.uk' }));
    expect(err.message).toBe('rachel.hughes@oakfield.sch.uk belongs to the person who is leaving');
  });

  it('is refused to someone else who is leaving, has left, or whose account is disabled', async () => {
    await processLeaver(h.deps, { email: 'm.evans@oakfield.sch.uk', leaveDate: '2027-03-31' }, hrEvent(h));
    await processLeaver(h.deps, { email: 'j.clarke@oakfield.sch.uk', leaveDate: '2026-11-30' }, hrEvent(h));
    await addPerson({ key: 'dir:t-evans', addresses: ['t.evans@oakfield.sch.uk'], accountEnabled: false });
    const task = await taskOn('instagram:oakfield_pe');
    const before = await snapshot();
    for (const [to, why] of [
      ['m.evans@oakfield.sch.uk', 'm.evans@oakfield.sch.uk is not an active member of staff (they are leaving)'],
      ['j.clarke@oakfield.sch.uk', 'j.clarke@oakfield.sch.uk is not an active member of staff (they are a leaver)'],
      ['t.evans@oakfield.sch.uk', 't.evans@oakfield.sch.uk is not an active member of staff (their account is disabled)'],
    ] as const) {
      expect((await refused(resolve(task, { action: 'transfer', to }))).message, to).toBe(why);
    }
    expect(await snapshot()).toBe(before);
  });

  it('once the directory is connected, goes only to someone it knows', async () => {
    await h.store.commit([{ kind: 'directory_state', after: { lastSyncAt: '2026-12-03T09:00:00.000Z', deltaLink: 'https://graph.example/delta' } }], { by: 'system:directory', source: 'directory' });
    await addPerson({ key: 'dir:s-ahmed', addresses: ['s.ahmed@oakfield.sch.uk'], accountEnabled: true });
    const task = await taskOn('instagram:oakfield_pe');
    const err = await refused(resolve(task, { action: 'transfer', to: 'new.teacher@oakfield.sch.uk' }));
    expect(err.message).toBe('new.teacher@oakfield.sch.uk is not a member of staff known to the directory');
    await resolve(task, { action: 'transfer', to: 's.ahmed@oakfield.sch.uk' });
    expect((await h.store.getAccount('instagram:oakfield_pe'))!.linkedEmail).toBe('s.ahmed@oakfield.sch.uk');
  });

  // Contracts section 6: addresses are compared in a canonical form.
  it('is refused to the leaver\'s address with a +tag', async () => {
    const err = await refused(resolve(await taskOn('instagram:oakfield_pe'), { action: 'transfer', to: 'r.hughes+social@oakfield.sch.uk' }));
    expect(err.message).toContain('belongs to the person who is leaving');
  });

  it('is refused to an address with an invisible character in it', async () => {
    await refused(resolve(await taskOn('instagram:oakfield_pe'), { action: 'transfer', to: 's.ahmed\u200b@oakfield.sch.uk' }));
    expect((await h.store.getAccount('instagram:oakfield_pe'))!.linkedEmail).toBe(LEAVER);
  });
});

describe('close', () => {
  beforeEach(givenRachelLeaving);

  it('closes the account: the sweep looks at it no more, and the audit names who closed it', async () => {
    const task = await taskOn('youtube:oakfieldmusic');
    const done = await resolve(task, { action: 'close' });
    expect(done.resolution).toEqual({ action: 'close', by: MANAGER, at: NOW, closedOn: TODAY });
    const account = (await h.store.getAccount('youtube:oakfieldmusic'))!;
    expect(account).toMatchObject({ status: 'closed', closedOn: TODAY });
    expect(account.nextCheckOn).toBeUndefined();
    expect((await h.store.dueOnOrBefore('2030-01-01')).map((i) => i.id)).not.toContain('youtube:oakfieldmusic');
    expect((await h.store.auditFor('account', 'youtube:oakfieldmusic')).find((e) => e.action === 'account.closed')).toMatchObject({ by: MANAGER, after: { status: 'closed', closedOn: TODAY } });
  });

  it('cancels the account\'s other open tasks and tells their assignees, once', async () => {
    // Given a second leaver, the administrator (one would be left) and main supervisor of the same account
    await processLeaver(h.deps, { email: 'm.clarke@oakfield.sch.uk', leaveDate: '2027-02-26' }, hrEvent(h));
    const others = (await h.store.listTasks('open')).filter((t) => t.accountId === 'instagram:oakfield_pe' && t.subjectEmail === 'm.clarke@oakfield.sch.uk');
    expect(others.map((t) => t.type).sort()).toEqual(['replace_admin', 'replace_supervisor']);
    const sent = h.mailer.sent.length;
    // When Rachel's account is closed
    await resolve(await taskOn('instagram:oakfield_pe', 'transfer_or_close'), { action: 'close' });
    await sweepOn('2026-12-04');
    // Then each of those tasks is cancelled, and its assignees told in one email
    for (const other of others) {
      expect(await h.store.getTask(other.id)).toMatchObject({ status: 'cancelled', resolution: { action: 'cancelled', reason: 'the account was closed', by: MANAGER } });
      const told = h.mailer.sent.slice(sent).filter((e) => e.text.includes(other.id) && !e.subject.startsWith('Custodian weekly'));
      expect(told).toEqual([expect.objectContaining({ to: other.assignees, subject: expect.stringMatching(/^Cancelled, no action needed/) })]);
    }
    // And Rachel's tasks on other accounts are untouched
    expect((await taskOn('youtube:oakfieldmusic')).status).toBe('open');
  });
});

describe('keep', () => {
  beforeEach(givenRachelLeaving);

  it('needs a written reason of at least five characters', async () => {
    const task = await taskOn('instagram:oakfield_pe');
    const before = await snapshot();
    for (const reason of ['', '    ', 'n/a ']) {
      expect(await refused(resolve(task, { action: 'keep', reason }))).toMatchObject({ code: 'invalid', message: 'keeping it as it is needs a written reason' });
    }
    expect(await snapshot()).toBe(before);
  });

  it('keeps the account as it is, active, with the reason recorded', async () => {
    const task = await taskOn('instagram:oakfield_pe');
    const done = await resolve(task, { action: 'keep', reason: '  Rachel stays on as a volunteer coach  ' });
    expect(done.resolution).toEqual({ action: 'keep', reason: 'Rachel stays on as a volunteer coach', by: MANAGER, at: NOW });
    expect(await h.store.getAccount('instagram:oakfield_pe')).toMatchObject({ linkedEmail: LEAVER, status: 'active' });
  });
});

describe('attestation, planned end, policy review and joiner tasks', () => {
  /** An account past its review date, neglected, ending in three weeks: the next sweep asks to attest and to plan its end. */
  async function givenAccountDue(): Promise<Account> {
    await givenSchools();
    const account: Account = {
      id: 'whatsapp:y6-trip', platform: 'whatsapp', handle: 'y6-trip', school: 'riverside', linkedEmail: 'office@riverside.sch.uk',
      admins: ['h.murphy@riverside.sch.uk', 'g.jones@riverside.sch.uk'], mainSupervisor: 'b.taylor@riverside.sch.uk', monitoringFrequency: 'weekly',
      plannedEndDate: '2026-12-23', nextReviewDate: '2026-12-01', neglectedSince: '2026-11-20', status: 'active',
      createdAt: '2026-09-01T09:00:00.000Z', updatedAt: '2026-09-01T09:00:00.000Z', version: 1,
    };
    await h.store.commit([accountChange(undefined, account, 'account.created', TODAY)], { by: IT, source: 'test' });
    await sweepOn('2026-12-04');
    h.clock.set('2026-12-04T10:00:00.000Z');
    return account;
  }

  it('confirm: the account is attested today and no longer neglected', async () => {
    const { id } = await givenAccountDue();
    await resolve(await taskOn(id, 'attest_account'), { action: 'confirm' });
    const account = (await h.store.getAccount(id))!;
    expect(account.lastAttestedOn).toBe('2026-12-04');
    expect(account.neglectedSince).toBeUndefined();
    expect((await h.store.auditFor('account', id)).find((e) => e.action === 'account.attested')).toMatchObject({ by: MANAGER, after: { lastAttestedOn: '2026-12-04' } });
  });

  it('request closure: the account awaits closure, with the reason on the task', async () => {
    const { id } = await givenAccountDue();
    const done = await resolve(await taskOn(id, 'attest_account'), { action: 'request_closure', reason: 'the trip is over' });
    expect(done.resolution).toMatchObject({ action: 'request_closure', reason: 'the trip is over' });
    expect(await h.store.getAccount(id)).toMatchObject({ status: 'closure_pending', lastAttestedOn: '2026-12-04' });
  });

  it('extend: the planned end moves to the new date, which must be a date after today', async () => {
    const { id } = await givenAccountDue();
    const task = await taskOn(id, 'planned_end');
    expect((await refused(resolve(task, { action: 'extend', to: 'next summer' }))).message).toBe('"next summer" is not a date');
    for (const to of ['2026-12-04', '2026-11-30']) {
      expect((await refused(resolve(task, { action: 'extend', to }))).message).toBe('the new planned end must be after today');
    }
    const done = await resolve(task, { action: 'extend', to: '31/07/2027' });
    expect(done.resolution).toMatchObject({ action: 'extend', to: '2027-07-31' });
    expect((await h.store.getAccount(id))!.plannedEndDate).toBe('2027-07-31');
  });

  it('reviewed: the policy\'s next review moves 12 months on (or to the date given, after today)', async () => {
    await givenSchools();
    const policy = await addPolicy(h.deps, { title: 'Social Media Policy', nextReview: '2027-01-15', owner: 'head@oakfield.sch.uk' }, { by: IT, source: 'test' });
    await sweepOn('2026-12-04');
    const task = (await h.store.listTasks('open')).find((t) => t.type === 'policy_review')!;
    expect((await refused(resolve(task, { action: 'reviewed', nextReview: '2026-12-01' }))).message).toBe('the next review date 2026-12-01 must be after today');
    const done = await resolve(task, { action: 'reviewed' });
    expect(done.resolution).toMatchObject({ action: 'reviewed', nextReview: '2028-01-15' });
    expect(await h.store.getPolicy(policy.id)).toMatchObject({ nextReviewDate: '2028-01-15', lastReviewedOn: '2026-12-04' });
  });

  it('acknowledge: the joiner\'s acceptance of the policy is recorded', async () => {
    givenRachelLeaving();
    const { task } = await processJoiner(h.deps, { email: 't.nowak@riverside.sch.uk', startDate: '2027-01-04', displayName: 'Tomasz Nowak' }, hrEvent(h));
    const done = await resolveTask(h.deps, { taskId: task!.id, decision: { action: 'acknowledge' }, actor: { by: 't.nowak@riverside.sch.uk', source: `email-action:${task!.id}` } });
    expect(done).toMatchObject({ status: 'done', resolution: { action: 'acknowledge', by: 't.nowak@riverside.sch.uk' } });
    expect((await h.store.findPerson(['t.nowak@riverside.sch.uk']))!.policyAcknowledgedAt).toBe(NOW);
    expect((await h.store.auditFor('task', task!.id)).map((e) => e.action)).toContain('task.acknowledged');
  });

  it('a decision the task does not offer, or a task that does not exist, is refused', async () => {
    givenRachelLeaving();
    expect(await refused(resolve(await taskOn('instagram:oakfield_pe'), { action: 'confirm' }))).toMatchObject({ code: 'invalid', message: 'a transfer_or_close task cannot be resolved with "confirm"' });
    expect(await refused(resolveTask(h.deps, { taskId: 'no-such-task', decision: { action: 'close' }, actor: { by: IT, source: 'cli' } }))).toMatchObject({ code: 'not_found' });
  });
});

describe('a task already decided', () => {
  beforeEach(givenRachelLeaving);

  it('explains who did what, and changes nothing', async () => {
    const transfer = await taskOn('instagram:oakfield_pe');
    const close = await taskOn('youtube:oakfieldmusic');
    const keep = await taskOn('x:oakfieldsport');
    await resolve(transfer, { action: 'transfer', to: 's.ahmed@oakfield.sch.uk' });
    await resolve(close, { action: 'close' });
    await resolve(keep, { action: 'keep', reason: 'a new admin starts in January' });
    const before = await snapshot();
    const on = 'on Thursday 3 December 2026 by d.okafor@oakfield.sch.uk';
    expect(await refused(resolve(transfer, { action: 'close' }))).toMatchObject({ code: 'not_open', message: `this task was already resolved ${on}: transferred to s.ahmed@oakfield.sch.uk` });
    expect((await refused(resolve(close, { action: 'keep', reason: 'changed my mind' }))).message).toBe(`this task was already resolved ${on}: the account was closed`);
    expect((await refused(resolve(keep, { action: 'close' }))).message).toBe(`this task was already resolved ${on}: kept as it is`);
    expect(await snapshot()).toBe(before);
  });

  it('explains that a cancelled task was cancelled, and why', async () => {
    const task = await taskOn('instagram:oakfield_pe');
    await processCancellation(h.deps, { email: LEAVER, reason: 'HR cancelled the leaver' }, hrEvent(h));
    expect(await refused(resolve(task, { action: 'close' }))).toMatchObject({ code: 'not_open', message: 'this task was cancelled: HR cancelled the leaver' });
    expect((await h.store.getAccount('instagram:oakfield_pe'))!.status).toBe('active');
  });
});

describe('an emailed link', () => {
  beforeEach(givenRachelLeaving);

  const link = { nonce: 'nonce-1', expiresAt: Math.floor(Date.parse(NOW) / 1000) + 30 * 86_400 };

  it('works once: its nonce is recorded with the decision, and a second use changes nothing', async () => {
    const task = await taskOn('instagram:oakfield_pe');
    expect(await h.store.isLinkUsed(link.nonce)).toBe(false);
    await resolve(task, { action: 'close' }, { linkNonce: link });
    expect(await h.store.isLinkUsed(link.nonce)).toBe(true);
    const before = await snapshot();
    expect((await refused(resolve(task, { action: 'keep', reason: 'second thoughts' }, { linkNonce: link }))).code).toBe('not_open');
    expect(await snapshot()).toBe(before);
  });

  it('used twice at the same moment: one use wins, the other is refused with "this link has already been used"', async () => {
    const task = await taskOn('instagram:oakfield_pe');
    // The second submission of the form lands while the first is between reading and writing
    let raced = false;
    const racing = storeWith(h.store, async (commit) => {
      if (!raced) {
        raced = true;
        await resolve(task, { action: 'close' }, { linkNonce: link });
      }
      return commit();
    });
    const err = await refused(resolveTask({ ...h.deps, store: racing }, { taskId: task.id, decision: { action: 'close' }, actor: byManager(task), linkNonce: link }));
    expect(err).toMatchObject({ code: 'not_open', message: 'this link has already been used' });
    expect(h.publisher.events.filter((e) => e.detailType === 'Task Resolved')).toHaveLength(1);
    expect((await h.store.auditFor('task', task.id)).filter((e) => e.action === 'task.resolved')).toHaveLength(1);
  });
});

describe('a link made for one person', () => {
  beforeEach(givenRachelLeaving);

  const asRecipient = (task: Task, recipient: string, generation = 1): Partial<ResolveInput> => ({
    actor: { by: recipient, source: `email-action:${task.id}` }, link: { recipient, generation },
  });

  it('records its recipient as the actor, whoever uses it (a forwarded link acts as the person it was sent to)', async () => {
    const task = await taskOn('instagram:oakfield_pe');
    const done = await resolve(task, { action: 'close' }, asRecipient(task, IT));
    expect(done.resolution).toMatchObject({ action: 'close', by: IT });
    expect((await h.store.auditFor('task', task.id)).at(-1)).toMatchObject({ action: 'task.resolved', by: IT });
  });

  it('is refused once its person is no longer an assignee, and changes nothing', async () => {
    const task = await taskOn('instagram:oakfield_pe');
    const reassigned = { ...task, assignees: [IT], version: task.version + 1 };
    await h.store.commit([{ kind: 'task', action: 'task.reassigned', before: task, after: reassigned }], { by: IT, source: 'test' });
    const before = await snapshot();
    const err = await refused(resolve(reassigned, { action: 'close' }, asRecipient(reassigned, MANAGER)));
    expect(err).toMatchObject({ code: 'refused' });
    expect(err.message).toContain(`sent to ${MANAGER}, who is no longer asked`);
    expect(await snapshot()).toBe(before);
  });

  it('is refused once the task has been reopened (a new generation), even for someone still asked', async () => {
    const task = await taskOn('instagram:oakfield_pe');
    h.clock.advance(3_600_000);
    await processCancellation(h.deps, { email: LEAVER, reason: 'HR cancelled the leaver record' }, hrEvent(h));
    h.clock.advance(3_600_000);
    await processLeaver(h.deps, { email: LEAVER, leaveDate: '2027-02-26', displayName: 'Rachel Hughes', lineManagerEmail: MANAGER }, hrEvent(h));
    const reopened = (await h.store.getTask(task.id))!;
    expect(reopened).toMatchObject({ status: 'open', generation: 2 });
    const before = await snapshot();
    const err = await refused(resolve(reopened, { action: 'close' }, asRecipient(reopened, MANAGER, 1)));
    expect(err).toMatchObject({ code: 'refused' });
    expect(err.message).toContain('reopened');
    expect(await snapshot()).toBe(before);
    expect((await resolve(reopened, { action: 'close' }, asRecipient(reopened, MANAGER, 2))).status).toBe('done');
  });

  it('for a policy acknowledgement acts only as the joiner: their line manager\'s address is refused', async () => {
    await processJoiner(h.deps, { email: 'sam.lee@oakfield.sch.uk', startDate: '2026-12-07', lineManagerEmail: MANAGER }, hrEvent(h));
    const ack = (await h.store.listTasks()).find((t) => t.type === 'acknowledge_policy')!;
    expect((await refused(resolve(ack, { action: 'acknowledge' }, asRecipient(ack, MANAGER)))).code).toBe('refused');
    expect((await resolve(ack, { action: 'acknowledge' }, asRecipient(ack, 'sam.lee@oakfield.sch.uk'))).resolution).toMatchObject({ by: 'sam.lee@oakfield.sch.uk' });
  });
});

describe('a concurrent change', () => {
  beforeEach(givenRachelLeaving);

  it('to the account between reading and writing: the decision is made again from fresh reads, keeping both changes', async () => {
    const task = await taskOn('instagram:oakfield_pe');
    let attempts = 0;
    const racing = storeWith(h.store, async (commit) => {
      if (++attempts === 1) {
        // An IT manager edits the account's purpose meanwhile
        const account = (await h.store.getAccount('instagram:oakfield_pe'))!;
        await h.store.commit([accountChange(account, { ...account, purpose: 'PE news', version: account.version + 1 }, 'account.updated', TODAY)], { by: IT, source: 'cli' });
      }
      return commit();
    });
    const done = await resolveTask({ ...h.deps, store: racing }, { taskId: task.id, decision: { action: 'transfer', to: 's.ahmed@oakfield.sch.uk' }, actor: byManager(task) });
    expect(attempts).toBe(2);
    expect(done.status).toBe('done');
    expect(await h.store.getAccount('instagram:oakfield_pe')).toMatchObject({ purpose: 'PE news', linkedEmail: 's.ahmed@oakfield.sch.uk', status: 'active' });
    expect(h.publisher.events.filter((e) => e.detailType === 'Task Resolved')).toHaveLength(1);
  });

  it('that never settles is reported as a conflict to try again, and nothing is written', async () => {
    const task = await taskOn('instagram:oakfield_pe');
    const before = await snapshot();
    const stuck = storeWith(h.store, async () => {
      throw new ConflictError();
    });
    const err = await refused(resolveTask({ ...h.deps, store: stuck }, { taskId: task.id, decision: { action: 'close' }, actor: byManager(task) }));
    expect(err).toMatchObject({ code: 'conflict', message: 'the task changed while it was being resolved; try again' });
    expect(await snapshot()).toBe(before);
  });
});

/** The store with its commit wrapped: `around` gets the real commit to call (or not). */
function storeWith(store: MemoryStore, around: (commit: () => ReturnType<Store['commit']>) => ReturnType<Store['commit']>): Store {
  return new Proxy(store, {
    get(target, prop) {
      if (prop === 'commit') return (...args: Parameters<Store['commit']>) => around(() => target.commit(...args));
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
