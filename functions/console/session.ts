/**
 * The console's cookies, sealed with `jose` as JWTs encrypted with AES-256-GCM under a key derived from the console
 * secret (`dir`): nobody can read or change them, and one sealed for one purpose cannot be used for another.
 *
 * - the session: who signed in (address, name, app roles), their CSRF secret and when; 8 hours from sign-in, absolute;
 * - the sign-in transaction: state, nonce, PKCE verifier and where to return, for 10 minutes between
 *   `GET /auth/sign-in` and `GET /auth/callback`.
 *
 * Both are `HttpOnly`, `SameSite=Lax`, `Path=/`, and `Secure` (with the `__Host-` prefix) whenever the console is
 * served over https. Only what the console needs is kept: no tokens from the provider.
 */
import { hkdfSync, randomBytes } from 'node:crypto';
import { EncryptJWT, jwtDecrypt, type JWTPayload } from 'jose';

export const SESSION_SECONDS = 8 * 60 * 60;
export const SIGN_IN_SECONDS = 10 * 60;

export interface Session {
  email: string;
  name?: string;
  /** Entra app roles from the ID token (only Custodian's own). */
  roles: string[];
  /** The secret every form's `_csrf` is derived from. */
  csrf: string;
  /** Unix seconds: when they signed in, and when the session ends. */
  iat: number;
  exp: number;
}

export interface SignInTransaction {
  state: string;
  nonce: string;
  verifier: string;
  returnTo: string;
}

type Purpose = 'session' | 'sign-in';
const AUDIENCE: Record<Purpose, string> = { session: 'custodian-console:session', 'sign-in': 'custodian-console:sign-in' };

const derived = new Map<string, Uint8Array>();
function keyFor(secret: string, purpose: Purpose): Uint8Array {
  const id = `${purpose}\u0000${secret}`;
  let key = derived.get(id);
  if (!key) {
    key = new Uint8Array(hkdfSync('sha256', secret, 'custodian-console', `cookie:${purpose}`, 32));
    derived.set(id, key);
  }
  return key;
}

async function seal(payload: JWTPayload, purpose: Purpose, keys: string[], now: Date, seconds: number): Promise<string> {
  const iat = Math.floor(now.getTime() / 1000);
  return new EncryptJWT(payload)
    .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
    .setAudience(AUDIENCE[purpose])
    .setIssuedAt(iat)
    .setExpirationTime(iat + seconds)
    .encrypt(keyFor(keys[0]!, purpose));
}

/** The payload, or undefined when the cookie is missing, forged, sealed for another purpose, or expired. */
async function open(token: string | undefined, purpose: Purpose, keys: string[], now: Date, maxSeconds: number): Promise<JWTPayload | undefined> {
  if (!token || token.length > 4096) return undefined;
  for (const secret of keys) {
    try {
      const { payload } = await jwtDecrypt(token, keyFor(secret, purpose), {
        audience: AUDIENCE[purpose],
        currentDate: now,
        maxTokenAge: maxSeconds,
        keyManagementAlgorithms: ['dir'],
        contentEncryptionAlgorithms: ['A256GCM'],
      });
      return payload;
    } catch {
      // Not sealed with this key (or not at all): try the next one.
    }
  }
  return undefined;
}

export async function sealSession(s: { email: string; name?: string; roles: string[] }, keys: string[], now: Date): Promise<string> {
  return seal({ email: s.email, ...(s.name ? { name: s.name } : {}), roles: s.roles, csrf: randomBytes(32).toString('base64url') }, 'session', keys, now, SESSION_SECONDS);
}

export async function openSession(token: string | undefined, keys: string[], now: Date): Promise<Session | undefined> {
  const p = await open(token, 'session', keys, now, SESSION_SECONDS);
  if (!p || typeof p.email !== 'string' || typeof p.csrf !== 'string' || typeof p.iat !== 'number' || typeof p.exp !== 'number') return undefined;
  return {
    email: p.email,
    ...(typeof p.name === 'string' ? { name: p.name } : {}),
    roles: Array.isArray(p.roles) ? p.roles.filter((r): r is string => typeof r === 'string') : [],
    csrf: p.csrf,
    iat: p.iat,
    exp: p.exp,
  };
}

export async function sealSignIn(t: SignInTransaction, keys: string[], now: Date): Promise<string> {
  return seal({ ...t }, 'sign-in', keys, now, SIGN_IN_SECONDS);
}

export async function openSignIn(token: string | undefined, keys: string[], now: Date): Promise<SignInTransaction | undefined> {
  const p = await open(token, 'sign-in', keys, now, SIGN_IN_SECONDS);
  if (!p) return undefined;
  const { state, nonce, verifier, returnTo } = p as Record<string, unknown>;
  if (typeof state !== 'string' || typeof nonce !== 'string' || typeof verifier !== 'string' || typeof returnTo !== 'string') return undefined;
  return { state, nonce, verifier, returnTo };
}

export interface CookieNames {
  session: string;
  signIn: string;
}

/** `__Host-` names need `Secure`, `Path=/` and no `Domain`: the browser then refuses them from anywhere else. */
export function cookieNames(secure: boolean): CookieNames {
  return secure
    ? { session: '__Host-custodian-session', signIn: '__Host-custodian-sign-in' }
    : { session: 'custodian-session', signIn: 'custodian-sign-in' };
}

/** A `Set-Cookie` value; `maxAge` 0 removes the cookie. */
export function setCookie(name: string, value: string, o: { secure: boolean; maxAge: number }): string {
  return [`${name}=${value}`, 'Path=/', `Max-Age=${o.maxAge}`, 'HttpOnly', 'SameSite=Lax', ...(o.secure ? ['Secure'] : [])].join('; ');
}

/** The value of one cookie from a `Cookie` header (the first, if a name repeats). */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
