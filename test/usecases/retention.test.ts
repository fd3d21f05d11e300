/**
 * Retention of a leaver's personal data in their tasks and in the audit (README "Data and retention"), through the
 * real use cases on the in-memory store: once their retention period starts, their closed tasks keep the register's
 * history (which account, what was decided, by whom, when) but not their name or anyone's free text, and the audit
 * never held either.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { REDACTED } from '../../functions/domain/audit.ts';
import { taskChange } from '../../functions/domain/changes.ts';
import { REASON_NOT_KEPT } from '../../functions/domain/retention.ts';
import type { Task } from '../../functions/domain/tasks.ts';
import { processLeaver, refreshPersonExpiry, type LeaverInput } from '../../functions/usecases/leavers.ts';
import { resolveTask, type Decision } from '../../functions/usecases/resolve.ts';
import { harness, hrEvent, seedSampleRegister, type Harness } from './support.ts';

const LEAVER = 'r.hughes@oakfield.sch.uk';
const NAME = 'Rachel Hughes';
const MANAGER = 'd.okafor@oakfield.sch.uk';
const IT = 'it@oakfield.sch.uk';
const KEEP_REASON = 'Her husband Tom Hughes runs it for the music department now';

let h: Harness;
beforeEach(async () => {
  h = harness(); // Wednesday 2 December 2026, 09:00
  await seedSampleRegister(h);
  // She left last Friday: her record's retention period starts as soon as none of her tasks is open.
  await processLeaver(h.deps, rachel(), hrEvent(h));
});

const rachel = (over: Partial<LeaverInput> = {}): LeaverInput => ({
  email: LEAVER, leaveDate: '2026-11-27', displayName: NAME, lineManagerEmail: MANAGER, school: 'oakfield', ...over,
});
const tasks = () => h.store.tasksForSubjects([LEAVER]);
const taskOn = async (accountId: string) => (await tasks()).find((t) => t.accountId === accountId)!;
const resolve = (task: Task, decision: Decision, by = MANAGER) => resolveTask(h.deps, { taskId: task.id, decision, actor: { by, source: `email-action:${task.id}` } });
const allAudit = () => h.store.auditSince('2026-01-01');
const expiryOf = async () => (await h.store.findPerson([LEAVER]))!.personalDataExpiresAt;

/** Resolves three of her four tasks, leaving x:oakfieldsport's replace_admin task open. */
async function resolveAllButOne(): Promise<void> {
  await resolve(await taskOn('instagram:oakfield_pe'), { action: 'transfer', to: 's.ahmed@oakfield.sch.uk' });
  await resolve(await taskOn('youtube:oakfieldmusic'), { action: 'keep', reason: KEEP_REASON }, IT);
  await resolve(await taskOn('blog:oakfield-library'), { action: 'close' }, IT);
}

describe('a leaver\'s closed tasks, once her retention period starts', () => {
  it('keep their name and reasons while any of her tasks is open', async () => {
    await resolveAllButOne();
    expect(await expiryOf()).toBeUndefined();
    for (const t of await tasks()) expect(t.subjectName).toBe(NAME);
    expect((await taskOn('youtube:oakfieldmusic')).resolution).toMatchObject({ action: 'keep', reason: KEEP_REASON });
  });

  it('lose her name and the free text people wrote, and keep which account, what was decided, by whom and when', async () => {
    await resolveAllButOne();
    const before = await tasks();
    await resolve(await taskOn('x:oakfieldsport'), { action: 'transfer', to: 'j.patel@oakfield.sch.uk' });

    expect(await expiryOf()).toBeDefined();
    const after = await tasks();
    expect(after.map((t) => t.id).sort()).toEqual(before.map((t) => t.id).sort());
    for (const t of after) {
      expect(t).not.toHaveProperty('subjectName');
      expect(t.reason).not.toContain('Rachel');
      expect(t.reason).toContain(LEAVER);
      expect(t.status).toBe('done');
      expect(t.resolution?.by).toMatch(/@oakfield\.sch\.uk$/);
    }
    expect((await taskOn('instagram:oakfield_pe')).reason).toBe(`Instagram @oakfield_pe is registered to ${LEAVER}'s email address, and ${LEAVER} is leaving`);
    expect((await taskOn('youtube:oakfieldmusic')).resolution).toMatchObject({ action: 'keep', reason: REASON_NOT_KEPT, by: IT });
    expect((await taskOn('instagram:oakfield_pe')).resolution).toMatchObject({ action: 'transfer', to: 's.ahmed@oakfield.sch.uk', by: MANAGER });
    expect((await taskOn('blog:oakfield-library')).resolution).toMatchObject({ action: 'close', by: IT, closedOn: '2026-12-02' });
    // `custodian tasks list` still lists them, with everything it shows.
    const listed = (await h.store.listTasks('done')).filter((t) => t.subjectEmail === LEAVER);
    expect(listed).toHaveLength(4);
    for (const t of listed) {
      const was = before.find((b) => b.id === t.id)!;
      expect({ ...t, updatedAt: 0, version: 0, reason: 0, resolution: 0 }).toMatchObject({ id: was.id, type: was.type, accountId: was.accountId, platform: was.platform, handle: was.handle, dueDate: was.dueDate, assignees: was.assignees });
    }
  });

  it('are reduced as audited changes by system:retention, and the audit holds neither her name nor the free text', async () => {
    await resolveAllButOne();
    await resolve(await taskOn('x:oakfieldsport'), { action: 'transfer', to: 'j.patel@oakfield.sch.uk' });

    for (const t of await tasks()) {
      const entries = await h.store.auditFor('task', t.id);
      // (The test clock stands still, so entries of one instant are in no particular order.)
      const last = entries.find((e) => e.action === 'task.personal_data_reduced')!;
      expect(last).toMatchObject({ action: 'task.personal_data_reduced', by: 'system:retention', source: 'retention', before: { subjectName: REDACTED, reason: REDACTED } });
      expect(last.after ?? {}).not.toHaveProperty('subjectName');
      // Who acted on the task is still in its history.
      expect(entries.find((e) => e.action === 'task.resolved')).toMatchObject({ by: expect.stringMatching(/@oakfield\.sch\.uk$/), after: { status: 'done' } });
    }
    const keep = (await h.store.auditFor('task', (await taskOn('youtube:oakfieldmusic')).id)).find((e) => e.action === 'task.resolved')!;
    expect(keep).toMatchObject({ by: IT, after: { resolution: { action: 'keep', reason: REDACTED, by: IT } } });

    const audit = JSON.stringify(await allAudit());
    for (const text of [NAME, 'Rachel', 'husband', 'music department now']) expect(audit).not.toContain(text);
    // What changed on the register, and who changed it, is all there.
    expect((await h.store.auditFor('account', 'instagram:oakfield_pe')).find((e) => e.action === 'account.transferred'))
      .toMatchObject({ by: MANAGER, before: { linkedEmail: LEAVER }, after: { linkedEmail: 's.ahmed@oakfield.sch.uk' } });
  });

  it('a second run changes nothing', async () => {
    await resolveAllButOne();
    await resolve(await taskOn('x:oakfieldsport'), { action: 'close' }, IT);
    const audit = await allAudit();
    const stored = await tasks();
    h.clock.advance(3_600_000);
    await refreshPersonExpiry(h.deps, LEAVER);
    expect(await allAudit()).toEqual(audit);
    expect(await tasks()).toEqual(stored);
  });

  it('a task closed some other way (made moot) is reduced too, keeping Custodian\'s own reason', async () => {
    await resolveAllButOne();
    const t = await taskOn('x:oakfieldsport');
    await h.store.commit([taskChange(t, { ...t, status: 'cancelled', resolution: { action: 'cancelled', reason: `${NAME}'s account was closed`, by: IT, at: h.clock.now().toISOString() }, version: t.version + 1 }, 'task.cancelled')], { by: IT, source: 'test' });
    await refreshPersonExpiry(h.deps, LEAVER);
    expect(await taskOn('x:oakfieldsport')).toMatchObject({ status: 'cancelled', resolution: { action: 'cancelled', reason: `${LEAVER}'s account was closed` } });
    expect(await taskOn('x:oakfieldsport')).not.toHaveProperty('subjectName');
  });

  it('a reduced task re-opened by a newer leaver report has her name again, and her retention stops', async () => {
    await resolveAllButOne();
    const t = await taskOn('x:oakfieldsport');
    await h.store.commit([taskChange(t, { ...t, status: 'cancelled', resolution: { action: 'cancelled', reason: 'the account was closed', by: IT, at: h.clock.now().toISOString() }, version: t.version + 1 }, 'task.cancelled')], { by: IT, source: 'test' });
    await refreshPersonExpiry(h.deps, LEAVER);
    expect(await expiryOf()).toBeDefined();

    h.clock.advance(3_600_000);
    await processLeaver(h.deps, rachel(), hrEvent(h));
    const reopened = await taskOn('x:oakfieldsport');
    expect(reopened).toMatchObject({ status: 'open', subjectName: NAME });
    expect(reopened.reason).toContain(NAME);
    expect(await expiryOf()).toBeUndefined();
    // The tasks already done stay as they were reduced.
    expect(await taskOn('youtube:oakfieldmusic')).not.toHaveProperty('subjectName');
  });

  it('starts for another leaver whose last task a closure made moot, and reduces that task', async () => {
    const SAM = 's.okafor@oakfield.sch.uk';
    await processLeaver(h.deps, { email: SAM, leaveDate: '2026-11-27', displayName: 'Sam Okafor', school: 'oakfield' }, hrEvent(h));
    const samTasks = await h.store.tasksForSubjects([SAM]);
    const samTask = samTasks.find((t) => t.accountId === 'x:oakfieldsport');
    expect(samTask).toMatchObject({ type: 'replace_admin', subjectName: 'Sam Okafor', status: 'open' });
    // Her other tasks (Oakfield Art's) are done; this one is her last.
    for (const t of samTasks.filter((x) => x !== samTask)) await resolve(t, { action: 'transfer', to: 'j.patel@oakfield.sch.uk' }, IT);
    expect((await h.store.findPerson([SAM]))!.personalDataExpiresAt).toBeUndefined();

    await resolve(await taskOn('x:oakfieldsport'), { action: 'close' }, IT);

    expect((await h.store.findPerson([SAM]))!.personalDataExpiresAt).toBeDefined();
    const moot = (await h.store.getTask(samTask!.id))!;
    expect(moot).toMatchObject({ status: 'cancelled', resolution: { action: 'cancelled', reason: 'the account was closed', by: IT } });
    expect(moot).not.toHaveProperty('subjectName');
    expect(moot.reason).not.toContain('Sam');
    for (const t of await h.store.tasksForSubjects([SAM])) expect(t).not.toHaveProperty('subjectName');
  });
});
