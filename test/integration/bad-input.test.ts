/**
 * Random and malformed input through the real handlers of one local stack: the signed HR webhook, the Graph
 * webhook, the action pages and HR / Account Activity events on the bus. Each must refuse clearly (a 4xx, or a
 * dead letter with the reason), never fail with a 5xx or an unhandled exception, never leak a stack trace or an
 * internal name, and never write: the whole table is scanned after every input and compared with the snapshot
 * taken after seeding. The pure parsers behind these handlers are fuzzed in test/unit/properties.test.ts.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccountActivityDetail, HR_DETAIL_TYPES, HrEvent, HrWebhookBody } from '../../events/schemas.ts';
import { GRAPH_SOURCE } from '../../events/graph.ts';
import { PLATFORMS, accountId, parsePlatform } from '../../functions/domain/model.ts';
import { signBody, verifySignature } from '../../functions/domain/signature.ts';
import { signToken, verifyToken } from '../../functions/domain/tokens.ts';
import { putEvent, seedRegister, startTestStack, type TestStack } from '../support/stack.ts';
const RECIPIENT = 'recipient@oakfield.sch.uk';
const link = (taskId: string, recipient = RECIPIENT, generation = 1) => ({ taskId, recipient, generation });


let stack: TestStack;
let ddb: DynamoDBDocumentClient;
let baseline: string;
let accountIds: Set<string>;
/** Graph notifications the webhook put on the bus (events/graph.ts). */
const graphEventsSent = () => stack.aws.recentEvents.filter((e) => e.source === GRAPH_SOURCE).length;
let secrets: { hr: string; link: string; clientState: string };
/** Strings a response must never contain: internal names and every secret. */
let internal: string[];

async function snapshot(): Promise<string> {
  const items: Array<Record<string, unknown>> = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await ddb.send(new ScanCommand({ TableName: stack.outputs.tableName, ConsistentRead: true, ExclusiveStartKey: start }));
    items.push(...(out.Items ?? []));
    start = out.LastEvaluatedKey;
  } while (start);
  items.sort((a, b) => `${a.pk}\u0000${a.sk}`.localeCompare(`${b.pk}\u0000${b.sk}`));
  return JSON.stringify(items);
}

/** The table is exactly as seeded: nothing was written, updated or deleted. */
async function expectNoWrite(input: unknown): Promise<void> {
  const now = await snapshot();
  if (now !== baseline) {
    throw new Error(`the table changed after input ${JSON.stringify(input)?.slice(0, 2000)}`);
  }
}

/** Nothing in the local runtime failed: no retried invocation, no "Internal Server Error". */
function failureLogs(): string[] {
  return stack.logs.filter((l) => /attempt \d+ failed|Internal Server Error|Unhandled|URIError/i.test(l));
}

function expectCleanResponse(status: number, allowed: number[], body: string, input: unknown): void {
  const where = `status ${status} for ${JSON.stringify(input)?.slice(0, 500)}: ${body.slice(0, 500)}`;
  expect(allowed, where).toContain(status);
  expect(body, where).not.toMatch(/\n\s+at /); // no stack trace
  for (const s of internal) expect(body.includes(s), `response leaks ${s}: ${where}`).toBe(false);
}

const ASYNC_RUNS = { numRuns: 40, endOnFailure: true } as const;

beforeAll(async () => {
  stack = await startTestStack();
  await seedRegister(stack.store);
  await stack.idle();
  ddb = DynamoDBDocumentClient.from(new DynamoDBClient({
    endpoint: stack.outputs.endpoints.dynamodb, region: 'eu-west-2', credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  }));
  baseline = await snapshot();
  accountIds = new Set((await stack.store.listAccounts()).map((a) => a.id));
  secrets = {
    hr: stack.secretValue('HrWebhookSecret'),
    link: stack.secretValue('LinkSigningSecret'),
    clientState: (JSON.parse(stack.secretValue('GraphSecret')) as { clientState: string }).clientState,
  };
  internal = [
    stack.outputs.tableName, stack.outputs.eventBusName, stack.outputs.deadLetterQueueUrl,
    ...stack.queues.all().map((q) => q.spec.url), secrets.hr, secrets.link, secrets.clientState,
  ].filter((s) => s.length >= 8);
}, 120_000);

afterAll(async () => stack?.stop());

// ---------------------------------------------------------------------------------------------
// Generators (small: every input is an HTTP request or a bus event)
// ---------------------------------------------------------------------------------------------

const text = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom('', ' ', '\u0000', '\u202e', '__proto__', 'constructor', '<script>alert(1)</script>', "'; DROP TABLE x; --", '${7*7}'),
);
const emailish = fc.oneof(fc.emailAddress(), text, fc.emailAddress().map((e) => e.replace('@', '')), fc.emailAddress().map((e) => `${e}@`), fc.emailAddress().map((e) => `\u0000${e}`));
const dateish = fc.oneof(
  fc.tuple(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 }))
    .map(([y, m, d]) => `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`),
  fc.constantFrom('2027-02-30', '31/04/2027', '2027-13-01', 'tomorrow', '', '2027/01/05'),
  text,
);
const anyValue = (kind: fc.Arbitrary<unknown>) => fc.oneof({ weight: 5, arbitrary: kind }, fc.jsonValue({ maxDepth: 2 }));

const hrDetail = fc.record({
  email: anyValue(emailish),
  leaveDate: anyValue(dateish),
  startDate: anyValue(dateish),
  displayName: anyValue(text),
  lineManagerEmail: anyValue(emailish),
  school: anyValue(text),
  reason: anyValue(text),
}, { requiredKeys: [] });

const activityDetail = fc.record({
  platform: anyValue(fc.oneof(fc.constantFrom(...PLATFORMS, 'twitter', 'myspace', ''), text)),
  handle: anyValue(fc.oneof(fc.constantFrom('oakfield_pe', '@nobody', 'RiversideChoir_', ''), text)),
  at: anyValue(fc.oneof(fc.date({ noInvalidDate: true, min: new Date('2000-01-01'), max: new Date('2099-01-01') }).map((d) => d.toISOString()), dateish)),
}, { requiredKeys: [] });

const contentType = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('application/json', 'application/json; charset=utf-8', 'APPLICATION/JSON') },
  { weight: 3, arbitrary: fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonp', 'application/octet-stream', 'json', '') },
  fc.stringMatching(/^[ -~]{0,40}$/),
  fc.constant(undefined),
);

async function send(method: string, path: string, body: string | undefined, headers: Record<string, string | undefined>): Promise<{ status: number; body: string; contentType: string }> {
  const h: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) h[k] = v;
  const res = await fetch(`${stack.outputs.endpoints.http}${path}`, { method, headers: h, ...(body === undefined ? {} : { body }), signal: AbortSignal.timeout(10_000) });
  return { status: res.status, body: await res.text(), contentType: res.headers.get('content-type') ?? '' };
}

// ---------------------------------------------------------------------------------------------
// POST /hr/events
// ---------------------------------------------------------------------------------------------

describe('POST /hr/events with random bodies, signatures and content types', () => {
  it('always a 4xx (401, 400, 413 or 415), never a 5xx, never an event on the bus, never a write', async () => {
    const body = fc.oneof(
      { weight: 3, arbitrary: fc.record({ detailType: anyValue(fc.constantFrom(...HR_DETAIL_TYPES, 'Staff leaver', 'Account Activity')), detail: anyValue(hrDetail) }, { requiredKeys: [] }).map((o) => JSON.stringify(o)) },
      fc.json({ maxDepth: 3 }),
      fc.string({ maxLength: 200 }),
      fc.string({ unit: 'grapheme', maxLength: 50 }),
      fc.constantFrom('', '{', 'null', '[]', '{"detailType":"Staff Leaver"}', `{"detailType":"Staff Leaver","detail":{"email":"a@oakfield.sch.uk","leaveDate":"${'x'.repeat(70_000)}"}}`),
    );
    const signature = fc.constantFrom('genuine', 'genuine', 'wrong-secret', 'stale', 'future', 'random', 'none', 'tampered');
    const randomSig = fc.oneof(fc.stringMatching(/^[ -~]{0,120}$/), fc.stringMatching(/^t=\d{1,12},v1=[0-9a-f]{64}$/));
    const bus = stack.aws.recentEvents.length;
    const failures = failureLogs().length;
    const seen = new Set<number>();
    const big = `{"detailType":"Staff Leaver","detail":{"email":"a@oakfield.sch.uk","leaveDate":"2027-01-01","reason":"${'x'.repeat(70_000)}"}}`;

    await fc.assert(fc.asyncProperty(body, signature, randomSig, contentType, async (raw, how, random, type) => {
      const now = Math.floor(Date.now() / 1000);
      const sig = {
        genuine: signBody(secrets.hr, raw, now),
        'wrong-secret': signBody(`${secrets.hr}x`, raw, now),
        stale: signBody(secrets.hr, raw, now - 400),
        future: signBody(secrets.hr, raw, now + 400),
        random,
        none: undefined,
        tampered: signBody(secrets.hr, `${raw} `, now),
      }[how];
      // What the contract says must happen, worked out from the parts; a valid, signed event is not bad input.
      const signed = verifySignature(secrets.hr, raw, sig, now).ok;
      const json = /^application\/json\b/i.test(type?.trim() ?? '');
      let parsed: unknown;
      let parses = true;
      try {
        parsed = JSON.parse(raw);
      } catch {
        parses = false;
      }
      const envelope = parses ? HrWebhookBody.safeParse(parsed) : undefined;
      const valid = envelope?.success === true && HrEvent.safeParse(envelope.data).success;
      const tooBig = Buffer.byteLength(raw) > 64 * 1024;
      fc.pre(!(signed && json && valid && !tooBig));
      const expected = tooBig ? 413 : !signed ? 401 : !json ? 415 : 400;

      const res = await send('POST', '/hr/events', raw, { 'content-type': type, 'x-custodian-signature': sig });
      seen.add(res.status);
      expectCleanResponse(res.status, [expected], res.body, { raw: raw.slice(0, 300), how, sig, type });
      expect(JSON.parse(res.body)).toMatchObject({ message: expect.any(String) });
      await expectNoWrite({ raw: raw.slice(0, 300), how, type });
    }), {
      ...ASYNC_RUNS,
      numRuns: 60,
      examples: [
        [big, 'genuine', '', 'application/json'], // over 64 KB, though valid and signed
        ['{"detailType":"Staff Leaver","detail":{"email":"a@oakfield.sch.uk","leaveDate":"2027-02-30"}}', 'genuine', '', 'application/json'],
        ['{"detailType":"Staff Leaver","detail":{"email":"a@oakfield.sch.uk","leaveDate":"2027-02-01"}}', 'genuine', '', 'text/plain'],
        ['{"detailType":"Staff Leaver","detail":{"email":"a@oakfield.sch.uk","leaveDate":"2027-02-01"}}', 'stale', '', 'application/json'],
      ],
    });

    // Every kind of refusal was really exercised.
    expect([...seen].sort()).toEqual([400, 401, 413, 415]);
    await stack.idle();
    expect(stack.aws.recentEvents.length).toBe(bus);
    expect(failureLogs().length).toBe(failures);
    await expectNoWrite('after all /hr/events inputs');
  }, 120_000);
});

// ---------------------------------------------------------------------------------------------
// POST /graph/notifications and /graph/lifecycle
// ---------------------------------------------------------------------------------------------

describe('POST /graph/notifications and /graph/lifecycle with random JSON and clientStates', () => {
  it('202 with nothing accepted, or a 4xx; never a 5xx, never a queue message, never a write', async () => {
    const badId = fc.oneof(fc.constant(''), text.map((s) => `${s}/`), fc.constantFrom('../x', 'a b', 'x'.repeat(65), 'ü'));
    // A notification. The real clientState only travels with a resource that is not a user, so nothing valid is made.
    const change = fc.oneof(
      fc.record({
        subscriptionId: anyValue(text),
        clientState: anyValue(fc.oneof(text, fc.constantFrom('secret', ''))),
        changeType: anyValue(fc.constantFrom('created', 'updated', 'deleted', 'Updated', '')),
        resource: anyValue(fc.oneof(text, fc.constantFrom('users/abc', '/users/0000-aaaa', 'groups/1'))),
        resourceData: anyValue(fc.record({ id: anyValue(fc.oneof(text, fc.uuid())) }, { requiredKeys: [] })),
        lifecycleEvent: anyValue(fc.constantFrom('reauthorizationRequired', 'subscriptionRemoved', 'missed', 'other')),
      }, { requiredKeys: [] }),
      fc.record({
        subscriptionId: fc.string({ maxLength: 40 }),
        clientState: fc.constant('REAL'),
        changeType: fc.constantFrom('created', 'updated', 'deleted'),
        resource: fc.oneof(text, fc.constantFrom('groups/1', 'users/a/b', 'users/')),
        resourceData: fc.record({ id: badId }),
      }),
    );
    const body = fc.oneof(
      { weight: 4, arbitrary: fc.record({ value: fc.oneof(fc.array(change, { maxLength: 4 }), fc.jsonValue({ maxDepth: 2 })) }, { requiredKeys: [] }).map((o) => JSON.stringify(o)) },
      fc.json({ maxDepth: 3 }),
      fc.string({ maxLength: 100 }),
      fc.constantFrom('', '{', 'null', '{"value":[]}', JSON.stringify({ value: Array.from({ length: 1001 }, () => ({})) }), `{"value":"${'x'.repeat(1024 * 1024)}"}`),
    );
    const path = fc.constantFrom('/graph/notifications', '/graph/lifecycle');
    const sends = graphEventsSent();
    const failures = failureLogs().length;
    const seen = new Set<string>();

    await fc.assert(fc.asyncProperty(path, body, contentType, async (p, template, type) => {
      const lifecycle = p.endsWith('/lifecycle');
      // On the lifecycle route the real clientState would be a valid notification: never send it there.
      const raw = template.replaceAll('"REAL"', lifecycle ? '"not-the-state"' : JSON.stringify(secrets.clientState));
      const res = await send('POST', p, raw, { 'content-type': type });
      expectCleanResponse(res.status, [202, 400, 413, 415], res.body, { p, raw: raw.slice(0, 300), type });
      const answer = JSON.parse(res.body) as { accepted?: number; discarded?: number; message?: string };
      if (res.status === 202) expect(answer.accepted, raw.slice(0, 300)).toBe(0);
      else expect(answer.message).toEqual(expect.any(String));
      seen.add(res.status === 202 && raw.includes(secrets.clientState) ? '202 real clientState discarded' : String(res.status));
      expect(graphEventsSent(), raw.slice(0, 300)).toBe(sends);
      await expectNoWrite({ p, raw: raw.slice(0, 300), type });
    }), {
      ...ASYNC_RUNS,
      numRuns: 60,
      examples: [
        ['/graph/notifications', JSON.stringify({ value: [{ subscriptionId: 's', clientState: 'REAL', changeType: 'updated', resource: 'groups/1', resourceData: { id: 'a/b' } }] }), 'application/json'],
        ['/graph/notifications', JSON.stringify({ value: [{ subscriptionId: 's', clientState: 'wrong', changeType: 'updated', resource: 'users/abc' }] }), 'application/json'],
        ['/graph/lifecycle', JSON.stringify({ value: [{ subscriptionId: 's', clientState: 'wrong', lifecycleEvent: 'missed' }] }), 'application/json'],
        ['/graph/notifications', `{"value":"${'x'.repeat(1024 * 1024)}"}`, 'application/json'],
        ['/graph/notifications', '{"value":[]}', 'text/plain'],
        ['/graph/lifecycle', '{"value":[{"subscriptionId":1}]}', 'application/json'],
      ],
    });

    for (const s of ['202', '202 real clientState discarded', '400', '413', '415']) expect(seen, s).toContain(s);

    await stack.idle();
    expect(graphEventsSent()).toBe(sends);
    expect(failureLogs().length).toBe(failures);
    await expectNoWrite('after all Graph inputs');
  }, 120_000);

  it('the validation handshake echoes any token as plain text (or refuses one over 2 KB) and writes nothing', async () => {
    const token = fc.oneof(fc.string({ maxLength: 100 }), fc.string({ unit: 'grapheme', maxLength: 30 }), fc.constantFrom('<script>alert(1)</script>', 'x'.repeat(2049), '%zz'));
    await fc.assert(fc.asyncProperty(fc.constantFrom('/graph/notifications', '/graph/lifecycle'), token, async (p, t) => {
      const res = await send('POST', `${p}?${new URLSearchParams({ validationToken: t })}`, undefined, {});
      if (t.length <= 2048) {
        expectCleanResponse(res.status, [200], res.body, t);
        expect(res.body).toBe(t);
        expect(res.contentType).toMatch(/^text\/plain/);
      } else {
        expectCleanResponse(res.status, [400], res.body, t);
      }
      await expectNoWrite({ validationToken: t });
    }), { numRuns: 30, endOnFailure: true });
  }, 60_000);
});

// ---------------------------------------------------------------------------------------------
// GET and POST /actions/{token}
// ---------------------------------------------------------------------------------------------

describe('GET and POST /actions/{random token}', () => {
  it('a 400, 403, 404 or 410 page; never a 5xx, never a write', async () => {
    const B64URL = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'];
    const taskId = fc.oneof(fc.stringMatching(/^[A-Za-z0-9]{16,26}$/), fc.string({ minLength: 1, maxLength: 20 }));
    const token = fc.oneof(
      fc.string({ maxLength: 80 }),
      fc.string({ unit: 'grapheme', maxLength: 30 }),
      fc.tuple(fc.stringMatching(/^[A-Za-z0-9_-]{1,120}$/), fc.stringMatching(/^[A-Za-z0-9_-]{1,50}$/)).map(([a, b]) => `${a}.${b}`),
      // genuinely signed, for a task that does not exist
      taskId.map((t) => ({ kind: 'genuine' as const, t })),
      taskId.map((t) => ({ kind: 'expired' as const, t })),
      taskId.map((t) => ({ kind: 'other-secret' as const, t })),
      fc.tuple(taskId, fc.nat(), fc.constantFrom(...B64URL, '.', '~')).map(([t, at, c]) => ({ kind: 'edited' as const, t, at, c })),
      fc.constantFrom('', '.', '..', 'a.b.c', `${'a'.repeat(600)}.b`, '<script>alert(1)</script>', '%zz', 'a/b', '?x=1', '#frag'),
    );
    const form = fc.oneof(
      fc.record({ action: fc.constantFrom('transfer', 'close', 'keep', 'acknowledge', 'confirm', 'extend', 'reviewed', 'nuke'), actor: emailish, newOwner: emailish, reason: text }, { requiredKeys: [] })
        .map((o) => new URLSearchParams(o as Record<string, string>).toString()),
      fc.string({ maxLength: 200 }),
      fc.constant('x'.repeat(17 * 1024)),
    );
    const formType = fc.oneof(fc.constant('application/x-www-form-urlencoded'), contentType);
    const failures = failureLogs().length;
    const seen = new Set<number>();

    await fc.assert(fc.asyncProperty(token, fc.constantFrom('GET', 'POST'), form, formType, async (spec, method, body, type) => {
      const now = Math.floor(Date.now() / 1000);
      let t: string;
      if (typeof spec === 'string') t = spec;
      else if (spec.kind === 'genuine') t = signToken(secrets.link, link(spec.t), now + 86_400);
      else if (spec.kind === 'expired') t = signToken(secrets.link, link(spec.t), now - 3_600);
      else if (spec.kind === 'other-secret') t = signToken(`${secrets.link}x`, link(spec.t), now + 86_400);
      else {
        const g = signToken(secrets.link, link(spec.t), now + 86_400);
        const i = spec.at % g.length;
        t = g.slice(0, i) + spec.c + g.slice(i + 1);
      }
      // Percent-encoded, except that a literal % is sent as it is, so malformed escapes reach the API too.
      const segment = encodeURIComponent(t).replaceAll('%25', '%');
      // The route needs a non-empty segment that is not a dot segment; otherwise the API itself answers 404.
      const routed = !/^(\.|%2e){0,2}$/i.test(t);
      const verdict = verifyToken(secrets.link, t, now);
      // No task exists in this stack, so a link that verifies finds none.
      // A dot segment never reaches the action pages: the URL resolves to the console's own pages (/ and its
      // neighbours), which answer without a session with a redirect, 400 or 404, and never a write.
      const expected = !routed ? [400, 303, 401, 404] : [verdict.ok ? 404 : { malformed: 400, forged: 403, expired: 410 }[verdict.reason]];
      const res = await send(method, `/actions/${segment}`, method === 'POST' ? body : undefined, method === 'POST' ? { 'content-type': type } : {});
      seen.add(res.status);
      expectCleanResponse(res.status, expected, res.body, { t, method, type });
      if (routed) {
        expect(res.contentType).toMatch(/^text\/html/);
        expect(res.body).not.toContain('<script>alert(1)</script>');
      }
      await expectNoWrite({ t, method, body: body.slice(0, 200), type });
    }), {
      ...ASYNC_RUNS,
      numRuns: 60,
      examples: [
        [{ kind: 'genuine', t: 'no-such-task-000000' }, 'POST', 'action=close&actor=it%40oakfield.sch.uk', 'application/x-www-form-urlencoded'],
        [{ kind: 'expired', t: 'no-such-task-000000' }, 'GET', '', undefined],
        [{ kind: 'other-secret', t: 'no-such-task-000000' }, 'POST', 'action=close', 'application/x-www-form-urlencoded'],
        ['not-a-token', 'GET', '', undefined],
      ],
    });

    expect([...seen].sort()).toEqual([400, 403, 404, 410]);
    expect(failureLogs().length).toBe(failures);
  }, 120_000);
});

// ---------------------------------------------------------------------------------------------
// Events on the bus
// ---------------------------------------------------------------------------------------------

describe('random HR and Account Activity events on the bus', () => {
  it('each invalid event ends in the dead-letter queue with its reason, and nothing is written', async () => {
    const dlq = stack.queues.all().find((q) => q.spec.logicalId.startsWith('MessagingDeadLetter'))!;
    const detailTypes = [...HR_DETAIL_TYPES, 'Account Activity'] as const;
    const event = fc.constantFrom(...detailTypes).chain((detailType) => fc.record({
      detailType: fc.constant(detailType),
      detail: fc.oneof(
        { weight: 4, arbitrary: detailType === 'Account Activity' ? activityDetail : hrDetail },
        fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }),
      ),
    }));
    /** Whether the handler would act on the event: those are valid input, not what this test is about. */
    const valid = ({ detailType, detail }: { detailType: string; detail: Record<string, unknown> }): boolean => {
      if (detailType !== 'Account Activity') return HrEvent.safeParse({ detailType, detail }).success;
      const a = AccountActivityDetail.safeParse(detail);
      if (!a.success) return false;
      const platform = parsePlatform(a.data.platform);
      return platform !== undefined && accountIds.has(accountId(platform, a.data.handle));
    };
    const failures = failureLogs().length;
    let events = 0;

    await fc.assert(fc.asyncProperty(event, async (e) => {
      fc.pre(!valid(e));
      const before = dlq.messages.length;
      const id = await putEvent(stack, e.detailType, e.detail, e.detailType === 'Account Activity' ? 'activity' : 'hr');
      await stack.idle();
      events++;
      const letters = dlq.messages.slice(before).map((m) => JSON.parse(m.Body) as { reason?: string; origin?: string; event?: { id?: string } });
      expect(letters, JSON.stringify(e)).toHaveLength(1);
      expect(letters[0]!.event?.id).toBe(id);
      expect(letters[0]!.origin).toBe(e.detailType === 'Account Activity' ? 'account-activity' : 'hr-events');
      expect(letters[0]!.reason, JSON.stringify(e)).toEqual(expect.stringMatching(/\S/));
      expect(letters[0]!.reason).not.toMatch(/\n\s+at /);
      await expectNoWrite(e);
    }), { ...ASYNC_RUNS, numRuns: 60 });

    expect(events).toBeGreaterThan(30);
    expect(failureLogs().length).toBe(failures);
    expect(stack.aws.recentEvents.filter((x) => x.source === 'custodian')).toEqual([]); // nothing flagged or resolved
  }, 120_000);
});

describe('Account Activity from a source that is not configured', () => {
  it('is not delivered by the rule; reaching the function any other way, it is dead-lettered with the reason', async () => {
    const dlq = stack.queues.all().find((q) => q.spec.logicalId.startsWith('MessagingDeadLetter'))!;
    const detail = { platform: 'instagram', handle: 'oakfield_pe', at: '2099-01-01T00:00:00Z' };
    const before = dlq.messages.length;
    const logsBefore = stack.logs.length;
    await putEvent(stack, 'Account Activity', detail, 'trust.ticketing');
    await stack.idle();
    expect(stack.logs.slice(logsBefore).some((l) => l.includes('"Account Activity" from "trust.ticketing"') && l.includes('matched no rule'))).toBe(true);
    expect(dlq.messages.length).toBe(before);

    const event = { version: '0', id: 'not-configured-1', source: 'trust.ticketing', 'detail-type': 'Account Activity', account: '000000000000', time: new Date().toISOString(), region: 'eu-west-2', resources: [], detail };
    expect(await stack.runtime.invoke('account-activity', event)).toEqual({ outcome: 'dead-lettered' });
    const letters = dlq.messages.slice(before).map((m) => JSON.parse(m.Body) as { reason?: string; origin?: string; event?: { id?: string } });
    expect(letters).toEqual([expect.objectContaining({ origin: 'account-activity', reason: 'source "trust.ticketing" is not an accepted activity source', event: expect.objectContaining({ id: 'not-configured-1' }) })]);
    await expectNoWrite(detail);
  });
});

describe('the write detector itself', () => {
  it('sees a write: a valid leaver changes the table', async () => {
    await putEvent(stack, 'Staff Leaver', { email: 'r.hughes@oakfield.sch.uk', leaveDate: '2027-01-29' });
    await stack.idle();
    await expect(expectNoWrite('a valid leaver')).rejects.toThrow(/the table changed/);
  });
});
