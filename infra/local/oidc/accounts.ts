/** Who may sign in, and what their ID token says: the Graph emulator's users, shaped like Entra ID v2 tokens. */
import { bareAddress } from '../graph-emulator/users.ts';
import type { EmulatorUser } from '../graph-emulator/types.ts';

export type SignInMatch = { ok: true; user: EmulatorUser } | { ok: false; reason: 'unknown' | 'disabled' };

/**
 * Finds the user an address belongs to, as Entra does for a sign-in name: the mail, the UPN or any SMTP
 * proxy address (primary `SMTP:` or alias `smtp:`), ignoring case. Other proxy types (SIP:, X500:) are not
 * sign-in names. An enabled match wins over a disabled one, so an address reused after a leaver still works.
 */
export function matchUser(users: EmulatorUser[], address: string): SignInMatch {
  const key = bareAddress(address);
  if (!key) return { ok: false, reason: 'unknown' };
  const matches = users.filter(
    (u) =>
      u.mail?.toLowerCase() === key ||
      u.userPrincipalName.toLowerCase() === key ||
      u.proxyAddresses.some((p) => /^smtp:/i.test(p) && bareAddress(p) === key),
  );
  const enabled = matches.find((u) => u.accountEnabled);
  if (enabled) return { ok: true, user: enabled };
  return { ok: false, reason: matches.length ? 'disabled' : 'unknown' };
}

/** The live, enabled user behind a token's subject; a user disabled or removed since sign-in gets nothing more. */
export function enabledUser(users: EmulatorUser[], id: string): EmulatorUser | undefined {
  return users.find((u) => u.id === id && u.accountEnabled);
}

/**
 * The claims an Entra ID v2 ID token carries for this user. `sub` is the object id here; in Entra it is a
 * per-application pairwise value, which is why relying parties should key people by `oid` + `tid`.
 * `roles` is absent, not empty, when the user holds no app role, as in Entra.
 */
export function entraClaims(user: EmulatorUser, tenantId: string): { sub: string } & Record<string, unknown> {
  return {
    sub: user.id,
    oid: user.id,
    tid: tenantId,
    ...(user.mail ? { email: user.mail.toLowerCase() } : {}),
    preferred_username: user.userPrincipalName,
    name: user.displayName,
    ...(user.appRoles?.length ? { roles: [...user.appRoles] } : {}),
  };
}

/** Which claim comes with which scope (oidc-provider's `claims` setting): the Entra ones ride on `openid`. */
export const CLAIMS_BY_SCOPE = {
  openid: ['sub', 'oid', 'tid', 'roles'],
  profile: ['name', 'preferred_username'],
  email: ['email'],
};
