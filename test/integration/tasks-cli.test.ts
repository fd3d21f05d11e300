/** `custodian events send`, `tasks list` and `tasks resolve`, run as real commands against a local stack. */
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, outputsFile } from '../support/cli.ts';
import { inbox, seedRegister, startTestStack, type TestStack } from '../support/stack.ts';

let stack: TestStack;
let outputs: string;
const dir = mkdtempSync(path.join(tmpdir(), 'custodian-tasks-'));
const file = (name: string, content: unknown) => {
  const p = path.join(dir, name);
  writeFileSync(p, JSON.stringify(content));
  return p;
};
const leaver = { Source: 'hr', DetailType: 'Staff Leaver', Detail: { email: 'r.hughes@oakfield.sch.uk', leaveDate: '2027-01-29', displayName: 'Rachel Hughes', lineManagerEmail: 'd.okafor@oakfield.sch.uk' } };

beforeAll(async () => {
  stack = await startTestStack();
  await seedRegister(stack.store);
  outputs = outputsFile(stack.outputs);
}, 120_000);
afterAll(async () => stack?.stop());

describe('events send', () => {
  it('--dry-run prints the tasks the event would create and writes nothing', async () => {
    const r = await cli(outputs, ['events', 'send', file('leaver.json', leaver), '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('would create transfer_or_close task');
    expect(r.stdout).toContain('instagram:oakfield_pe');
    expect(r.stdout).toContain('would create replace_admin task');
    expect(r.stdout).toContain('would create replace_supervisor task');
    expect(r.stdout).toMatch(/would update account facebook:oakfieldacademy \(account.leaver_flagged\): admins -r\.hughes@oakfield\.sch\.uk \(3 left\); removedAdmins \+r\.hughes@oakfield\.sch\.uk/);
    expect(await stack.store.listTasks()).toEqual([]);
    expect(stack.aws.recentEvents).toEqual([]);
    expect(await inbox(stack)).toEqual([]);
  });

  it('--dry-run reports an invalid event as bound for the dead-letter queue', async () => {
    const r = await cli(outputs, ['events', 'send', file('bad.json', { ...leaver, Detail: { email: 'x' } }), '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/dead-letter queue: detail.email: is not an email address; detail.leaveDate: is required/);
  });

  it('puts events on the bus and prints their ids; a malformed file is refused with one line', async () => {
    const r = await cli(outputs, ['events', 'send', file('leavers.json', [leaver, leaver])]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(2);
    await stack.idle();
    expect((await stack.store.listTasks('open')).length).toBe(4);
    const bad = await cli(outputs, ['events', 'send', file('nosource.json', { DetailType: 'x' })]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toContain('Source');
  });
});

describe('tasks', () => {
  it('list --json gives each task with the contract fields', async () => {
    const r = await cli(outputs, ['tasks', 'list', '--status', 'open', '--json']);
    const tasks = JSON.parse(r.stdout) as Array<Record<string, unknown>>;
    expect(tasks).toHaveLength(4);
    for (const t of tasks) {
      expect(Object.keys(t)).toEqual(expect.arrayContaining(['id', 'type', 'status', 'accountId', 'platform', 'handle', 'subjectEmail', 'dueDate', 'assignees']));
      expect(t.status).toBe('open');
    }
    const human = await cli(outputs, ['tasks', 'list']);
    expect(human.stdout).toContain('transfer_or_close');
  });

  it('resolve --close has the same effect as the email action, and is audited with --by', async () => {
    const tasks = await stack.store.listTasks('open');
    const music = tasks.find((t) => t.accountId === 'youtube:oakfieldmusic')!;
    const r = await cli(outputs, ['tasks', 'resolve', music.id, '--close', '--by', 'it@oakfield.sch.uk']);
    expect(r.code, r.stderr).toBe(0);
    expect((await stack.store.getAccount('youtube:oakfieldmusic'))!.status).toBe('closed');
    expect((await stack.store.getTask(music.id))!.resolution).toMatchObject({ action: 'close', by: 'it@oakfield.sch.uk' });
    const audit = JSON.parse((await cli(outputs, ['audit', '--account', 'youtube:oakfieldmusic', '--json'])).stdout) as Array<{ action: string; by: string; source: string }>;
    expect(audit.at(-1)).toMatchObject({ action: 'account.closed', by: 'it@oakfield.sch.uk', source: 'cli' });
  });

  it('refuses a transfer to an outside address, a second resolution, a keep without a reason, and a missing --by', async () => {
    const tasks = await stack.store.listTasks('open');
    const pe = tasks.find((t) => t.accountId === 'instagram:oakfield_pe')!;
    const outside = await cli(outputs, ['tasks', 'resolve', pe.id, '--transfer-to', 'someone@gmail.com', '--by', 'it@oakfield.sch.uk']);
    expect(outside.code).not.toBe(0);
    expect(outside.stderr).toContain('not on a trust domain');
    expect((await cli(outputs, ['tasks', 'resolve', pe.id, '--keep', '--by', 'it@oakfield.sch.uk'])).stderr).toContain('--reason');
    expect((await cli(outputs, ['tasks', 'resolve', pe.id, '--close'])).stderr).toContain('--by');
    const ok = await cli(outputs, ['tasks', 'resolve', pe.id, '--transfer-to', 's.ahmed@oakfield.sch.uk', '--by', 'it@oakfield.sch.uk']);
    expect(ok.code, ok.stderr).toBe(0);
    const twice = await cli(outputs, ['tasks', 'resolve', pe.id, '--close', '--by', 'it@oakfield.sch.uk']);
    expect(twice.code).not.toBe(0);
    expect(twice.stderr).toContain('already resolved');
    expect((await stack.store.getAccount('instagram:oakfield_pe'))!).toMatchObject({ linkedEmail: 's.ahmed@oakfield.sch.uk', status: 'active' });
  });
});

describe('dlq', () => {
  it('list shows a refused event with its reason; redrive replays it (refused again while still invalid)', async () => {
    const r0 = await cli(outputs, ['events', 'send', file('invalid.json', { Source: 'hr', DetailType: 'Staff Joiner', Detail: { email: 'new.starter@oakfield.sch.uk', startDate: '31/02/2027' } })]);
    expect(r0.code, r0.stderr).toBe(0);
    await stack.idle();
    const list = await cli(outputs, ['dlq', 'list', '--json']);
    expect(list.code, list.stderr).toBe(0);
    const letters = JSON.parse(list.stdout) as Array<{ messageId: string; origin: string; reason: string; replay: string }>;
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({ origin: 'hr-events', reason: expect.stringContaining('detail.startDate: must be a real date') });
    // Listing does not consume: it is still there.
    expect(JSON.parse((await cli(outputs, ['dlq', 'list', '--json'])).stdout)).toHaveLength(1);

    const redrive = await cli(outputs, ['dlq', 'redrive', '--id', letters[0]!.messageId]);
    expect(redrive.code, redrive.stderr).toBe(0);
    expect(redrive.stdout).toContain('replayed 1 of 1');
    await stack.idle();
    const again = JSON.parse((await cli(outputs, ['dlq', 'list', '--json'])).stdout) as Array<{ messageId: string }>;
    expect(again).toHaveLength(1);
    expect(again[0]!.messageId).not.toBe(letters[0]!.messageId);
    expect(await stack.store.findPerson(['new.starter@oakfield.sch.uk'])).toBeUndefined();
  });
});
