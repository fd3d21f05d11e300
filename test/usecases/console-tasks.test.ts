/**
 * Tasks in the console: the list (the rows of `tasks list --json` the viewer may see), one task with what the viewer
 * may decide, and deciding it as the signed-in person through resolveTask, as the emailed action page does.
 */
import { describe, expect, it } from 'vitest';
import { decideTask, Forbidden, taskFor, taskRow, tasksFor } from '../../functions/usecases/console/index.ts';
import { ResolveError } from '../../functions/usecases/resolve.ts';
import { givenWorld, LEAVER, OAK_PE, PEOPLE, taskOf, viewer, writesNothing } from './console-support.ts';
import type { Harness } from './support.ts';

const peTask = (h: Harness) => taskOf(h, (t) => t.accountId === OAK_PE);
const ackTask = (h: Harness) => taskOf(h, (t) => t.type === 'acknowledge_policy');

describe('the task list', () => {
  it('gives each person the rows of tasks list --json they may see', async () => {
    const h = await givenWorld();
    const all = (await h.store.listTasks()).map(taskRow);
    expect(await tasksFor(h.deps, await viewer(h, PEOPLE.adminByRole))).toEqual(all);
    expect(await tasksFor(h.deps, await viewer(h, PEOPLE.itOakfield))).toEqual(all.filter((t) => t.subjectEmail === LEAVER || t.type === 'acknowledge_policy'));
    expect(await tasksFor(h.deps, await viewer(h, PEOPLE.lineManager))).toEqual(all.filter((t) => t.subjectEmail === LEAVER));
    expect(await tasksFor(h.deps, await viewer(h, PEOPLE.joiner))).toEqual(all.filter((t) => t.type === 'acknowledge_policy'));
    expect(await tasksFor(h.deps, await viewer(h, PEOPLE.linked))).toEqual([]);
    expect(await tasksFor(h.deps, await viewer(h, PEOPLE.itOakfield), { status: 'done' })).toEqual([]);
  });
});

describe('one task', () => {
  it('shows the task, its account as the register lists it, and the decisions open to the viewer', async () => {
    const h = await givenWorld();
    const task = await peTask(h);
    const view = await taskFor(h.deps, await viewer(h, PEOPLE.lineManager), task.id);
    expect(view).toMatchObject({ task: { id: task.id, reason: task.reason }, account: { id: OAK_PE, findings: [] }, actions: ['transfer', 'close', 'keep'] });
    const ack = await ackTask(h);
    expect((await taskFor(h.deps, await viewer(h, PEOPLE.itOakfield), ack.id)).actions).toEqual([]); // sees it, but it is the joiner's to do
    expect((await taskFor(h.deps, await viewer(h, PEOPLE.joiner), ack.id)).actions).toEqual(['acknowledge']);
  });

  it('offers nothing once the task is decided', async () => {
    const h = await givenWorld();
    const task = await peTask(h);
    const it = await viewer(h, PEOPLE.itOakfield);
    await decideTask(h.deps, it, task.id, { action: 'close' });
    expect(await taskFor(h.deps, it, task.id)).toMatchObject({ task: { status: 'done' }, actions: [] });
    expect(await tasksFor(h.deps, it, { status: 'done' })).toEqual([expect.objectContaining({ id: task.id, resolution: expect.objectContaining({ action: 'close', by: PEOPLE.itOakfield }) })]);
  });
});

describe('deciding a task', () => {
  it('transfers as the signed-in person (by their +tag address too), audited as theirs from the console', async () => {
    const h = await givenWorld();
    const task = await peTask(h);
    const manager = await viewer(h, 'D.Okafor+console@oakfield.sch.uk');
    const done = await decideTask(h.deps, manager, task.id, { action: 'transfer', to: 'm.clarke@oakfield.sch.uk' });
    expect(done.resolution).toMatchObject({ action: 'transfer', to: 'm.clarke@oakfield.sch.uk', by: 'd.okafor+console@oakfield.sch.uk' });
    expect(await h.store.getAccount(OAK_PE)).toMatchObject({ linkedEmail: 'm.clarke@oakfield.sch.uk', status: 'active' });
    expect(h.store.commits.map((c) => c.actor)).toEqual([{ by: 'd.okafor+console@oakfield.sch.uk', source: 'console' }]);
    expect(h.publisher.events).toEqual([expect.objectContaining({ detailType: 'Task Resolved' })]);
  });

  it('refuses a decision the action page would refuse, with its reason, writing nothing', async () => {
    const h = await givenWorld();
    const task = await peTask(h);
    const it = await viewer(h, PEOPLE.itOakfield);
    const err = await writesNothing(h, () => decideTask(h.deps, it, task.id, { action: 'transfer', to: 'rachel@gmail.com' }).catch((e: unknown) => e));
    expect(err).toBeInstanceOf(ResolveError);
    expect((err as Error).message).toContain('not on a trust domain');
  });

  it('does not let the leaver decide what happens to their own accounts, even as a trust administrator', async () => {
    const h = await givenWorld();
    const task = await peTask(h);
    const rachel = await viewer(h, LEAVER, { roles: ['Custodian.Admin'] });
    expect((await taskFor(h.deps, rachel, task.id)).actions).toEqual([]);
    await expect(writesNothing(h, () => decideTask(h.deps, rachel, task.id, { action: 'keep', reason: 'I will keep running it' }))).rejects.toBeInstanceOf(Forbidden);
  });

  it('lets only the joiner acknowledge the policy, whatever the role of whoever else tries', async () => {
    const h = await givenWorld();
    const ack = await ackTask(h);
    for (const who of [PEOPLE.adminByRole, PEOPLE.itOakfield, PEOPLE.lineManager]) {
      await expect(writesNothing(h, async () => decideTask(h.deps, await viewer(h, who), ack.id, { action: 'acknowledge' }))).rejects.toBeInstanceOf(Forbidden);
    }
    await expect(decideTask(h.deps, await viewer(h, PEOPLE.itOakfield), ack.id, { action: 'acknowledge' })).rejects.toThrow('only the person asked may acknowledge the policy');
    expect(await decideTask(h.deps, await viewer(h, PEOPLE.joiner), ack.id, { action: 'acknowledge' })).toMatchObject({ status: 'done', resolution: { by: PEOPLE.joiner } });
  });

  it('refuses a task id that does not exist as Forbidden, except to a trust administrator', async () => {
    const h = await givenWorld();
    await expect(decideTask(h.deps, await viewer(h, PEOPLE.itOakfield), 'nosuchtask', { action: 'close' })).rejects.toBeInstanceOf(Forbidden);
    await expect(taskFor(h.deps, await viewer(h, PEOPLE.adminByRole), 'nosuchtask')).rejects.toThrow('no task nosuchtask');
  });
});
