/**
 * The growth scenarios: one leaver tied to 3 accounts, and a sweep with 20 due items, each run in-process through
 * the real use cases (processLeaver, runSweep) with a Store of their own against a seeded register, so the
 * capacity they consume is exactly what the Store counted (ReturnConsumedCapacity TOTAL on every call).
 */
import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { depsFromEnv } from '../../functions/adapters/deps.ts';
import { DynamoStore } from '../../functions/adapters/dynamo-store.ts';
import type { IsoDate } from '../../functions/domain/model.ts';
import { addWorkingDays } from '../../functions/domain/working-days.ts';
import type { Deps } from '../../functions/usecases/deps.ts';
import type { Mailer, Publisher } from '../../functions/usecases/ports.ts';
import { processLeaver } from '../../functions/usecases/leavers.ts';
import { runSweep, type SweepResult } from '../../functions/usecases/sweep.ts';
import { itemBytes } from './cost.ts';
import { account, accountItems, openTaskItem, putItems, schoolItems, type Role } from './register.ts';

export const LEAVER_ROLES: Role[] = ['linked', 'admin', 'main_supervisor'];

export interface ScenarioRegister {
  table: string;
  accounts: number;
  due: number;
  leavers: string[];
}

/**
 * `accounts` accounts in all: `due` of them due for the sweep on `day`, `leavers` × 3 tied to one leaver each
 * (linked address, administrator, main supervisor), the rest ordinary and not due for weeks.
 */
export async function seedScenario(
  client: DynamoDBDocumentClient,
  table: string,
  opts: { accounts: number; due: number; leavers: number; day: IsoDate; concurrency?: number; onProgress?: (done: number) => void },
): Promise<ScenarioRegister> {
  const leavers = Array.from({ length: opts.leavers }, (_, k) => `leaver${k + 1}@school01.sch.uk`);
  await putItems(client, table, schoolItems());
  const chunk = 10_000;
  for (let start = 0; start < opts.accounts; start += chunk) {
    const items: Array<Record<string, unknown>> = [];
    for (let i = start; i < Math.min(opts.accounts, start + chunk); i++) {
      const tied = i - opts.due;
      const spec = i < opts.due
        ? { key: `a${i}`, index: i, today: opts.day, due: true }
        : tied < leavers.length * 3
          ? { key: `a${i}`, index: i, today: opts.day, tie: { email: leavers[Math.floor(tied / 3)]!, role: LEAVER_ROLES[tied % 3]! } }
          : { key: `a${i}`, index: i, today: opts.day };
      items.push(...accountItems(account(spec)));
    }
    await putItems(client, table, items, { concurrency: opts.concurrency ?? 4 });
    opts.onProgress?.(Math.min(opts.accounts, start + chunk));
  }
  return { table, accounts: opts.accounts, due: opts.due, leavers };
}

/** Open attestation tasks (not due) for `share` of the ordinary accounts: what a busier register carries. */
export async function seedOpenTasks(client: DynamoDBDocumentClient, reg: ScenarioRegister, day: IsoDate, share: number): Promise<number> {
  const first = reg.due + reg.leavers.length * 3;
  const count = Math.round(reg.accounts * share);
  const items = Array.from({ length: count }, (_, j) => openTaskItem(account({ key: `a${first + j}`, index: first + j, today: day }), day));
  await putItems(client, reg.table, items);
  return count;
}

export interface Counted {
  emails: number;
  recipients: number;
  events: number;
}

/** The functions' dependencies from the stack's environment, with this table's Store and counting mail and events. */
export function depsFor(table: string, client: DynamoDBDocumentClient, clock: () => Date, counted: Counted): Deps & { store: DynamoStore } {
  const base = depsFromEnv(clock);
  const mailer: Mailer = {
    send: (email) => {
      counted.emails++;
      counted.recipients += email.to.length;
      return base.mailer.send(email);
    },
  };
  const publisher: Publisher = {
    publish: (detailType, detail) => {
      counted.events++;
      return base.publisher.publish(detailType, detail);
    },
  };
  return { ...base, store: new DynamoStore(table, client, clock), mailer, publisher };
}

/**
 * Write request units as DynamoDB bills them, worked out from the items written (DynamoDB Local's own figure for a
 * transaction is not that: it counts index writes twice, and counts items whose consumption is identical only once).
 * Per item: 1 unit per KB (rounded up) of the larger of the old and the new item, 2 inside a transaction; per index
 * the item is or was in (every index projects the whole item): 1 unit per KB for the new entry, and as much again for
 * removing the old one when the index key changed or the item left the index. The old items are read beforehand
 * through the client itself, so those reads are not counted anywhere.
 */
export function billedWrites(client: DynamoDBDocumentClient): { client: DynamoDBDocumentClient; units: () => number } {
  let units = 0;
  const kb = (item: Record<string, unknown> | undefined) => (item ? Math.max(1, Math.ceil((itemBytes(item) - 3) / 1024)) : 0);
  const indexKey = (item: Record<string, unknown> | undefined, n: number) => (item && item[`gsi${n}pk`] !== undefined ? `${String(item[`gsi${n}pk`])}\u0000${String(item[`gsi${n}sk`])}` : undefined);
  const send = client.send.bind(client) as (command: unknown) => Promise<unknown>;
  const wrapped = Object.create(client) as DynamoDBDocumentClient;
  (wrapped as unknown as { send: (command: { constructor: { name: string }; input: Record<string, any> }) => Promise<unknown> }).send = async (command) => {
    const name = command.constructor.name;
    const ops: Array<[string, Record<string, any>]> = name === 'TransactWriteCommand'
      ? (command.input.TransactItems as Array<Record<string, Record<string, any>>>).map((op) => Object.entries(op)[0]!)
      : ['PutCommand', 'DeleteCommand', 'UpdateCommand'].includes(name) ? [[name.replace('Command', ''), command.input]] : [];
    let cost = 0;
    for (const [kind, op] of ops) {
      const key = op.Item ? { pk: op.Item.pk, sk: op.Item.sk } : op.Key;
      const old = (await send(new GetCommand({ TableName: op.TableName, Key: key, ConsistentRead: true })) as { Item?: Record<string, unknown> }).Item;
      if (kind === 'ConditionCheck') {
        cost += 2 * Math.max(1, kb(old));
        continue;
      }
      const after = kind === 'Put' ? op.Item as Record<string, unknown> : kind === 'Delete' ? undefined : old; // an update: about the size it was
      cost += Math.max(kb(old), kb(after)) * (name === 'TransactWriteCommand' ? 2 : 1);
      for (const n of [1, 2, 3]) {
        const [was, is] = [indexKey(old, n), indexKey(after, n)];
        if (is !== undefined) cost += kb(after);
        if (was !== undefined && was !== is) cost += kb(old);
      }
    }
    const out = await send(command);
    units += cost;
    return out;
  };
  return { client: wrapped, units: () => units };
}

export interface Measured {
  rcu: number;
  wcu: number;
  capacity: number;
  wallMs: number;
  emails: number;
  recipients: number;
  events: number;
}

function measured(store: DynamoStore, counted: Counted, wallMs: number): Measured {
  return { rcu: store.capacity.read, wcu: store.capacity.write, capacity: store.capacity.read + store.capacity.write, wallMs, ...counted };
}

export async function measureSweep(table: string, client: DynamoDBDocumentClient, at: Date, escalateAfterWorkingDays: number): Promise<Measured & { result: SweepResult }> {
  const counted: Counted = { emails: 0, recipients: 0, events: 0 };
  const deps = depsFor(table, client, () => at, counted);
  const t0 = performance.now();
  const result = await runSweep(deps, { escalateAfterWorkingDays });
  const m = measured(deps.store, counted, performance.now() - t0);
  if (result.failures > 0 || !result.complete) throw new Error(`the sweep on ${table} failed: ${JSON.stringify(result)}`);
  return { ...m, result };
}

export async function measureLeaver(table: string, client: DynamoDBDocumentClient, email: string, at: Date, id: string): Promise<Measured & { accounts: number; billedWcu: number }> {
  const counted: Counted = { emails: 0, recipients: 0, events: 0 };
  const billed = billedWrites(client);
  const deps = depsFor(table, billed.client, () => at, counted);
  const day = at.toISOString().slice(0, 10);
  const t0 = performance.now();
  const outcome = await processLeaver(deps, { email, leaveDate: addWorkingDays(day, 15), displayName: 'Bench Leaver', lineManagerEmail: 'line.manager@school01.sch.uk' }, { id, time: at.toISOString(), origin: 'hr' });
  const m = measured(deps.store, counted, performance.now() - t0);
  if (outcome.skipped) throw new Error(`leaver ${email} was skipped: ${outcome.skipped}`);
  return { ...m, accounts: outcome.plans.length, billedWcu: billed.units() };
}

/** How many items are due on `day`, read with a Store whose capacity is not counted anywhere. */
export async function dueCount(table: string, client: DynamoDBDocumentClient, day: IsoDate): Promise<number> {
  return (await new DynamoStore(table, client).dueOnOrBefore(day)).length;
}

/** The leaver scenario's write units, in all and per account touched: DynamoDB Local's figure and the billed one. */
export function leaverWriteUnits(m: Measured & { billedWcu?: number }, accounts: number) {
  const billed = m.billedWcu ?? Number.NaN;
  return { dynamoLocal: m.wcu, dynamoLocalPerAccount: m.wcu / accounts, billed, billedPerAccount: billed / accounts, accounts };
}
