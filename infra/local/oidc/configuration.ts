/**
 * oidc-provider's configuration for the local Entra ID stand-in: what it offers (code flow, S256 PKCE, client
 * secrets), whose accounts it knows (the Graph emulator's enabled users, read at each use) and how it looks.
 */
import { generateKeyPair, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import type { Configuration, Grant, KoaContextWithOIDC } from 'oidc-provider';
import type { EmulatorUser } from '../graph-emulator/types.ts';
import type { OidcClientRegistration } from '../oidc-provider.ts';
import { CLAIMS_BY_SCOPE, enabledUser, entraClaims } from './accounts.ts';
import { errorPage, logoutPage, signedOutPage } from './pages.ts';

type OidcModule = typeof import('oidc-provider');

const CLOCK_TOLERANCE_SECONDS = 5;
const HOUR = 3600;

/** A fresh RS256 key per start (Entra signs with RS256): tokens from a previous run must not verify. */
async function signingKey(): Promise<Record<string, unknown>> {
  const { privateKey } = await promisify(generateKeyPair)('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), use: 'sig', alg: 'RS256' };
}

export async function buildConfiguration(
  oidc: OidcModule,
  opts: { tenantId: string; users: () => EmulatorUser[]; clients: OidcClientRegistration[] },
): Promise<Configuration> {
  // oidc-provider's own in-memory adapter, passed explicitly rather than by leaving `adapter` unset: the same
  // store, without the start-up warning that it loses everything on restart, which is what a local stack wants.
  const { createMemoryAdapter } = await import('oidc-provider/lib/adapters/memory_adapter.js');

  // Someone disabled or removed since they signed in here must sign in again (and be refused), not be waved
  // through on the provider's session: the default policy assumes a session's account always exists.
  const { Check } = oidc.interactionPolicy;
  const policy = oidc.interactionPolicy.base();
  policy.get('login')!.checks.unshift(new Check('account_unavailable', 'the signed-in user is no longer enabled', 'login_required',
    (ctx) => (ctx.oidc.session.accountId !== undefined && ctx.oidc.account === undefined ? Check.REQUEST_PROMPT : Check.NO_NEED_TO_PROMPT)));

  return {
    adapter: createMemoryAdapter(CLOCK_TOLERANCE_SECONDS),
    clockTolerance: CLOCK_TOLERANCE_SECONDS,
    clients: opts.clients.map((c) => ({
      client_id: c.clientId,
      client_secret: c.clientSecret,
      redirect_uris: c.redirectUris,
      post_logout_redirect_uris: c.postLogoutRedirectUris ?? [],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      // oidc-provider accepts either secret method from a client registered with one of them.
      token_endpoint_auth_method: 'client_secret_basic',
    })),
    clientAuthMethods: ['client_secret_basic', 'client_secret_post'],
    clientBasedCORS: () => false, // relying parties call the token endpoint from their server, never a browser
    responseTypes: ['code'],
    scopes: ['openid'],
    claims: CLAIMS_BY_SCOPE,
    // Entra v2 puts the profile and email claims in the ID token; OIDC Core would keep them to userinfo.
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    // Signed (hence the keys) but not Secure: the issuer is plain http on the loopback interface, and
    // oidc-provider marks cookies Secure by itself whenever a request arrives over https.
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    jwks: { keys: [await signingKey()] },
    ttl: { AccessToken: HOUR, AuthorizationCode: 60, IdToken: HOUR, Interaction: 10 * 60, Session: 8 * HOUR, Grant: 8 * HOUR },
    interactions: { policy },
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx: KoaContextWithOIDC, form: string) => {
          ctx.type = 'html';
          ctx.body = logoutPage(form, ctx.oidc.client !== undefined);
        },
        postLogoutSuccessSource: async (ctx: KoaContextWithOIDC) => {
          ctx.type = 'html';
          ctx.body = signedOutPage();
        },
      },
    },
    async findAccount(_ctx, sub) {
      const user = enabledUser(opts.users(), sub);
      return user && { accountId: user.id, claims: () => entraClaims(user, opts.tenantId) };
    },
    // Implicit consent, as for an Entra app an administrator consented to for the whole tenant: the grant is
    // whatever OpenID scopes the request asks for (oidc-provider has already dropped unsupported ones).
    async loadExistingGrant(ctx) {
      const client = ctx.oidc.client;
      const accountId = ctx.oidc.session.accountId;
      if (!client || !accountId) return undefined;
      const existingId = ctx.oidc.session.grantIdFor(client.clientId);
      const grant: Grant = (existingId ? await ctx.oidc.provider.Grant.find(existingId) : undefined)
        ?? new ctx.oidc.provider.Grant({ accountId, clientId: client.clientId });
      grant.addOIDCScope([...ctx.oidc.requestParamOIDCScopes].join(' '));
      await grant.save();
      return grant;
    },
    async renderError(ctx, out) {
      ctx.type = 'html';
      ctx.body = errorPage('Sign-in could not continue', [out.error, out.error_description].filter(Boolean).join(': '));
    },
  };
}
