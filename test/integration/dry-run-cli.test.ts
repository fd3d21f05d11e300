/**
 * `--dry-run` as a user tries it: `custodian events send <sample> --dry-run --json`, then the real send; the tasks
 * and register changes the dry run printed are exactly those `tasks list` and `audit` show afterwards. The same for
 * the sample cancellation and for `register import --dry-run`. Real parts throughout: the CLI as a child process,
 * the local bus and handlers, DynamoDB Local.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlannedChange } from '../../cli/dry-run.ts';
import type { AuditEntry } from '../../functions/domain/model.ts';
import { cli, outputsFile } from '../support/cli.ts';
import { inbox, seedRegister, startTestStack, type TestStack } from '../support/stack.ts';

const SAMPLES = path.resolve(import.meta.dirname, '../../events/samples');
let stack: TestStack;
let outputs: string;

beforeAll(async () => {
  stack = await startTestStack();
  await seedRegister(stack.store);
  outputs = outputsFile(stack.outputs);
}, 120_000);
afterAll(async () => stack?.stop());

async function json<T>(args: string[]): Promise<T> {
  const r = await cli(outputs, args);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as T;
}

async function auditNow(): Promise<AuditEntry[]> {
  return json<AuditEntry[]>(['audit', '--since', new Date(Date.now() - 86_400_000).toISOString().slice(0, 10), '--json']);
}

interface TaskRow { id: string; type: string; status: string; accountId: string | null; dueDate: string; assignees: string[] }

/** What the audit records of each change: the same shape as the dry run's audited changes. */
const audited = (entries: AuditEntry[]) => entries.map((e) => `${e.entityType} ${e.entityId} ${e.action}`).sort();
const plannedAudited = (planned: PlannedChange[]) => planned.filter((c) => c.audited).map((c) => `${c.kind} ${c.id} ${c.action}`).sort();

// Each test runs the CLI (a fresh tsx process) four or five times: on a loaded 2-core machine that alone nears 30 s.
describe('events send --dry-run, then the real send', { timeout: 90_000 }, () => {
  it('the sample leaver: the printed tasks and register changes are those the real run makes', async () => {
    const file = path.join(SAMPLES, 'staff-leaver.json');
    const auditBefore = await auditNow();
    const planned = await json<PlannedChange[]>(['events', 'send', file, '--dry-run', '--json']);
    expect(await stack.store.listTasks()).toEqual([]);
    expect(await inbox(stack)).toEqual([]);
    expect(await auditNow()).toHaveLength(auditBefore.length);

    const real = await cli(outputs, ['events', 'send', file]);
    expect(real.code, real.stderr).toBe(0);
    await stack.idle();

    const tasks = await json<TaskRow[]>(['tasks', 'list', '--json']);
    const created = planned.filter((c) => c.kind === 'task' && c.action === 'task.created').map((c) => c.after as TaskRow);
    const pick = (t: TaskRow) => ({ id: t.id, type: t.type, accountId: t.accountId, dueDate: t.dueDate, assignees: t.assignees });
    expect(created.map(pick).sort((a, b) => a.id.localeCompare(b.id))).toEqual(tasks.map(pick).sort((a, b) => a.id.localeCompare(b.id)));
    expect(tasks.length).toBe(4);

    const after = await auditNow();
    const made = after.filter((e) => !auditBefore.some((b) => b.id === e.id));
    expect(plannedAudited(planned)).toEqual(audited(made));
    // The register's after-state: each account as the dry run said it would be.
    for (const change of planned.filter((c) => c.kind === 'account')) {
      const account = (await stack.store.getAccount(change.id))!;
      const expected = change.after as { status: string; admins: string[]; linkedEmail: string };
      expect({ status: account.status, admins: account.admins, linkedEmail: account.linkedEmail }).toEqual({ status: expected.status, admins: expected.admins, linkedEmail: expected.linkedEmail });
    }
  });

  it('the sample cancellation: the same', async () => {
    const file = path.join(SAMPLES, 'staff-leaver-cancelled.json');
    const auditBefore = await auditNow();
    const planned = await json<PlannedChange[]>(['events', 'send', file, '--dry-run', '--json']);
    expect(planned.filter((c) => c.action === 'task.cancelled')).toHaveLength(4);
    expect((await stack.store.listTasks('open')).length).toBe(4);

    const real = await cli(outputs, ['events', 'send', file]);
    expect(real.code, real.stderr).toBe(0);
    await stack.idle();
    const cancelled = await json<TaskRow[]>(['tasks', 'list', '--status', 'cancelled', '--json']);
    expect(planned.filter((c) => c.action === 'task.cancelled').map((c) => c.id).sort()).toEqual(cancelled.map((t) => t.id).sort());
    const made = (await auditNow()).filter((e) => !auditBefore.some((b) => b.id === e.id));
    expect(plannedAudited(planned)).toEqual(audited(made));
  });

  it('prints the changes for people to read', async () => {
    const r = await cli(outputs, ['events', 'send', path.join(SAMPLES, 'staff-joiner.json'), '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/would create acknowledge_policy task \S+ for /);
    expect(r.stdout).toMatch(/would email to \S+: "/);
    expect(r.stdout).toContain('(dry run: nothing written, sent or published)');
  });
});

describe('register import --dry-run, then the real import', () => {
  it('prints exactly the account changes the real import then audits', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'custodian-dry-'));
    const file = path.join(dir, 'update.csv');
    writeFileSync(file, `platform,handle,school,linked_email,admins,main_supervisor
instagram,oakfield_art,oakfield,S.Okafor@Oakfield.sch.uk,s.okafor@oakfield.sch.uk;t.evans@oakfield.sch.uk,m.clarke@oakfield.sch.uk
instagram,oakfield_drama,oakfield,drama@oakfield.sch.uk,a.begum@oakfield.sch.uk;t.evans@oakfield.sch.uk,a.begum@oakfield.sch.uk
`);
    const auditBefore = await auditNow();
    const planned = await json<PlannedChange[]>(['register', 'import', file, '--dry-run', '--json']);
    expect(planned.map((c) => `${c.action} ${c.id}`)).toEqual(['account.updated instagram:oakfield_art', 'account.created instagram:oakfield_drama']);
    expect(await stack.store.getAccount('instagram:oakfield_drama')).toBeUndefined();

    const text = await cli(outputs, ['register', 'import', file, '--dry-run']);
    expect(text.stdout).toMatch(/line 2: would update instagram:oakfield_art \([^)]*admins/);
    expect(text.stdout).toContain('line 3: would create instagram:oakfield_drama');

    const real = await cli(outputs, ['register', 'import', file]);
    expect(real.code, real.stderr).toBe(0);
    const made = (await auditNow()).filter((e) => !auditBefore.some((b) => b.id === e.id));
    expect(plannedAudited(planned)).toEqual(audited(made));
    const drama = (await stack.store.getAccount('instagram:oakfield_drama'))!;
    const expected = planned[1]!.after as { admins: string[]; nextCheckOn: string };
    expect({ admins: drama.admins, nextCheckOn: drama.nextCheckOn }).toEqual({ admins: expected.admins, nextCheckOn: expected.nextCheckOn });
  });
});
