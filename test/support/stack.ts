/** A whole local stack for one test file: in memory, free ports, its own tables in the shared DynamoDB Local. */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { inject } from 'vitest';
import { DynamoStore } from '../../functions/adapters/dynamo-store.ts';
import { accountChange } from '../../functions/domain/scheduled-changes.ts';
import type { Account, Actor } from '../../functions/domain/model.ts';
import { londonDate } from '../../functions/domain/working-days.ts';
import type { Store } from '../../functions/usecases/ports.ts';
import { importRegister } from '../../functions/usecases/register.ts';
import { startLocalStack, type LocalStack, type LocalStackOptions } from '../../infra/local/stack.ts';
import { testTemplate, uniquePrefix } from './env.ts';
import { putSchool } from '../../functions/usecases/schools.ts';

export const SAMPLE_REGISTER = path.resolve(import.meta.dirname, '../../samples/register.csv');

export interface TestStack extends LocalStack {
  store: DynamoStore;
  logs: string[];
}

/**
 * The local stack on free ports against the suite's DynamoDB Local. It runs the template synthesized once for the
 * whole suite, unless the test passes cdk.json `context` of its own (then a template synthesized with it) or a template.
 */
export async function startTestStack(options: Partial<LocalStackOptions> = {}): Promise<TestStack> {
  const logs: string[] = [];
  const stack = await startLocalStack({
    dynamoEndpoint: inject('dynamoEndpoint'),
    ...(options.context ? {} : { template: testTemplate() }),
    prefix: uniquePrefix(),
    ports: { dynamodb: 0, ses: 0, aws: 0, http: 0, graph: 0, oidc: 0 },
    timeScale: 0.0005,
    schedules: false,
    log: (l) => logs.push(l),
    ...options,
  });
  return Object.assign(stack, { store: new DynamoStore(stack.outputs.tableName), logs });
}

export const SCHOOLS = [
  { id: 'oakfield', name: 'Oakfield Academy', itManagers: ['it@oakfield.sch.uk'], domains: ['oakfield.sch.uk'] },
  { id: 'riverside', name: 'Riverside Primary', itManagers: ['it@riverside.sch.uk'], domains: ['riverside.sch.uk'] },
  { id: 'hillcrest', name: 'Hillcrest School', itManagers: ['it@hillcrest.sch.uk'], domains: ['hillcrest.sch.uk'] },
];

/** The three sample schools and the sample register (24 accounts). */
export async function seedRegister(store: DynamoStore): Promise<void> {
  const actor = { by: 'it@oakfield.sch.uk', source: 'test' };
  for (const s of SCHOOLS) await putSchool(store, s, actor);
  const result = await importRegister(store, readFileSync(SAMPLE_REGISTER), { actor, now: new Date() });
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
}

export function busClient(stack: LocalStack): EventBridgeClient {
  return new EventBridgeClient({ endpoint: stack.outputs.endpoints.aws, region: 'eu-west-2', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
}

export async function putEvent(stack: LocalStack, detailType: string, detail: Record<string, unknown>, source = 'hr'): Promise<string> {
  const out = await busClient(stack).send(new PutEventsCommand({
    Entries: [{ EventBusName: stack.outputs.eventBusName, Source: source, DetailType: detailType, Detail: JSON.stringify(detail) }],
  }));
  const id = out.Entries?.[0]?.EventId;
  if (!id) throw new Error(`PutEvents failed: ${JSON.stringify(out.Entries)}`);
  return id;
}

export interface StoredEmail {
  messageId: string;
  from: string;
  destination: { to: string[]; cc: string[]; bcc: string[] };
  subject: string;
  body: { html?: string; text?: string };
  at: number;
}

export async function inbox(stack: LocalStack): Promise<StoredEmail[]> {
  const res = await fetch(`${stack.outputs.endpoints.ses}/store`);
  return ((await res.json()) as { emails: StoredEmail[] }).emails;
}

export function actionUrlIn(email: StoredEmail, taskId?: string): string {
  const links = actionLinksIn(email);
  const found = taskId ? links.find((l) => l.taskId === taskId) : links[0];
  if (!found) throw new Error(`no action link${taskId ? ` for task ${taskId}` : ''} in: ${email.subject}`);
  return found.url;
}

/** Every action link in an email, with what its signed payload says: the task, the recipient it acts as, the generation. */
export function actionLinksIn(email: StoredEmail): Array<{ url: string; taskId: string; recipient: string; generation: number }> {
  const seen = new Set<string>();
  return [...(email.body.text ?? '').matchAll(/(http:\/\/127\.0\.0\.1:\d+\/actions\/([A-Za-z0-9_-]+)\.[A-Za-z0-9_-]+)/g)].flatMap((m) => {
    if (seen.has(m[1]!)) return [];
    seen.add(m[1]!);
    const p = JSON.parse(Buffer.from(m[2]!, 'base64url').toString('utf8')) as { t: string; r: string; g: number };
    return [{ url: m[1]!, taskId: p.t, recipient: p.r, generation: p.g }];
  });
}

/** Adds an account to the register as an import would (its next check date counted from today). */
export async function createAccount(store: Store, account: Account, actor: Actor): Promise<void> {
  await store.commit([accountChange(undefined, account, 'account.created', londonDate(new Date()))], actor);
}
