/**
 * The console's pages come in groups loaded on their first request (functions/console/app.ts, lazyRoutes): the app
 * in-process on the in-memory store, signed in with a real sealed session. What a person would notice if the
 * hand-over between the app and a group went wrong: their name missing from the page, a refusal shown as a crash, a
 * form's token not reaching the page, an unknown address answered by something other than the console's 404 page.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createConsoleApp } from '../../functions/console/app.ts';
import type { IdentityProvider } from '../../functions/console/auth.ts';
import { CSRF_FIELD } from '../../functions/console/csrf.ts';
import { cookieNames, sealSession } from '../../functions/console/session.ts';
import { givenWorld, NOW, PEOPLE, RIV, TRUST_POLICY } from './console-support.ts';
import type { Harness } from './support.ts';

const BASE = 'https://console.example.org';
const KEY = 'console-app-test-session-key-'.padEnd(64, 'k');
const unused = () => { throw new Error('not signing in here'); };
const provider: IdentityProvider = { authorizationUrl: unused, complete: unused, endSessionUrl: async () => undefined };

let h: Harness;
let app: ReturnType<typeof createConsoleApp>;
const cookieFor = async (email: string) =>
  `${cookieNames(true).session}=${await sealSession({ email, roles: email === PEOPLE.adminByRole ? ['Custodian.Admin'] : [] }, [KEY], new Date(NOW))}`;

beforeAll(async () => {
  h = await givenWorld();
  app = createConsoleApp({
    config: { baseUrl: BASE, trustName: 'Example Trust', oidc: { issuer: 'https://login.example.org', clientId: 'console' }, secrets: async () => ({ clientSecret: '', sessionKeys: [KEY] }) },
    deps: () => h.deps,
    provider,
    now: () => h.clock.now(),
  });
});

describe('pages loaded on first use', () => {
  it('each group shows the signed-in person and their own view', async () => {
    const cookie = await cookieFor(PEOPLE.itOakfield);
    for (const path of ['/', '/register', '/tasks', '/requests', '/policies', '/audit']) {
      const res = await app.request(`${BASE}${path}`, { headers: { cookie } });
      expect(res.status, path).toBe(200);
      expect(await res.text(), path).toContain(PEOPLE.itOakfield);
    }
  });

  it('a list filtered by a status that does not exist says which statuses there are (400), in HTML and in JSON', async () => {
    const cookie = await cookieFor(PEOPLE.itOakfield);
    for (const [path, one] of [['/tasks', 'cancelled'], ['/requests', 'rejected']] as const) {
      const page = await app.request(`${BASE}${path}?status=nonsense`, { headers: { cookie } });
      expect(page.status, path).toBe(400);
      const body = await page.text();
      expect(body, path).toContain('Status must be one of');
      expect(body, path).toContain(one);
      const json = await app.request(`${BASE}${path}?status=nonsense`, { headers: { cookie, accept: 'application/json' } });
      expect(json.status, path).toBe(400);
      expect(((await json.json()) as { error: string }).error, path).toMatch(new RegExp(`^status must be one of .*\\b${one}\\b`));
      const filtered = await app.request(`${BASE}${path}?status=${one}`, { headers: { cookie } });
      expect(filtered.status, path).toBe(200);
      expect(await filtered.text(), path).toContain(`<option value="${one}" selected`);
    }
  });

  it('a refusal inside a group is the console\'s 403 page, not an error', async () => {
    const res = await app.request(`${BASE}/register/${RIV}`, { headers: { cookie: await cookieFor(PEOPLE.itOakfield) } });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('You do not have access to this');
  });

  it('a form reaches its group with its token checked first: a wrong token changes nothing, the right one is recorded', async () => {
    const cookie = await cookieFor(PEOPLE.adminByRole);
    const form = await (await app.request(`${BASE}/policies`, { headers: { cookie } })).text();
    const token = new RegExp(`name="${CSRF_FIELD}" value="([^"]+)"`).exec(form)?.[1];
    expect(token).toBeTruthy();
    const post = (token: string) => app.request(`${BASE}/policies/${TRUST_POLICY}`, {
      method: 'POST', headers: { cookie, origin: BASE, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ [CSRF_FIELD]: token, nextReview: '2027-11-30' }).toString(),
    });
    const refused = await post('a-wrong-token');
    expect(refused.status).toBe(403);
    expect((await h.store.getPolicy(TRUST_POLICY))?.nextReviewDate).not.toBe('2027-11-30');
    const done = await post(token!);
    expect(done.status).toBe(303);
    expect((await h.store.getPolicy(TRUST_POLICY))?.nextReviewDate).toBe('2027-11-30');
  });

  it('an address no page in a group answers is the console\'s own 404 page', async () => {
    const cookie = await cookieFor(PEOPLE.adminByRole);
    for (const [method, path] of [['GET', '/nowhere'], ['GET', '/register/a/b'], ['GET', '/tasks/a/b'], ['GET', '/requests/a/b'], ['GET', '/policies/x'], ['PUT', '/register']] as const) {
      const res = await app.request(`${BASE}${path}`, { method, headers: { cookie, origin: BASE } });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(await res.text(), `${method} ${path}`).toContain('There is no page at this address.');
      expect(res.headers.get('content-security-policy'), `${method} ${path}`).toBeTruthy();
    }
  });
});
