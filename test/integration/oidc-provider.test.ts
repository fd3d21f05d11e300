/**
 * The local sign-in provider as the console will meet it: a relying party built on openid-client (discovery,
 * PKCE, code exchange) against the provider over the Graph emulator's users, with a "browser" that is plain fetch
 * carrying the provider's cookies by hand, so every redirect and form post is the real HTTP exchange.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGraphEmulator, type GraphEmulator } from '../../infra/local/graph-emulator.ts';
import { startOidcProvider, type LocalOidcProvider } from '../../infra/local/oidc-provider.ts';

const FIXTURE = path.resolve(import.meta.dirname, '../../samples/directory.json');
const fixture = JSON.parse(readFileSync(FIXTURE, 'utf8')) as { tenantId: string; users: Array<{ id: string; mail: string | null; accountEnabled: boolean; appRoles?: string[] }> };

// The relying party is never called: the test stops at the redirect to it and reads the URL.
const RP = 'http://127.0.0.1:9';
const REDIRECT_URI = `${RP}/auth/callback`;
const POST_LOGOUT_URI = `${RP}/`;
const CLIENT_ID = 'custodian-console';
const CLIENT_SECRET = 'local-test-secret-0123456789abcdef';

const ADMIN = fixture.users.find((u) => u.appRoles?.includes('Custodian.Admin'))!;
const RACHEL = fixture.users.find((u) => u.mail === 'r.hughes@oakfield.sch.uk')!;
const DISABLED = fixture.users.find((u) => !u.accountEnabled)!;

let graph: GraphEmulator;
let provider: LocalOidcProvider;
let config: client.Configuration;
const logs: string[] = [];

/** Just enough of a browser: cookies by name and path, redirects followed until they leave for the relying party. */
class Browser {
  private readonly jar = new Map<string, { name: string; value: string; path: string }>();

  async request(url: string | URL, init: RequestInit = {}): Promise<Response> {
    const target = new URL(url);
    const cookie = [...this.jar.values()]
      .filter((c) => target.pathname === c.path || target.pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`) || c.path === '/')
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
    const res = await fetch(target, { ...init, redirect: 'manual', headers: { ...(init.headers as Record<string, string>), ...(cookie ? { cookie } : {}) } });
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';').map((s) => s.trim());
      const [name, ...rest] = pair!.split('=');
      const cookiePath = attrs.find((a) => /^path=/i.test(a))?.slice(5) ?? '/';
      const expired = attrs.some((a) => /^expires=/i.test(a) && Date.parse(a.slice(8)) < Date.now());
      const key = `${name}|${cookiePath}`;
      if (expired) this.jar.delete(key);
      else this.jar.set(key, { name: name!, value: rest.join('='), path: cookiePath });
    }
    return res;
  }

  /**
   * Follows redirects within the provider; stops at a page or at a redirect to the relying party. oidc-provider's
   * self-submitting form (it ends the previous person's session this way when someone else signs in) is submitted
   * as a browser's JavaScript would.
   */
  async follow(url: string | URL, init: RequestInit = {}): Promise<{ res: Response; url: URL }> {
    let res = await this.request(url, init);
    let at = new URL(url);
    for (let hops = 0; ; hops += 1) {
      if (hops > 10) throw new Error('redirect loop');
      if (res.status >= 300 && res.status < 400) {
        at = new URL(res.headers.get('location')!, at);
        if (at.origin === RP) return { res, url: at };
        res = await this.request(at);
        continue;
      }
      const html = res.status === 200 ? await res.clone().text() : '';
      if (!html.includes('document.forms[0].submit()')) return { res, url: at };
      at = formAction(html, at);
      res = await this.request(at, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(hiddenFields(html)).toString() });
    }
  }

  async postForm(url: string | URL, fields: Record<string, string>): Promise<{ res: Response; url: URL }> {
    return this.follow(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });
  }
}

interface Attempt {
  browser: Browser;
  verifier: string;
  state: string;
}

/** Starts an authorization request with PKCE; `page` is where the browser ends up (normally the sign-in form). */
async function startSignIn(browser = new Browser(), params: Record<string, string> = {}): Promise<Attempt & { page: { res: Response; url: URL } }> {
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT_URI,
    scope: 'openid profile email',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    ...params,
  });
  return { browser, verifier, state, page: await browser.follow(url) };
}

const hiddenFields = (html: string) => Object.fromEntries([...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
const formAction = (html: string, base: URL) => new URL(/<form[^>]*action="([^"]+)"/.exec(html)![1]!.replace(/&amp;/g, '&'), base);

/** Fills in the sign-in form with `address`. */
async function submitAddress(attempt: Awaited<ReturnType<typeof startSignIn>>, address: string) {
  const html = await attempt.page.res.text();
  return attempt.browser.postForm(formAction(html, attempt.page.url), { email: address });
}

async function signIn(address: string, rp = config, browser = new Browser()) {
  const attempt = await startSignIn(browser);
  expect(attempt.page.res.status).toBe(200);
  const done = await submitAddress(attempt, address);
  expect(done.url.href.startsWith(REDIRECT_URI), `expected a redirect to the callback, got ${done.res.status}`).toBe(true);
  const tokens = await client.authorizationCodeGrant(rp, done.url, { pkceCodeVerifier: attempt.verifier, expectedState: attempt.state, idTokenExpected: true });
  return { tokens, claims: tokens.claims()!, browser };
}

async function adminPost(pathname: string, body?: unknown): Promise<Response> {
  return fetch(`${graph.url}/_emulator${pathname}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
}

async function graphGet(pathname: string): Promise<Response> {
  return fetch(`${graph.url}/v1.0${pathname}`, { headers: { authorization: 'Bearer local' } });
}

beforeAll(async () => {
  graph = await startGraphEmulator({ port: 0, fixturePath: FIXTURE });
  provider = await startOidcProvider({
    port: 0,
    tenantId: fixture.tenantId,
    users: () => graph.users(),
    clients: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUris: [REDIRECT_URI], postLogoutRedirectUris: [POST_LOGOUT_URI] }],
    log: (line) => logs.push(line),
  });
  config = await client.discovery(new URL(provider.issuer), CLIENT_ID, undefined, client.ClientSecretPost(CLIENT_SECRET), { execute: [client.allowInsecureRequests] });
});

afterAll(async () => {
  await provider?.close();
  await graph?.close();
});

describe('local sign-in provider: discovery', () => {
  it('is its own issuer and offers only the code flow with S256 PKCE and client secrets', () => {
    const m = config.serverMetadata();
    expect(m.issuer).toBe(provider.url);
    expect(provider.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(m.response_types_supported).toEqual(['code']);
    expect(m.code_challenge_methods_supported).toEqual(['S256']);
    expect([...(m.token_endpoint_auth_methods_supported ?? [])].sort()).toEqual(['client_secret_basic', 'client_secret_post']);
    expect(m.scopes_supported).toEqual(expect.arrayContaining(['openid', 'profile', 'email']));
    expect(m.end_session_endpoint).toBeDefined();
  });
});

describe('local sign-in provider: signing in', () => {
  it('serves an accessible sign-in form with an email input and escapes what it echoes', async () => {
    const { page } = await startSignIn(new Browser(), { login_hint: '"><script>alert(1)</script>' });
    expect(page.url.pathname).toMatch(/^\/interaction\//);
    const html = await page.res.text();
    expect(html).toContain('<html lang="en">');
    expect(html).toMatch(/<h1>[^<]+<\/h1>/);
    expect(html).toMatch(/<label for="email">[^<]+<\/label>/);
    expect(html).toMatch(/<input id="email" name="email" type="email"/);
    expect(html).toMatch(/<button type="submit">Sign in<\/button>/);
    expect(html).not.toContain('<script>alert(1)');
    expect(html).toContain('&quot;&gt;&lt;script&gt;');
  });

  it('gives the trust admin an Entra-shaped ID token with roles (address matched in any case; client_secret_post)', async () => {
    const { claims } = await signIn('IT@Oakfield.SCH.uk');
    expect(claims).toMatchObject({
      iss: provider.issuer,
      aud: CLIENT_ID,
      sub: ADMIN.id,
      oid: ADMIN.id,
      tid: fixture.tenantId,
      email: 'it@oakfield.sch.uk',
      preferred_username: 'it@oakfield.sch.uk',
      name: 'Oakfield IT',
      roles: ['Custodian.Admin'],
    });
  });

  it('signs in an ordinary user by an smtp: alias, with no roles claim at all (client_secret_basic)', async () => {
    const basic = await client.discovery(new URL(provider.issuer), CLIENT_ID, undefined, client.ClientSecretBasic(CLIENT_SECRET), { execute: [client.allowInsecureRequests] });
    const { claims } = await signIn('rachel.hughes@oakfield.sch.uk', basic);
    expect(claims).toMatchObject({ sub: RACHEL.id, oid: RACHEL.id, tid: fixture.tenantId, email: 'r.hughes@oakfield.sch.uk', name: 'Rachel Hughes' });
    expect(claims).not.toHaveProperty('roles');
  });

  it('refuses a disabled user with the form again, an alert, and no code', async () => {
    const attempt = await startSignIn();
    const refused = await submitAddress(attempt, graph.users().find((u) => u.id === DISABLED.id)!.userPrincipalName);
    expect(refused.res.status).toBe(403);
    expect(refused.res.headers.get('location')).toBeNull();
    const html = await refused.res.text();
    expect(html).toMatch(/<p[^>]*role="alert"[^>]*>[^<]*disabled/);
    expect(html).toContain('name="email"');
    expect(html).not.toContain('code=');
  });

  it('refuses an address nobody has, the same way', async () => {
    const attempt = await startSignIn();
    const refused = await submitAddress(attempt, 'nobody@oakfield.sch.uk');
    expect(refused.res.status).toBe(403);
    expect(refused.res.headers.get('location')).toBeNull();
    const html = await refused.res.text();
    expect(html).toMatch(/<p[^>]*role="alert"[^>]*>There is no user with that address/);
    // The form shown again still works: the same interaction then accepts a real user.
    const retry = await attempt.browser.postForm(formAction(html, refused.url), { email: 'r.hughes@oakfield.sch.uk' });
    expect(retry.url.searchParams.get('code')).toBeTruthy();
  });

  it('signs in a user added through the emulator admin API after it started, and stops once they are disabled', async () => {
    const added = await adminPost('/users', {
      displayName: 'Nadia Quinn',
      mail: 'N.Quinn@riverside.sch.uk',
      userPrincipalName: 'n.quinn@riverside.sch.uk',
      proxyAddresses: ['SMTP:n.quinn@riverside.sch.uk'],
      accountEnabled: true,
      employeeLeaveDateTime: null,
      appRoles: ['Custodian.Admin'],
    });
    expect(added.status).toBe(201);
    const { id } = (await added.json()) as { id: string };

    const { claims, browser } = await signIn('n.quinn@riverside.sch.uk');
    expect(claims).toMatchObject({ sub: id, email: 'n.quinn@riverside.sch.uk', roles: ['Custodian.Admin'] });

    // Disabled while still signed in at the provider: the next sign-in asks again instead of using that session.
    expect((await adminPost(`/users/${id}/disable`)).status).toBe(200);
    const attempt = await startSignIn(browser);
    expect(attempt.page.res.status).toBe(200);
    expect(attempt.page.url.pathname).toMatch(/^\/interaction\//);
    const refused = await submitAddress(attempt, 'n.quinn@riverside.sch.uk');
    expect(refused.res.status).toBe(403);
    expect(refused.res.headers.get('location')).toBeNull();
    // Someone else can then sign in from that browser.
    const { claims: other } = await signIn('r.hughes@oakfield.sch.uk', config, browser);
    expect(other.sub).toBe(RACHEL.id);
  });

  it('refuses an authorization request without a PKCE challenge, or with the plain method', async () => {
    const browser = new Browser();
    const noPkce = await browser.follow(client.buildAuthorizationUrl(config, { redirect_uri: REDIRECT_URI, scope: 'openid', state: 's1' }));
    expect(noPkce.url.href.startsWith(REDIRECT_URI)).toBe(true);
    expect(noPkce.url.searchParams.get('error')).toBe('invalid_request');
    expect(noPkce.url.searchParams.get('code')).toBeNull();

    const plain = await browser.follow(client.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT_URI, scope: 'openid', state: 's2', code_challenge: client.randomPKCECodeVerifier(), code_challenge_method: 'plain',
    }));
    expect(plain.url.searchParams.get('error')).toBe('invalid_request');
    expect(plain.url.searchParams.get('code')).toBeNull();
  });

  it('refuses a code exchange with the wrong verifier or the wrong client secret', async () => {
    const attempt = await startSignIn();
    const done = await submitAddress(attempt, 'r.hughes@oakfield.sch.uk');
    await expect(client.authorizationCodeGrant(config, done.url, { pkceCodeVerifier: client.randomPKCECodeVerifier(), expectedState: attempt.state })).rejects.toThrow();

    const other = await startSignIn();
    const again = await submitAddress(other, 'r.hughes@oakfield.sch.uk');
    const wrong = await client.discovery(new URL(provider.issuer), CLIENT_ID, undefined, client.ClientSecretPost('not-the-secret'), { execute: [client.allowInsecureRequests] });
    await expect(client.authorizationCodeGrant(wrong, again.url, { pkceCodeVerifier: other.verifier, expectedState: other.state })).rejects.toThrow();
  });
});

describe('local sign-in provider: session and sign-out', () => {
  it('keeps the browser signed in, and RP-initiated logout returns to the registered URI and ends that', async () => {
    const { tokens, browser } = await signIn('r.hughes@oakfield.sch.uk');

    // Signed in: a second sign-in goes straight back to the relying party, even when it asks for consent.
    const again = await startSignIn(browser);
    expect(again.page.url.searchParams.get('code')).toBeTruthy();
    const consent = await startSignIn(browser, { prompt: 'consent' });
    expect(consent.page.url.href.startsWith(REDIRECT_URI)).toBe(true);
    expect(consent.page.url.searchParams.get('code')).toBeTruthy();

    const logout = await browser.follow(client.buildEndSessionUrl(config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: POST_LOGOUT_URI, state: 'bye' }));
    expect(logout.res.status).toBe(200);
    const html = await logout.res.text();
    // The page submits itself; without JavaScript it is the same form with one button.
    const fields = hiddenFields(html);
    expect(fields.logout).toBe('yes');
    const done = await browser.postForm(formAction(html, logout.url), fields);
    expect(done.url.href).toBe(`${POST_LOGOUT_URI}?state=bye`);

    const afterwards = await startSignIn(browser);
    expect(afterwards.page.res.status).toBe(200);
    expect(afterwards.page.url.pathname).toMatch(/^\/interaction\//);
  });

  it('refuses a post-logout URI that was never registered', async () => {
    const { tokens, browser } = await signIn('r.hughes@oakfield.sch.uk');
    const logout = await browser.follow(client.buildEndSessionUrl(config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: 'https://evil.example/' }));
    expect(logout.res.status).toBe(400);
    expect(logout.url.href.startsWith('https://evil.example')).toBe(false);
  });
});

describe('app roles stay out of Microsoft Graph', () => {
  it('no Graph route returns appRoles, and $select cannot ask for it', async () => {
    const select = '$select=id,displayName,mail,userPrincipalName,proxyAddresses,accountEnabled,employeeLeaveDateTime';
    const bodies = await Promise.all([
      graphGet('/users'),
      graphGet(`/users?${select}`),
      graphGet(`/users/${ADMIN.id}`),
      graphGet(`/users/${ADMIN.id}?${select}`),
      graphGet(`/users/delta?${select}`),
    ].map(async (p) => {
      const res = await p;
      expect(res.status).toBe(200);
      return res.text();
    }));
    for (const body of bodies) expect(body).not.toMatch(/appRoles|Custodian\.Admin/);
    expect((await graphGet('/users?$select=id,appRoles')).status).toBe(400);
  });

  it('a change of app roles alone is no change to the Graph user: delta stays empty', async () => {
    const deltaLink = ((await (await graphGet('/users/delta?$deltatoken=latest')).json()) as { '@odata.deltaLink': string })['@odata.deltaLink'];
    const patched = await fetch(`${graph.url}/_emulator/users/${RACHEL.id}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ appRoles: ['Custodian.Admin'] }) });
    expect(patched.status).toBe(200);
    const changes = (await (await fetch(deltaLink, { headers: { authorization: 'Bearer local' } })).json()) as { value: unknown[] };
    expect(changes.value).toEqual([]);
    // ...while the next sign-in carries the new role.
    const { claims } = await signIn('r.hughes@oakfield.sch.uk');
    expect(claims.roles).toEqual(['Custodian.Admin']);
    await graph.updateUser(RACHEL.id, { appRoles: [] });
  });
});

describe('local sign-in provider: logs', () => {
  it('wrote no address or name in any line it logged', () => {
    expect(logs.length).toBeGreaterThan(0);
    for (const line of logs) {
      expect(line).not.toMatch(/@|Hughes|Oakfield IT|Quinn/i);
    }
  });
});
