import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signToken, verifyToken, type TokenCheck } from '../../functions/domain/tokens.ts';
const RECIPIENT = 'recipient@oakfield.sch.uk';
const link = (taskId: string, recipient = RECIPIENT, generation = 1) => ({ taskId, recipient, generation });

const secret = 'link-secret-for-tests';
const now = 1_800_000_000;
const inAWeek = now + 7 * 86_400;

/** The token format (payload, dot, HMAC-SHA256 over a domain-separated payload), rebuilt to craft odd payloads. */
function sealed(payloadText: string, key = secret): string {
  const payload = Buffer.from(payloadText).toString('base64url');
  const mac = createHmac('sha256', key).update(`custodian-action-v2.${payload}`).digest('base64url');
  return `${payload}.${mac}`;
}

function parts(token: string): [string, string] {
  const [payload, mac] = token.split('.');
  return [payload!, mac!];
}

/** Verifies without letting a throw escape, so a throw shows up as a failed expectation rather than an error. */
function check(token: string | undefined, key = secret, at = now): TokenCheck | 'threw' {
  try {
    return verifyToken(key, token, at);
  } catch {
    return 'threw';
  }
}

describe('signToken / verifyToken', () => {
  it('round-trips the task id, expiry and nonce', () => {
    const token = signToken(secret, link('abcDEF123xyz0000'), inAWeek, 'nonce-1');
    expect(verifyToken(secret, token, now)).toEqual({ ok: true, payload: { t: 'abcDEF123xyz0000', r: RECIPIENT, g: 1, e: inAWeek, n: 'nonce-1' } });
  });

  it('is URL-safe: two base64url parts joined by one dot, a 32-byte MAC', () => {
    const token = signToken(secret, link('task-1'), inAWeek, 'n');
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(Buffer.from(parts(token)[1], 'base64url')).toHaveLength(32);
    expect(encodeURIComponent(token)).toBe(token);
  });

  it('is deterministic for a given nonce, and draws a fresh random nonce by default', () => {
    expect(signToken(secret, link('t'), inAWeek, 'n')).toBe(signToken(secret, link('t'), inAWeek, 'n'));
    const a = signToken(secret, link('t'), inAWeek);
    const b = signToken(secret, link('t'), inAWeek);
    expect(a).not.toBe(b);
    const ra = verifyToken(secret, a, now);
    const rb = verifyToken(secret, b, now);
    expect(ra.ok && rb.ok).toBe(true);
    if (ra.ok && rb.ok) {
      expect(ra.payload.n).not.toBe(rb.payload.n);
      expect(ra.payload.n).toMatch(/^[A-Za-z0-9_-]{16}$/); // 12 random bytes
    }
  });

  it('carries task ids with any characters', () => {
    const id = 'ünïcødé / "quoted" . dotted';
    const r = verifyToken(secret, signToken(secret, link(id), inAWeek, 'n'), now);
    expect(r).toEqual({ ok: true, payload: { t: id, r: RECIPIENT, g: 1, e: inAWeek, n: 'n' } });
  });
});

describe('expiry', () => {
  it('accepts a token up to and including its expiry second', () => {
    const token = signToken(secret, link('t'), now, 'n');
    expect(verifyToken(secret, token, now - 1).ok).toBe(true);
    expect(verifyToken(secret, token, now).ok).toBe(true);
  });

  it('rejects a token after its expiry as expired', () => {
    const token = signToken(secret, link('t'), now, 'n');
    expect(verifyToken(secret, token, now + 1)).toEqual({ ok: false, reason: 'expired' });
    expect(verifyToken(secret, signToken(secret, link('t'), 0, 'n'), now)).toEqual({ ok: false, reason: 'expired' });
  });

  it('reports a forged expired token as forged, not expired (the MAC is checked first)', () => {
    const expired = signToken('someone-else', link('t'), now - 10, 'n');
    expect(verifyToken(secret, expired, now)).toEqual({ ok: false, reason: 'forged' });
  });
});

describe('forgery', () => {
  const token = signToken(secret, link('task-aaaaaaaaaaa'), inAWeek, 'nonce');
  const [payload, mac] = parts(token);

  it('rejects a changed MAC', () => {
    const flipped = (mac[0] === 'A' ? 'B' : 'A') + mac.slice(1);
    expect(verifyToken(secret, `${payload}.${flipped}`, now)).toEqual({ ok: false, reason: 'forged' });
    const zero = Buffer.alloc(32).toString('base64url');
    expect(verifyToken(secret, `${payload}.${zero}`, now)).toEqual({ ok: false, reason: 'forged' });
  });

  it('rejects a MAC of the wrong length (truncated, extended, one byte) without throwing', () => {
    expect(check(`${payload}.${mac.slice(0, 20)}`)).toEqual({ ok: false, reason: 'forged' });
    expect(check(`${payload}.${mac}AAAA`)).toEqual({ ok: false, reason: 'forged' });
    expect(check(`${payload}.A`)).toEqual({ ok: false, reason: 'forged' });
    expect(check(`${payload}.AA`)).toEqual({ ok: false, reason: 'forged' });
  });

  it('rejects a payload whose task id was changed while keeping the old MAC', () => {
    const decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { t: string; e: number; n: string };
    expect(decoded.t).toBe('task-aaaaaaaaaaa');
    const tampered = Buffer.from(JSON.stringify({ ...decoded, t: 'task-bbbbbbbbbbb' })).toString('base64url');
    expect(tampered).not.toBe(payload);
    expect(verifyToken(secret, `${tampered}.${mac}`, now)).toEqual({ ok: false, reason: 'forged' });
  });

  it('rejects a link whose recipient or generation was changed while keeping the old MAC (a forwarded link cannot act as someone else)', () => {
    const [payload, mac] = parts(token);
    const decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    for (const change of [{ r: 'someone.else@oakfield.sch.uk' }, { g: 2 }]) {
      const edited = Buffer.from(JSON.stringify({ ...decoded, ...change })).toString('base64url');
      expect(verifyToken(secret, `${edited}.${mac}`, now)).toEqual({ ok: false, reason: 'forged' });
    }
  });

  it('rejects a payload whose expiry was extended while keeping the old MAC', () => {
    const old = signToken(secret, link('t'), now - 60, 'n');
    const [p, m] = parts(old);
    const decoded = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as { t: string; e: number; n: string };
    const extended = Buffer.from(JSON.stringify({ ...decoded, e: inAWeek })).toString('base64url');
    expect(verifyToken(secret, `${extended}.${m}`, now)).toEqual({ ok: false, reason: 'forged' });
  });

  it('rejects a MAC swapped in from another valid token', () => {
    const other = signToken(secret, link('task-bbbbbbbbbbb'), inAWeek, 'nonce');
    expect(verifyToken(secret, `${payload}.${parts(other)[1]}`, now)).toEqual({ ok: false, reason: 'forged' });
  });

  it('rejects a token signed with a different secret, and accepts nothing with an empty secret', () => {
    expect(verifyToken('another-secret', token, now)).toEqual({ ok: false, reason: 'forged' });
    expect(verifyToken(secret, signToken('another-secret', link('task-aaaaaaaaaaa'), inAWeek, 'nonce'), now)).toEqual({ ok: false, reason: 'forged' });
    expect(verifyToken('', token, now)).toEqual({ ok: false, reason: 'forged' });
  });

  it('binds the MAC to the custodian-action-v2 context (a bare HMAC of the payload does not verify)', () => {
    const bare = createHmac('sha256', secret).update(payload).digest('base64url');
    expect(verifyToken(secret, `${payload}.${bare}`, now)).toEqual({ ok: false, reason: 'forged' });
  });
});

describe('malformed tokens', () => {
  const good = signToken(secret, link('t'), inAWeek, 'n');

  it('rejects missing and empty tokens', () => {
    expect(check(undefined)).toEqual({ ok: false, reason: 'malformed' });
    expect(check('')).toEqual({ ok: false, reason: 'malformed' });
  });

  it('rejects tokens without exactly one dot between two non-empty parts', () => {
    const [p, m] = parts(good);
    for (const t of [p, `${p}${m}`, `${p}.`, `.${m}`, '.', `${p}.${m}.`, `${p}.${m}.${m}`, `${p}..${m}`]) {
      expect(check(t), t).toEqual({ ok: false, reason: 'malformed' });
    }
  });

  it('rejects characters outside base64url (standard base64, padding, spaces, percent-encoding, unicode)', () => {
    const [p, m] = parts(good);
    for (const t of [`${p}+.${m}`, `${p}.${m}/`, `${p}.${m}=`, ` ${good}`, `${good} `, `${good}\n`, `${p}%2E${m}`, `${p}.${m}é`, `${p}.${m}\u0000`]) {
      expect(check(t), JSON.stringify(t)).toEqual({ ok: false, reason: 'malformed' });
    }
  });

  it('rejects a huge token before doing any work', () => {
    expect(check(`${'a'.repeat(100_000)}.${'b'.repeat(43)}`)).toEqual({ ok: false, reason: 'malformed' });
    expect(check('a'.repeat(10_000_000))).toEqual({ ok: false, reason: 'malformed' });
  });

  it('accepts a genuine token of exactly 1024 characters and rejects one just over', () => {
    let at512: string | undefined;
    let over: string | undefined;
    for (let len = 1; len < 1000 && !(at512 && over); len++) {
      const t = signToken(secret, link('x'.repeat(len)), inAWeek, 'n');
      if (t.length === 1024) at512 = t;
      if (t.length > 1024 && !over) over = t;
    }
    expect(at512).toBeDefined();
    expect(check(at512!)).toMatchObject({ ok: true, payload: { e: inAWeek, n: 'n' } });
    expect(check(over!)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('rejects a correctly signed payload that is not JSON', () => {
    for (const text of ['not json', '{', '', '\u0000\u0001', '{"t":"x","e":1,"n":"n"']) {
      expect(check(sealed(text)), text).toEqual({ ok: false, reason: 'malformed' });
    }
  });

  it('rejects a correctly signed payload that is not valid UTF-8 JSON bytes', () => {
    const payload = Buffer.from([0xff, 0xfe, 0xfd]).toString('base64url');
    const mac = createHmac('sha256', secret).update(`custodian-action-v2.${payload}`).digest('base64url');
    expect(check(`${payload}.${mac}`)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('rejects correctly signed JSON with missing or mistyped fields', () => {
    const cases = [
      {},
      { e: inAWeek, n: 'n' },
      { t: 'x', n: 'n' },
      { t: 'x', e: inAWeek },
      { t: 1, e: inAWeek, n: 'n' },
      { t: 'x', e: String(inAWeek), n: 'n' },
      { t: 'x', e: inAWeek, n: 5 },
      { t: null, e: inAWeek, n: 'n' },
      { t: ['x'], e: inAWeek, n: 'n' },
      { t: 'x', g: 1, e: inAWeek, n: 'n' },
      { t: 'x', r: RECIPIENT, e: inAWeek, n: 'n' },
      { t: 'x', r: 5, g: 1, e: inAWeek, n: 'n' },
      { t: 'x', r: RECIPIENT, g: '1', e: inAWeek, n: 'n' },
    ];
    for (const c of cases) expect(check(sealed(JSON.stringify(c))), JSON.stringify(c)).toEqual({ ok: false, reason: 'malformed' });
    for (const text of ['[]', '"a string"', '42', 'true', '[{"t":"x","e":1,"n":"n"}]']) {
      expect(check(sealed(text)), text).toEqual({ ok: false, reason: 'malformed' });
    }
  });

  it('returns only the five known fields', () => {
    const r = check(sealed(JSON.stringify({ t: 'x', r: RECIPIENT, g: 1, e: inAWeek, n: 'n', admin: true })));
    expect(r).toEqual({ ok: true, payload: { t: 'x', r: RECIPIENT, g: 1, e: inAWeek, n: 'n' } });
  });

  it('checks the MAC before parsing: garbage with a bad MAC is forged, not malformed', () => {
    const payload = Buffer.from('not json').toString('base64url');
    expect(check(`${payload}.${parts(good)[1]}`)).toEqual({ ok: false, reason: 'forged' });
  });

  it('never throws on assorted garbage', () => {
    const inputs = [
      'a.b', 'A.A', '-.-', '_._', 'abc.def', 'x'.repeat(511) + '.', 'eyJ0IjoieCJ9.abc', 'null.null', '__proto__.constructor',
      `${Buffer.from('{"t":"x","e":1e400,"n":"n"}').toString('base64url')}.${parts(good)[1]}`,
    ];
    for (const t of inputs) {
      const r = check(t);
      expect(r, t).not.toBe('threw');
      expect(r, t).toMatchObject({ ok: false });
    }
  });

  it('rejects a correctly signed JSON null payload as malformed without throwing', () => {
    expect(check(sealed('null'))).toEqual({ ok: false, reason: 'malformed' });
  });
});
