/**
 * The Graph token provider (functions/adapters/graph.ts, clientCredentialsTokenProvider) against a real token
 * endpoint on loopback: what it sends, that it keeps the token until shortly before expiry, that callers asking at
 * once share one request, and that a refusal reads clearly without the secret.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { clientCredentialsTokenProvider } from '../../functions/adapters/graph.ts';

const creds = { tenantId: '5f3c1b2a-8d4e-4c6f-9a7b-2e1d0c9b8a76', clientId: 'c0ffee00-0000-4000-8000-000000000001', clientSecret: 'client-secret-value~with.odd+chars' };

interface Seen {
  method: string;
  path: string;
  contentType: string | undefined;
  form: URLSearchParams;
}

let server: http.Server | undefined;
let seen: Seen[];
/** The next answer: status and JSON body, and how long to wait before sending it. */
let answer: (n: number) => { status: number; body: unknown; delayMs?: number };

async function tokenEndpoint(): Promise<string> {
  server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => { raw += c.toString(); });
    req.on('end', () => {
      seen.push({ method: req.method!, path: req.url!, contentType: req.headers['content-type'], form: new URLSearchParams(raw) });
      const { status, body, delayMs = 0 } = answer(seen.length);
      setTimeout(() => {
        res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
        res.end(JSON.stringify(body));
      }, delayMs);
    });
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const token = (n: number, expiresIn = 3599) => ({ token_type: 'Bearer', expires_in: expiresIn, ext_expires_in: expiresIn, access_token: `access-token-${n}` });

beforeEach(() => {
  seen = [];
  answer = (n) => ({ status: 200, body: token(n) });
});

afterEach(async () => {
  vi.useRealTimers();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
});

describe('clientCredentialsTokenProvider over loopback', () => {
  it('asks the tenant\'s v2.0 token endpoint for a Graph token with the client credentials, and nothing else', async () => {
    const provider = clientCredentialsTokenProvider(creds, await tokenEndpoint());

    expect(await provider()).toBe('access-token-1');

    expect(seen).toHaveLength(1); // no discovery request
    const [req] = seen;
    expect(req!.method).toBe('POST');
    expect(req!.path).toBe(`/${creds.tenantId}/oauth2/v2.0/token`);
    expect(req!.contentType).toMatch(/^application\/x-www-form-urlencoded/);
    expect(req!.form.get('grant_type')).toBe('client_credentials');
    expect(req!.form.get('client_id')).toBe(creds.clientId);
    expect(req!.form.get('client_secret')).toBe(creds.clientSecret);
    expect(req!.form.get('scope')).toBe('https://graph.microsoft.com/.default');
  });

  it('answers from memory while the token has more than five minutes left, then gets a new one', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-12-02T09:00:00Z'));
    const provider = clientCredentialsTokenProvider(creds, await tokenEndpoint());

    expect(await provider()).toBe('access-token-1');
    vi.setSystemTime(new Date('2026-12-02T09:54:58Z')); // 3599 s life: renewed from 09:54:59
    expect(await provider()).toBe('access-token-1');
    expect(seen).toHaveLength(1);

    vi.setSystemTime(new Date('2026-12-02T09:55:00Z'));
    expect(await provider()).toBe('access-token-2');
    expect(seen).toHaveLength(2);
    expect(await provider()).toBe('access-token-2');
    expect(seen).toHaveLength(2);
  });

  it('renews a short-lived token at half its life', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-12-02T09:00:00Z'));
    answer = (n) => ({ status: 200, body: token(n, 120) });
    const provider = clientCredentialsTokenProvider(creds, await tokenEndpoint());

    expect(await provider()).toBe('access-token-1');
    vi.setSystemTime(new Date('2026-12-02T09:00:59Z'));
    expect(await provider()).toBe('access-token-1');
    vi.setSystemTime(new Date('2026-12-02T09:01:00Z'));
    expect(await provider()).toBe('access-token-2');
  });

  it('makes one request for callers that ask at once', async () => {
    answer = (n) => ({ status: 200, body: token(n), delayMs: 50 });
    const provider = clientCredentialsTokenProvider(creds, await tokenEndpoint());

    const tokens = await Promise.all(Array.from({ length: 5 }, () => provider()));

    expect(tokens).toEqual(Array(5).fill('access-token-1'));
    expect(seen).toHaveLength(1);
  });

  it('says what the identity platform refused, without the secret, and asks again next time', async () => {
    answer = (n) => n === 1
      ? {
          status: 401,
          body: { error: 'invalid_client', error_description: 'AADSTS7000215: Invalid client secret provided.', error_codes: [7000215] },
        }
      : { status: 200, body: token(n) };
    const provider = clientCredentialsTokenProvider(creds, await tokenEndpoint());

    const err = await provider().then(() => undefined, (e: unknown) => e as Error);
    expect(err).toBeInstanceOf(Error);
    expect(err!.message).toBe('the Microsoft identity platform refused a Graph token: invalid_client: AADSTS7000215: Invalid client secret provided. (HTTP 401)');
    expect(err!.message).not.toContain(creds.clientSecret);

    expect(await provider()).toBe('access-token-2');
  });

  it('fails clearly when the answer is no token response', async () => {
    answer = () => ({ status: 502, body: { message: 'bad gateway' } });
    const provider = clientCredentialsTokenProvider(creds, await tokenEndpoint());

    await expect(provider()).rejects.toThrow(/^could not get a Graph token from the Microsoft identity platform: /);
  });

  it('takes plain http only on loopback', () => {
    expect(() => clientCredentialsTokenProvider(creds, 'http://login.example.test')).toThrow(/must be https/);
    expect(() => clientCredentialsTokenProvider(creds, 'http://localhost:1')).not.toThrow();
    expect(() => clientCredentialsTokenProvider(creds, 'https://login.microsoftonline.com')).not.toThrow();
  });
});
