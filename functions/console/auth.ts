/**
 * Sign-in with OpenID Connect (contracts section 8): the authorization code flow with PKCE, through `openid-client`
 * (an OpenID-certified relying party). Deployed, the provider is Microsoft Entra ID for the trust's tenant; locally,
 * the local provider (infra/local/oidc-provider.ts) standing in for it over the Graph emulator's users.
 *
 * What is taken from the ID token: the address (`email`, else `preferred_username`), the name, and the app roles.
 * An Entra token must also carry the trust's tenant as `tid`: Entra signs in people of other tenants too (guests,
 * multi-tenant apps), and their addresses prove nothing about the trust.
 *
 * openid-client is loaded on the first sign-in request (`await import`), not with the console: the console's other
 * pages never need it, and a cold start then neither loads nor parses it (infra/constructs/bundle.ts).
 */
import type * as Oidc from 'openid-client';
import type { ConsoleSecrets, OidcSettings } from './config.ts';
import type { SignInTransaction } from './session.ts';

export interface SignedIn {
  email: string;
  name?: string;
  roles: string[];
}

/** Why a sign-in was refused, to show the person (never logged with their address). */
export class SignInRefused extends Error {
  constructor(readonly reason: 'provider_error' | 'wrong_tenant' | 'no_address' | 'invalid_response', message: string) {
    super(message);
    this.name = 'SignInRefused';
  }
}

export interface IdentityProvider {
  authorizationUrl(t: Pick<SignInTransaction, 'state' | 'nonce' | 'verifier'>, redirectUri: string): Promise<URL>;
  /** Exchanges the code in the callback URL; checks state, nonce, PKCE, the token's signature, issuer and audience, and the tenant. */
  complete(callbackUrl: URL, t: SignInTransaction): Promise<SignedIn>;
  /** The provider's RP-initiated logout URL, when it offers one. */
  endSessionUrl(postLogoutRedirectUri: string): Promise<URL | undefined>;
}

const APP_ROLE = /^Custodian\./;

/** http is only ever allowed for a provider on this machine (the local stack's); anything else must be https. */
export function isLoopbackHttp(issuer: string): boolean {
  const u = new URL(issuer);
  return u.protocol === 'http:' && (u.hostname === '127.0.0.1' || u.hostname === 'localhost' || u.hostname === '[::1]');
}

const openIdClient = (): Promise<typeof Oidc> => import('openid-client');

export function openIdProvider(settings: OidcSettings, secrets: () => Promise<ConsoleSecrets>): IdentityProvider {
  let configuration: Promise<Oidc.Configuration> | undefined;
  const config = (): Promise<Oidc.Configuration> => {
    configuration ??= (async () => {
      const oidc = await openIdClient();
      const { clientSecret } = await secrets();
      const insecure = isLoopbackHttp(settings.issuer);
      if (!insecure && !settings.issuer.startsWith('https://')) throw new Error('the OpenID issuer must be an https URL');
      return oidc.discovery(new URL(settings.issuer), settings.clientId, clientSecret, undefined, insecure ? { execute: [oidc.allowInsecureRequests] } : undefined);
    })();
    // A failed discovery (the provider briefly unreachable) is tried again on the next request, not cached.
    configuration.catch(() => { configuration = undefined; });
    return configuration;
  };

  return {
    async authorizationUrl(t, redirectUri) {
      const oidc = await openIdClient();
      return oidc.buildAuthorizationUrl(await config(), {
        redirect_uri: redirectUri,
        scope: 'openid profile email',
        response_type: 'code',
        code_challenge: await oidc.calculatePKCECodeChallenge(t.verifier),
        code_challenge_method: 'S256',
        state: t.state,
        nonce: t.nonce,
      });
    },

    async complete(callbackUrl, t) {
      const oidc = await openIdClient();
      let claims: Oidc.IDToken | undefined;
      try {
        const tokens = await oidc.authorizationCodeGrant(await config(), callbackUrl, {
          pkceCodeVerifier: t.verifier,
          expectedState: t.state,
          expectedNonce: t.nonce,
          idTokenExpected: true,
        });
        claims = tokens.claims();
      } catch (err) {
        if (err instanceof oidc.AuthorizationResponseError) throw new SignInRefused('provider_error', err.error === 'access_denied' ? 'Sign-in was cancelled or refused.' : 'The sign-in service did not sign you in.');
        if (err instanceof oidc.ClientError || err instanceof oidc.ResponseBodyError) throw new SignInRefused('invalid_response', 'The sign-in did not complete: it may have been started in another window, or taken too long.');
        throw err;
      }
      if (!claims) throw new SignInRefused('invalid_response', 'The sign-in service sent no identity.');
      if (settings.tenantId && String(claims.tid ?? '').toLowerCase() !== settings.tenantId) {
        throw new SignInRefused('wrong_tenant', 'You signed in with an account from another organisation. Sign in with your school or trust Microsoft 365 account.');
      }
      const address = [claims.email, claims.preferred_username].find((v): v is string => typeof v === 'string' && v.includes('@'));
      if (!address) throw new SignInRefused('no_address', 'Your account has no email address that Custodian can use.');
      const roles = Array.isArray(claims.roles) ? claims.roles.filter((r): r is string => typeof r === 'string' && APP_ROLE.test(r)) : [];
      return { email: address.trim().toLowerCase(), ...(typeof claims.name === 'string' && claims.name.trim() ? { name: claims.name.trim() } : {}), roles };
    },

    async endSessionUrl(postLogoutRedirectUri) {
      const c = await config();
      if (!c.serverMetadata().end_session_endpoint) return undefined;
      return (await openIdClient()).buildEndSessionUrl(c, { post_logout_redirect_uri: postLogoutRedirectUri });
    },
  };
}

/** A new sign-in's state, nonce and PKCE code verifier, from openid-client. */
export async function signInSecrets(): Promise<Pick<SignInTransaction, 'state' | 'nonce' | 'verifier'>> {
  const oidc = await openIdClient();
  return { state: oidc.randomState(), nonce: oidc.randomNonce(), verifier: oidc.randomPKCECodeVerifier() };
}

/**
 * Where to go after signing in: only a path on the console itself (`/register?school=x`), never another site,
 * a protocol-relative `//host` or a backslash trick; anything else is the home page.
 */
export function safeReturnTo(value: string | undefined | null): string {
  if (!value || value.length > 2000) return '/';
  if (!value.startsWith('/') || value.startsWith('//') || /[\\\u0000-\u001f\u007f]/.test(value)) return '/';
  if (value.startsWith('/auth/')) return '/';
  try {
    const u = new URL(value, 'https://console.invalid');
    if (u.origin !== 'https://console.invalid') return '/';
    return `${u.pathname}${u.search}`;
  } catch {
    return '/';
  }
}
