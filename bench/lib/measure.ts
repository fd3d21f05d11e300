/** Small measuring helpers for bench/run.ts: invoking a function and counting what it asked of AWS, the SES inbox, stored bytes. */
import { LAMBDA_PROVIDED } from '../../infra/local/function-env.ts';
import type { LocalStack } from '../../infra/local/stack.ts';
import { storedBytes, type UnitMeasure } from './cost.ts';
import { invokeDurations, meanUsage, since, snapshot, type TransactInput, type Usage } from './instrument.ts';
import type { Measured } from './scenario.ts';
import { median, round } from './stats.ts';
import { REGION } from '../prices.ts';

export function busEvent(detailType: string, detail: Record<string, unknown>, id: string) {
  return { version: '0', id, 'detail-type': detailType, source: 'hr', account: '000000000000', time: new Date().toISOString(), region: REGION, resources: [], detail };
}

/** Invokes a function RequestResponse, one at a time: what it asked of AWS, and the handler's duration. */
export async function measureInvocations(stack: LocalStack, fn: string, events: unknown[]): Promise<UnitMeasure & { samples: number; durationsMs: number[] }> {
  const usages: Usage[] = [];
  const durations: number[] = [];
  for (const event of events) {
    await stack.idle();
    const before = snapshot();
    const n = (invokeDurations[fn] ?? []).length;
    const result = await stack.runtime.invoke(fn, event);
    await stack.idle();
    if (result && typeof result === 'object' && 'outcome' in result && (result as { outcome: string }).outcome === 'dead-lettered') throw new Error(`${fn} dead-lettered a benchmark event`);
    usages.push(since(before));
    durations.push(invokeDurations[fn]![n]!);
  }
  return { usage: meanUsage(usages), durationMs: median(durations), samples: events.length, durationsMs: durations.map((d) => round(d, 1)) };
}

export interface StoredEmail {
  destination: { to: string[] };
  subject: string;
  body: { text?: string };
}

export async function inbox(stack: LocalStack): Promise<StoredEmail[]> {
  const res = await fetch(`${stack.outputs.endpoints.ses}/store`);
  return ((await res.json()) as { emails: StoredEmail[] }).emails;
}

export function actionUrl(email: StoredEmail): string | undefined {
  return /(http:\/\/127\.0\.0\.1:\d+\/actions\/[A-Za-z0-9._%-]+)/.exec(email.body.text ?? '')?.[1];
}

/** Stored bytes of the items an event created (tasks, audit, the person and their addresses), each once. */
export function newBytes(transactions: TransactInput[], entities: string[]): number {
  const items = new Map<string, Record<string, unknown>>();
  for (const t of transactions) {
    for (const op of t.TransactItems) {
      const item = op.Put?.Item as Record<string, unknown> | undefined;
      if (item && entities.includes(String(item.entity))) items.set(`${item.pk}\u0000${item.sk}`, item);
    }
  }
  return [...items.values()].reduce((s, i) => s + storedBytes(i), 0);
}

export function summariseScenario(m: Measured) {
  return { rcu: m.rcu, wcu: m.wcu, capacity: m.capacity, wallMs: round(m.wallMs, 1), emails: m.emails, recipients: m.recipients, events: m.events };
}


/** An API Gateway HTTP API (payload 2.0) request, as the local HTTP API builds it (infra/local/http-api.ts). */
export function httpEvent(method: 'GET' | 'POST', url: URL, route: string, o: { pathParameters?: Record<string, string>; headers?: Record<string, string>; cookies?: string[] } = {}) {
  const now = new Date();
  const query = Object.fromEntries(url.searchParams);
  return {
    version: '2.0',
    routeKey: `${method} ${route}`,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    ...(o.cookies?.length ? { cookies: o.cookies } : {}),
    headers: { host: url.host, 'user-agent': 'custodian-bench', ...(o.headers ?? {}), ...(o.cookies?.length ? { cookie: o.cookies.join('; ') } : {}) },
    ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
    ...(o.pathParameters ? { pathParameters: o.pathParameters } : {}),
    requestContext: {
      accountId: '000000000000', apiId: 'local', domainName: url.host, domainPrefix: 'local',
      http: { method, path: url.pathname, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'custodian-bench' },
      requestId: 'bench-cold', routeKey: `${method} ${route}`, stage: '$default', time: now.toUTCString(), timeEpoch: now.getTime(),
    },
    isBase64Encoded: false,
  };
}

/**
 * What a function's process would hold on Lambda, pointed at the local stack: its own variables (the template's,
 * resolved locally) and what the runtime provides (region, credentials, the SDK's local endpoints, Powertools settings).
 */
export function functionProcessEnv(stack: LocalStack, name: string): Record<string, string> {
  const fn = stack.runtime.functions.get(name);
  if (!fn) throw new Error(`no function ${name}`);
  const provided = Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined && LAMBDA_PROVIDED.has(e[0]) && e[0] !== 'PATH'));
  return { ...provided, ...fn.environment, AWS_LAMBDA_FUNCTION_NAME: name };
}
