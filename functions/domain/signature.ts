/**
 * HMAC-SHA256 request signatures for `POST /hr/events` (contracts section 2):
 * `X-Custodian-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`.
 * The same scheme as Stripe's webhooks: the timestamp inside the signed text stops replays after the tolerance.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_TOLERANCE_SECONDS = 300;

export function signBody(secret: string, body: string, unixSeconds: number): string {
  const mac = createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex');
  return `t=${unixSeconds},v1=${mac}`;
}

/**
 * A verified request: when it was signed (`t`, unix seconds) and `requestKey`, a hash of the signature it was
 * verified by. Only the holder of the secret can make a signature, and one signature belongs to one (t, body), so
 * the key names the signed request whatever else the header carries (spaces, order, extra `v1` values); it holds
 * neither the body nor the signature itself.
 */
export type SignatureCheck = { ok: true; signedAt: number; requestKey: string } | { ok: false; reason: string };

export function verifySignature(secret: string, body: string, header: string | undefined, nowSeconds: number): SignatureCheck {
  if (!header) return { ok: false, reason: 'missing X-Custodian-Signature header' };
  const parts = new Map<string, string[]>();
  for (const piece of header.split(',')) {
    const i = piece.indexOf('=');
    if (i <= 0) continue;
    const k = piece.slice(0, i).trim();
    parts.set(k, [...(parts.get(k) ?? []), piece.slice(i + 1).trim()]);
  }
  const t = parts.get('t')?.[0];
  const candidates = parts.get('v1') ?? [];
  if (!t || !/^\d{1,12}$/.test(t) || candidates.length === 0) return { ok: false, reason: 'malformed X-Custodian-Signature header' };
  if (Math.abs(nowSeconds - Number(t)) > SIGNATURE_TOLERANCE_SECONDS) return { ok: false, reason: 'signature timestamp is more than 5 minutes away' };
  const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest();
  // Several v1 values are allowed so a secret can be rotated without downtime.
  const match = candidates.some((c) => /^[0-9a-f]{64}$/i.test(c) && timingSafeEqual(Buffer.from(c, 'hex'), expected));
  if (!match) return { ok: false, reason: 'signature does not match' };
  return { ok: true, signedAt: Number(t), requestKey: createHash('sha256').update(expected).digest('hex') };
}
