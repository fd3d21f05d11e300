/**
 * The dry-run store over a seeded in-memory store: it reads through to the real store, answers from its own commits
 * afterwards (so a use case sees what it did), checks its commits against the real store's truth, records them,
 * and never writes to the real store.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { DryRunStore } from '../../functions/adapters/dry-run-store.ts';
import { MemoryStore } from '../../functions/adapters/memory-store.ts';
import type { Change } from '../../functions/domain/changes.ts';
import type { Account, Actor } from '../../functions/domain/model.ts';
import { ConflictError, type Store } from '../../functions/usecases/ports.ts';
import { account, Clock, person, policy, school, task } from './store-contract.ts';

const actor: Actor = { by: 'it@oakfield.sch.uk', source: 'dry-run-test' };
const LEAVER = 'leaver@oakfield.sch.uk';

/** Everything a store holds that the port can read. */
async function snapshot(store: Store) {
  return {
    schools: await store.listSchools(),
    accounts: await store.listAccounts(),
    tasks: await store.listTasks(),
    people: await store.listPeople(),
    policies: await store.listPolicies(),
    due: await store.dueOnOrBefore('2099-12-31'),
    links: await store.linksForEmails(['office@oakfield.sch.uk', 'a.one@oakfield.sch.uk', 'a.two@oakfield.sch.uk', 'k.williams@oakfield.sch.uk']),
    subjects: await store.tasksForSubjects([LEAVER]),
    person: await store.findPerson(['r.hughes@oakfield.sch.uk']),
    directory: await store.getDirectoryState(),
    nonces: await Promise.all(['used-nonce', 'new-nonce'].map((n) => store.isLinkUsed(n))),
    audit: await store.auditSince('2026-11-01'),
  };
}

describe('DryRunStore over a seeded MemoryStore', () => {
  let clock: Clock;
  let real: MemoryStore;
  let dry: DryRunStore;
  let realCommits: number;

  beforeEach(async () => {
    clock = new Clock();
    real = new MemoryStore(clock.now);
    real.seed({
      schools: [school('oakfield')],
      accounts: [account('x:oak', { nextCheckOn: '2026-12-05' }), account('x:other', { school: 'riverside', linkedEmail: 'office@riverside.sch.uk', admins: ['r.one@riverside.sch.uk', 'r.two@riverside.sch.uk'] })],
      tasks: [task('t1', { subjectEmail: LEAVER, nextActionOn: '2026-12-04' })],
      people: [person('hr:p1')],
      policies: [policy('p1', { nextCheckOn: '2026-12-06' })],
    });
    await real.commit([
      { kind: 'link_used', nonce: 'used-nonce', taskId: 't1', expiresAt: 1_900_000_000, at: '2026-12-01T09:00:00.000Z' },
      { kind: 'directory_state', after: { deltaLink: 'https://graph.example/delta?real' } },
    ], actor);
    const acc = (await real.getAccount('x:other'))!;
    await real.commit([{ kind: 'account', action: 'account.updated', before: acc, after: { ...acc, purpose: 'news', version: 2 } }], actor);
    realCommits = real.commits.length;
    dry = new DryRunStore(real, clock.now);
  });

  it('reads through to the real store', async () => {
    expect(await snapshot(dry)).toEqual(await snapshot(real));
    expect(await dry.getAccount('x:oak')).toEqual(await real.getAccount('x:oak'));
    expect(await dry.getAccounts(['x:other', 'x:none', 'x:oak'])).toEqual(await real.getAccounts(['x:other', 'x:oak']));
    expect(await dry.getTask('t1')).toEqual(await real.getTask('t1'));
    expect(await dry.getPerson('hr:p1')).toEqual(person('hr:p1'));
    expect(await dry.getPolicy('p1')).toEqual(await real.getPolicy('p1'));
    expect(await dry.getSchool('oakfield')).toEqual(school('oakfield'));
    expect(await dry.listAccounts({ school: 'riverside' })).toEqual(await real.listAccounts({ school: 'riverside' }));
    expect(await dry.dueOnOrBefore('2026-12-05', 1)).toEqual([{ kind: 'task', id: 't1', on: '2026-12-04' }]);
    expect((await dry.auditFor('account', 'x:other')).map((e) => e.action)).toEqual(['account.updated']);
    expect(dry.commits).toEqual([]);
  });

  it('sees its own commits, records them, and never changes the real store', async () => {
    const before = await snapshot(real);
    clock.advance(60_000);

    // A use case reads, then changes: a new task, an administrator removed, a link used, a person merged away.
    const acc = (await dry.getAccount('x:oak'))!;
    const removed: Account = { ...acc, admins: ['a.one@oakfield.sch.uk'], removedAdmins: [{ email: 'a.two@oakfield.sch.uk', removedOn: '2026-12-02' }], nextCheckOn: '2026-12-20', version: 2 };
    const t2 = task('t2', { subjectEmail: LEAVER, nextActionOn: '2026-12-03' });
    const p1 = (await dry.findPerson(['r.hughes@oakfield.sch.uk']))!;
    const changes: Change[] = [
      { kind: 'task', action: 'task.created', after: t2 },
      { kind: 'account', action: 'account.admin_removed', before: acc, after: removed },
      { kind: 'link_used', nonce: 'new-nonce', taskId: 't1', expiresAt: 1_900_000_000, at: '2026-12-02T09:00:00.000Z' },
      { kind: 'person_removed', action: 'person.merged', before: p1 },
      { kind: 'directory_state', after: { deltaLink: 'https://graph.example/delta?dry' } },
    ];
    const result = await dry.commit(changes, actor);
    expect(result.applied).toHaveLength(5);

    // The dry run sees what it did ...
    expect((await dry.tasksForSubjects([LEAVER])).map((t) => t.id).sort()).toEqual(['t1', 't2']);
    expect(await dry.getTask('t2')).toEqual(t2);
    expect(await dry.dueOnOrBefore('2026-12-10')).toEqual([
      { kind: 'task', id: 't2', on: '2026-12-03' },
      { kind: 'task', id: 't1', on: '2026-12-04' },
      { kind: 'policy', id: 'p1', on: '2026-12-06' },
    ]);
    expect(await dry.linksForEmails(['a.two@oakfield.sch.uk'])).toEqual([{ accountId: 'x:oak', role: 'removed_admin', email: 'a.two@oakfield.sch.uk' }]);
    expect(await dry.getAccount('x:oak')).toEqual(removed);
    expect(await dry.isLinkUsed('new-nonce')).toBe(true);
    expect(await dry.isLinkUsed('used-nonce')).toBe(true);
    expect(await dry.findPerson(['r.hughes@oakfield.sch.uk'])).toBeUndefined();
    expect(await dry.getPerson('hr:p1')).toBeUndefined();
    expect(await dry.listPeople()).toEqual([]);
    expect(await dry.getDirectoryState()).toEqual({ deltaLink: 'https://graph.example/delta?dry' });
    expect((await dry.auditFor('account', 'x:oak')).map((e) => e.action)).toEqual(['account.admin_removed']);
    const audit = await dry.auditSince('2026-11-01');
    expect(audit[0]).toMatchObject({ action: 'account.updated', entityId: 'x:other' });
    expect(audit.slice(1).map((e) => e.id).sort()).toEqual(result.audit.map((e) => e.id).sort());

    // ... records it ...
    expect(dry.commits).toHaveLength(1);
    expect(dry.commits[0]).toEqual({ applied: changes, audit: result.audit, actor });
    expect(result.audit.map((e) => `${e.entityType}:${e.entityId}`).sort()).toEqual(['account:x:oak', 'person:hr:p1', 'task:t2']);

    // ... and the real store is as it was.
    expect(await snapshot(real)).toEqual(before);
    expect(await real.linksForEmails(['a.two@oakfield.sch.uk'])).toEqual([{ accountId: 'x:oak', role: 'admin', email: 'a.two@oakfield.sch.uk' }]);
    expect(await real.getTask('t2')).toBeUndefined();
    expect(await real.isLinkUsed('new-nonce')).toBe(false);
    expect(real.commits).toHaveLength(realCommits);
  });

  it('checks its commits against the real store: a newer version there is a conflict', async () => {
    // Read from the real store before another writer changed it there; the dry run has not read it yet.
    const stale = (await real.getAccount('x:oak'))!;
    const newer = { ...stale, admins: ['a.one@oakfield.sch.uk', 'a.three@oakfield.sch.uk'], version: 2 };
    await real.commit([{ kind: 'account', action: 'account.updated', before: stale, after: newer }], { by: 'someone@oakfield.sch.uk', source: 'cli' });
    const afterOther = await snapshot(real);

    await expect(dry.commit([{ kind: 'account', action: 'account.updated', before: stale, after: { ...stale, mainSupervisor: 'x@oakfield.sch.uk', version: 2 } }], actor))
      .rejects.toBeInstanceOf(ConflictError);
    // Creating what the real store already holds, or using a link it has seen used, conflicts too.
    await expect(dry.commit([{ kind: 'task', action: 'task.created', after: task('t1', { reason: 'again' }) }], actor)).rejects.toBeInstanceOf(ConflictError);
    await expect(dry.commit([{ kind: 'policy', action: 'policy.created', after: policy('p1') }], actor)).rejects.toBeInstanceOf(ConflictError);
    await expect(dry.commit([{ kind: 'account', action: 'account.created', after: account('x:other') }], actor)).rejects.toBeInstanceOf(ConflictError);
    await expect(dry.commit([{ kind: 'person', action: 'person.created', after: person('hr:p1') }], actor)).rejects.toBeInstanceOf(ConflictError);
    await expect(dry.commit([{ kind: 'link_used', nonce: 'used-nonce', taskId: 't1', expiresAt: 1_900_000_000, at: '2026-12-02T09:00:00.000Z' }], actor))
      .rejects.toBeInstanceOf(ConflictError);
    expect(dry.commits).toEqual([]);
    expect(await dry.getAccount('x:oak')).toEqual(newer);

    // From a fresh read, the change goes through (here, not there).
    const fresh = (await dry.getAccount('x:oak'))!;
    await dry.commit([{ kind: 'account', action: 'account.updated', before: fresh, after: { ...fresh, mainSupervisor: 'x@oakfield.sch.uk', version: 3 } }], actor);
    expect((await dry.getAccount('x:oak'))!.mainSupervisor).toBe('x@oakfield.sch.uk');
    expect(dry.commits).toHaveLength(1);
    expect(await snapshot(real)).toEqual(afterOther);
  });

  it('checks a change it has not read itself against the real store\'s current version, which lets it through', async () => {
    const current = (await real.getTask('t1'))!;
    const done = { ...current, status: 'done' as const, version: 2 };
    const result = await dry.commit([{ kind: 'task', action: 'task.resolved', before: current, after: done }], actor);
    expect(result.applied).toHaveLength(1);
    expect(await dry.getTask('t1')).toEqual(done);
    expect(await dry.dueOnOrBefore('2026-12-31')).toEqual([{ kind: 'account', id: 'x:oak', on: '2026-12-05' }, { kind: 'policy', id: 'p1', on: '2026-12-06' }]);
    expect(await real.getTask('t1')).toEqual(current);
  });

  it('records only the commits that wrote something, in order', async () => {
    const acc = (await dry.getAccount('x:oak'))!;
    await dry.commit([{ kind: 'account', action: 'account.updated', before: acc, after: { ...acc } }], actor);
    expect(dry.commits).toEqual([]);
    const s = school('hillcrest');
    await dry.commit([{ kind: 'school', action: 'school.created', after: s }], actor);
    await dry.commit([{ kind: 'account', action: 'account.updated', before: acc, after: { ...acc, purpose: 'PE', version: 2 } }], { by: 'other@oakfield.sch.uk', source: 'cli' });
    expect(dry.commits.map((c) => [c.actor.by, c.applied.map((a) => a.kind)])).toEqual([
      ['it@oakfield.sch.uk', ['school']],
      ['other@oakfield.sch.uk', ['account']],
    ]);
    expect((await dry.listSchools()).map((x) => x.id)).toEqual(['hillcrest', 'oakfield']);
    expect(await real.getSchool('hillcrest')).toBeUndefined();
  });
});
