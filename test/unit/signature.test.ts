import { describe, expect, it } from 'vitest';
import { signBody, verifySignature } from '../../functions/domain/signature.ts';

const secret = 'shared-secret-for-tests';
const body = '{"detailType":"Staff Leaver","detail":{"email":"a@b.sch.uk","leaveDate":"2026-12-18"}}';
const now = 1_795_000_000;

describe('HR webhook signatures', () => {
  it('accepts a correct signature within 5 minutes either way', () => {
    expect(verifySignature(secret, body, signBody(secret, body, now), now)).toEqual({ ok: true, signedAt: now, requestKey: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(verifySignature(secret, body, signBody(secret, body, now - 299), now).ok).toBe(true);
    expect(verifySignature(secret, body, signBody(secret, body, now + 299), now).ok).toBe(true);
  });

  it('rejects a stale or future timestamp', () => {
    expect(verifySignature(secret, body, signBody(secret, body, now - 301), now)).toEqual({ ok: false, reason: 'signature timestamp is more than 5 minutes away' });
    expect(verifySignature(secret, body, signBody(secret, body, now + 301), now).ok).toBe(false);
  });

  it('rejects a changed body, a wrong secret, and a replayed signature with a new timestamp', () => {
    const header = signBody(secret, body, now);
    expect(verifySignature(secret, body.replace('a@b', 'c@d'), header, now).ok).toBe(false);
    expect(verifySignature('other', body, header, now).ok).toBe(false);
    const mac = header.split('v1=')[1];
    expect(verifySignature(secret, body, `t=${now + 10},v1=${mac}`, now + 10).ok).toBe(false);
  });

  it('rejects missing and malformed headers without throwing', () => {
    for (const h of [undefined, '', 'garbage', 't=,v1=', `t=${now}`, `v1=${'0'.repeat(64)}`, `t=abc,v1=${'0'.repeat(64)}`, `t=${now},v1=zz`, `t=${now},v1=${'0'.repeat(63)}`]) {
      expect(verifySignature(secret, body, h, now).ok).toBe(false);
    }
  });

  it('names the signed request by its signature, however the header is written (the webhook refuses a replay by it)', () => {
    const header = signBody(secret, body, now);
    const key = (h: string, b = body, at = now) => {
      const r = verifySignature(secret, b, h, at);
      if (!r.ok) throw new Error(r.reason);
      return r.requestKey;
    };
    const mac = header.split('v1=')[1]!;
    expect(key(` t=${now} , v1=${mac.toUpperCase()}`)).toBe(key(header));
    expect(key(`v1=${'a'.repeat(64)},t=${now},v1=${mac}`)).toBe(key(header));
    expect(key(signBody(secret, body, now + 1), body, now + 1)).not.toBe(key(header));
    const other = body.replace('a@b', 'c@d');
    expect(key(signBody(secret, other, now), other)).not.toBe(key(header));
    // Neither the body nor the signature can be read from it.
    expect(key(header)).not.toContain(mac);
  });

  it('accepts any of several v1 signatures, so the secret can be rotated', () => {
    const good = signBody(secret, body, now).split('v1=')[1];
    expect(verifySignature(secret, body, `t=${now},v1=${'a'.repeat(64)},v1=${good}`, now).ok).toBe(true);
  });
});
