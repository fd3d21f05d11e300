/**
 * Signed action tokens for emailed links: `<payload>.<mac>`, both base64url, the MAC an HMAC-SHA256 over the
 * payload with the link secret. The payload ties the link to one task, one generation of it (a reopened task is a
 * new generation, so older links stop working) and one recipient: whoever uses the link acts as that person. It
 * carries its expiry, and a nonce that is recorded when the link is used, so it works once. Pure: the caller gives
 * `now`.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export interface TokenPayload {
  /** task id */
  t: string;
  /** the recipient's address: the person the link acts as */
  r: string;
  /** the task's generation when the link was made */
  g: number;
  /** expiry, unix seconds */
  e: number;
  /** nonce, recorded on use */
  n: string;
}

export type TokenCheck =
  | { ok: true; payload: TokenPayload }
  | { ok: false; reason: 'malformed' | 'forged' | 'expired' };

const MAX_TOKEN_LENGTH = 1024;

function mac(secret: string, payload: string): Buffer {
  return createHmac('sha256', secret).update(`custodian-action-v2.${payload}`).digest();
}

export function signToken(
  secret: string,
  link: { taskId: string; recipient: string; generation: number },
  expiresAtSeconds: number,
  nonce = randomBytes(12).toString('base64url'),
): string {
  const body: TokenPayload = { t: link.taskId, r: link.recipient, g: link.generation, e: expiresAtSeconds, n: nonce };
  const payload = Buffer.from(JSON.stringify(body)).toString('base64url');
  return `${payload}.${mac(secret, payload).toString('base64url')}`;
}

export function verifyToken(secret: string, token: string | undefined, nowSeconds: number): TokenCheck {
  if (!token || token.length > MAX_TOKEN_LENGTH || !/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token)) return { ok: false, reason: 'malformed' };
  const [payload, sig] = token.split('.') as [string, string];
  const given = Buffer.from(sig, 'base64url');
  const expected = mac(secret, payload);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'forged' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (!parsed || typeof parsed !== 'object') return { ok: false, reason: 'malformed' };
  const p = parsed as Partial<TokenPayload>;
  if (typeof p.t !== 'string' || typeof p.r !== 'string' || typeof p.g !== 'number' || typeof p.e !== 'number' || typeof p.n !== 'string') {
    return { ok: false, reason: 'malformed' };
  }
  if (p.e < nowSeconds) return { ok: false, reason: 'expired' };
  return { ok: true, payload: { t: p.t, r: p.r, g: p.g, e: p.e, n: p.n } };
}
