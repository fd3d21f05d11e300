/**
 * Synthetic registers for the benchmark, made of exactly the items the product writes (accountItem and
 * accountLinkItems from functions/adapters/keys.ts, schoolItem, taskItem), seeded with BatchWrite. Seeding is setup,
 * never measured.
 *
 * Every account is as the product would have left it after its last write: `nextCheckOn` is what
 * nextAccountCheckOn gives, so an ordinary account (attested within its month, active this week) is next due
 * weeks from now and sits in the sparse `due` index under a future date; a "due" account was last attested more
 * than a month ago, so its `nextCheckOn` (the date it became due) has passed.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { accountItem, accountLinkItems, schoolItem, taskItem } from '../../functions/adapters/keys.ts';
import type { Account, IsoDate, School } from '../../functions/domain/model.ts';
import { nextAccountCheckOn, nextTaskActionOn } from '../../functions/domain/schedule.ts';
import { taskId, type Task } from '../../functions/domain/tasks.ts';
import { addDays, addWorkingDays } from '../../functions/domain/working-days.ts';
import { pool } from './stats.ts';

export const SCHOOL_COUNT = 20;
const PLATFORMS = ['facebook', 'instagram', 'x', 'youtube', 'tiktok', 'linkedin'] as const;

export function schoolId(i: number): string {
  return `school${String((i % SCHOOL_COUNT) + 1).padStart(2, '0')}`;
}

export function schools(): School[] {
  return Array.from({ length: SCHOOL_COUNT }, (_, i) => ({
    id: schoolId(i),
    name: `Bench School ${i + 1}`,
    itManagers: [`it@${schoolId(i)}.sch.uk`],
    domains: [`${schoolId(i)}.sch.uk`],
  }));
}

export type Role = 'linked' | 'admin' | 'main_supervisor';

export interface AccountSpec {
  /** Unique within a register; becomes the handle. */
  key: string;
  index: number;
  today: IsoDate;
  /** Due for the sweep today (attestation overdue), instead of weeks from now. */
  due?: boolean;
  /** Ties this account to someone (a leaver) in one role. */
  tie?: { email: string; role: Role };
}

export function account(spec: AccountSpec): Account {
  const school = schoolId(spec.index);
  const domain = `${school}.sch.uk`;
  const createdAt = `${addDays(spec.today, -400)}T09:00:00.000Z`;
  const tie = spec.tie;
  const a: Account = {
    id: `${PLATFORMS[spec.index % PLATFORMS.length]}:${spec.key}`,
    platform: PLATFORMS[spec.index % PLATFORMS.length]!,
    handle: spec.key,
    school,
    url: `https://example.com/${spec.key}`,
    linkedEmail: tie?.role === 'linked' ? tie.email : `office.${spec.key}@${domain}`,
    admins: [tie?.role === 'admin' ? tie.email : `admin1.${spec.key}@${domain}`, `admin2.${spec.key}@${domain}`],
    mainSupervisor: tie?.role === 'main_supervisor' ? tie.email : `head.${spec.key}@${domain}`,
    purpose: 'School news and events',
    audience: 'Parents and the local community',
    publishedName: `Bench ${spec.key}`,
    monitoringFrequency: 'monthly',
    // Ordinary accounts were attested 1 to 28 days ago; due ones 35 days ago (monthly: a month has passed).
    lastAttestedOn: addDays(spec.today, spec.due ? -35 : -(1 + (spec.index % 28))),
    lastActivityDate: addDays(spec.today, -3),
    status: 'active',
    createdAt,
    updatedAt: createdAt,
    version: 3,
  };
  // What the product wrote at the account's last change: the due one was last written when it was attested.
  const writtenOn = spec.due ? a.lastAttestedOn! : spec.today;
  a.nextCheckOn = nextAccountCheckOn(a, writtenOn);
  return a;
}

export function accountItems(a: Account): Array<Record<string, unknown>> {
  return [accountItem(a), ...accountLinkItems(a)];
}

export function schoolItems(): Array<Record<string, unknown>> {
  return schools().map(schoolItem);
}

/** An open attestation task about an account, not due again for weeks (as the sweep leaves one it has emailed). */
export function openTaskItem(a: Account, today: IsoDate): Record<string, unknown> {
  const nowIso = `${addDays(today, -2)}T07:00:00.000Z`;
  const t: Task = {
    id: taskId('attest_account', `${a.id}#${addDays(today, -2)}`, `account:${a.id}`),
    type: 'attest_account',
    status: 'open',
    subjectEmail: `account:${a.id}`,
    accountId: a.id,
    platform: a.platform,
    handle: a.handle,
    school: a.school,
    dueDate: addWorkingDays(today, 10),
    assignees: [a.mainSupervisor],
    reason: 'the main supervisor confirms the account is still in use and monitored (monthly)',
    sourceEvent: `sweep:${addDays(today, -2)}`,
    sourceTime: nowIso,
    createdAt: nowIso,
    updatedAt: nowIso,
    version: 2,
    delivery: { kind: 'created', state: 'sent', sentAt: nowIso },
    remindersSent: 0,
    lastReminderOn: addDays(today, -2),
  };
  t.nextActionOn = nextTaskActionOn(t, today, 3);
  return taskItem(t);
}

/** A client for seeding (not the handlers' shared client, so seeding never shows up in what is measured). */
export function seedingClient(): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient({ maxAttempts: 10 }), { marshallOptions: { removeUndefinedValues: true } });
}

/** Writes items 25 to a BatchWrite, a few batches in flight, retrying what DynamoDB leaves unprocessed. */
export async function putItems(
  client: DynamoDBDocumentClient,
  table: string,
  items: Array<Record<string, unknown>>,
  opts: { concurrency?: number; onProgress?: (done: number) => void } = {},
): Promise<void> {
  const batches: Array<Array<Record<string, unknown>>> = [];
  for (let i = 0; i < items.length; i += 25) batches.push(items.slice(i, i + 25));
  let done = 0;
  await pool(batches, opts.concurrency ?? 3, async (batch) => {
    let request: Record<string, Array<{ PutRequest: { Item: Record<string, unknown> } }>> | undefined = { [table]: batch.map((Item) => ({ PutRequest: { Item } })) };
    for (let attempt = 0; request && (request[table]?.length ?? 0) > 0; attempt++) {
      const out = await client.send(new BatchWriteCommand({ RequestItems: request }));
      request = out.UnprocessedItems as typeof request;
      if (request && (request[table]?.length ?? 0) > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 20 * 2 ** attempt)));
    }
    done += batch.length;
    opts.onProgress?.(done);
  });
}
