/**
 * The web console over HTTP on loopback, against the real local stack (contracts sections 7 and 8): sign-in through
 * the local OpenID provider with plain fetch (redirects followed by hand, a cookie jar kept here), the session
 * cookie's attributes, CSRF and Origin checks, no session, forged and expired sessions, JSON on the list pages.
 * The browser test (test/browser/console.test.ts) covers the pages as people use them, and their accessibility.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { handle } from 'hono/aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConsoleApp } from '../../functions/console/app.ts';
import type { IdentityProvider } from '../../functions/console/auth.ts';
import { parseConsoleSecret, type ConsoleConfig } from '../../functions/console/config.ts';
import { csrfToken } from '../../functions/console/csrf.ts';
import { sealSession } from '../../functions/console/session.ts';
import { policyRows, readAudit, taskRow } from '../../functions/usecases/console/rows.ts';
import { listRegister } from '../../functions/usecases/register.ts';
import { depsFromEnv } from '../../functions/adapters/deps.ts';
import { addPolicy } from '../../functions/usecases/policies.ts';
import { putEvent, seedRegister, startTestStack, type TestStack } from '../support/stack.ts';

const IT_MANAGER = 'it@riverside.sch.uk';
const ADMIN = 'it@oakfield.sch.uk'; // holds the Custodian.Admin app role in samples/directory.json
const STAFF = 'r.hughes@oakfield.sch.uk';

let stack: TestStack;
let base: string;

beforeAll(async () => {
  stack = await startTestStack();
  base = stack.outputs.endpoints.http;
  await seedRegister(stack.store);
}, 120_000);
afterAll(async () => stack?.stop());

/** A browser without JavaScript: a cookie jar per host (as browsers keep them, whatever the port) and redirects followed by hand. */
class Client {
  readonly jar = new Map<string, Map<string, string>>();
  readonly setCookies: string[] = [];

  cookie(name: string, host = new URL(base).hostname): string | undefined {
    return this.jar.get(host)?.get(name);
  }

  async request(url: string, init: { method?: string; headers?: Record<string, string>; body?: string | FormData } = {}): Promise<Response> {
    const u = new URL(url);
    const jar = this.jar.get(u.hostname) ?? new Map<string, string>();
    this.jar.set(u.hostname, jar);
    const headers: Record<string, string> = { ...(init.headers ?? {}) };
    if (jar.size) headers.cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(url, { method: init.method ?? 'GET', headers, body: init.body, redirect: 'manual' });
    for (const c of res.headers.getSetCookie()) {
      this.setCookies.push(c);
      const [pair, ...attrs] = c.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (value === '' || attrs.some((a) => /^\s*max-age=0\s*$/i.test(a))) jar.delete(name);
      else jar.set(name, value);
    }
    return res;
  }

  /** GETs, following redirects, until a page that is not a redirect (or, with `until`, a redirect to where it says). */
  async follow(url: string, init: Parameters<Client['request']>[1] = {}, until?: (next: string) => boolean): Promise<{ res: Response; url: string; body: string }> {
    let res = await this.request(url, init);
    let at = url;
    for (let i = 0; i < 10 && res.status >= 300 && res.status < 400; i++) {
      const next = new URL(res.headers.get('location')!, at).href;
      if (until?.(next)) return { res, url: next, body: '' };
      at = next;
      res = await this.request(at);
    }
    return { res, url: at, body: await res.text() };
  }

  /** Signs in through the local provider's page: its form has one input, `email`. */
  async signIn(email: string, returnTo = '/'): Promise<{ res: Response; url: string; body: string }> {
    const form = await this.follow(`${base}/auth/sign-in?returnTo=${encodeURIComponent(returnTo)}`);
    expect(form.url.startsWith(stack.outputs.endpoints.oidc!)).toBe(true);
    const action = /<form method="post" action="([^"]+)"/.exec(form.body)?.[1];
    expect(action, 'the provider shows its sign-in form').toBeDefined();
    return this.follow(new URL(action!.replaceAll('&amp;', '&'), form.url).href, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email }).toString(),
    });
  }

  async page(pathAndQuery: string, headers: Record<string, string> = {}) {
    const res = await this.request(`${base}${pathAndQuery}`, { headers });
    return { res, body: await res.text() };
  }

  /** A form field of the page, e.g. `_csrf` or `version`. */
  static field(html: string, name: string): string {
    const m = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
    if (!m) throw new Error(`no field ${name}`);
    return m[1]!;
  }

  async post(pathAndQuery: string, fields: Record<string, string>, headers: Record<string, string> = {}) {
    const res = await this.request(`${base}${pathAndQuery}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: new URL(base).origin, ...headers },
      body: new URLSearchParams(fields).toString(),
    });
    return { res, body: await res.text() };
  }
}

const sessionName = 'custodian-session'; // not https locally, so no __Host- prefix
const secret = () => parseConsoleSecret(JSON.parse(stack.secretValue('ConsoleSecret')));
const json = (v: unknown) => JSON.parse(JSON.stringify(v)) as unknown;
const fresh = async (id: string) => (await stack.store.getAccount(id))!;

describe('signing in through the local OpenID provider', () => {
  it('lands where it was going, with a session cookie that is HttpOnly, SameSite=Lax, Path=/, 8 hours, and not Secure over http', async () => {
    const c = new Client();
    const done = await c.signIn(IT_MANAGER, '/register?school=riverside');
    expect(done.res.status).toBe(200);
    expect(done.url).toBe(`${base}/register?school=riverside`);
    expect(done.body).toContain('Signed in as');
    const set = c.setCookies.find((s) => s.startsWith(`${sessionName}=`) && !/max-age=0/i.test(s))!;
    expect(set).toBeDefined();
    const attrs = set.split(';').slice(1).map((a) => a.trim().toLowerCase());
    expect(attrs).toEqual(expect.arrayContaining(['httponly', 'samesite=lax', 'path=/', `max-age=${8 * 3600}`]));
    expect(attrs).not.toContain('secure');
    // The sign-in transaction's cookie is gone once used; the session holds no token, only a sealed JWE.
    expect(c.cookie('custodian-sign-in')).toBeUndefined();
    expect(c.cookie(sessionName)!.split('.')).toHaveLength(5);
  });

  it('signing out ends the session: the cookie is cleared and the provider\'s logout is asked for', async () => {
    const c = new Client();
    const home = await c.signIn(STAFF);
    const csrf = Client.field(home.body, '_csrf');
    const out = await c.post('/auth/sign-out', { _csrf: csrf });
    expect(out.res.status).toBe(303);
    expect(out.res.headers.get('location')!.startsWith(`${stack.outputs.endpoints.oidc}/`)).toBe(true);
    expect(c.cookie(sessionName)).toBeUndefined();
    const after = await c.page('/');
    expect(after.res.status).toBe(303);
  });

  it('refuses someone the directory does not know, and someone not on a trust domain, with no session', async () => {
    const c = new Client();
    const form = await c.follow(`${base}/auth/sign-in`);
    const action = /<form method="post" action="([^"]+)"/.exec(form.body)![1]!;
    const unknown = await c.request(new URL(action.replaceAll('&amp;', '&'), form.url).href, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'email=nobody%40oakfield.sch.uk' });
    expect(unknown.status).toBe(403);

    const outsider = 'visitor@elsewhere.example';
    const added = await fetch(`${stack.outputs.endpoints.graph}/_emulator/users`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        id: '7d0c6a52-1f7e-4c1b-9a77-3f1f0d2a9b11', displayName: 'Visiting Speaker', mail: outsider, userPrincipalName: outsider,
        proxyAddresses: [`SMTP:${outsider}`], accountEnabled: true, employeeLeaveDateTime: null,
      }),
    });
    expect(added.status).toBe(201);
    const d = new Client();
    const refused = await d.signIn(outsider);
    expect(refused.res.status).toBe(403);
    expect(refused.body).toContain('is not on a trust domain');
    expect(d.cookie(sessionName)).toBeUndefined();
  });

  it('a callback without its sign-in cookie (another browser, or replayed) is refused', async () => {
    const c = new Client();
    const res = await c.request(`${base}/auth/callback?code=abc&state=xyz`);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('Sign in again');
  });

  it('sends only same-site paths back after sign-in', async () => {
    for (const evil of ['https://evil.example/', '//evil.example/x', '/\\evil.example', 'javascript:alert(1)']) {
      const c = new Client();
      const done = await c.signIn(STAFF, evil);
      expect(done.url, evil).toBe(`${base}/`);
    }
  });
});

describe('without a session', () => {
  it('a page redirects to sign-in, remembering where it was; JSON gets 401; a POST changes nothing', async () => {
    const c = new Client();
    const page = await c.page('/register?school=oakfield');
    expect(page.res.status).toBe(303);
    expect(page.res.headers.get('location')).toBe(`/auth/sign-in?returnTo=${encodeURIComponent('/register?school=oakfield')}`);
    const api = await c.page('/register', { accept: 'application/json' });
    expect(api.res.status).toBe(401);

    const before = await fresh('facebook:oakfieldacademy');
    const post = await c.post('/register/facebook:oakfieldacademy', { admins: 'it@oakfield.sch.uk', version: String(before.version) });
    expect(post.res.status).toBe(303);
    expect(await fresh('facebook:oakfieldacademy')).toEqual(before);
  });

  it('a forged, tampered or expired session cookie is refused', async () => {
    const keys = secret().sessionKeys;
    const expired = await sealSession({ email: ADMIN, roles: ['Custodian.Admin'] }, keys, new Date(Date.now() - 8 * 3600_000 - 60_000));
    const otherKey = await sealSession({ email: ADMIN, roles: ['Custodian.Admin'] }, ['x'.repeat(64)], new Date());
    const valid = await sealSession({ email: ADMIN, roles: ['Custodian.Admin'] }, keys, new Date());
    const tampered = `${valid.slice(0, -4)}${valid.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}`;
    for (const [what, cookie] of [['expired', expired], ['another key', otherKey], ['tampered', tampered], ['garbage', 'not.a.jwe']] as const) {
      const res = await fetch(`${base}/register`, { headers: { cookie: `${sessionName}=${cookie}` }, redirect: 'manual' });
      expect(res.status, what).toBe(303);
      expect(res.headers.get('location'), what).toMatch(/^\/auth\/sign-in/);
      // The bad cookie is cleared.
      expect(res.headers.getSetCookie().some((s) => s.startsWith(`${sessionName}=;`) && /max-age=0/i.test(s)), what).toBe(true);
    }
    const ok = await fetch(`${base}/register`, { headers: { cookie: `${sessionName}=${valid}` }, redirect: 'manual' });
    expect(ok.status).toBe(200);
  });
});

describe('CSRF and Origin', () => {
  let c: Client;
  let csrf: string;
  beforeAll(async () => {
    c = new Client();
    const page = await c.signIn(IT_MANAGER, '/register/facebook:riversideprimary');
    expect(page.res.status).toBe(200);
    csrf = Client.field(page.body, '_csrf');
  });

  async function tryEdit(fields: Record<string, string>, headers: Record<string, string> = {}) {
    const before = await fresh('facebook:riversideprimary');
    const out = await c.post('/register/facebook:riversideprimary', { version: String(before.version), admins: `${before.admins.join(';')};new.admin@riverside.sch.uk`, ...fields }, headers);
    return { out, before, after: await fresh('facebook:riversideprimary'), audit: await stack.store.auditFor('account', 'facebook:riversideprimary') };
  }

  it('a POST without _csrf, or with a wrong one, gets 403 and changes nothing', async () => {
    const wrong: Array<Record<string, string>> = [{}, { _csrf: 'wrong' }, { _csrf: `${csrf}x` }];
    for (const fields of wrong) {
      const auditBefore = (await stack.store.auditFor('account', 'facebook:riversideprimary')).length;
      const { out, before, after, audit } = await tryEdit(fields);
      expect(out.res.status).toBe(403);
      expect(after).toEqual(before);
      expect(audit).toHaveLength(auditBefore);
    }
  });

  it('another session\'s _csrf is refused', async () => {
    const other = new Client();
    const page = await other.signIn(ADMIN, '/register');
    const theirs = Client.field(page.body, '_csrf');
    expect(theirs).not.toBe(csrf);
    const { out, before, after } = await tryEdit({ _csrf: theirs });
    expect(out.res.status).toBe(403);
    expect(after).toEqual(before);
  });

  it('a cross-origin POST is refused even with the right token', async () => {
    const crossSite: Array<Record<string, string>> = [
      { origin: 'https://evil.example' },
      { origin: `http://localhost:${new URL(base).port}` },
      { 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'same-site', origin: 'null' },
    ];
    for (const headers of crossSite) {
      const { out, before, after } = await tryEdit({ _csrf: csrf }, headers);
      expect(out.res.status).toBe(403);
      expect(after).toEqual(before);
    }
  });

  it('with the right token the edit is made, audited with the signed-in person as actor', async () => {
    const { out, before, after, audit } = await tryEdit({ _csrf: csrf });
    expect(out.res.status).toBe(303);
    expect(after.admins).toContain('new.admin@riverside.sch.uk');
    expect(after.version).toBe(before.version + 1);
    const last = audit.at(-1)!;
    expect(last).toMatchObject({ by: IT_MANAGER, source: 'console' });
    expect(csrfToken('a')).not.toBe(csrfToken('b'));
  });
});

describe('pages and their JSON', () => {
  let admin: Client;
  beforeAll(async () => {
    admin = new Client();
    await admin.signIn(ADMIN);
  });

  it('each list page answers Accept: application/json with the same array as the CLI\'s --json', async () => {
    const get = async (p: string) => {
      const { res, body } = await admin.page(p, { accept: 'application/json' });
      expect(res.status, p).toBe(200);
      expect(res.headers.get('content-type'), p).toMatch(/^application\/json/);
      return JSON.parse(body) as unknown;
    };
    expect(await get('/register')).toEqual(json(await listRegister(stack.store)));
    expect(await get('/register?school=riverside')).toEqual(json(await listRegister(stack.store, { school: 'riverside' })));
    expect(await get('/tasks')).toEqual(json((await stack.store.listTasks()).map(taskRow)));
    expect(await get('/policies')).toEqual(json(policyRows(await stack.store.listPolicies())));
    expect(await get('/audit?account=facebook:oakfieldacademy')).toEqual(json(await readAudit(stack.store, { account: 'facebook:oakfieldacademy' }, new Date())));
    expect(await get('/requests')).toEqual([]);
  });

  it('every page is HTML with the security headers, and no JavaScript', async () => {
    for (const p of ['/', '/register', '/register/instagram:oakfield_pe', '/register/import', '/tasks', '/audit', '/policies', '/requests', '/requests/new']) {
      const { res, body } = await admin.page(p);
      expect(res.status, p).toBe(200);
      expect(res.headers.get('cache-control'), p).toBe('no-store');
      expect(res.headers.get('x-frame-options'), p).toBe('DENY');
      expect(res.headers.get('referrer-policy'), p).toBe('no-referrer');
      const csp = res.headers.get('content-security-policy')!;
      expect(csp, p).toContain("default-src 'none'");
      expect(csp, p).toContain("frame-ancestors 'none'");
      expect(csp, p).not.toMatch(/script-src|unsafe-inline/);
      expect(body, p).not.toMatch(/<script/i);
      expect(body, p).toContain('<html lang="en">');
    }
    const csv = await admin.page('/audit.csv?account=facebook:oakfieldacademy');
    expect(csv.res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(csv.res.headers.get('content-disposition')).toMatch(/^attachment/);
    expect(csv.body.replace(/^\uFEFF/, '').split('\r\n')[0]).toBe('at,by,source,action,entity_type,entity_id,before,after');
  });

  it('a request for a new account without the right _csrf gets 403 and writes nothing', async () => {
    const form = await admin.page('/requests/new');
    expect(form.body).toContain('name="_csrf"');
    for (const name of ['school', 'platform', 'handle', 'published_name', 'linked_email', 'admins', 'monitoring_frequency', 'holiday_monitoring_frequency', 'planned_end_date', 'exit_plan']) {
      expect(form.body, name).toContain(`name="${name}"`);
    }
    for (const token of [{}, { _csrf: 'wrong' }] as Array<Record<string, string>>) {
      const out = await admin.post('/requests', { ...token, school: 'oakfield', platform: 'instagram', handle: 'oakfield_csrf' });
      expect(out.res.status).toBe(403);
    }
    expect(await stack.store.listRequests()).toEqual([]);
  });

  it('an unknown account is 404 for a trust administrator, 403 for anyone else', async () => {
    expect((await admin.page('/register/facebook:nobody')).res.status).toBe(404);
    const staff = new Client();
    await staff.signIn(STAFF);
    expect((await staff.page('/register/facebook:nobody')).res.status).toBe(403);
    expect((await staff.page('/register/facebook:riversideprimary')).res.status).toBe(403);
  });
});

describe('roles: every POST outside someone\'s role gets 403 and changes nothing', () => {
  const LEAVE = new Date(Date.now() + 40 * 86_400_000).toISOString().slice(0, 10);
  beforeAll(async () => {
    await addPolicy(depsFromEnv(), { title: 'Oakfield Social Media Policy', nextReview: '2027-05-01', owner: 'd.okafor@oakfield.sch.uk', school: 'oakfield' }, { by: 'test', source: 'test' });
    await putEvent(stack, 'Staff Leaver', { email: 't.evans@oakfield.sch.uk', leaveDate: LEAVE, school: 'oakfield' });
    await putEvent(stack, 'Staff Leaver', { email: 'g.jones@riverside.sch.uk', leaveDate: LEAVE, school: 'riverside' });
    await stack.idle();
  });

  /** Everything a refused POST could have touched. */
  const snapshot = async () => JSON.stringify([await stack.store.listAccounts(), await stack.store.listTasks(), await stack.store.listPolicies(), (await stack.store.auditSince(new Date(Date.now() - 86_400_000).toISOString().slice(0, 10))).length]);

  it('a member of staff, and an IT manager outside their school', async () => {
    const oakTask = (await stack.store.tasksForSubjects(['t.evans@oakfield.sch.uk']))[0]!;
    const riverTask = (await stack.store.tasksForSubjects(['g.jones@riverside.sch.uk']))[0]!;
    const csv = 'platform,handle,school,linked_email,admins,main_supervisor\ntiktok,oak_new,oakfield,office@oakfield.sch.uk,a@oakfield.sch.uk;b@oakfield.sch.uk,a@oakfield.sch.uk\n';
    const cases: Array<[who: string, path: string, fields: Record<string, string>]> = [
      [STAFF, '/register/facebook:riversideprimary', { admins: 'x@riverside.sch.uk;y@riverside.sch.uk', version: '1' }],
      [STAFF, '/register/instagram:oakfield_pe', { admins: 'x@oakfield.sch.uk;y@oakfield.sch.uk', version: String((await fresh('instagram:oakfield_pe')).version) }],
      [STAFF, '/register/import', { step: 'preview', csv }],
      [STAFF, `/tasks/${riverTask.id}`, { action: 'close' }],
      [STAFF, '/policies/oakfield-oakfield-social-media-policy', {}],
      [IT_MANAGER, '/register/facebook:oakfieldacademy', { admins: 'x@oakfield.sch.uk;y@oakfield.sch.uk', version: String((await fresh('facebook:oakfieldacademy')).version) }],
      [IT_MANAGER, '/register/import', { step: 'preview', csv }],
      [IT_MANAGER, `/tasks/${oakTask.id}`, { action: 'close' }],
      [IT_MANAGER, '/policies/oakfield-oakfield-social-media-policy', {}],
    ];
    const clients = new Map<string, { c: Client; csrf: string }>();
    for (const who of [STAFF, IT_MANAGER]) {
      const c = new Client();
      clients.set(who, { c, csrf: Client.field((await c.signIn(who)).body, '_csrf') });
    }
    const before = await snapshot();
    for (const [who, p, fields] of cases) {
      const { c, csrf } = clients.get(who)!;
      const out = await c.post(p, { ...fields, _csrf: csrf });
      if (p === '/register/import' && who === IT_MANAGER) {
        // An IT manager may import, but not another school's rows: the row is refused with its line.
        expect(out.res.status, `${who} ${p}`).toBe(400);
        expect(out.body).toContain('you are not an IT manager of');
      } else {
        expect(out.res.status, `${who} ${p}`).toBe(403);
      }
    }
    expect(await snapshot()).toBe(before);
  });
});

describe('on Lambda, over https, and for another tenant', () => {
  const KEY = 'k'.repeat(64);
  const noDeps = () => { throw new Error('not needed here'); };

  function v2Event(path: string, o: { query?: string; cookies?: string[] } = {}): APIGatewayProxyEventV2 {
    // As API Gateway sends it: the cookies in `cookies`, none in `headers`.
    return {
      version: '2.0', routeKey: `GET ${path}`, rawPath: path, rawQueryString: o.query ?? '', headers: { host: 'custodian.example', accept: 'text/html' },
      ...(o.cookies ? { cookies: o.cookies } : {}),
      requestContext: { accountId: '1', apiId: 'a', domainName: 'custodian.example', domainPrefix: 'custodian', http: { method: 'GET', path, protocol: 'HTTP/1.1', sourceIp: '192.0.2.1', userAgent: 'test' }, requestId: 'r', routeKey: `GET ${path}`, stage: '$default', time: '', timeEpoch: 0 },
      isBase64Encoded: false,
    };
  }

  it('reads the session from event.cookies and returns Set-Cookie in the v2 cookies; Secure and __Host- over https', async () => {
    const provider: IdentityProvider = {
      authorizationUrl: async (t, redirectUri) => new URL(`https://login.example/authorize?state=${t.state}&redirect_uri=${encodeURIComponent(redirectUri)}`),
      complete: noDeps,
      endSessionUrl: async () => undefined,
    };
    const config: ConsoleConfig = { baseUrl: 'https://custodian.example', trustName: 'Test Trust', oidc: { issuer: 'https://login.example', clientId: 'c' }, secrets: async () => ({ clientSecret: '', sessionKeys: [KEY] }) };
    const lambda = handle(createConsoleApp({ config, deps: noDeps, provider, now: () => new Date() }));
    const run = (e: APIGatewayProxyEventV2) => lambda(e as never, {} as never) as Promise<APIGatewayProxyStructuredResultV2>;
    const started = await run(v2Event('/auth/sign-in', { query: 'returnTo=%2Fregister' }));
    expect(started.statusCode).toBe(302);
    expect(started.headers?.location).toContain(encodeURIComponent('https://custodian.example/auth/callback'));
    expect(started.cookies).toHaveLength(1);
    expect(started.cookies![0]).toMatch(/^__Host-custodian-sign-in=[^;]+; Path=\/; Max-Age=600; HttpOnly; SameSite=Lax; Secure$/);
    expect(started.headers?.['set-cookie']).toBeUndefined();

    const session = await sealSession({ email: ADMIN, roles: [] }, [KEY], new Date());
    const again = await run(v2Event('/auth/sign-in', { query: 'returnTo=%2Ftasks', cookies: ['other=1', `__Host-custodian-session=${session}`] }));
    expect(again.statusCode).toBe(303);
    expect(again.headers?.location).toBe('/tasks');
    const page = await run(v2Event('/register', { cookies: [`__Host-custodian-session=${session}x`] }));
    expect(page.statusCode).toBe(303);
    expect(page.cookies![0]).toMatch(/^__Host-custodian-session=; Path=\/; Max-Age=0; HttpOnly; SameSite=Lax; Secure$/);
  });

  it('refuses an ID token from another tenant: no session', async () => {
    // The real local provider and openid-client, with the console expecting another tenant than the provider's.
    const config: ConsoleConfig = {
      baseUrl: base, trustName: 'Test Trust',
      oidc: { issuer: stack.outputs.endpoints.oidc!, clientId: 'custodian-console', tenantId: 'ffffffff-ffff-4fff-8fff-ffffffffffff' },
      secrets: async () => ({ clientSecret: stack.outputs.oidcClientSecret!, sessionKeys: [KEY] }),
    };
    const app = createConsoleApp({ config, deps: noDeps, now: () => new Date() });
    const started = await app.request(`${base}/auth/sign-in`);
    expect(started.status).toBe(302);
    const signInCookie = started.headers.getSetCookie()[0]!.split(';')[0]!;
    const c = new Client();
    const form = await c.follow(started.headers.get('location')!);
    const action = /<form method="post" action="([^"]+)"/.exec(form.body)![1]!;
    const back = await c.follow(new URL(action.replaceAll('&amp;', '&'), form.url).href, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `email=${encodeURIComponent(STAFF)}`,
    }, (next) => next.startsWith(`${base}/auth/callback`));
    expect(back.url.startsWith(`${base}/auth/callback?code=`)).toBe(true);
    const refused = await app.request(back.url, { headers: { cookie: signInCookie } });
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain('another organisation');
    expect(refused.headers.getSetCookie().filter((x) => x.startsWith('custodian-session='))).toEqual([]);
  });
});
