/**
 * Helpers for the fault and burst tests: generated registers, many HR events at once, and counting what was sent
 * (emails and Account Flagged events) per task.
 */
import { PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { stringify } from 'csv-stringify/sync';
import type { DynamoStore as Store } from '../../functions/adapters/dynamo-store.ts';
import type { TokenPayload } from '../../functions/domain/tokens.ts';
import { importRegister } from '../../functions/usecases/register.ts';
import type { LocalStack } from '../../infra/local/stack.ts';
import { busClient, inbox, SCHOOLS, type StoredEmail } from './stack.ts';
import { putSchool } from '../../functions/usecases/schools.ts';

export interface RegisterRow {
  platform: string;
  handle: string;
  school: string;
  linked_email: string;
  admins: string[];
  main_supervisor: string;
}

export function registerCsv(rows: RegisterRow[]): string {
  return stringify(rows.map((r) => ({ ...r, admins: r.admins.join(';') })), {
    header: true,
    columns: ['platform', 'handle', 'school', 'linked_email', 'admins', 'main_supervisor'],
  });
}

/** Sets up the three sample schools and imports the rows (validated and written as `custodian register import` does). */
export async function importRows(store: Store, rows: RegisterRow[]): Promise<void> {
  const actor = { by: 'it@oakfield.sch.uk', source: 'test' };
  for (const s of SCHOOLS) await putSchool(store, s, actor);
  const result = await importRegister(store, registerCsv(rows), { actor, now: new Date(), concurrency: 8 });
  if (!result.ok) throw new Error(`register import failed: ${JSON.stringify(result.errors.slice(0, 5))}`);
  if (result.created !== rows.length) throw new Error(`expected ${rows.length} accounts created, got ${result.created}`);
}

export function leaverEntry(stack: LocalStack, detail: Record<string, unknown>): PutEventsRequestEntry {
  return { EventBusName: stack.outputs.eventBusName, Source: 'hr', DetailType: 'Staff Leaver', Detail: JSON.stringify(detail) };
}

/**
 * PutEvents through the local endpoint, `batch` entries a call, `parallel` calls at a time; every entry must be
 * accepted. `beforeEach` runs before each call (e.g. to wait for room).
 */
export async function putAll(
  stack: LocalStack,
  entries: PutEventsRequestEntry[],
  { batch = 10, parallel = 4, beforeEach }: { batch?: number; parallel?: number; beforeEach?: (sent: number) => Promise<void> } = {},
): Promise<string[]> {
  const client = busClient(stack);
  const batches: PutEventsRequestEntry[][] = [];
  for (let i = 0; i < entries.length; i += batch) batches.push(entries.slice(i, i + batch));
  const ids: string[][] = new Array(batches.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(parallel, batches.length) }, async () => {
    while (next < batches.length) {
      const i = next++;
      await beforeEach?.(i * batch);
      const out = await client.send(new PutEventsCommand({ Entries: batches[i]! }));
      if (out.FailedEntryCount) throw new Error(`PutEvents refused ${out.FailedEntryCount} entries: ${JSON.stringify(out.Entries?.find((e) => e.ErrorCode))}`);
      ids[i] = out.Entries!.map((e) => e.EventId!);
    }
  }));
  return ids.flat();
}

/** The task an email is about, from the task id inside its signed action link (undefined when it has no link). */
export function taskIdOf(email: StoredEmail): string | undefined {
  const token = /\/actions\/([A-Za-z0-9_-]+)\.[A-Za-z0-9_-]+/.exec(email.body.text ?? '')?.[1];
  if (!token) return undefined;
  return (JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as TokenPayload).t;
}

/** Every (task, recipient) an email's action links are for: a leaver's email lists several tasks, one link each. */
function linksOf(email: StoredEmail): Array<{ t: string; r: string }> {
  const seen = new Set<string>();
  return [...(email.body.text ?? '').matchAll(/\/actions\/([A-Za-z0-9_-]+)\.[A-Za-z0-9_-]+/g)].flatMap((m) => {
    const p = JSON.parse(Buffer.from(m[1]!, 'base64url').toString('utf8')) as TokenPayload;
    const key = `${p.t} ${p.r}`;
    if (seen.has(key)) return [];
    seen.add(key);
    return [{ t: p.t, r: p.r }];
  });
}

/**
 * How many times each task reached one person, at most: 1 means every recipient got it exactly once (each gets their
 * own email, and a leaver's tasks share one email per recipient).
 */
export async function emailsPerTask(stack: LocalStack): Promise<Map<string, number>> {
  const perRecipient = new Map<string, number>();
  for (const e of await inbox(stack)) for (const l of linksOf(e)) perRecipient.set(`${l.t} ${l.r}`, (perRecipient.get(`${l.t} ${l.r}`) ?? 0) + 1);
  const counts = new Map<string, number>();
  for (const [key, n] of perRecipient) {
    const id = key.split(' ')[0]!;
    counts.set(id, Math.max(counts.get(id) ?? 0, n));
  }
  return counts;
}

/** Who each task reached, by its links' recipients. */
export async function recipientsPerTask(stack: LocalStack): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const e of await inbox(stack)) for (const l of linksOf(e)) out.set(l.t, [...new Set([...(out.get(l.t) ?? []), l.r])]);
  return out;
}

/** How many Account Flagged events the bus saw for each task. */
export function flaggedPerTask(stack: LocalStack): Map<string, number> {
  const counts = new Map<string, number>();
  for (const e of stack.aws.recentEvents) {
    if (e['detail-type'] !== 'Account Flagged') continue;
    const id = (e.detail as { taskId: string }).taskId;
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

export function tally<T>(items: Iterable<T>, key: (t: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const i of items) out[key(i)] = (out[key(i)] ?? 0) + 1;
  return out;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until `check` is true (or throws after `timeoutMs`). */
export async function until(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}
