/**
 * SSM Parameter Store's GetParameter (with decryption), as one signed HTTPS request: the secrets are SecureString
 * parameters (infra/constructs/secure-parameters.ts), and this is all Custodian asks of SSM, so it needs no SSM
 * client package. The request is AWS's JSON 1.1 protocol (`X-Amz-Target: AmazonSSM.GetParameter`) signed with
 * Signature Version 4 (test/unit/ssm.test.ts checks the signature against the AWS SDK's own signer). The endpoint is
 * `AWS_ENDPOINT_URL_SSM` when set (the local stack), else the Region's. Credentials: Lambda's (its environment),
 * else the SDK's default chain (the CLI, with a profile). The request goes through node:https (node:http for a local
 * endpoint), not the global fetch: loading undici costs tens of milliseconds on a cold start.
 */
import { createHash, createHmac } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export class ParameterError extends Error {
  constructor(readonly code: string, message: string) {
    super(`SSM GetParameter: ${code}: ${message}`);
    this.name = 'ParameterError';
  }
}

let chain: (() => Promise<Credentials>) | undefined;

async function credentials(): Promise<Credentials> {
  const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_SESSION_TOKEN: sessionToken } = process.env;
  if (accessKeyId && secretAccessKey) return { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
  if (!chain) {
    const { defaultProvider } = await import('@aws-sdk/credential-provider-node');
    chain = defaultProvider();
  }
  return chain();
}

const sha256 = (data: string) => createHash('sha256').update(data, 'utf8').digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();

/** The headers of a Signature Version 4 signed JSON 1.1 POST (exported for the test that compares it with the SDK's). */
export function signedHeaders(opts: {
  url: URL; region: string; service: string; target: string; body: string; credentials: Credentials; now: Date;
}): Record<string, string> {
  const amzDate = opts.now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const day = amzDate.slice(0, 8);
  const headers: Record<string, string> = {
    'content-type': 'application/x-amz-json-1.1',
    host: opts.url.host,
    'x-amz-date': amzDate,
    'x-amz-target': opts.target,
    ...(opts.credentials.sessionToken ? { 'x-amz-security-token': opts.credentials.sessionToken } : {}),
  };
  const names = Object.keys(headers).sort();
  const canonical = [
    'POST',
    opts.url.pathname || '/',
    '',
    ...names.map((n) => `${n}:${headers[n]!.trim()}`),
    '',
    names.join(';'),
    sha256(opts.body),
  ].join('\n');
  const scope = `${day}/${opts.region}/${opts.service}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${opts.credentials.secretAccessKey}`, day), opts.region), opts.service), 'aws4_request');
  const signature = createHmac('sha256', key).update(toSign, 'utf8').digest('hex');
  return {
    ...headers,
    authorization: `AWS4-HMAC-SHA256 Credential=${opts.credentials.accessKeyId}/${scope}, SignedHeaders=${names.join(';')}, Signature=${signature}`,
  };
}

/** The decrypted value of a parameter. */
export async function getParameter(name: string): Promise<string> {
  const region = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  if (!region) throw new Error('AWS_REGION is not set: cannot tell which Region\'s parameter to read');
  const url = new URL(process.env.AWS_ENDPOINT_URL_SSM ?? process.env.AWS_ENDPOINT_URL ?? `https://ssm.${region}.amazonaws.com/`);
  const body = JSON.stringify({ Name: name, WithDecryption: true });
  const headers = signedHeaders({ url, region, service: 'ssm', target: 'AmazonSSM.GetParameter', body, credentials: await credentials(), now: new Date() });
  const { status, text } = await post(url, headers, body);
  let out: { Parameter?: { Value?: string }; __type?: string; message?: string; Message?: string } = {};
  try {
    out = JSON.parse(text) as typeof out;
  } catch { /* not JSON: reported below */ }
  if (status < 200 || status > 299) throw new ParameterError(String(out.__type ?? status).split('#').pop()!, out.message ?? out.Message ?? text.slice(0, 200));
  const value = out.Parameter?.Value;
  if (typeof value !== 'string') throw new ParameterError('NoValue', 'the answer holds no parameter value');
  return value;
}

/** One POST, its answer read whole. Sends the headers as signed (`host` included). */
function post(url: URL, headers: Record<string, string>, body: string): Promise<{ status: number; text: string }> {
  const payload = Buffer.from(body, 'utf8');
  return new Promise((resolve, reject) => {
    const req = (url.protocol === 'http:' ? http : https).request(
      url,
      { method: 'POST', headers: { ...headers, 'content-length': String(payload.length) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}
