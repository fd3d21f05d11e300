/**
 * A dry run is the real thing: the same use case on a store that keeps its changes. Over a leaver who is a linked
 * email, an administrator (one account then short of two) and a supervisor, a replay, a stale cancellation and a
 * cancellation, each event's dry run commits exactly what the real run then commits, and emails the same people
 * about the same things; and the real store is untouched by the dry run.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { dryRunDeps } from '../../functions/adapters/dry-run.ts';
import type { HrEvent } from '../../events/schemas.ts';
import { processHrEvent } from '../../functions/usecases/hr-events.ts';
import type { EventMeta } from '../../functions/usecases/leavers.ts';
import type { CommitResult } from '../../functions/usecases/ports.ts';
import { importRegister } from '../../functions/usecases/register.ts';
import { DryRunStore } from '../../functions/adapters/dry-run-store.ts';
import { plannedChanges } from '../../cli/dry-run.ts';
import { harness, seedSampleRegister, type Harness } from './support.ts';

const LEAVER = 'r.hughes@oakfield.sch.uk';
const leaver: HrEvent = { detailType: 'Staff Leaver', detail: { email: LEAVER, leaveDate: '2027-01-29', displayName: 'Rachel Hughes', lineManagerEmail: 'd.okafor@oakfield.sch.uk' } };
const cancellation: HrEvent = { detailType: 'Staff Leaver Cancelled', detail: { email: LEAVER } };

/** What a commit wrote, without the audit entries' random ids. */
function comparable(commits: ReadonlyArray<CommitResult>) {
  return commits.map((c) => ({ applied: c.applied, audit: c.audit.map(({ id: _id, ...e }) => e) }));
}

async function snapshot(h: Harness) {
  return JSON.stringify({
    accounts: await h.store.listAccounts(), tasks: await h.store.listTasks(), people: await h.store.listPeople(), audit: (await h.store.auditSince('2026-01-01')).length,
  });
}

/** Runs the event as a dry run, then for real, and returns both sides' commits and emails. */
async function dryThenReal(h: Harness, event: HrEvent, meta: EventMeta) {
  const before = { store: await snapshot(h), emails: h.mailer.sent.length, events: h.publisher.events.length };
  const dry = dryRunDeps(h.deps);
  await processHrEvent(dry, event, meta);
  expect({ store: await snapshot(h), emails: h.mailer.sent.length, events: h.publisher.events.length }, 'the dry run wrote, sent or published').toEqual(before);
  const realFrom = { commits: h.store.commits.length, emails: h.mailer.sent.length, events: h.publisher.events.length };
  await processHrEvent(h.deps, event, meta);
  return {
    dry: { commits: dry.store.commits, emails: dry.mailer.sent, events: dry.publisher.events },
    real: { commits: h.store.commits.slice(realFrom.commits), emails: h.mailer.sent.slice(realFrom.emails), events: h.publisher.events.slice(realFrom.events) },
  };
}

describe('dry runs of HR events', () => {
  let h: Harness;
  beforeEach(async () => {
    h = harness('2026-12-02T09:00:00Z');
    await seedSampleRegister(h);
  });

  it('commit, email and publish exactly what the real run then does, event after event', async () => {
    const t1 = '2026-12-02T09:00:00.000Z';
    const steps: Array<[string, HrEvent, EventMeta]> = [
      ['leaver', leaver, { id: 'evt-leaver', time: t1, origin: 'hr' }],
      ['replay', leaver, { id: 'evt-leaver', time: t1, origin: 'hr' }],
      ['stale cancellation', cancellation, { id: 'evt-stale', time: '2026-12-01T09:00:00.000Z', origin: 'hr' }],
      ['cancellation', cancellation, { id: 'evt-cancel', time: '2026-12-02T10:00:00.000Z', origin: 'hr' }],
    ];
    const counts: Record<string, number> = {};
    for (const [name, event, meta] of steps) {
      const { dry, real } = await dryThenReal(h, event, meta);
      expect(comparable(dry.commits), name).toEqual(comparable(real.commits));
      expect(dry.emails.map((e) => ({ to: e.to, subject: e.subject })), name).toEqual(real.emails.map((e) => ({ to: e.to, subject: e.subject })));
      expect(dry.events.map((e) => e.detailType), name).toEqual(real.events.map((e) => e.detailType));
      counts[name] = real.commits.length;
    }
    // The scenario does what it says: the leaver changes things, the replay and the stale cancellation nothing, the
    // cancellation undoes it.
    expect(counts.leaver).toBeGreaterThan(5);
    expect(counts.replay).toBe(0);
    expect(counts['stale cancellation']).toBe(0);
    expect(counts.cancellation).toBeGreaterThan(3);
    const tasks = await h.store.tasksForSubjects([LEAVER]);
    expect(tasks.map((t) => `${t.type}:${t.status}`).sort()).toEqual([
      'replace_admin:cancelled', 'replace_supervisor:cancelled', 'transfer_or_close:cancelled', 'transfer_or_close:cancelled',
    ]);
    expect((await h.store.getAccount('x:oakfieldsport'))!.admins).toContain(LEAVER);
  });

  it('print as changes: a created task with its id, type and account, and the accounts with their after-state', async () => {
    const dry = dryRunDeps(h.deps);
    await processHrEvent(dry, leaver, { id: 'evt-1', time: '2026-12-02T09:00:00.000Z', origin: 'hr' });
    const planned = plannedChanges(dry.store.commits);
    const created = planned.filter((c) => c.kind === 'task' && c.action === 'task.created').map((c) => c.after as { type: string; accountId: string });
    expect(created.map((t) => `${t.type} ${t.accountId}`).sort()).toEqual([
      'replace_admin x:oakfieldsport', 'replace_supervisor blog:oakfield-library', 'transfer_or_close instagram:oakfield_pe', 'transfer_or_close youtube:oakfieldmusic',
    ]);
    const pe = planned.find((c) => c.kind === 'account' && c.id === 'instagram:oakfield_pe')!;
    expect((pe.after as { status: string }).status).toBe('transfer_pending');
    expect(pe.audited).toBe(true);
  });
});

describe('dry runs of a register import', () => {
  it('commit exactly the account changes the real import then writes, and write nothing themselves', async () => {
    const h = harness('2026-12-02T09:00:00Z');
    await seedSampleRegister(h);
    const csv = `platform,handle,school,linked_email,admins,main_supervisor
instagram,oakfield_pe,oakfield,m.clarke@oakfield.sch.uk,m.clarke@oakfield.sch.uk;t.evans@oakfield.sch.uk,m.clarke@oakfield.sch.uk
instagram,oakfield_drama,oakfield,drama@oakfield.sch.uk,a.begum@oakfield.sch.uk,a.begum@oakfield.sch.uk
`;
    const actor = { by: 'it@oakfield.sch.uk', source: 'csv:update.csv' };
    const before = await snapshot(h);
    const dry = new DryRunStore(h.store, h.clock.now);
    const preview = await importRegister(dry, csv, { actor, now: h.clock.now() });
    expect(await snapshot(h)).toBe(before);
    const from = h.store.commits.length;
    const result = await importRegister(h.store, csv, { actor, now: h.clock.now() });
    expect(preview).toEqual(result);
    expect(comparable(dry.commits)).toEqual(comparable(h.store.commits.slice(from)));
    expect(plannedChanges(dry.commits).map((c) => `${c.action} ${c.id}`)).toEqual(['account.updated instagram:oakfield_pe', 'account.created instagram:oakfield_drama']);
  });
});
