/**
 * The web console's register page for a school of 400 accounts, served in-process by the console's own app (the
 * hono app functions/console/handler.ts runs), warm, against DynamoDB Local: what an IT manager waits for when they
 * open `GET /register`. The session is a real sealed cookie; the store is the functions' DynamoDB adapter; only the
 * network hop through API Gateway and Lambda's own overhead are left out.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoStore } from '../../functions/adapters/dynamo-store.ts';
import { createConsoleApp } from '../../functions/console/app.ts';
import type { IdentityProvider } from '../../functions/console/auth.ts';
import { cookieNames, sealSession } from '../../functions/console/session.ts';
import type { Deps } from '../../functions/usecases/deps.ts';
import { account, accountItems, putItems, schoolId, schoolItems } from './register.ts';
import { median, percentile, round } from './stats.ts';

export const CONSOLE_SCHOOL_ACCOUNTS = 400;

export interface ConsoleMeasure {
  accounts: number;
  samples: number;
  medianMs: number;
  p95Ms: number;
  /** The page's size, for the record. */
  htmlBytes: number;
}

/** Seeds the schools and one school of `accounts` accounts into `table` (setup, not measured). */
export async function seedConsoleSchool(seed: DynamoDBDocumentClient, table: string, today: string, accounts = CONSOLE_SCHOOL_ACCOUNTS): Promise<string> {
  // account() puts index i in school (i mod 20) + 1: multiples of 20 all land in the first school.
  const items = Array.from({ length: accounts }, (_, i) => account({ key: `console${i}`, index: i * 20, today })).flatMap(accountItems);
  await putItems(seed, table, [...schoolItems(), ...items]);
  return schoolId(0);
}

export async function measureConsoleRegister(table: string, client: DynamoDBDocumentClient, school: string, o: { warmup?: number; samples?: number } = {}): Promise<ConsoleMeasure> {
  const key = 'bench-session-key-'.padEnd(64, 'x');
  const now = () => new Date();
  const store = new DynamoStore(table, client);
  const unused = () => { throw new Error('the register page sends nothing'); };
  const deps: Deps = {
    store,
    mailer: { send: unused },
    publisher: { publish: unused },
    clock: now,
    config: {
      trustName: 'Bench Trust', trustItContact: 'it@trust.example', publicBaseUrl: 'https://console.bench.example', linkExpiryDays: 30,
      escalateAfterWorkingDays: 3, personRetentionDays: 365, trustAdmins: [], linkSecret: async () => 'unused',
    },
  };
  const provider: IdentityProvider = { authorizationUrl: unused, complete: unused, endSessionUrl: async () => undefined };
  const app = createConsoleApp({
    config: { baseUrl: 'https://console.bench.example', trustName: 'Bench Trust', oidc: { issuer: 'https://login.bench.example', clientId: 'bench' }, secrets: async () => ({ clientSecret: '', sessionKeys: [key] }) },
    deps: () => deps,
    provider,
    now,
  });
  const cookie = `${cookieNames(true).session}=${await sealSession({ email: `it@${school}.sch.uk`, roles: [] }, [key], now())}`;
  const get = async () => {
    const started = performance.now();
    const res = await app.request('https://console.bench.example/register', { headers: { cookie } });
    const body = await res.text();
    const ms = performance.now() - started;
    if (res.status !== 200) throw new Error(`GET /register answered ${res.status}`);
    return { ms, body };
  };
  const first = await get();
  const rows = (first.body.match(/<tr><th scope="row">/g) ?? []).length;
  if (rows !== CONSOLE_SCHOOL_ACCOUNTS) throw new Error(`the register page listed ${rows} accounts, expected ${CONSOLE_SCHOOL_ACCOUNTS}`);
  for (let i = 1; i < (o.warmup ?? 5); i++) await get();
  const times: number[] = [];
  for (let i = 0; i < (o.samples ?? 40); i++) times.push((await get()).ms);
  return { accounts: rows, samples: times.length, medianMs: round(median(times), 1), p95Ms: round(percentile(times, 95), 1), htmlBytes: Buffer.byteLength(first.body) };
}
