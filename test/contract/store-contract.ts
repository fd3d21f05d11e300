/**
 * The Store port's contract (functions/usecases/ports.ts), as one suite that every adapter runs: the in-memory store
 * (test/contract/memory-store.test.ts, no Java) and DynamoDB (test/integration/dynamo-store.test.ts, on DynamoDB
 * Local). Each test gets a fresh, empty store and a clock it moves itself.
 *
 * Ids compare as DynamoDB compares keys (by code unit: `#` < `-` < `.` < digits < `A-Z` < `_` < `a-z`), not by
 * locale: the index order is the order of the lists.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { REDACTED } from '../../functions/domain/audit.ts';
import { personChange, requestChange, taskChange, type AccountLink, type Change } from '../../functions/domain/changes.ts';
import type { AccountRequest } from '../../functions/domain/requests.ts';
import { accountChange, policyChange } from '../../functions/domain/scheduled-changes.ts';
import type { Account, Actor, AuditEntry, Person, Platform, Policy, School } from '../../functions/domain/model.ts';
import type { Task } from '../../functions/domain/tasks.ts';
import { ConflictError, type Store } from '../../functions/usecases/ports.ts';

// ---------------------------------------------------------------------------------------------------------------
// Fixtures

export const T0 = '2026-12-02T09:00:00.000Z';
const TODAY = '2026-12-02';
const actor: Actor = { by: 'it@oakfield.sch.uk', source: 'contract-test' };
const other: Actor = { by: 'system:sweep', source: 'sweep' };

/** A clock the test moves. */
export class Clock {
  private t = Date.parse(T0);
  readonly now = (): Date => new Date(this.t);
  set(iso: string): void {
    this.t = Date.parse(iso);
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

export function school(id: string, over: Partial<School> = {}): School {
  return { id, name: `School ${id}`, itManagers: [`it@${id}.sch.uk`], domains: [`${id}.sch.uk`], ...over };
}

export function account(id: string, over: Partial<Account> = {}): Account {
  const [platform, handle] = id.split(':') as [Platform, string];
  return {
    id, platform, handle, school: 'oakfield', linkedEmail: 'office@oakfield.sch.uk',
    admins: ['a.one@oakfield.sch.uk', 'a.two@oakfield.sch.uk'], mainSupervisor: 'k.williams@oakfield.sch.uk',
    monitoringFrequency: 'monthly', status: 'active', createdAt: T0, updatedAt: T0, version: 1, ...over,
  };
}

export function task(id: string, over: Partial<Task> = {}): Task {
  return {
    id, type: 'transfer_or_close', status: 'open', subjectEmail: 'r.hughes@oakfield.sch.uk', subjectName: 'Rachel Hughes',
    accountId: 'instagram:oakfield_pe', platform: 'instagram', handle: 'oakfield_pe', school: 'oakfield', dueDate: '2026-12-18',
    assignees: ['d.okafor@oakfield.sch.uk', 'it@oakfield.sch.uk'], lineManager: 'd.okafor@oakfield.sch.uk',
    reason: 'Rachel Hughes is leaving and the account is registered to their email address.', eventDate: '2026-12-18',
    sourceEvent: 'evt-1', sourceTime: T0, createdAt: T0, updatedAt: T0, version: 1,
    delivery: { kind: 'created', state: 'pending' }, remindersSent: 0, ...over,
  };
}

export function person(key: string, over: Partial<Person> = {}): Person {
  return {
    key, primaryEmail: 'r.hughes@oakfield.sch.uk', addresses: ['r.hughes@oakfield.sch.uk', 'rachel.hughes@oakfield.sch.uk'],
    displayName: 'Rachel Hughes', employeeId: 'E1234', school: 'oakfield', lineManagerEmail: 'd.okafor@oakfield.sch.uk',
    status: 'active', createdAt: T0, updatedAt: T0, version: 1, ...over,
  };
}

export function policy(id: string, over: Partial<Policy> = {}): Policy {
  return {
    id, title: `Policy ${id}`, owner: 'head@oakfield.sch.uk', nextReviewDate: '2027-09-01', createdAt: T0, updatedAt: T0, version: 1, ...over,
  };
}

export function accountRequest(id: string, over: Partial<AccountRequest> = {}): AccountRequest {
  return {
    id, status: 'pending', requester: 'j.smith@oakfield.sch.uk', requesterName: 'Jo Smith', school: 'oakfield', platform: 'instagram', handle: 'oakfield_pe',
    publishedName: 'Oakfield PE', purpose: 'PE news', aims: 'Families at fixtures', whyNotExisting: 'Whole-school account only', content: 'Fixtures',
    audience: 'Parents', linkedEmail: 'pe@oakfield.sch.uk', admins: ['a.one@oakfield.sch.uk', 'a.two@oakfield.sch.uk'], mainSupervisor: 'k.williams@oakfield.sch.uk',
    reserveSupervisor: 'm.reserve@oakfield.sch.uk', monitoringFrequency: 'weekly', holidayMonitoringFrequency: 'monthly', responsible: 'PE department',
    exitPlan: 'Archive it', successMeasures: 'Attendance',
    steps: [{ step: 'line_manager', approvers: ['d.okafor@oakfield.sch.uk'], taskId: 'TkStep0', openedAt: T0 }, { step: 'headteacher', approvers: ['head@oakfield.sch.uk'] }],
    currentStep: 0, submittedAt: T0, createdAt: T0, updatedAt: T0, version: 1, ...over,
  };
}

/** A creation, exactly as given (no computed dates): the tests decide what is in the due index. */
function created(record: School | Account | Task | Person | Policy, kind: 'school' | 'account' | 'task' | 'person' | 'policy'): Change {
  return { kind, action: `${kind}.created`, after: record } as Change;
}
const newSchool = (s: School) => created(s, 'school');
const newAccount = (a: Account) => created(a, 'account');
const newTask = (t: Task) => created(t, 'task');
const newPerson = (p: Person) => created(p, 'person');
const newPolicy = (p: Policy) => created(p, 'policy');

/** The next version of a record: the fields given, the version bumped. */
function next<T extends { version: number; updatedAt: string }>(before: T, over: Partial<T>, at = T0): T {
  return { ...before, ...over, version: before.version + 1, updatedAt: at };
}

function updated<T extends Account | Task | Person | Policy>(kind: 'account' | 'task' | 'person' | 'policy', before: T, after: T, action = `${kind}.updated`): Change {
  return { kind, action, before, after } as Change;
}

const linkKey = (l: AccountLink) => `${l.email}|${l.accountId}|${l.role}`;
const sortLinks = (links: AccountLink[]) => [...links].sort((a, b) => (linkKey(a) < linkKey(b) ? -1 : 1));
const ids = (list: Array<{ id: string }>) => list.map((r) => r.id);
const sortedIds = (list: Array<{ id: string }>) => ids(list).sort();

async function expectConflict(promise: Promise<unknown>): Promise<void> {
  await expect(promise).rejects.toBeInstanceOf(ConflictError);
}

// ---------------------------------------------------------------------------------------------------------------
// The suite

export function describeStoreContract(name: string, make: (clock: () => Date) => Promise<Store>): void {
  describe(`Store contract: ${name}`, () => {
    let clock: Clock;
    let store: Store;

    beforeEach(async () => {
      clock = new Clock();
      store = await make(clock.now);
    });

    /** Every audit entry the store holds: the tests' clocks never go before 30 November 2026. */
    const allAudit = () => store.auditSince('2026-11-20');

    describe('records', () => {
      it('creates every record kind in one commit and reads each back as written', async () => {
        const s = school('oakfield');
        const a = account('instagram:oakfield_pe', { reserveSupervisor: 'j.reserve@oakfield.sch.uk', purpose: 'PE news' });
        const t = task('Tk7xQ2mP9aBcDeFg', { nextActionOn: '2026-12-10' });
        const p = person('dir:0b7c6a1e-0000-4000-8000-000000000001', { personalDataExpiresAt: 1_900_000_000 });
        const pol = policy('social-media', { school: 'oakfield', nextCheckOn: '2027-07-01' });
        const changes = [newSchool(s), newAccount(a), newTask(t), newPerson(p), newPolicy(pol)];

        const result = await store.commit(changes, actor);

        expect(result.applied).toEqual(changes);
        expect(result.audit).toHaveLength(5);
        expect(await store.getSchool(s.id)).toEqual(s);
        expect(await store.getAccount(a.id)).toEqual(a);
        expect(await store.getTask(t.id)).toEqual(t);
        expect(await store.getPerson(p.key)).toEqual(p);
        expect(await store.getPolicy(pol.id)).toEqual(pol);
      });

      it('reads back a record without the fields it wrote as undefined', async () => {
        const a = { ...account('x:oak'), reserveSupervisor: undefined, purpose: undefined };
        await store.commit([newAccount(a)], actor);
        const read = await store.getAccount('x:oak');
        expect(read).toEqual(account('x:oak'));
        expect(Object.keys(read!)).not.toContain('reserveSupervisor');
        expect(Object.keys(read!)).not.toContain('purpose');
      });

      it('answers undefined or empty for what it does not hold', async () => {
        expect(await store.getSchool('none')).toBeUndefined();
        expect(await store.getAccount('x:none')).toBeUndefined();
        expect(await store.getTask('none')).toBeUndefined();
        expect(await store.getPerson('hr:none')).toBeUndefined();
        expect(await store.getPolicy('none')).toBeUndefined();
        expect(await store.findPerson(['nobody@oakfield.sch.uk'])).toBeUndefined();
        expect(await store.getDirectoryState()).toBeUndefined();
        expect(await store.isLinkUsed('nonce-1')).toBe(false);
        expect(await store.listSchools()).toEqual([]);
        expect(await store.listAccounts()).toEqual([]);
        expect(await store.listTasks()).toEqual([]);
        expect(await store.listPeople()).toEqual([]);
        expect(await store.listPolicies()).toEqual([]);
        expect(await store.getAccounts([])).toEqual([]);
        expect(await store.getTasks([])).toEqual([]);
        expect(await store.linksForEmails(['nobody@oakfield.sch.uk'])).toEqual([]);
        expect(await store.tasksForSubjects(['nobody@oakfield.sch.uk'])).toEqual([]);
        expect(await store.dueOnOrBefore('2099-12-31')).toEqual([]);
        expect(await store.auditFor('account', 'x:none')).toEqual([]);
        expect(await allAudit()).toEqual([]);
      });

      it('returns copies: changing what was read, written or returned does not change the store', async () => {
        const a = account('x:oak');
        const t = task('t1');
        const p = person('hr:p1');
        const s = school('oakfield');
        const result = await store.commit([newAccount(a), newTask(t), newPerson(p), newSchool(s)], actor);

        // What the caller handed in.
        a.admins.push('intruder@example.org');
        a.handle = 'changed';
        t.delivery.state = 'sent';
        p.addresses.push('intruder@example.org');
        s.domains.push('example.org');
        // What the commit returned.
        result.audit[0]!.action = 'changed';
        (result.audit[0]!.after as Record<string, unknown>).handle = 'changed';
        // What was read.
        const readAccount = (await store.getAccount('x:oak'))!;
        readAccount.admins.push('intruder@example.org');
        readAccount.version = 99;
        const [listed] = await store.listAccounts();
        listed!.admins.length = 0;
        const [fromBatch] = await store.getAccounts(['x:oak']);
        fromBatch!.mainSupervisor = 'intruder@example.org';
        (await store.getTask('t1'))!.delivery.state = 'sent';
        (await store.listTasks())[0]!.assignees.push('intruder@example.org');
        (await store.getPerson('hr:p1'))!.addresses.push('intruder@example.org');
        (await store.findPerson(['r.hughes@oakfield.sch.uk']))!.addresses.length = 0;
        (await store.listSchools())[0]!.domains.push('example.org');
        const [entry] = await store.auditFor('account', 'x:oak');
        entry!.by = 'someone-else';

        expect(await store.getAccount('x:oak')).toEqual(account('x:oak'));
        expect(await store.getTask('t1')).toEqual(task('t1'));
        expect(await store.getPerson('hr:p1')).toEqual(person('hr:p1'));
        expect(await store.getSchool('oakfield')).toEqual(school('oakfield'));
        expect(await store.findPerson(['intruder@example.org'])).toBeUndefined();
        const [stored] = await store.auditFor('account', 'x:oak');
        expect(stored).toMatchObject({ by: actor.by, action: 'account.created', after: { handle: 'oak' } });
      });

      it('writes through the change helpers: accountChange sets the next check date, policyChange keeps a chosen one', async () => {
        const a = account('x:oak', { lastActivityDate: '2026-11-20', lastAttestedOn: '2026-11-01' });
        const ac = accountChange(undefined, a, 'account.created', TODAY);
        const pol = policyChange(undefined, policy('p1', { nextCheckOn: '2027-01-04' }), 'policy.created', TODAY);
        const t = taskChange(undefined, task('t1'), 'task.created');
        const p = personChange(undefined, person('hr:p1'), 'person.created');
        await store.commit([ac, pol, t, p], actor);

        expect(ac.after.nextCheckOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);
        expect(await store.getAccount('x:oak')).toEqual(ac.after);
        expect(await store.getPolicy('p1')).toEqual({ ...policy('p1'), nextCheckOn: '2027-01-04' });
        expect(await store.getTask('t1')).toEqual(task('t1'));
        expect(await store.getPerson('hr:p1')).toEqual(person('hr:p1'));
        expect(await store.dueOnOrBefore('2099-12-31')).toEqual([
          { kind: 'policy', id: 'p1', on: '2027-01-04' },
          { kind: 'account', id: 'x:oak', on: ac.after.nextCheckOn },
        ].sort((x, y) => (`${x.on}#${x.kind}` < `${y.on}#${y.kind}` ? -1 : 1)));
      });
    });

    describe('lists', () => {
      it('lists schools, people and policies by id (key)', async () => {
        await store.commit([
          newSchool(school('riverside')), newSchool(school('oak-park')), newSchool(school('oak')), newSchool(school('2nd-site')),
          newSchool(school('hillcrest')),
        ], actor);
        await store.commit([
          newPerson(person('hr:b', { addresses: ['b@x.org'] })), newPerson(person('dir:a-1', { addresses: ['a1@x.org'] })),
          newPerson(person('dir:a1', { addresses: ['a2@x.org'] })), newPerson(person('hr:a', { addresses: ['a@x.org'] })),
        ], actor);
        await store.commit([newPolicy(policy('safeguarding')), newPolicy(policy('oak-social-media')), newPolicy(policy('acceptable-use'))], actor);

        expect(ids(await store.listSchools())).toEqual(['2nd-site', 'hillcrest', 'oak', 'oak-park', 'riverside']);
        expect((await store.listPeople()).map((p) => p.key)).toEqual(['dir:a-1', 'dir:a1', 'hr:a', 'hr:b']);
        expect(ids(await store.listPolicies())).toEqual(['acceptable-use', 'oak-social-media', 'safeguarding']);
        expect(await store.listSchools()).toContainEqual(school('oak-park'));
      });

      it('orders ids by code unit, as the indexes do (capitals before lower case, `.` before `_`)', async () => {
        await store.commit([newSchool(school('b')), newSchool(school('B')), newSchool(school('a_b')), newSchool(school('a.b'))], actor);
        await store.commit([newPolicy(policy('b')), newPolicy(policy('B')), newPolicy(policy('a_b')), newPolicy(policy('a.b'))], actor);
        await store.commit(['hr:b', 'hr:B', 'hr:a_b', 'hr:a.b'].map((key) => newPerson(person(key, { addresses: ['shared@oakfield.sch.uk'] }))), actor);
        expect(ids(await store.listSchools())).toEqual(['B', 'a.b', 'a_b', 'b']);
        expect(ids(await store.listPolicies())).toEqual(['B', 'a.b', 'a_b', 'b']);
        expect((await store.listPeople()).map((p) => p.key)).toEqual(['hr:B', 'hr:a.b', 'hr:a_b', 'hr:b']);
        // An address two records share finds the first of them in that order.
        expect((await store.findPerson(['shared@oakfield.sch.uk']))?.key).toBe('hr:B');
      });

      it('lists accounts by school then id, and filters by school and status', async () => {
        await store.commit([
          newAccount(account('x:zed', { school: 'oak' })),
          newAccount(account('x:alpha', { school: 'oak-park' })),
          newAccount(account('x:a_b', { school: 'oak', status: 'closed' })),
          newAccount(account('x:a.b', { school: 'oak' })),
          newAccount(account('instagram:zz', { school: 'beech', status: 'closed' })),
          newAccount(account('x:Caps', { school: 'oak', status: 'transfer_pending' })),
        ], actor);

        expect(ids(await store.listAccounts())).toEqual(['instagram:zz', 'x:Caps', 'x:a.b', 'x:a_b', 'x:zed', 'x:alpha']);
        expect(ids(await store.listAccounts({}))).toEqual(['instagram:zz', 'x:Caps', 'x:a.b', 'x:a_b', 'x:zed', 'x:alpha']);
        // `oak` is not a prefix match: oak-park's accounts are not oak's.
        expect(ids(await store.listAccounts({ school: 'oak' }))).toEqual(['x:Caps', 'x:a.b', 'x:a_b', 'x:zed']);
        expect(ids(await store.listAccounts({ school: 'oak-park' }))).toEqual(['x:alpha']);
        expect(ids(await store.listAccounts({ status: 'closed' }))).toEqual(['instagram:zz', 'x:a_b']);
        expect(ids(await store.listAccounts({ school: 'oak', status: 'closed' }))).toEqual(['x:a_b']);
        expect(ids(await store.listAccounts({ school: 'oak', status: 'active' }))).toEqual(['x:a.b', 'x:zed']);
        expect(await store.listAccounts({ school: 'nowhere' })).toEqual([]);
        expect(await store.listAccounts({ school: 'oak-park' })).toEqual([account('x:alpha', { school: 'oak-park' })]);
      });

      it('lists tasks by due date then id, of every status or of one', async () => {
        await store.commit([
          newTask(task('t3', { dueDate: '2026-12-20', status: 'done' })),
          newTask(task('t2', { dueDate: '2026-12-10' })),
          newTask(task('t1', { dueDate: '2026-12-20' })),
          newTask(task('t0', { dueDate: '2027-01-05', status: 'cancelled' })),
          newTask(task('t4', { dueDate: '2026-12-01', status: 'done' })),
        ], actor);

        expect(ids(await store.listTasks())).toEqual(['t4', 't2', 't1', 't3', 't0']);
        expect(ids(await store.listTasks('open'))).toEqual(['t2', 't1']);
        expect(ids(await store.listTasks('done'))).toEqual(['t4', 't3']);
        expect(ids(await store.listTasks('cancelled'))).toEqual(['t0']);

        // A status change moves a task between the lists.
        const t2 = (await store.getTask('t2'))!;
        await store.commit([taskChange(t2, next(t2, { status: 'done' }), 'task.resolved')], actor);
        expect(ids(await store.listTasks('open'))).toEqual(['t1']);
        expect(ids(await store.listTasks('done'))).toEqual(['t4', 't2', 't3']);
      });

      it('getAccounts and getTasks answer in the order asked, once each, skipping ids they do not hold', async () => {
        await store.commit(['x:c', 'x:a', 'x:b'].map((id) => newAccount(account(id))), actor);
        await store.commit(['tc', 'ta', 'tb'].map((id) => newTask(task(id))), actor);

        expect(ids(await store.getAccounts(['x:b', 'x:missing', 'x:c', 'x:a', 'x:b']))).toEqual(['x:b', 'x:c', 'x:a']);
        expect(ids(await store.getAccounts(['x:a']))).toEqual(['x:a']);
        expect(await store.getAccounts(['x:missing'])).toEqual([]);
        expect(await store.getAccounts(['x:c'])).toEqual([account('x:c')]);
        expect(ids(await store.getTasks(['tb', 'nope', 'ta', 'tc', 'ta']))).toEqual(['tb', 'ta', 'tc']);
        expect(await store.getTasks(['nope'])).toEqual([]);
        expect(await store.getTasks(['tc'])).toEqual([task('tc')]);
      });

      it('getAccounts reads more ids than one batch holds', async () => {
        const many = Array.from({ length: 130 }, (_, i) => `x:acc${String(i).padStart(3, '0')}`);
        // Fifteen accounts a commit: each is six items (record, four links, audit) of DynamoDB's hundred.
        for (let i = 0; i < many.length; i += 15) await store.commit(many.slice(i, i + 15).map((id) => newAccount(account(id))), actor);
        const asked = [...many].reverse();
        expect(ids(await store.getAccounts(asked))).toEqual(asked);
      });
    });

    describe('index lookups', () => {
      const roles = account('x:oak', {
        linkedEmail: 'office@oakfield.sch.uk',
        admins: ['a.one@oakfield.sch.uk', 'a.two@oakfield.sch.uk'],
        mainSupervisor: 'k.williams@oakfield.sch.uk',
        reserveSupervisor: 'j.reserve@oakfield.sch.uk',
        removedAdmins: [{ email: 'gone@oakfield.sch.uk', removedOn: '2026-11-30' }],
      });

      it('linksForEmails finds every role an address holds, on every account', async () => {
        const second = account('x:oak2', {
          linkedEmail: 'a.one@oakfield.sch.uk', admins: ['office@oakfield.sch.uk', 'gone@oakfield.sch.uk'], mainSupervisor: 'a.one@oakfield.sch.uk',
        });
        await store.commit([newAccount(roles), newAccount(second), newAccount(account('x:unrelated', { linkedEmail: 'u@x.org', admins: ['u1@x.org'], mainSupervisor: 'u2@x.org' }))], actor);

        const everyRole = await store.linksForEmails([
          'office@oakfield.sch.uk', 'a.one@oakfield.sch.uk', 'k.williams@oakfield.sch.uk', 'j.reserve@oakfield.sch.uk', 'gone@oakfield.sch.uk',
        ]);
        expect(sortLinks(everyRole)).toEqual(sortLinks([
          { accountId: 'x:oak', role: 'linked', email: 'office@oakfield.sch.uk' },
          { accountId: 'x:oak2', role: 'admin', email: 'office@oakfield.sch.uk' },
          { accountId: 'x:oak', role: 'admin', email: 'a.one@oakfield.sch.uk' },
          { accountId: 'x:oak2', role: 'linked', email: 'a.one@oakfield.sch.uk' },
          { accountId: 'x:oak2', role: 'main_supervisor', email: 'a.one@oakfield.sch.uk' },
          { accountId: 'x:oak', role: 'main_supervisor', email: 'k.williams@oakfield.sch.uk' },
          { accountId: 'x:oak', role: 'reserve_supervisor', email: 'j.reserve@oakfield.sch.uk' },
          { accountId: 'x:oak', role: 'removed_admin', email: 'gone@oakfield.sch.uk' },
          { accountId: 'x:oak2', role: 'admin', email: 'gone@oakfield.sch.uk' },
        ]));
        // Each link is exactly { accountId, role, email }: nothing of the storage leaks out.
        for (const link of everyRole) expect(Object.keys(link).sort()).toEqual(['accountId', 'email', 'role']);

        expect(await store.linksForEmails(['a.two@oakfield.sch.uk', 'a.two@oakfield.sch.uk'])).toEqual([
          { accountId: 'x:oak', role: 'admin', email: 'a.two@oakfield.sch.uk' },
        ]);
        expect(await store.linksForEmails(['nobody@oakfield.sch.uk'])).toEqual([]);
        expect(await store.linksForEmails([])).toEqual([]);
      });

      it('linksForEmails forgets the links an update removes and finds the ones it adds', async () => {
        await store.commit([newAccount(roles)], actor);
        const before = (await store.getAccount('x:oak'))!;
        const after = next(before, {
          linkedEmail: 'office2@oakfield.sch.uk',
          admins: ['a.two@oakfield.sch.uk', 'new.admin@oakfield.sch.uk'],
          mainSupervisor: 'j.reserve@oakfield.sch.uk',
          reserveSupervisor: undefined,
          removedAdmins: [{ email: 'a.one@oakfield.sch.uk', removedOn: TODAY }],
        });
        await store.commit([updated('account', before, after)], actor);

        expect(await store.linksForEmails(['office@oakfield.sch.uk'])).toEqual([]);
        expect(await store.linksForEmails(['gone@oakfield.sch.uk'])).toEqual([]);
        expect(await store.linksForEmails(['k.williams@oakfield.sch.uk'])).toEqual([]);
        expect(await store.linksForEmails(['a.one@oakfield.sch.uk'])).toEqual([{ accountId: 'x:oak', role: 'removed_admin', email: 'a.one@oakfield.sch.uk' }]);
        expect(await store.linksForEmails(['j.reserve@oakfield.sch.uk'])).toEqual([{ accountId: 'x:oak', role: 'main_supervisor', email: 'j.reserve@oakfield.sch.uk' }]);
        expect(sortLinks(await store.linksForEmails(['office2@oakfield.sch.uk', 'new.admin@oakfield.sch.uk', 'a.two@oakfield.sch.uk']))).toEqual(sortLinks([
          { accountId: 'x:oak', role: 'linked', email: 'office2@oakfield.sch.uk' },
          { accountId: 'x:oak', role: 'admin', email: 'new.admin@oakfield.sch.uk' },
          { accountId: 'x:oak', role: 'admin', email: 'a.two@oakfield.sch.uk' },
        ]));
      });

      it('tasksForSubjects finds every task (of any status) about any of the addresses', async () => {
        await store.commit([
          newTask(task('ta', { subjectEmail: 's1@oakfield.sch.uk' })),
          newTask(task('tb', { subjectEmail: 's1@oakfield.sch.uk', status: 'done' })),
          newTask(task('tc', { subjectEmail: 's2@oakfield.sch.uk', status: 'cancelled' })),
          newTask(task('td', { subjectEmail: 's3@oakfield.sch.uk' })),
        ], actor);

        expect(sortedIds(await store.tasksForSubjects(['s1@oakfield.sch.uk', 's2@oakfield.sch.uk']))).toEqual(['ta', 'tb', 'tc']);
        expect(sortedIds(await store.tasksForSubjects(['s1@oakfield.sch.uk', 's1@oakfield.sch.uk']))).toEqual(['ta', 'tb']);
        expect(await store.tasksForSubjects(['s3@oakfield.sch.uk'])).toEqual([task('td', { subjectEmail: 's3@oakfield.sch.uk' })]);
        expect(await store.tasksForSubjects(['nobody@oakfield.sch.uk'])).toEqual([]);
        expect(await store.tasksForSubjects([])).toEqual([]);

        // The index follows the task's subject.
        const td = (await store.getTask('td'))!;
        await store.commit([taskChange(td, next(td, { subjectEmail: 's1@oakfield.sch.uk' }), 'task.updated')], actor);
        expect(await store.tasksForSubjects(['s3@oakfield.sch.uk'])).toEqual([]);
        expect(sortedIds(await store.tasksForSubjects(['s1@oakfield.sch.uk']))).toEqual(['ta', 'tb', 'td']);
      });

      it('linksForEmails and tasksForSubjects match by mailbox: a +tag address is found by the plain one, and the other way round', async () => {
        await store.commit([
          newAccount(account('x:tagged', { linkedEmail: 'jo+social@oakfield.sch.uk', admins: ['jo@oakfield.sch.uk', 'a.two@oakfield.sch.uk'], mainSupervisor: 'k.williams@oakfield.sch.uk' })),
          newAccount(account('x:jon', { linkedEmail: 'jon@oakfield.sch.uk', admins: ['a.two@oakfield.sch.uk', 'a.one@oakfield.sch.uk'], mainSupervisor: 'k.williams@oakfield.sch.uk' })),
          newTask(task('tt', { subjectEmail: 'jo+social@oakfield.sch.uk' })),
        ], actor);
        const expected = sortLinks([
          { accountId: 'x:tagged', role: 'linked', email: 'jo+social@oakfield.sch.uk' },
          { accountId: 'x:tagged', role: 'admin', email: 'jo@oakfield.sch.uk' },
        ]);
        expect(sortLinks(await store.linksForEmails(['jo@oakfield.sch.uk']))).toEqual(expected);
        expect(sortLinks(await store.linksForEmails(['jo+other@oakfield.sch.uk']))).toEqual(expected);
        expect(sortLinks(await store.linksForEmails(['jo@oakfield.sch.uk', 'jo+social@oakfield.sch.uk']))).toEqual(expected);
        expect(sortedIds(await store.tasksForSubjects(['jo@oakfield.sch.uk']))).toEqual(['tt']);
        expect(await store.tasksForSubjects(['jon@oakfield.sch.uk'])).toEqual([]);
      });

      it('findPerson finds a person by any of their addresses, and the first address that finds one wins', async () => {
        const rachel = person('dir:rachel', { primaryEmail: 'r.hughes@oakfield.sch.uk', addresses: ['r.hughes@oakfield.sch.uk', 'rachel.hughes@oakfield.sch.uk', 'rh@oakfield.sch.uk'] });
        const sam = person('hr:sam', { primaryEmail: 'sam@oakfield.sch.uk', addresses: ['sam@oakfield.sch.uk'], displayName: 'Sam' });
        await store.commit([newPerson(rachel), newPerson(sam)], actor);

        for (const address of rachel.addresses) expect(await store.findPerson([address])).toEqual(rachel);
        expect(await store.findPerson(['nobody@oakfield.sch.uk', 'rh@oakfield.sch.uk'])).toEqual(rachel);
        expect(await store.findPerson(['sam@oakfield.sch.uk', 'rh@oakfield.sch.uk'])).toEqual(sam);
        expect(await store.findPerson(['rh@oakfield.sch.uk', 'sam@oakfield.sch.uk'])).toEqual(rachel);
        expect(await store.findPerson(['nobody@oakfield.sch.uk'])).toBeUndefined();
        expect(await store.findPerson([])).toBeUndefined();
      });

      it('findPerson does not find a person by an address they no longer have, and finds them by a new one', async () => {
        const rachel = person('dir:rachel', { addresses: ['r.hughes@oakfield.sch.uk', 'rachel.hughes@oakfield.sch.uk'] });
        await store.commit([newPerson(rachel)], actor);
        const after = next(rachel, { addresses: ['r.hughes@oakfield.sch.uk', 'rachel.h@oakfield.sch.uk'], status: 'leaving', leaveDate: '2026-12-18' });
        await store.commit([personChange(rachel, after, 'person.updated')], actor);

        expect(await store.findPerson(['rachel.hughes@oakfield.sch.uk'])).toBeUndefined();
        expect(await store.findPerson(['rachel.h@oakfield.sch.uk'])).toEqual(after);
        expect(await store.findPerson(['r.hughes@oakfield.sch.uk'])).toEqual(after);

        // Setting the record's expiry keeps every address findable.
        const expiring = next(after, { status: 'left', personalDataExpiresAt: 1_900_000_000 });
        await store.commit([personChange(after, expiring, 'person.left')], actor);
        expect(await store.findPerson(['rachel.h@oakfield.sch.uk'])).toEqual(expiring);
        expect(await store.findPerson(['r.hughes@oakfield.sch.uk'])).toEqual(expiring);
      });

      it('person_removed: a merge replaces the HR record with the directory one, in one commit', async () => {
        const hr = person('hr:abc123', { addresses: ['r.hughes@oakfield.sch.uk'], status: 'leaving', leaveDate: '2026-12-18' });
        await store.commit([newPerson(hr)], actor);
        clock.advance(60_000);
        const dir: Person = { ...hr, key: 'dir:rachel', addresses: ['r.hughes@oakfield.sch.uk', 'rachel.hughes@oakfield.sch.uk'], accountEnabled: true };
        const result = await store.commit([personChange(undefined, dir, 'person.merged'), { kind: 'person_removed', action: 'person.merged', before: hr }], other);

        expect(result.applied).toHaveLength(2);
        expect(await store.getPerson('hr:abc123')).toBeUndefined();
        expect(await store.getPerson('dir:rachel')).toEqual(dir);
        expect(await store.findPerson(['r.hughes@oakfield.sch.uk'])).toEqual(dir);
        expect(await store.findPerson(['rachel.hughes@oakfield.sch.uk'])).toEqual(dir);
        expect((await store.listPeople()).map((p) => p.key)).toEqual(['dir:rachel']);

        const hrAudit = await store.auditFor('person', 'hr:abc123');
        expect(hrAudit.map((e) => e.action)).toEqual(['person.created', 'person.merged']);
        const removal = hrAudit[1];
        expect(removal).toMatchObject({ action: 'person.merged', by: other.by, source: other.source, entityType: 'person', entityId: 'hr:abc123' });
        expect(removal!.after).toBeUndefined();
        expect(removal!.before).toMatchObject({ addresses: REDACTED, primaryEmail: REDACTED, displayName: REDACTED, status: 'leaving' });
        expect(JSON.stringify(removal)).not.toContain('r.hughes@');
        expect(await store.auditFor('person', 'dir:rachel')).toHaveLength(1);
      });

      it('person_removed conflicts when the record changed (or went) meanwhile, and then writes nothing', async () => {
        const hr = person('hr:abc123', { addresses: ['r.hughes@oakfield.sch.uk'] });
        await store.commit([newPerson(hr)], actor);
        const newer = next(hr, { status: 'leaving' });
        await store.commit([personChange(hr, newer, 'person.leaving')], actor);
        const dir: Person = { ...hr, key: 'dir:rachel' };

        await expectConflict(store.commit([newPerson(dir), { kind: 'person_removed', action: 'person.merged', before: hr }], other));
        expect(await store.getPerson('dir:rachel')).toBeUndefined();
        expect(await store.getPerson('hr:abc123')).toEqual(newer);
        expect(await store.findPerson(['r.hughes@oakfield.sch.uk'])).toEqual(newer);
        expect(await store.auditFor('person', 'dir:rachel')).toEqual([]);

        await expectConflict(store.commit([{ kind: 'person_removed', action: 'person.merged', before: person('hr:never') }], other));
      });
    });

    describe('the sparse due index', () => {
      async function seedDue(): Promise<void> {
        await store.commit([
          newAccount(account('x:due', { nextCheckOn: '2026-12-05' })),
          newAccount(account('x:closed', { status: 'closed', closedOn: '2026-11-01', nextCheckOn: '2026-12-01' })),
          newAccount(account('x:undated')),
          newAccount(account('x:later', { nextCheckOn: '2026-12-11' })),
          newAccount(account('x:pending', { status: 'closure_pending', nextCheckOn: '2026-12-10' })),
          newTask(task('a1', { nextActionOn: '2026-12-05' })),
          newTask(task('B1', { nextActionOn: '2026-12-05' })),
          newTask(task('tdone', { status: 'done', nextActionOn: '2026-12-01' })),
          newTask(task('tcancel', { status: 'cancelled', nextActionOn: '2026-12-01' })),
          newTask(task('tundated')),
          newTask(task('t0', { nextActionOn: '2026-11-30' })),
          newPolicy(policy('p-due', { nextCheckOn: '2026-12-05' })),
          newPolicy(policy('p-undated')),
          newSchool(school('oakfield')),
          newPerson(person('hr:p1')),
        ], actor);
      }

      it('holds only what is due (not closed accounts, done or cancelled tasks, or undated records), ordered by date, kind, id', async () => {
        await seedDue();
        expect(await store.dueOnOrBefore('2026-12-10')).toEqual([
          { kind: 'task', id: 't0', on: '2026-11-30' },
          { kind: 'account', id: 'x:due', on: '2026-12-05' },
          { kind: 'policy', id: 'p-due', on: '2026-12-05' },
          { kind: 'task', id: 'B1', on: '2026-12-05' },
          { kind: 'task', id: 'a1', on: '2026-12-05' },
          { kind: 'account', id: 'x:pending', on: '2026-12-10' },
        ]);
        expect(await store.dueOnOrBefore('2026-12-04')).toEqual([{ kind: 'task', id: 't0', on: '2026-11-30' }]);
        expect(await store.dueOnOrBefore('2026-11-29')).toEqual([]);
        expect((await store.dueOnOrBefore('2099-12-31')).map((d) => d.id)).toEqual(['t0', 'x:due', 'p-due', 'B1', 'a1', 'x:pending', 'x:later']);
      });

      it('stops at the limit, taking the oldest first', async () => {
        await seedDue();
        expect(await store.dueOnOrBefore('2026-12-10', 2)).toEqual([
          { kind: 'task', id: 't0', on: '2026-11-30' },
          { kind: 'account', id: 'x:due', on: '2026-12-05' },
        ]);
        expect((await store.dueOnOrBefore('2026-12-10', 4)).map((d) => d.id)).toEqual(['t0', 'x:due', 'p-due', 'B1']);
        expect(await store.dueOnOrBefore('2026-12-10', 100)).toHaveLength(6);
      });

      it('follows every write: a record leaves the index when closed, done or undated, and moves with its date', async () => {
        await seedDue();
        const acc = (await store.getAccount('x:due'))!;
        const closed = next(acc, { status: 'closed', closedOn: TODAY });
        const t = (await store.getTask('a1'))!;
        const pol = (await store.getPolicy('p-due'))!;
        const pending = (await store.getAccount('x:pending'))!;
        const t0 = (await store.getTask('t0'))!;
        await store.commit([
          updated('account', acc, closed),
          updated('task', t, next(t, { status: 'done' })),
          updated('policy', pol, next(pol, { nextCheckOn: '2027-06-01' })),
          updated('account', pending, next(pending, { nextCheckOn: undefined })),
          updated('task', t0, next(t0, { nextActionOn: '2026-12-07' })),
        ], actor);
        expect(await store.dueOnOrBefore('2026-12-31')).toEqual([
          { kind: 'task', id: 'B1', on: '2026-12-05' },
          { kind: 'task', id: 't0', on: '2026-12-07' },
          { kind: 'account', id: 'x:later', on: '2026-12-11' },
        ]);
        expect(await store.dueOnOrBefore('2027-06-01')).toContainEqual({ kind: 'policy', id: 'p-due', on: '2027-06-01' });

        // A task re-opened comes back.
        const done = (await store.getTask('a1'))!;
        await store.commit([updated('task', done, next(done, { status: 'open', nextActionOn: '2026-12-08' }))], actor);
        expect((await store.dueOnOrBefore('2026-12-08')).map((d) => d.id)).toEqual(['B1', 't0', 'a1']);
      });
    });

    describe('conflicts', () => {
      it('two writers read the same version: the first to commit wins, the second gets a ConflictError and writes nothing', async () => {
        await store.commit([newAccount(account('x:oak'))], actor);
        clock.advance(1000);
        const readByA = (await store.getAccount('x:oak'))!;
        const readByB = (await store.getAccount('x:oak'))!;

        const winner = next(readByA, { admins: ['a.one@oakfield.sch.uk', 'a.three@oakfield.sch.uk'] });
        await store.commit([updated('account', readByA, winner)], actor);

        clock.advance(60_000);
        const loser = next(readByB, { mainSupervisor: 'someone.else@oakfield.sch.uk' });
        const auditBefore = await allAudit();
        const commit = store.commit([
          newTask(task('t-loser', { nextActionOn: '2026-12-05' })),
          updated('account', readByB, loser),
          { kind: 'link_used', nonce: 'nonce-loser', taskId: 't-loser', expiresAt: 1_900_000_000, at: T0 },
          { kind: 'digest_sent', school: 'oakfield', week: '2026-W49', expiresAt: 1_900_000_000, at: T0 },
          { kind: 'directory_state', after: { deltaLink: 'https://graph.example/delta?token=loser' } },
          newPerson(person('hr:loser', { addresses: ['loser@oakfield.sch.uk'] })),
        ], other);
        await expectConflict(commit);

        expect(await store.getAccount('x:oak')).toEqual(winner);
        expect(await store.getTask('t-loser')).toBeUndefined();
        expect(await store.tasksForSubjects([task('t-loser').subjectEmail])).toEqual([]);
        expect(await store.dueOnOrBefore('2099-12-31')).toEqual([]);
        expect(await store.isLinkUsed('nonce-loser')).toBe(false);
        expect(await store.getDirectoryState()).toBeUndefined();
        expect(await store.getPerson('hr:loser')).toBeUndefined();
        expect(await store.findPerson(['loser@oakfield.sch.uk'])).toBeUndefined();
        expect(await store.linksForEmails(['someone.else@oakfield.sch.uk'])).toEqual([]);
        expect(await allAudit()).toEqual(auditBefore);
        expect((await store.auditFor('account', 'x:oak')).map((e) => e.action)).toEqual(['account.created', 'account.updated']);
        // The digest was not claimed either: the same claim succeeds now.
        await store.commit([{ kind: 'digest_sent', school: 'oakfield', week: '2026-W49', expiresAt: 1_900_000_000, at: T0 }], other);

        // From a fresh read, the loser's change goes through.
        const fresh = (await store.getAccount('x:oak'))!;
        const retried = next(fresh, { mainSupervisor: 'someone.else@oakfield.sch.uk' });
        await store.commit([updated('account', fresh, retried)], other);
        expect(await store.getAccount('x:oak')).toEqual(retried);
        expect(retried.admins).toEqual(winner.admins);
      });

      it('two writers committing at once: exactly one wins', async () => {
        await store.commit([newTask(task('t1'))], actor);
        clock.advance(1000);
        const read = (await store.getTask('t1'))!;
        const a = next(read, { status: 'done', resolution: { action: 'confirm', by: 'a@oakfield.sch.uk', at: T0 } });
        const b = next(read, { status: 'cancelled', resolution: { action: 'cancelled', reason: 'stays', by: 'b@oakfield.sch.uk', at: T0 } });

        const results = await Promise.allSettled([
          store.commit([updated('task', read, a, 'task.resolved')], actor),
          store.commit([updated('task', read, b, 'task.cancelled')], other),
        ]);

        const won = results.filter((r) => r.status === 'fulfilled');
        const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
        expect(won).toHaveLength(1);
        expect(lost).toHaveLength(1);
        expect(lost[0]!.reason).toBeInstanceOf(ConflictError);
        const stored = (await store.getTask('t1'))!;
        expect(stored).toEqual(results[0]!.status === 'fulfilled' ? a : b);
        expect((await store.auditFor('task', 't1')).map((e) => e.action)).toEqual(['task.created', results[0]!.status === 'fulfilled' ? 'task.resolved' : 'task.cancelled']);
      });

      it('creating a record that exists conflicts, for every kind, and leaves the first one as it was', async () => {
        await store.commit([newSchool(school('oak')), newAccount(account('x:oak')), newTask(task('t1')), newPerson(person('hr:p1')), newPolicy(policy('p1'))], actor);
        const auditBefore = await allAudit();

        await expectConflict(store.commit([newSchool(school('oak', { name: 'Another' }))], other));
        await expectConflict(store.commit([newAccount(account('x:oak', { admins: ['x@y.org'] }))], other));
        await expectConflict(store.commit([newTask(task('t1', { reason: 'again' }))], other));
        await expectConflict(store.commit([newPerson(person('hr:p1', { addresses: ['other@oakfield.sch.uk'] }))], other));
        await expectConflict(store.commit([newPolicy(policy('p1', { title: 'Another' }))], other));
        // The very same creation again (a replayed event) conflicts too.
        await expectConflict(store.commit([newTask(task('t1'))], actor));

        expect(await store.getSchool('oak')).toEqual(school('oak'));
        expect(await store.getAccount('x:oak')).toEqual(account('x:oak'));
        expect(await store.getTask('t1')).toEqual(task('t1'));
        expect(await store.getPerson('hr:p1')).toEqual(person('hr:p1'));
        expect(await store.findPerson(['other@oakfield.sch.uk'])).toBeUndefined();
        expect(await store.getPolicy('p1')).toEqual(policy('p1'));
        expect(await store.linksForEmails(['x@y.org'])).toEqual([]);
        expect(await allAudit()).toEqual(auditBefore);
      });

      it('a school carries no version: an update is the last word, whoever read it first', async () => {
        await store.commit([newSchool(school('oak'))], actor);
        const read = (await store.getSchool('oak'))!;
        await store.commit([{ kind: 'school', action: 'school.updated', before: read, after: { ...read, name: 'Oak Academy' } }], actor);
        await store.commit([{ kind: 'school', action: 'school.updated', before: read, after: { ...read, domains: ['oak.org'] } }], other);
        expect(await store.getSchool('oak')).toEqual({ ...read, domains: ['oak.org'] });
        expect(await store.auditFor('school', 'oak')).toHaveLength(3);
      });

      it('an update of a record that is not there conflicts', async () => {
        const ghost = task('ghost');
        await expectConflict(store.commit([updated('task', ghost, next(ghost, { status: 'done' }))], actor));
        expect(await store.getTask('ghost')).toBeUndefined();
        const acc = account('x:ghost');
        await expectConflict(store.commit([updated('account', acc, next(acc, { admins: [] }))], actor));
        expect(await store.getAccount('x:ghost')).toBeUndefined();
      });

      it('link_used: a link can be used once; the commit using it again writes nothing', async () => {
        await store.commit([newTask(task('t1'))], actor);
        const claim = (nonce: string): Change => ({ kind: 'link_used', nonce, taskId: 't1', expiresAt: 1_900_000_000, at: T0 });
        const first = await store.commit([claim('nonce-1')], actor);
        expect(first.applied).toEqual([claim('nonce-1')]);
        expect(first.audit).toEqual([]);
        expect(await store.isLinkUsed('nonce-1')).toBe(true);
        expect(await store.isLinkUsed('nonce-2')).toBe(false);

        const t = (await store.getTask('t1'))!;
        await expectConflict(store.commit([claim('nonce-1'), taskChange(t, next(t, { status: 'done' }), 'task.resolved')], actor));
        expect(await store.getTask('t1')).toEqual(task('t1'));
        expect(await store.auditFor('task', 't1')).toHaveLength(1);

        await store.commit([claim('nonce-2'), taskChange(t, next(t, { status: 'done' }), 'task.resolved')], actor);
        expect((await store.getTask('t1'))!.status).toBe('done');
        expect(await store.isLinkUsed('nonce-2')).toBe(true);
      });

      it('digest_sent: a school\'s digest is claimed once a week', async () => {
        const digest = (school: string, week: string): Change => ({ kind: 'digest_sent', school, week, expiresAt: 1_900_000_000, at: T0 });
        const first = await store.commit([digest('oakfield', '2026-W49')], other);
        expect(first.applied).toHaveLength(1);
        expect(first.audit).toEqual([]);
        await expectConflict(store.commit([digest('oakfield', '2026-W49')], other));
        await store.commit([digest('riverside', '2026-W49')], other);
        await store.commit([digest('oakfield', '2026-W50')], other);
        await expectConflict(store.commit([digest('riverside', '2026-W50'), digest('oakfield', '2026-W50')], other));
        // riverside's W50 claim went down with the commit that failed.
        await store.commit([digest('riverside', '2026-W50')], other);
        expect(await allAudit()).toEqual([]);
      });

      it('request_seen: a signed webhook request is claimed once; a claim given back can be made again', async () => {
        const seen = (key: string): Change => ({ kind: 'request_seen', key, expiresAt: 1_900_000_600, at: T0 });
        const first = await store.commit([seen('sig-hash-1')], other);
        expect(first.applied).toEqual([seen('sig-hash-1')]);
        expect(first.audit).toEqual([]);
        // The same request again (a replay, or a retry of one already accepted) conflicts, and nothing of its commit is written.
        await expectConflict(store.commit([seen('sig-hash-1')], other));
        await expectConflict(store.commit([newTask(task('t-replayed')), seen('sig-hash-1')], other));
        expect(await store.getTask('t-replayed')).toBeUndefined();
        await store.commit([seen('sig-hash-2')], other);
        // Given back (the bus refused the event): the sender's retry of the same request is accepted once more.
        await store.commit([{ kind: 'request_released', key: 'sig-hash-1' }], other);
        await store.commit([seen('sig-hash-1')], other);
        await expectConflict(store.commit([seen('sig-hash-1')], other));
        await expect(store.commit([seen('sig-hash-3'), { kind: 'request_released', key: 'sig-hash-3' }], other)).rejects.toThrow(/twice/);
        expect(await allAudit()).toEqual([]);
      });

      it('replaying a commit (the same `before`) conflicts and writes nothing more', async () => {
        await store.commit([newAccount(account('x:oak')), newTask(task('t1'))], actor);
        const acc = (await store.getAccount('x:oak'))!;
        const t = (await store.getTask('t1'))!;
        const changes = [
          updated('account', acc, next(acc, { admins: ['a.one@oakfield.sch.uk'] })),
          updated('task', t, next(t, { remindersSent: 1, lastReminderOn: TODAY })),
        ];
        const first = await store.commit(changes, actor);
        expect(first.applied).toEqual(changes);
        const auditAfterFirst = await allAudit();
        expect(auditAfterFirst).toHaveLength(4);

        clock.advance(1000);
        await expectConflict(store.commit(changes, actor));
        expect(await allAudit()).toEqual(auditAfterFirst);
        expect((await store.getAccount('x:oak'))!.version).toBe(2);
        expect((await store.getTask('t1'))!.version).toBe(2);
      });

      it('two changes to one record in one commit are refused, and nothing is written', async () => {
        await store.commit([newAccount(account('x:oak')), newPerson(person('hr:p1'))], actor);
        const acc = (await store.getAccount('x:oak'))!;
        const p = (await store.getPerson('hr:p1'))!;
        const auditBefore = await allAudit();

        const twice = store.commit([
          newTask(task('t1')),
          updated('account', acc, next(acc, { admins: ['a@x.org'] })),
          updated('account', acc, next(acc, { mainSupervisor: 'b@x.org' })),
        ], actor);
        await expect(twice).rejects.toThrow(/twice/);
        await expect(twice).rejects.not.toBeInstanceOf(ConflictError);
        await expect(store.commit([personChange(p, next(p, { status: 'left' }), 'person.left'), { kind: 'person_removed', action: 'person.merged', before: p }], actor)).rejects.toThrow(/twice/);
        const claim: Change = { kind: 'link_used', nonce: 'n', taskId: 't1', expiresAt: 1, at: T0 };
        await expect(store.commit([claim, claim], actor)).rejects.toThrow(/twice/);

        expect(await store.getTask('t1')).toBeUndefined();
        expect(await store.getAccount('x:oak')).toEqual(acc);
        expect(await store.getPerson('hr:p1')).toEqual(p);
        expect(await store.isLinkUsed('n')).toBe(false);
        expect(await allAudit()).toEqual(auditBefore);
      });
    });

    describe('requests for new accounts', () => {
      it('creates a request, reads it back as written, and updates it only from the version it read', async () => {
        const r = accountRequest('r001');
        const created = await store.commit([requestChange(undefined, r, 'request.submitted')], actor);
        expect(created.audit).toHaveLength(1);
        expect(await store.getRequest('r001')).toEqual(r);
        expect(await store.getRequest('r404')).toBeUndefined();

        const decided = next(r, { currentStep: 1, steps: [{ ...r.steps[0]!, decision: { outcome: 'approved', by: 'd.okafor@oakfield.sch.uk', at: T0 } }, r.steps[1]!] });
        await store.commit([requestChange(r, decided, 'request.approved')], actor);
        expect(await store.getRequest('r001')).toEqual(decided);
        // A second writer from the same read conflicts, and writes nothing.
        await expectConflict(store.commit([requestChange(r, next(r, { status: 'rejected' }), 'request.rejected')], other));
        await expectConflict(store.commit([requestChange(undefined, r, 'request.submitted')], actor));
        expect(await store.getRequest('r001')).toEqual(decided);
      });

      it('lists requests by id, all of them or by requester (by mailbox), status and school, through an index', async () => {
        await store.commit([
          requestChange(undefined, accountRequest('r003', { requester: 'k.lee@riverside.sch.uk', school: 'riverside' }), 'request.submitted'),
          requestChange(undefined, accountRequest('r001'), 'request.submitted'),
          requestChange(undefined, accountRequest('r002', { status: 'rejected', requester: 'J.Smith+pe@oakfield.sch.uk' }), 'request.submitted'),
          requestChange(undefined, accountRequest('r004', { status: 'approved', school: 'oak' }), 'request.submitted'),
        ], actor);

        expect(ids(await store.listRequests())).toEqual(['r001', 'r002', 'r003', 'r004']);
        expect(ids(await store.listRequests({}))).toEqual(['r001', 'r002', 'r003', 'r004']);
        expect(ids(await store.listRequests({ requester: 'j.smith@oakfield.sch.uk' }))).toEqual(['r001', 'r002', 'r004']);
        expect(ids(await store.listRequests({ requester: 'J.SMITH+other@oakfield.sch.uk' }))).toEqual(['r001', 'r002', 'r004']);
        expect(ids(await store.listRequests({ requester: 'k.lee@riverside.sch.uk' }))).toEqual(['r003']);
        expect(await store.listRequests({ requester: 'nobody@oakfield.sch.uk' })).toEqual([]);
        expect(ids(await store.listRequests({ status: 'pending' }))).toEqual(['r001', 'r003']);
        expect(ids(await store.listRequests({ school: 'oakfield' }))).toEqual(['r001', 'r002']);
        expect(ids(await store.listRequests({ requester: 'j.smith@oakfield.sch.uk', status: 'approved' }))).toEqual(['r004']);
        expect(await store.listRequests({ school: 'oak', status: 'approved' })).toEqual([accountRequest('r004', { status: 'approved', school: 'oak' })]);
        // A request is not an account, a task or a person: it shows up in none of their lookups.
        expect(await store.linksForEmails(['j.smith@oakfield.sch.uk'])).toEqual([]);
        expect(await store.findPerson(['j.smith@oakfield.sch.uk'])).toBeUndefined();
        expect(await store.tasksForSubjects(['j.smith@oakfield.sch.uk'])).toEqual([]);
      });

      it('audits a request as `account_request`, keeping decisions and who made them, not the requester\'s name or a rejection\'s reason', async () => {
        const r = accountRequest('r001');
        const created = await store.commit([requestChange(undefined, r, 'request.submitted')], { by: r.requester, source: 'console' });
        expect(created.audit[0]).toMatchObject({ entityType: 'account_request', entityId: 'r001', action: 'request.submitted', by: r.requester, after: { requesterName: REDACTED, linkedEmail: r.linkedEmail, purpose: 'PE news' } });
        clock.advance(1000);
        const rejected = next(r, { status: 'rejected', steps: [{ ...r.steps[0]!, decision: { outcome: 'rejected', by: 'd.okafor@oakfield.sch.uk', at: T0, reason: 'Rachel has enough to do' } }, r.steps[1]!] });
        const update = await store.commit([requestChange(r, rejected, 'request.rejected')], { by: 'd.okafor@oakfield.sch.uk', source: 'console' });
        expect(update.audit[0]!.after).toMatchObject({ status: 'rejected', steps: [{ decision: { outcome: 'rejected', by: 'd.okafor@oakfield.sch.uk', reason: REDACTED } }, {}] });
        const stored = JSON.stringify(await store.auditFor('account_request', 'r001'));
        expect(stored).not.toContain('Jo Smith');
        expect(stored).not.toContain('enough to do');
        expect((await store.auditFor('account_request', 'r001')).map((e) => e.action)).toEqual(['request.submitted', 'request.rejected']);
        // The request itself keeps the reason, for the requester.
        expect((await store.getRequest('r001'))!.steps[0]!.decision!.reason).toBe('Rachel has enough to do');
      });
    });

    describe('what a commit writes', () => {
      it('a change to nothing new (after equals before) writes nothing and adds no audit entry', async () => {
        await store.commit([newAccount(account('x:oak')), newSchool(school('oak')), newTask(task('t1'))], actor);
        const acc = (await store.getAccount('x:oak'))!;
        const s = (await store.getSchool('oak'))!;
        const t = (await store.getTask('t1'))!;
        const auditBefore = await allAudit();

        const noop = await store.commit([updated('account', acc, { ...acc }), { kind: 'school', action: 'school.updated', before: s, after: { ...s } }], actor);
        expect(noop).toEqual({ applied: [], audit: [] });
        // Only the version and time bumped: nothing new either.
        const touched = await store.commit([updated('task', t, next(t, {}, '2026-12-03T00:00:00.000Z'))], actor);
        expect(touched).toEqual({ applied: [], audit: [] });

        expect(await store.getAccount('x:oak')).toEqual(acc);
        expect(await store.getTask('t1')).toEqual(t);
        expect(await allAudit()).toEqual(auditBefore);

        // Mixed with a real change, only the real change is applied.
        const real = updated('task', t, next(t, { assignees: ['someone@oakfield.sch.uk'] }));
        const mixed = await store.commit([updated('account', acc, { ...acc }), real], actor);
        expect(mixed.applied).toEqual([real]);
        expect(mixed.audit).toHaveLength(1);
        expect(mixed.audit[0]).toMatchObject({ entityType: 'task', entityId: 't1' });
      });

      it('a bookkeeping-only change writes the record (version-checked) without an audit entry', async () => {
        await store.commit([newAccount(account('x:oak', { nextCheckOn: '2026-12-05' })), newTask(task('t1', { nextActionOn: '2026-12-04' }))], actor);
        const acc = (await store.getAccount('x:oak'))!;
        const t = (await store.getTask('t1'))!;
        const auditBefore = await allAudit();

        const moved = next(acc, { nextCheckOn: '2027-01-05' });
        const movedTask = next(t, { nextActionOn: '2026-12-09' });
        const result = await store.commit([updated('account', acc, moved), updated('task', t, movedTask)], other);

        expect(result.applied).toHaveLength(2);
        expect(result.audit).toEqual([]);
        expect(await store.getAccount('x:oak')).toEqual(moved);
        expect(await store.getTask('t1')).toEqual(movedTask);
        expect(await allAudit()).toEqual(auditBefore);
        expect(await store.dueOnOrBefore('2026-12-31')).toEqual([{ kind: 'task', id: 't1', on: '2026-12-09' }]);

        // Still a write: a stale bookkeeping change conflicts.
        await expectConflict(store.commit([updated('account', acc, next(acc, { nextCheckOn: '2027-02-01' }))], other));
        expect(await store.getAccount('x:oak')).toEqual(moved);
      });

      it('a delivery claim is written alone and version-checked, once, without an audit entry; marking it sent is audited', async () => {
        await store.commit([newTask(task('t1'))], actor);
        const t = (await store.getTask('t1'))!;
        const auditBefore = await allAudit();

        // Claimed: one record, no audit entry, and only one of two claims on the same version wins.
        const claim = next(t, { delivery: { kind: 'created', state: 'sending', claimedAt: '2026-12-02T09:00:01.000Z' } });
        const rival = next(t, { delivery: { kind: 'created', state: 'sending', claimedAt: '2026-12-02T09:00:02.000Z' } });
        const results = await Promise.allSettled([store.commit([updated('task', t, claim, 'task.delivery_claimed')], other), store.commit([updated('task', t, rival, 'task.delivery_claimed')], other)]);
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(ConflictError);
        const held = (await store.getTask('t1'))!;
        expect([claim, rival]).toContainEqual(held);
        expect(await allAudit()).toEqual(auditBefore);

        // Given back with nobody told yet: bookkeeping too. Given back after some were told: audited (who was told).
        const released = next(held, { delivery: { kind: 'created', state: 'pending' } });
        expect((await store.commit([updated('task', held, released, 'task.delivery_failed')], other)).audit).toEqual([]);
        const again = next(released, { delivery: { kind: 'created', state: 'sending', claimedAt: '2026-12-02T09:05:00.000Z' } });
        await store.commit([updated('task', released, again, 'task.delivery_claimed')], other);
        const partly = next(again, { delivery: { kind: 'created', state: 'pending', sentTo: ['it@oakfield.sch.uk'] } });
        clock.advance(1000);
        const partResult = await store.commit([updated('task', again, partly, 'task.delivery_failed')], other);
        expect(partResult.audit.map((e) => e.action)).toEqual(['task.delivery_failed']);
        expect(partResult.audit[0]!.after).toEqual({ delivery: { kind: 'created', state: 'pending', sentTo: ['it@oakfield.sch.uk'] } });

        // Sent: audited, with what the delivery was and became.
        const claimed = next(partly, { delivery: { kind: 'created', state: 'sending', claimedAt: '2026-12-02T09:10:00.000Z', sentTo: ['it@oakfield.sch.uk'] } });
        await store.commit([updated('task', partly, claimed, 'task.delivery_claimed')], other);
        const sent = next(claimed, { delivery: { kind: 'created', state: 'sent', sentAt: '2026-12-02T09:10:01.000Z' } });
        clock.advance(1000);
        const sentResult = await store.commit([updated('task', claimed, sent, 'task.notified')], other);
        expect(sentResult.audit).toHaveLength(1);
        expect(sentResult.audit[0]).toMatchObject({ action: 'task.notified', before: { delivery: claimed.delivery }, after: { delivery: sent.delivery } });
        expect((await store.auditFor('task', 't1')).map((e) => e.action)).toEqual(['task.created', 'task.delivery_failed', 'task.notified']);
      });

      it('several tasks marked in one commit, each with its audit entry: all of them, or none when one changed meanwhile', async () => {
        await store.commit([newTask(task('t1')), newTask(task('t2')), newTask(task('t3'))], actor);
        const [t1, t2, t3] = await store.getTasks(['t1', 't2', 't3']);
        const sent = (t: Task) => updated('task', t, next(t, { delivery: { kind: 'created', state: 'sent', sentAt: T0 } }), 'task.notified');
        // t3 changed by someone else: nothing of the commit is written.
        await store.commit([updated('task', t3!, next(t3!, { assignees: ['someone@oakfield.sch.uk'] }))], other);
        await expectConflict(store.commit([sent(t1!), sent(t2!), sent(t3!)], other));
        expect((await store.getTasks(['t1', 't2'])).map((t) => t.delivery.state)).toEqual(['pending', 'pending']);
        const result = await store.commit([sent(t1!), sent(t2!)], other);
        expect(result.audit.map((e) => `${e.entityId} ${e.action}`)).toEqual(['t1 task.notified', 't2 task.notified']);
        expect((await store.getTasks(['t1', 't2'])).map((t) => t.delivery.state)).toEqual(['sent', 'sent']);
      });

      it('an audit entry records who, from where, what action on which record, when, and only the fields that changed', async () => {
        clock.set('2026-12-02T10:15:30.123Z');
        const a = account('x:oak', { purpose: 'PE news', nextCheckOn: '2026-12-05' });
        const create = await store.commit([newAccount(a)], actor);
        const [createdEntry] = create.audit;
        expect(createdEntry).toMatchObject({ at: '2026-12-02T10:15:30.123Z', by: actor.by, source: actor.source, action: 'account.created', entityType: 'account', entityId: 'x:oak' });
        expect(createdEntry!.before).toBeUndefined();
        expect(createdEntry!.after).toMatchObject({ handle: 'oak', admins: a.admins, linkedEmail: a.linkedEmail, purpose: 'PE news' });
        for (const bookkeeping of ['version', 'updatedAt', 'createdAt', 'nextCheckOn']) expect(createdEntry!.after).not.toHaveProperty(bookkeeping);

        clock.advance(3_600_000);
        const after = next(a, { admins: ['a.one@oakfield.sch.uk', 'a.three@oakfield.sch.uk'], purpose: undefined, publishedName: 'Oakfield PE', nextCheckOn: '2026-12-06' });
        const update = await store.commit([accountChange(a, after, 'account.admin_replaced', TODAY)], other);
        const [entry] = update.audit;
        expect(entry).toEqual({
          id: entry!.id,
          at: '2026-12-02T11:15:30.123Z',
          by: other.by,
          source: other.source,
          action: 'account.admin_replaced',
          entityType: 'account',
          entityId: 'x:oak',
          before: { admins: ['a.one@oakfield.sch.uk', 'a.two@oakfield.sch.uk'], purpose: 'PE news' },
          after: { admins: ['a.one@oakfield.sch.uk', 'a.three@oakfield.sch.uk'], publishedName: 'Oakfield PE' },
        });
        expect(entry!.id).not.toBe(createdEntry!.id);
        expect(await store.auditFor('account', 'x:oak')).toEqual([createdEntry, entry]);
      });

      it('the audit keeps that personal fields of people and tasks changed, not their values', async () => {
        const p = person('hr:p1');
        const t = task('t1');
        const created = await store.commit([newPerson(p), newTask(t)], actor);
        const personEntry = created.audit.find((e) => e.entityType === 'person')!;
        const taskEntry = created.audit.find((e) => e.entityType === 'task')!;
        expect(personEntry.after).toMatchObject({
          primaryEmail: REDACTED, addresses: REDACTED, displayName: REDACTED, employeeId: REDACTED, lineManagerEmail: REDACTED, status: 'active', school: 'oakfield',
        });
        expect(taskEntry.after).toMatchObject({ subjectName: REDACTED, reason: REDACTED, subjectEmail: t.subjectEmail, accountId: t.accountId, type: 'transfer_or_close' });

        const p2 = next(p, { addresses: ['r.hughes@oakfield.sch.uk'], displayName: 'Rachel Smith', directoryManagerEmail: 'mgr@oakfield.sch.uk', status: 'leaving', leaveDate: '2026-12-18' });
        const t2 = next(t, { reason: 'Rachel Smith is leaving.', subjectName: 'Rachel Smith', status: 'done' });
        const update = await store.commit([personChange(p, p2, 'person.leaving'), taskChange(t, t2, 'task.resolved')], actor);
        const personUpdate = update.audit.find((e) => e.entityType === 'person')!;
        expect(personUpdate).toMatchObject({
          entityId: 'hr:p1', action: 'person.leaving',
          before: { addresses: REDACTED, displayName: REDACTED, status: 'active' },
          after: { addresses: REDACTED, displayName: REDACTED, directoryManagerEmail: REDACTED, status: 'leaving', leaveDate: '2026-12-18' },
        });
        expect(Object.keys(personUpdate.before!).sort()).toEqual(['addresses', 'displayName', 'status']);
        expect(update.audit.find((e) => e.entityType === 'task')).toMatchObject({
          before: { reason: REDACTED, subjectName: REDACTED, status: 'open' },
          after: { reason: REDACTED, subjectName: REDACTED, status: 'done' },
        });

        // What was stored, not only what the commit returned, holds no personal value.
        const storedPerson = JSON.stringify(await store.auditFor('person', 'hr:p1'));
        for (const value of ['Rachel', 'r.hughes@', 'rachel.hughes@', 'E1234', 'd.okafor@', 'mgr@']) expect(storedPerson).not.toContain(value);
        expect(storedPerson).toContain('"leaving"');
        const storedTask = JSON.stringify(await store.auditFor('task', 't1'));
        for (const value of ['Rachel Hughes', 'Rachel Smith', 'is leaving']) expect(storedTask).not.toContain(value);
        // The register fields of a task are kept: they are what the audit is for.
        expect(storedTask).toContain(t.subjectEmail);
        expect(storedTask).toContain('d.okafor@oakfield.sch.uk');
      });

      it('auditFor gives one record\'s entries, oldest first', async () => {
        await store.commit([newAccount(account('x:oak')), newAccount(account('x:other'))], actor);
        let acc = (await store.getAccount('x:oak'))!;
        for (const admin of ['b1@x.org', 'b2@x.org', 'b3@x.org']) {
          clock.advance(86_400_000 + 1);
          const after = next(acc, { admins: [admin] });
          await store.commit([updated('account', acc, after)], actor);
          acc = after;
        }
        const entries = await store.auditFor('account', 'x:oak');
        expect(entries.map((e) => e.after?.admins)).toEqual([account('x:oak').admins, ['b1@x.org'], ['b2@x.org'], ['b3@x.org']]);
        expect(entries.map((e) => e.at)).toEqual([...entries.map((e) => e.at)].sort());
        expect(await store.auditFor('account', 'x:other')).toHaveLength(1);
        expect(await store.auditFor('task', 'x:oak')).toEqual([]);
      });

      it('auditSince gives the entries from a date up to a time (the clock, by default), oldest first', async () => {
        const days = ['2026-11-30T23:59:59.000Z', '2026-12-01T08:00:00.000Z', '2026-12-02T12:00:00.000Z', '2026-12-04T17:30:00.000Z'];
        for (const [i, at] of days.entries()) {
          clock.set(at);
          await store.commit([newSchool(school(`s${i}`))], actor);
        }
        const schoolsOf = (entries: AuditEntry[]) => entries.map((e) => e.entityId);

        expect(schoolsOf(await store.auditSince('2026-12-01'))).toEqual(['s1', 's2', 's3']);
        expect((await store.auditSince('2026-12-01')).map((e) => e.at)).toEqual(days.slice(1));
        expect(schoolsOf(await store.auditSince('2026-11-30'))).toEqual(['s0', 's1', 's2', 's3']);
        expect(schoolsOf(await store.auditSince('2026-12-02'))).toEqual(['s2', 's3']);
        expect(schoolsOf(await store.auditSince('2026-12-05'))).toEqual([]);
        expect(schoolsOf(await store.auditSince('2026-12-01', new Date('2026-12-03T09:00:00Z')))).toEqual(['s1', 's2']);
        expect(schoolsOf(await store.auditSince('2026-11-01', new Date('2026-11-30T23:59:59.500Z')))).toEqual(['s0']);

        // Without `until`, up to the clock's day.
        clock.set('2026-12-03T10:00:00.000Z');
        expect(schoolsOf(await store.auditSince('2026-12-01'))).toEqual(['s1', 's2']);
        expect(await store.auditSince('2026-12-01')).toEqual((await store.auditSince('2026-12-01', new Date('2026-12-03T10:00:00.000Z'))));
      });

      it('a directory_state change is kept whole, without an audit entry', async () => {
        const first = await store.commit([{ kind: 'directory_state', after: { deltaLink: 'https://graph.example/delta?1', lastSyncAt: T0, subscriptionId: 'sub-1', subscriptionExpiresAt: '2026-12-05T00:00:00.000Z' } }], other);
        expect(first.applied).toHaveLength(1);
        expect(first.audit).toEqual([]);
        expect(await store.getDirectoryState()).toEqual({ deltaLink: 'https://graph.example/delta?1', lastSyncAt: T0, subscriptionId: 'sub-1', subscriptionExpiresAt: '2026-12-05T00:00:00.000Z' });

        await store.commit([{ kind: 'directory_state', after: { deltaLink: 'https://graph.example/delta?2', lastSyncAt: '2026-12-02T10:00:00.000Z' } }], other);
        expect(await store.getDirectoryState()).toEqual({ deltaLink: 'https://graph.example/delta?2', lastSyncAt: '2026-12-02T10:00:00.000Z' });
        expect(await allAudit()).toEqual([]);
      });

      it('an empty commit writes nothing', async () => {
        expect(await store.commit([], actor)).toEqual({ applied: [], audit: [] });
        expect(await allAudit()).toEqual([]);
      });
    });
  });
}
