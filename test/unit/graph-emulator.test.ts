/**
 * The Graph emulator, driven through the real @microsoft/microsoft-graph-client where a Graph
 * client would be used, and raw fetch where the wire shape itself is the point.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  Client,
  GraphError,
  HTTPMessageHandler,
  PageIterator,
  RetryHandler,
  RetryHandlerOptions,
  type Context,
  type Middleware,
} from '@microsoft/microsoft-graph-client';
import { startGraphEmulator, type GraphEmulator } from '../../infra/local/graph-emulator.ts';

const FIXTURE = fileURLToPath(new URL('../../samples/directory.json', import.meta.url));
const fixture = JSON.parse(readFileSync(FIXTURE, 'utf8')) as { tenantId: string; users: Array<{ id: string; userPrincipalName: string }> };
const idOf = (upn: string): string => {
  const u = fixture.users.find((x) => x.userPrincipalName === upn);
  if (!u) throw new Error(`fixture lacks ${upn}`);
  return u.id;
};
const RACHEL = idOf('r.hughes@oakfield.sch.uk');
const OKAFOR = idOf('d.okafor@oakfield.sch.uk');

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()?.();
});

async function emulator(opts: Parameters<typeof startGraphEmulator>[0] = {}): Promise<GraphEmulator> {
  const e = await startGraphEmulator({ port: 0, fixturePath: FIXTURE, ...opts });
  cleanup.push(() => e.close());
  return e;
}

/**
 * The SDK attaches the bearer token only to https Graph hosts (customHosts included), so against
 * an http emulator the adapter needs its own auth middleware. This is that middleware.
 */
class BearerToken implements Middleware {
  private next: Middleware | undefined;
  async execute(context: Context): Promise<void> {
    const options = (context.options ??= {});
    const headers = (options.headers ?? {}) as Record<string, string>;
    headers.Authorization = 'Bearer local-token';
    options.headers = headers;
    await this.next?.execute(context);
  }
  setNext(next: Middleware): void {
    this.next = next;
  }
}

function sdk(e: GraphEmulator): Client {
  return Client.initWithMiddleware({
    baseUrl: `${e.url}/`,
    defaultVersion: 'v1.0',
    middleware: [new BearerToken(), new RetryHandler(new RetryHandlerOptions(1, 3)), new HTTPMessageHandler()],
  });
}

async function graphFetch(e: GraphEmulator, path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(path.startsWith('http') ? path : `${e.url}/v1.0${path}`, {
    ...init,
    headers: { authorization: 'Bearer t', ...(init.body ? { 'content-type': 'application/json' } : {}), ...(init.headers as Record<string, string> | undefined) },
  });
}

interface Receiver {
  url: string;
  notifications: Array<{ value: Array<Record<string, unknown>> }>;
  validationTokens: string[];
}

/** A webhook endpoint. `echo: false` answers the handshake wrongly, as a broken endpoint would. */
async function receiver(opts: { echo?: boolean } = {}): Promise<Receiver> {
  const r: Receiver = { url: '', notifications: [], validationTokens: [] };
  const server: Server = createServer((req: IncomingMessage, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const token = url.searchParams.get('validationToken');
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      if (token !== null) {
        r.validationTokens.push(token);
        if (opts.echo === false) {
          res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
        } else {
          res.writeHead(200, { 'content-type': 'text/plain' }).end(token);
        }
        return;
      }
      r.notifications.push(JSON.parse(body) as Receiver['notifications'][number]);
      res.writeHead(202).end();
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const addr = server.address();
  r.url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/notify`;
  cleanup.push(() => new Promise<void>((ok) => { server.close(() => ok()); server.closeAllConnections(); }));
  return r;
}

const inMinutes = (m: number): string => new Date(Date.now() + m * 60_000).toISOString();

async function subscribe(client: Client, notificationUrl: string, extra: Record<string, unknown> = {}) {
  return (await client.api('/subscriptions').post({
    changeType: 'updated,deleted',
    notificationUrl,
    resource: '/users',
    expirationDateTime: inMinutes(60),
    clientState: 'custodian-secret',
    ...extra,
  })) as { id: string; expirationDateTime: string; clientState: string };
}

async function sdkError(p: Promise<unknown>): Promise<GraphError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof GraphError) return err;
    throw err;
  }
  throw new Error('expected a GraphError');
}

type DeltaPage = { value: Array<Record<string, unknown>>; '@odata.nextLink'?: string; '@odata.deltaLink'?: string };

/** Follows nextLinks (through the SDK, as an adapter would) until the deltaLink. */
async function deltaRound(client: Client, first: string, pageSize?: number): Promise<{ items: Array<Record<string, unknown>>; deltaLink: string; pages: number }> {
  const items: Array<Record<string, unknown>> = [];
  let link: string | undefined = first;
  let pages = 0;
  for (;;) {
    let req = client.api(link as string);
    if (pageSize) req = req.header('Prefer', `odata.maxpagesize=${pageSize}`);
    const page = (await req.get()) as DeltaPage;
    pages += 1;
    items.push(...page.value);
    if (page['@odata.deltaLink']) return { items, deltaLink: page['@odata.deltaLink'], pages };
    link = page['@odata.nextLink'];
    expect(link).toBeDefined();
  }
}

describe('graph emulator: auth, errors, throttling', () => {
  it('answers 401 InvalidAuthenticationToken without a bearer token', async () => {
    const e = await emulator();
    const res = await fetch(`${e.url}/v1.0/users`);
    expect(res.status).toBe(401);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('InvalidAuthenticationToken');
    expect(typeof body.error.message).toBe('string');
  });

  it('shows why adapters need their own auth middleware: Client.init sends no token to an http host', async () => {
    const e = await emulator();
    const client = Client.init({ authProvider: (done) => done(null, 'token'), baseUrl: `${e.url}/`, defaultVersion: 'v1.0', customHosts: new Set(['127.0.0.1']) });
    const err = await sdkError(client.api('/users').get());
    expect(err.statusCode).toBe(401);
  });

  it('answers 429 with Retry-After for the next n requests, which the SDK retry handler rides out', async () => {
    const e = await emulator();
    e.throttleNext(1, 1);
    const res = await graphFetch(e, '/users');
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('TooManyRequests');
    expect((await graphFetch(e, '/users')).status).toBe(200);

    e.throttleNext(1, 1);
    const started = Date.now();
    const page = (await sdk(e).api('/users').top(1).get()) as DeltaPage;
    expect(page.value).toHaveLength(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it('uses the Graph error body shape for unknown users', async () => {
    const e = await emulator();
    const err = await sdkError(sdk(e).api('/users/nobody@oakfield.sch.uk').get());
    expect(err.statusCode).toBe(404);
    expect(err.code).toBe('Request_ResourceNotFound');
    const res = await graphFetch(e, '/users?$select=shoeSize');
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('Request_BadRequest');
  });
});

describe('graph emulator: users', () => {
  it('lists every user through $top paging with absolute nextLinks (SDK PageIterator)', async () => {
    const e = await emulator();
    const client = sdk(e);
    const first = (await client.api('/users').select(['id', 'mail', 'accountEnabled', 'proxyAddresses']).top(5).get()) as DeltaPage;
    expect(first.value).toHaveLength(5);
    expect(first['@odata.nextLink']?.startsWith(`${e.url}/v1.0/users?`)).toBe(true);

    const seen: Array<Record<string, unknown>> = [];
    const iterator = new PageIterator(client, first, (u: Record<string, unknown>) => {
      seen.push(u);
      return true;
    });
    await iterator.iterate();
    expect(seen).toHaveLength(fixture.users.length);
    expect(new Set(seen.map((u) => u.id)).size).toBe(fixture.users.length);
    expect(Object.keys(seen[0] ?? {}).sort()).toEqual(['accountEnabled', 'id', 'mail', 'proxyAddresses']);
  });

  it('returns only the default properties without $select, as Graph does', async () => {
    const e = await emulator();
    const u = (await sdk(e).api(`/users/${RACHEL}`).get()) as Record<string, unknown>;
    expect(u.displayName).toBe('Rachel Hughes');
    expect(u).not.toHaveProperty('accountEnabled');
    expect(u).not.toHaveProperty('proxyAddresses');
  });

  it('fetches a user by userPrincipalName and resolves an alias through $filter on proxyAddresses', async () => {
    const e = await emulator();
    const client = sdk(e);
    const byUpn = (await client.api('/users/r.hughes@oakfield.sch.uk').select('id,proxyAddresses').get()) as { id: string; proxyAddresses: string[] };
    expect(byUpn.id).toBe(RACHEL);
    expect(byUpn.proxyAddresses).toContain('smtp:rachel.hughes@oakfield.sch.uk');

    const alias = (await client.api('/users').filter("proxyAddresses/any(x:x eq 'smtp:e.walsh@riverside.sch.uk')").select('displayName,mail').get()) as DeltaPage;
    expect(alias.value).toEqual([{ displayName: 'Emma Thompson', mail: 'e.thompson@riverside.sch.uk' }]);
  });

  it('gets a manager, and 404 Request_ResourceNotFound when there is none', async () => {
    const e = await emulator();
    const client = sdk(e);
    const manager = (await client.api(`/users/${RACHEL}/manager`).select('id,mail,displayName').get()) as Record<string, unknown>;
    expect(manager).toMatchObject({ '@odata.type': '#microsoft.graph.user', id: OKAFOR, mail: 'd.okafor@oakfield.sch.uk' });
    const err = await sdkError(client.api(`/users/${OKAFOR}/manager`).get());
    expect(err.statusCode).toBe(404);
    expect(err.code).toBe('Request_ResourceNotFound');
  });
});

describe('graph emulator: delta', () => {
  const SELECT = 'displayName,mail,accountEnabled,employeeLeaveDateTime,proxyAddresses,manager';

  it('pages an initial round to a deltaLink, then returns only what changed', async () => {
    const e = await emulator();
    const client = sdk(e);
    const initial = await deltaRound(client, `/users/delta?$select=${SELECT}`, 5);
    expect(initial.pages).toBe(Math.ceil(fixture.users.length / 5));
    expect(initial.items).toHaveLength(fixture.users.length);
    expect(initial.deltaLink).toMatch(new RegExp(`^${e.url}/v1\\.0/users/delta\\?\\$deltatoken=`));
    const rachel = initial.items.find((u) => u.id === RACHEL);
    expect(rachel).toMatchObject({ accountEnabled: true, 'manager@delta': [{ id: OKAFOR }] });

    const quiet = await deltaRound(client, initial.deltaLink);
    expect(quiet.items).toEqual([]);

    await e.disableUser('rachel.hughes@oakfield.sch.uk');
    const afterDisable = await deltaRound(client, quiet.deltaLink);
    expect(afterDisable.items).toHaveLength(1);
    expect(afterDisable.items[0]).toMatchObject({ id: RACHEL, accountEnabled: false, mail: 'r.hughes@oakfield.sch.uk' });
    expect(Object.keys(afterDisable.items[0] ?? {})).not.toContain('jobTitle');

    await e.deleteUser(RACHEL);
    await e.deleteUser('g.evans@riverside.sch.uk', { permanent: true });
    const afterDelete = await deltaRound(client, afterDisable.deltaLink);
    expect(afterDelete.items).toEqual([
      { id: RACHEL, '@removed': { reason: 'changed' } },
      { id: idOf('g.evans@riverside.sch.uk'), '@removed': { reason: 'deleted' } },
    ]);
    expect((await graphFetch(e, `/users/${RACHEL}`)).status).toBe(404);
  });

  it('answers 410 syncStateNotFound for expired or unknown tokens', async () => {
    const e = await emulator();
    const client = sdk(e);
    const { deltaLink } = await deltaRound(client, '/users/delta?$select=mail');
    e.expireDeltaTokens();
    const err = await sdkError(client.api(deltaLink).get());
    expect(err.statusCode).toBe(410);
    expect(err.code).toBe('syncStateNotFound');
    const raw = await graphFetch(e, '/users/delta?$skiptoken=made-up');
    expect(raw.status).toBe(410);
    expect(raw.headers.get('location')).toBe(`${e.url}/v1.0/users/delta`);
  });

  it('supports $deltatoken=latest for "changes from now on"', async () => {
    const e = await emulator();
    const page = (await (await graphFetch(e, '/users/delta?$deltatoken=latest&$select=accountEnabled')).json()) as DeltaPage;
    expect(page.value).toEqual([]);
    await e.updateUser(RACHEL, { employeeLeaveDateTime: '2026-12-18T17:00:00Z' });
    const next = (await (await graphFetch(e, page['@odata.deltaLink'] as string)).json()) as DeltaPage;
    expect(next.value).toEqual([{ id: RACHEL, accountEnabled: true }]);
  });
});

describe('graph emulator: subscriptions and notifications', () => {
  it('validates the endpoint, then notifies it with resource Users/{id} and the clientState', async () => {
    const e = await emulator();
    const r = await receiver();
    const client = sdk(e);
    const sub = await subscribe(client, r.url);
    expect(r.validationTokens).toHaveLength(1);
    expect(r.validationTokens[0]).toMatch(/^Validation: /);
    expect(e.subscriptions()).toEqual([expect.objectContaining({ id: sub.id, resource: '/users', clientState: 'custodian-secret' })]);

    await e.disableUser('r.hughes@oakfield.sch.uk');
    expect(r.notifications).toHaveLength(1);
    const n = r.notifications[0]?.value[0];
    expect(n).toMatchObject({
      subscriptionId: sub.id,
      clientState: 'custodian-secret',
      changeType: 'updated',
      resource: `Users/${RACHEL}`,
      resourceData: { '@odata.type': '#Microsoft.Graph.User', '@odata.id': `Users/${RACHEL}`, id: RACHEL },
      tenantId: fixture.tenantId,
      subscriptionExpirationDateTime: sub.expirationDateTime,
    });

    // Soft delete notifies "updated" (as documented for users); only a permanent delete says "deleted".
    await e.deleteUser(RACHEL);
    await e.deleteUser('t.wright@hillcrest.sch.uk', { permanent: true });
    expect(r.notifications.map((x) => x.value[0]?.changeType)).toEqual(['updated', 'updated', 'deleted']);
  });

  it('fails creation with 400 ValidationError when the endpoint does not echo the token', async () => {
    const e = await emulator();
    const r = await receiver({ echo: false });
    const err = await sdkError(subscribe(sdk(e), r.url));
    expect(err.statusCode).toBe(400);
    expect(err.code).toBe('ValidationError');
    expect(e.subscriptions()).toEqual([]);
  });

  it('rejects bad resources, change types and expirations', async () => {
    const e = await emulator();
    const r = await receiver();
    const client = sdk(e);
    for (const bad of [
      { resource: '/groups' },
      { changeType: 'updated,renamed' },
      { expirationDateTime: inMinutes(41_760 + 5) },
      { expirationDateTime: inMinutes(-1) },
    ]) {
      const err = await sdkError(subscribe(client, r.url, bad));
      expect(err.statusCode).toBe(400);
    }
    expect(r.validationTokens).toEqual([]);
  });

  it('renews, reads, deletes; unknown ids are 404', async () => {
    const e = await emulator();
    const r = await receiver();
    const client = sdk(e);
    const sub = await subscribe(client, r.url);
    const renewed = (await client.api(`/subscriptions/${sub.id}`).patch({ expirationDateTime: inMinutes(41_000) })) as { expirationDateTime: string };
    expect(Date.parse(renewed.expirationDateTime)).toBeGreaterThan(Date.parse(sub.expirationDateTime));
    const tooFar = await sdkError(client.api(`/subscriptions/${sub.id}`).patch({ expirationDateTime: inMinutes(50_000) }));
    expect(tooFar.statusCode).toBe(400);
    const listed = (await client.api('/subscriptions').get()) as DeltaPage;
    expect(listed.value.map((s) => s.id)).toEqual([sub.id]);
    await client.api(`/subscriptions/${sub.id}`).delete();
    expect((await sdkError(client.api(`/subscriptions/${sub.id}`).get())).statusCode).toBe(404);
    expect(e.subscriptions()).toEqual([]);
  });

  it('sends nothing while notifications are off or after the subscription expires', async () => {
    const e = await emulator();
    const r = await receiver();
    const client = sdk(e);
    await subscribe(client, r.url, { expirationDateTime: new Date(Date.now() + 1_500).toISOString() });
    e.setNotificationsEnabled(false);
    await e.disableUser(RACHEL);
    expect(r.notifications).toEqual([]);
    e.setNotificationsEnabled(true);
    await new Promise((ok) => setTimeout(ok, 1_600));
    await e.updateUser(RACHEL, { accountEnabled: true });
    expect(r.notifications).toEqual([]);
    expect(e.subscriptions()).toEqual([]);
  });

  it('swallows delivery failures and logs them once, without personal data', async () => {
    const e = await emulator();
    const client = sdk(e);
    const r = await receiver();
    const sub = await subscribe(client, r.url);
    await cleanup.pop()?.(); // the receiver goes away
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    cleanup.push(() => warn.mockRestore());
    await e.disableUser(RACHEL);
    await e.updateUser(RACHEL, { accountEnabled: true });
    expect(warn).toHaveBeenCalledTimes(1);
    const line = String(warn.mock.calls[0]?.[0]);
    expect(line).toContain(sub.id);
    expect(line).not.toMatch(/hughes|@|127\.0\.0\.1/i);
  });

  it('posts lifecycle notifications to the lifecycleNotificationUrl', async () => {
    const e = await emulator();
    const changes = await receiver();
    const lifecycle = await receiver();
    const sub = await subscribe(sdk(e), changes.url, { lifecycleNotificationUrl: lifecycle.url });
    expect(lifecycle.validationTokens).toHaveLength(1);

    expect(await e.triggerLifecycle(sub.id, 'reauthorizationRequired')).toBe(true);
    expect(lifecycle.notifications[0]?.value[0]).toMatchObject({
      lifecycleEvent: 'reauthorizationRequired',
      subscriptionId: sub.id,
      clientState: 'custodian-secret',
      subscriptionExpirationDateTime: sub.expirationDateTime,
      tenantId: fixture.tenantId,
      resource: '/users',
    });

    const res = await fetch(`${e.url}/_emulator/subscriptions/${sub.id}/lifecycle/subscriptionRemoved`, { method: 'POST' });
    expect(await res.json()).toEqual({ delivered: true });
    expect(lifecycle.notifications[1]?.value[0]?.lifecycleEvent).toBe('subscriptionRemoved');
    expect(e.subscriptions()).toEqual([]);
    expect(changes.notifications).toEqual([]);
  });
});

describe('graph emulator: admin API and fixture watching', () => {
  it('drives the directory over /_emulator for other processes', async () => {
    const e = await emulator();
    const r = await receiver();
    await subscribe(sdk(e), r.url);
    const admin = (path: string, init: RequestInit = {}) => fetch(`${e.url}/_emulator${path}`, init);

    const listed = (await (await admin('/users')).json()) as { tenantId: string; users: unknown[] };
    expect(listed.users).toHaveLength(fixture.users.length);

    const disabled = (await (await admin('/users/r.hughes%40oakfield.sch.uk/disable', { method: 'POST' })).json()) as { accountEnabled: boolean };
    expect(disabled.accountEnabled).toBe(false);
    const patched = await admin(`/users/${RACHEL}`, { method: 'PATCH', body: JSON.stringify({ employeeLeaveDateTime: '2026-12-18T17:00:00Z' }) });
    expect(((await patched.json()) as { employeeLeaveDateTime: string }).employeeLeaveDateTime).toBe('2026-12-18T17:00:00Z');
    expect(r.notifications).toHaveLength(2);

    await admin('/notifications/off', { method: 'POST' });
    expect((await admin('/users/e.walsh@riverside.sch.uk/delete', { method: 'POST' })).status).toBe(204);
    expect(r.notifications).toHaveLength(2);
    await admin('/notifications/on', { method: 'POST' });

    const { deltaLink } = await deltaRound(sdk(e), '/users/delta?$select=mail');
    expect((await admin('/delta/expire', { method: 'POST' })).status).toBe(204);
    expect((await graphFetch(e, deltaLink)).status).toBe(410);
    expect((await admin('/users/nobody/disable', { method: 'POST' })).status).toBe(404);
  });

  it('turns edits of the fixture file into changes and notifications', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'graph-emulator-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, 'directory.json');
    copyFileSync(FIXTURE, path);
    const e = await emulator({ fixturePath: path, watchFixture: true });
    const r = await receiver();
    const client = sdk(e);
    await subscribe(client, r.url);
    const { deltaLink } = await deltaRound(client, '/users/delta?$select=accountEnabled');

    const edited = JSON.parse(readFileSync(path, 'utf8')) as { users: Array<Record<string, unknown>> };
    const rachel = edited.users.find((u) => u.id === RACHEL);
    if (!rachel) throw new Error('fixture lacks Rachel');
    rachel.accountEnabled = false;
    edited.users = edited.users.filter((u) => u.userPrincipalName !== 'l.davies@hillcrest.sch.uk');
    writeFileSync(path, JSON.stringify(edited, null, 2));

    await expect.poll(() => r.notifications.length, { timeout: 5_000 }).toBe(2);
    const changes = await deltaRound(client, deltaLink);
    expect(changes.items).toEqual([
      { id: RACHEL, accountEnabled: false },
      { id: idOf('l.davies@hillcrest.sch.uk'), '@removed': { reason: 'changed' } },
    ]);
  });
});
