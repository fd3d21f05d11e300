/**
 * The SSM GetParameter request of functions/adapters/ssm.ts: its Signature Version 4 matches the AWS SDK's own
 * signer for the same request, and it reads a parameter from an endpoint that answers as SSM does.
 */
import { SignatureV4 } from '@smithy/signature-v4';
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { getParameter, signedHeaders } from '../../functions/adapters/ssm.ts';

const bytes = (d: string | ArrayBuffer | ArrayBufferView) => (typeof d === 'string' ? d : d instanceof ArrayBuffer ? new Uint8Array(d) : new Uint8Array(d.buffer, d.byteOffset, d.byteLength));

/** The SDK's hash interface over node:crypto (an HMAC when given a secret), for its signer. */
class Sha256 {
  private readonly h: Hash | Hmac;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.h = secret ? createHmac('sha256', bytes(secret)) : createHash('sha256');
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.h.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.h.digest());
  }
}

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };

describe('signing', () => {
  it.each([
    ['with long-term credentials', credentials],
    ['with a session token (Lambda\'s)', { ...credentials, sessionToken: 'IQoJb3JpZ2luX2VjEXAMPLE//token=' }],
  ])('gives the same Authorization as the AWS SDK\'s SignatureV4, %s', async (_what, creds) => {
    const url = new URL('https://ssm.eu-west-2.amazonaws.com/');
    const body = JSON.stringify({ Name: '/Custodian/link-signing-key', WithDecryption: true });
    const now = new Date('2026-12-02T09:30:15.123Z');
    const ours = signedHeaders({ url, region: 'eu-west-2', service: 'ssm', target: 'AmazonSSM.GetParameter', body, credentials: creds, now });
    const sdk = new SignatureV4({ service: 'ssm', region: 'eu-west-2', credentials: creds, sha256: Sha256, applyChecksum: false });
    const theirs = await sdk.sign({
      method: 'POST', protocol: 'https:', hostname: url.hostname, path: '/', body, query: {},
      headers: { host: url.host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AmazonSSM.GetParameter' },
    }, { signingDate: now, unsignableHeaders: new Set(), signableHeaders: new Set(['content-type', 'host', 'x-amz-target']) });
    expect(ours.authorization).toBe(theirs.headers.authorization);
    expect(ours['x-amz-date']).toBe(theirs.headers['x-amz-date']);
    if ('sessionToken' in creds) expect(ours['x-amz-security-token']).toBe(creds.sessionToken);
  });
});

describe('reading a parameter', () => {
  let server: http.Server | undefined;
  const saved = { ...process.env };
  afterEach(async () => {
    process.env = { ...saved };
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    server = undefined;
  });

  async function ssm(answer: (body: Record<string, unknown>, headers: http.IncomingHttpHeaders) => [number, unknown]) {
    server = http.createServer((req, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => { raw += c.toString(); });
      req.on('end', () => {
        const [status, out] = answer(JSON.parse(raw) as Record<string, unknown>, req.headers);
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify(out));
      });
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_SSM: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, AWS_REGION: 'eu-west-2', AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local',
    });
  }

  it('asks for it decrypted, signed, and returns its value', async () => {
    const seen: Array<{ body: Record<string, unknown>; headers: http.IncomingHttpHeaders }> = [];
    await ssm((body, headers) => {
      seen.push({ body, headers });
      return [200, { Parameter: { Name: body.Name, Type: 'SecureString', Value: 'the-value', Version: 3 } }];
    });
    expect(await getParameter('/Custodian/graph')).toBe('the-value');
    expect(seen[0]!.body).toEqual({ Name: '/Custodian/graph', WithDecryption: true });
    expect(seen[0]!.headers['x-amz-target']).toBe('AmazonSSM.GetParameter');
    expect(seen[0]!.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=local\/\d{8}\/eu-west-2\/ssm\/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=[0-9a-f]{64}$/);
  });

  it('says what SSM refused, without the value', async () => {
    await ssm(() => [400, { __type: 'ParameterNotFound', message: 'Parameter /Custodian/nope not found.' }]);
    await expect(getParameter('/Custodian/nope')).rejects.toThrow('SSM GetParameter: ParameterNotFound: Parameter /Custodian/nope not found.');
  });

  it('reports an answer that is not SSM\'s by its status', async () => {
    await ssm(() => [503, 'Service Unavailable']);
    await expect(getParameter('/Custodian/graph')).rejects.toThrow('SSM GetParameter: 503: "Service Unavailable"');
  });

  it('fails with the network error when nothing answers', async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    Object.assign(process.env, { AWS_ENDPOINT_URL_SSM: `http://127.0.0.1:${port}`, AWS_REGION: 'eu-west-2', AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' });
    await expect(getParameter('/Custodian/graph')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});
