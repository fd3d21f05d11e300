/**
 * The Graph adapter against responses recorded from Microsoft's documentation (test/fixtures/graph, served by
 * msw), and once against the local Graph emulator end to end.
 */
import { readFileSync } from 'node:fs';
import { delay, http, HttpResponse, passthrough } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  DeltaTokenExpiredError,
  GraphDirectory,
  GraphError,
  clientCredentialsTokenProvider,
  type Subscription,
} from '../../functions/adapters/graph.ts';
import { GRAPH_USER_FIELDS, type DeltaEntry } from '../../functions/domain/directory.ts';
import { startGraphEmulator, type EmulatorUser } from '../../infra/local/graph-emulator.ts';

type Json = Record<string, unknown>;

/** A recorded response body, without the `_source` note that says where it was recorded from. */
function fixture(name: string): Json {
  const { _source: _ignored, ...body } = JSON.parse(readFileSync(new URL(`../fixtures/graph/${name}.json`, import.meta.url), 'utf8')) as Json;
  return body;
}

const GRAPH = 'https://graph.microsoft.com';
const TOKEN = 'test-access-token';

interface Seen {
  method: string;
  url: string;
  authorization: string | null;
  contentType: string | null;
  body: Json | undefined;
}
let seen: Seen[] = [];
const server = setupServer();

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
beforeEach(() => {
  seen = [];
});
afterEach(() => {
  server.resetHandlers();
  vi.useRealTimers();
});
afterAll(() => server.close());

async function record(request: Request): Promise<Seen> {
  const text = request.method === 'GET' || request.method === 'DELETE' ? '' : await request.clone().text();
  const s: Seen = {
    method: request.method,
    url: request.url,
    authorization: request.headers.get('authorization'),
    contentType: request.headers.get('content-type'),
    body: text ? (JSON.parse(text) as Json) : undefined,
  };
  seen.push(s);
  return s;
}

function directory(opts: Partial<ConstructorParameters<typeof GraphDirectory>[0]> = {}): GraphDirectory {
  return new GraphDirectory({ baseUrl: GRAPH, token: async () => TOKEN, ...opts });
}

const graphError = (status: number, name: string, headers: Record<string, string> = {}) =>
  HttpResponse.json(fixture(name), { status, headers });

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to fail');
}

const selectOf = (url: string): string | null => new URL(url).searchParams.get('$select');

// ---------------------------------------------------------------------------------------------

describe('getUser', () => {
  it('selects the directory fields and keeps only those', async () => {
    server.use(http.get(`${GRAPH}/v1.0/users/:id`, async ({ request }) => (await record(request), HttpResponse.json(fixture('user-get')))));

    const user = await directory().getUser('87d349ed-44d7-43e1-9a83-5f2406dee5bd');

    expect(user).toEqual({
      id: '87d349ed-44d7-43e1-9a83-5f2406dee5bd',
      displayName: 'Adele Vance',
      mail: 'AdeleV@contoso.com',
      userPrincipalName: 'AdeleV@contoso.com',
      proxyAddresses: ['SMTP:AdeleV@contoso.com', 'smtp:adele.vance@contoso.com'],
      accountEnabled: true,
      employeeLeaveDateTime: null,
      employeeId: '1000',
      jobTitle: 'Retail Manager',
    });
    expect(seen).toHaveLength(1);
    expect(new URL(seen[0]!.url).pathname).toBe('/v1.0/users/87d349ed-44d7-43e1-9a83-5f2406dee5bd');
    expect(selectOf(seen[0]!.url)).toBe(GRAPH_USER_FIELDS.join(','));
  });

  it('answers undefined for 404', async () => {
    server.use(http.get(`${GRAPH}/v1.0/users/:id`, () => graphError(404, 'user-not-found')));
    expect(await directory().getUser('11111111-2222-3333-4444-555555555555')).toBeUndefined();
  });

  it('turns other failures into GraphError with the status and Graph code', async () => {
    server.use(
      http.get(`${GRAPH}/v1.0/users/:id`, () =>
        HttpResponse.json({ error: { code: 'Authorization_RequestDenied', message: 'Insufficient privileges to complete the operation.' } }, { status: 403 }),
      ),
    );
    const err = await rejection(directory().getUser('x'));
    expect(err).toBeInstanceOf(GraphError);
    expect(err).toMatchObject({ status: 403, code: 'Authorization_RequestDenied' });
  });
});

describe('getManagerEmail', () => {
  it("returns the manager's mail, lower case", async () => {
    server.use(http.get(`${GRAPH}/v1.0/users/:id/manager`, async ({ request }) => (await record(request), HttpResponse.json(fixture('manager')))));

    expect(await directory().getManagerEmail('87d349ed-44d7-43e1-9a83-5f2406dee5bd')).toBe('sarad@contoso.onmicrosoft.com');
    expect(selectOf(seen[0]!.url)).toBe('id,mail,userPrincipalName');
  });

  it('falls back to the userPrincipalName when the manager has no mailbox', async () => {
    server.use(http.get(`${GRAPH}/v1.0/users/:id/manager`, () => HttpResponse.json({ ...fixture('manager'), mail: null, userPrincipalName: 'Sara.Davis@Contoso.onmicrosoft.com' })));
    expect(await directory().getManagerEmail('u1')).toBe('sara.davis@contoso.onmicrosoft.com');
  });

  it('answers undefined when there is no manager (404)', async () => {
    server.use(http.get(`${GRAPH}/v1.0/users/:id/manager`, () => graphError(404, 'user-not-found')));
    expect(await directory().getManagerEmail('u1')).toBeUndefined();
  });
});

describe('delta', () => {
  const initial = fixture('delta-users-initial');
  const changes = fixture('delta-users-changes');
  const noChanges = fixture('delta-users-no-changes');
  const nextLink = initial['@odata.nextLink'] as string;
  const deltaLink = changes['@odata.deltaLink'] as string;

  /** Serves the documented sequence: initial page → (nextLink) page with the deltaLink → (deltaLink) no changes. */
  function serveDelta(): void {
    server.use(
      http.get(`${GRAPH}/v1.0/users/delta`, async ({ request }) => {
        await record(request);
        const q = new URL(request.url).searchParams;
        if (q.has('$skiptoken')) return HttpResponse.json(changes);
        if (q.has('$deltatoken')) return HttpResponse.json(noChanges);
        return HttpResponse.json(initial);
      }),
    );
  }

  it('runs a round of two pages: users keep only directory fields, @removed entries keep their reason', async () => {
    serveDelta();
    const pages: DeltaEntry[][] = [];

    const link = await directory().deltaRound(undefined, async (entries) => void pages.push(entries));

    expect(link).toBe(deltaLink);
    expect(pages).toEqual([
      [
        { kind: 'user', user: { id: 'ffff7b1a-13b6-477b-8c0c-380905cd99f7', displayName: 'Cameron White' } },
        { kind: 'user', user: { id: '605d1257-ffff-40b6-8e6f-528a53f5dc55', displayName: 'Delia Dennis' } },
        { kind: 'removed', id: '86462606-fde0-4fc4-9e0c-a20eb73e54c6', reason: 'deleted' },
        { kind: 'user', user: { id: '6ea91a8d-e32e-41a1-b7bd-d2d185eed0e0', displayName: 'Conf Room Adams' } },
      ],
      [
        { kind: 'user', user: { id: '25dcffff-959e-4ece-9973-e5d9b800e8cc', displayName: 'MOD Administrator' } },
        { kind: 'removed', id: '8ffff70c-1c63-4860-b963-e34ec660931d', reason: 'changed' },
      ],
    ]);
    expect(seen.map((s) => s.url)).toEqual([`${GRAPH}/v1.0/users/delta?$select=${GRAPH_USER_FIELDS.join(',')}`, nextLink]);
  });

  it('follows a saved deltaLink exactly, later', async () => {
    serveDelta();
    const pages: DeltaEntry[][] = [];

    const link = await directory().deltaRound(deltaLink, async (entries) => void pages.push(entries));

    expect(seen.map((s) => s.url)).toEqual([deltaLink]);
    expect(pages).toEqual([[]]);
    expect(link).toBe(noChanges['@odata.deltaLink']);
  });

  it('deltaPage returns one page with its nextLink', async () => {
    serveDelta();
    const page = await directory().deltaPage();
    expect(page.nextLink).toBe(nextLink);
    expect(page.deltaLink).toBeUndefined();
    expect(page.entries).toHaveLength(4);
  });

  it('reports an expired token (410 syncStateNotFound) as DeltaTokenExpiredError', async () => {
    server.use(http.get(`${GRAPH}/v1.0/users/delta`, () => graphError(410, 'delta-sync-state-not-found', { location: `${GRAPH}/v1.0/users/delta` })));
    const err = await rejection(directory().deltaPage(deltaLink));
    expect(err).toBeInstanceOf(DeltaTokenExpiredError);
    expect((err as Error).message).toContain('syncStateNotFound');
    expect((err as Error).message).not.toContain('MF1Lu');
  });

  it('reports 400 resyncRequired as DeltaTokenExpiredError, also when the code is nested in innerError', async () => {
    server.use(http.get(`${GRAPH}/v1.0/users/delta`, () => graphError(400, 'delta-resync-required')));
    expect(await rejection(directory().deltaRound(deltaLink, async () => undefined))).toBeInstanceOf(DeltaTokenExpiredError);

    const nested = fixture('delta-sync-state-not-found') as { error: Json };
    server.use(
      http.get(`${GRAPH}/v1.0/users/delta`, () =>
        HttpResponse.json({ error: { ...nested.error, code: 'BadRequest', innerError: { code: 'syncStateNotFound' } } }, { status: 400 }),
      ),
    );
    expect(await rejection(directory().deltaPage(deltaLink))).toBeInstanceOf(DeltaTokenExpiredError);
  });

  it('keeps other 400s as GraphError', async () => {
    server.use(
      http.get(`${GRAPH}/v1.0/users/delta`, () =>
        HttpResponse.json({ error: { code: 'Request_BadRequest', message: "Could not find a property named 'x' on type 'microsoft.graph.user'." } }, { status: 400 }),
      ),
    );
    const err = await rejection(directory().deltaPage());
    expect(err).not.toBeInstanceOf(DeltaTokenExpiredError);
    expect(err).toMatchObject({ status: 400, code: 'Request_BadRequest' });
  });

  it('treats a link for another host as expired, without sending it the token', async () => {
    const token = vi.fn(async () => TOKEN);
    const err = await rejection(directory({ token }).deltaPage('http://127.0.0.1:4003/v1.0/users/delta?$deltatoken=x'));
    expect(err).toBeInstanceOf(DeltaTokenExpiredError);
    expect((err as Error).message).toContain('http://127.0.0.1:4003');
    expect(await rejection(directory({ token }).deltaPage('not a link'))).toBeInstanceOf(DeltaTokenExpiredError);
    expect(token).not.toHaveBeenCalled();
    expect(seen).toHaveLength(0);
  });
});

describe('throttling and retries', () => {
  it('waits for Retry-After on 429 and then succeeds', async () => {
    let calls = 0;
    const at: number[] = [];
    server.use(
      http.get(`${GRAPH}/v1.0/users/:id`, () => {
        calls += 1;
        at.push(performance.now());
        return calls === 1 ? graphError(429, 'too-many-requests', { 'Retry-After': '1' }) : HttpResponse.json(fixture('user-get'));
      }),
    );

    const user = await directory().getUser('87d349ed-44d7-43e1-9a83-5f2406dee5bd');

    expect(user?.displayName).toBe('Adele Vance');
    expect(calls).toBe(2);
    // Loosely: the retry came after the advertised second, not immediately.
    expect(at[1]! - at[0]!).toBeGreaterThanOrEqual(900);
  });

  it('retries 503 with growing backoff when there is no Retry-After', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const at: number[] = [];
    server.use(
      http.get(`${GRAPH}/v1.0/users/:id`, () => {
        at.push(Date.now());
        return at.length <= 2 ? graphError(503, 'service-unavailable') : HttpResponse.json(fixture('user-get'));
      }),
    );

    let done = false;
    const result = directory().getUser('87d349ed-44d7-43e1-9a83-5f2406dee5bd').finally(() => (done = true));
    while (!done) await vi.advanceTimersByTimeAsync(250);

    expect((await result)?.id).toBe('87d349ed-44d7-43e1-9a83-5f2406dee5bd');
    expect(at).toHaveLength(3);
    const [first, second] = [at[1]! - at[0]!, at[2]! - at[1]!];
    expect(first).toBeGreaterThanOrEqual(1000);
    expect(second).toBeGreaterThan(first);
  });

  it('gives up after maxRetries with the last GraphError', async () => {
    let calls = 0;
    server.use(http.get(`${GRAPH}/v1.0/users/:id`, () => ((calls += 1), graphError(429, 'too-many-requests', { 'Retry-After': '0' }))));

    const err = await rejection(directory().getUser('u1'));

    expect(err).toBeInstanceOf(GraphError);
    expect(err).toMatchObject({ status: 429, code: 'TooManyRequests' });
    expect(calls).toBe(6);

    calls = 0;
    await rejection(directory({ maxRetries: 2 }).getUser('u1'));
    expect(calls).toBe(3);
  });

  it('times out a request that does not answer', async () => {
    server.use(http.get(`${GRAPH}/v1.0/users/:id`, async () => (await delay('infinite'), HttpResponse.json({}))));
    const err = await rejection(directory({ timeoutMs: 100 }).getUser('u1'));
    expect(err).toBeInstanceOf(GraphError);
    expect(err).toMatchObject({ status: 0, code: 'TimeoutError' });
  });
});

describe('subscriptions', () => {
  const sub = fixture('subscription');
  const expected: Subscription = {
    id: '0fc0d6db-0073-42e5-a186-853da75fb308',
    resource: 'Users',
    changeType: 'updated,deleted',
    notificationUrl: 'https://webhookappexample.azurewebsites.net/api/notifications',
    lifecycleNotificationUrl: 'https://webhook.azurewebsites.net/api/send/lifecycleNotifications',
    expirationDateTime: '2018-03-12T05:00:00Z',
  };

  it('creates a subscription on /users for updated,deleted', async () => {
    server.use(http.post(`${GRAPH}/v1.0/subscriptions`, async ({ request }) => (await record(request), HttpResponse.json(sub, { status: 201 }))));

    const created = await directory().createSubscription({
      notificationUrl: expected.notificationUrl,
      lifecycleNotificationUrl: expected.lifecycleNotificationUrl!,
      clientState: 'custodian-client-state',
      expirationDateTime: '2018-03-12T05:00:00Z',
    });

    expect(created).toEqual(expected);
    expect(seen[0]).toMatchObject({ method: 'POST', url: `${GRAPH}/v1.0/subscriptions` });
    expect(seen[0]!.contentType).toMatch(/^application\/json/);
    expect(seen[0]!.body).toEqual({
      changeType: 'updated,deleted',
      notificationUrl: expected.notificationUrl,
      lifecycleNotificationUrl: expected.lifecycleNotificationUrl,
      resource: '/users',
      expirationDateTime: '2018-03-12T05:00:00Z',
      clientState: 'custodian-client-state',
    });
  });

  it('leaves lifecycleNotificationUrl out when there is none', async () => {
    server.use(http.post(`${GRAPH}/v1.0/subscriptions`, async ({ request }) => (await record(request), HttpResponse.json({ ...sub, lifecycleNotificationUrl: null }, { status: 201 }))));

    const created = await directory().createSubscription({ notificationUrl: expected.notificationUrl, clientState: 's', expirationDateTime: expected.expirationDateTime });

    expect(seen[0]!.body).not.toHaveProperty('lifecycleNotificationUrl');
    expect(created).not.toHaveProperty('lifecycleNotificationUrl');
  });

  it('gets a subscription, or undefined when it is gone (404)', async () => {
    server.use(
      http.get(`${GRAPH}/v1.0/subscriptions/:id`, ({ params }) =>
        params.id === expected.id ? HttpResponse.json(sub) : graphError(404, 'subscription-not-found'),
      ),
    );
    expect(await directory().getSubscription(expected.id)).toEqual(expected);
    expect(await directory().getSubscription('7f105c7d-2dc5-4530-97cd-4e7ae6534c07')).toBeUndefined();
  });

  it('renews with a PATCH of expirationDateTime only', async () => {
    server.use(
      http.patch(`${GRAPH}/v1.0/subscriptions/:id`, async ({ request }) => {
        const s = await record(request);
        return HttpResponse.json({ ...sub, expirationDateTime: s.body?.expirationDateTime });
      }),
    );

    const renewed = await directory().renewSubscription(expected.id, '2018-04-08T05:00:00Z');

    expect(renewed).toEqual({ ...expected, expirationDateTime: '2018-04-08T05:00:00Z' });
    expect(seen[0]).toMatchObject({ method: 'PATCH', url: `${GRAPH}/v1.0/subscriptions/${expected.id}`, body: { expirationDateTime: '2018-04-08T05:00:00Z' } });
  });

  it('deletes a subscription (204)', async () => {
    server.use(http.delete(`${GRAPH}/v1.0/subscriptions/:id`, async ({ request }) => (await record(request), new HttpResponse(null, { status: 204 }))));

    await expect(directory().deleteSubscription(expected.id)).resolves.toBeUndefined();
    expect(seen[0]).toMatchObject({ method: 'DELETE', url: `${GRAPH}/v1.0/subscriptions/${expected.id}` });
  });
});

describe('authorization', () => {
  /** Answers every Graph call this adapter makes, with links pointing back at `base`. */
  function serveEverything(base: string): void {
    const initial = fixture('delta-users-initial');
    const changes = fixture('delta-users-changes');
    const rebase = (link: unknown) => String(link).replace(GRAPH, base);
    server.use(
      http.all(`${base}/v1.0/*`, async ({ request }) => {
        await record(request);
        const url = new URL(request.url);
        if (url.pathname === '/v1.0/users/delta') {
          return url.searchParams.has('$skiptoken')
            ? HttpResponse.json({ ...changes, '@odata.deltaLink': rebase(changes['@odata.deltaLink']) })
            : HttpResponse.json({ ...initial, '@odata.nextLink': rebase(initial['@odata.nextLink']) });
        }
        if (url.pathname.endsWith('/manager')) return HttpResponse.json(fixture('manager'));
        if (url.pathname.startsWith('/v1.0/users/')) return HttpResponse.json(fixture('user-get'));
        if (request.method === 'DELETE') return new HttpResponse(null, { status: 204 });
        return HttpResponse.json(fixture('subscription'), { status: request.method === 'POST' ? 201 : 200 });
      }),
    );
  }

  async function useEveryCall(d: GraphDirectory): Promise<void> {
    await d.getUser('u1');
    await d.getManagerEmail('u1');
    await d.deltaRound(undefined, async () => undefined);
    await d.createSubscription({ notificationUrl: 'https://x.example/n', clientState: 's', expirationDateTime: '2030-01-01T00:00:00Z' });
    await d.getSubscription('s1');
    await d.renewSubscription('s1', '2030-01-02T00:00:00Z');
    await d.deleteSubscription('s1');
  }

  it.each([GRAPH, 'http://127.0.0.1:4003'])('sends a fresh bearer token from the provider on every request to %s', async (base) => {
    serveEverything(base);
    let n = 0;
    const token = vi.fn(async () => `token-${++n}`);

    await useEveryCall(new GraphDirectory({ baseUrl: base, token }));

    expect(seen).toHaveLength(8);
    expect(seen.every((s) => s.url.startsWith(`${base}/v1.0/`))).toBe(true);
    expect(seen.map((s) => s.authorization)).toEqual(seen.map((_, i) => `Bearer token-${i + 1}`));
  });

  it('keeps the token out of error messages', async () => {
    server.use(
      http.get(`${GRAPH}/v1.0/users/:id`, () =>
        HttpResponse.json({ error: { code: 'InvalidAuthenticationToken', message: 'Access token validation failure. Invalid audience.' } }, { status: 401 }),
      ),
    );
    const err = (await rejection(directory({ token: async () => 'very-secret-token' }).getUser('u1'))) as GraphError;
    expect(err).toMatchObject({ status: 401, code: 'InvalidAuthenticationToken' });
    expect(`${err.message} ${err.stack} ${JSON.stringify(err)}`).not.toContain('very-secret-token');
  });
});

describe('clientCredentialsTokenProvider', () => {
  const creds = { tenantId: '5f3c1b2a-8d4e-4c6f-9a7b-2e1d0c9b8a76', clientId: 'c0ffee00-0000-4000-8000-000000000001', clientSecret: 'client-secret-value' };

  function serveToken(host: string): string[] {
    const forms: string[] = [];
    server.use(
      http.post(`${host}/:tenant/oauth2/v2.0/token`, async ({ request, params }) => {
        expect(params.tenant).toBe(creds.tenantId);
        forms.push(await request.text());
        return HttpResponse.json(fixture('token'));
      }),
    );
    return forms;
  }

  it('gets a client-credential token for Graph from the v2.0 token endpoint and reuses it from memory', async () => {
    const forms = serveToken('https://login.microsoftonline.com');
    const provider = clientCredentialsTokenProvider(creds);

    const first = await provider();
    const second = await provider();

    expect(first).toBe(fixture('token').access_token);
    expect(second).toBe(first);
    expect(forms).toHaveLength(1);
    const form = new URLSearchParams(forms[0]);
    expect(form.get('grant_type')).toBe('client_credentials');
    expect(form.get('client_id')).toBe(creds.clientId);
    expect(form.get('client_secret')).toBe(creds.clientSecret);
    expect(form.get('scope')).toBe('https://graph.microsoft.com/.default');
  });

  it('uses another authority host as given, with no discovery request', async () => {
    // Any request but the token POST (an OpenID configuration GET, say) is unhandled, and msw fails it.
    const host = 'https://login.microsoftonline.us';
    const forms = serveToken(host);

    expect(await clientCredentialsTokenProvider(creds, host)()).toBe(fixture('token').access_token);
    expect(forms).toHaveLength(1);
  });

  it('fails without echoing the secret when the identity platform refuses', async () => {
    server.use(
      http.post('https://login.microsoftonline.com/:tenant/oauth2/v2.0/token', () =>
        HttpResponse.json(
          { error: 'invalid_client', error_description: 'AADSTS7000215: Invalid client secret provided.', error_codes: [7000215] },
          { status: 401 },
        ),
      ),
    );
    const err = (await rejection(clientCredentialsTokenProvider(creds)())) as Error;
    expect(err.message).toContain('invalid_client');
    expect(err.message).not.toContain(creds.clientSecret);
  });
});

describe('against the local Graph emulator', () => {
  it('runs a paged delta round, then sees a disabled user in the next round', async () => {
    // More users than the emulator's default delta page (50), so the round needs a nextLink.
    const users: EmulatorUser[] = Array.from({ length: 60 }, (_, i) => ({
      id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      displayName: `Staff ${i}`,
      mail: `staff${i}@oakfield.sch.uk`,
      userPrincipalName: `staff${i}@oakfield.sch.uk`,
      proxyAddresses: [`SMTP:staff${i}@oakfield.sch.uk`],
      accountEnabled: true,
      employeeLeaveDateTime: null,
      jobTitle: 'Teacher',
    }));
    const emulator = await startGraphEmulator({ port: 0, users });
    try {
      server.use(http.all(`${emulator.url}/*`, async ({ request }) => (await record(request), passthrough())));
      const d = new GraphDirectory({ baseUrl: emulator.url, token: async () => TOKEN });

      const firstRound: DeltaEntry[] = [];
      const deltaLink = await d.deltaRound(undefined, async (entries) => void firstRound.push(...entries));

      expect(seen.length).toBeGreaterThanOrEqual(2);
      expect(firstRound).toHaveLength(60);
      expect(firstRound.every((e) => e.kind === 'user' && e.user.accountEnabled === true)).toBe(true);

      await emulator.disableUser('staff7@oakfield.sch.uk');
      const secondRound: DeltaEntry[] = [];
      await d.deltaRound(deltaLink, async (entries) => void secondRound.push(...entries));

      expect(secondRound).toEqual([
        {
          kind: 'user',
          user: expect.objectContaining({ id: users[7]!.id, userPrincipalName: 'staff7@oakfield.sch.uk', accountEnabled: false }),
        },
      ]);
      expect(seen.every((s) => s.authorization === `Bearer ${TOKEN}`)).toBe(true);
    } finally {
      await emulator.close();
    }
  });
});
