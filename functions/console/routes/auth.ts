/**
 * `GET /auth/sign-in`, `GET /auth/callback`, `POST /auth/sign-out` (contracts section 8).
 *
 * Sign-in remembers state, nonce, the PKCE verifier and where to return in a sealed cookie for 10 minutes, and sends
 * the browser to the provider. The callback checks them, exchanges the code, checks the token (openid-client: the
 * signature, issuer, audience, nonce; here: the tenant), and lets in only someone the console's use cases accept (an
 * address on a trust domain, not a leaver): anyone else gets a page saying why, and no session.
 * Sign-out is a CSRF-checked POST; it ends the session and, when the provider offers it, the provider's session too.
 */
import { Hono, type Context } from 'hono';
import { logger } from '../../adapters/logger.ts';
import { Forbidden, viewerFor } from '../../usecases/console/viewer.ts';
import type { ConsoleContext, ConsoleEnv, Form } from '../app.ts';
import { safeReturnTo, signInSecrets, SignInRefused } from '../auth.ts';
import { csrfMatches, CSRF_FIELD, sameOrigin } from '../csrf.ts';
import { messagePage, seeOther } from '../http.ts';
import { openSession, openSignIn, readCookie, sealSession, sealSignIn, SESSION_SECONDS, setCookie, SIGN_IN_SECONDS } from '../session.ts';
import { capitalise } from '../../domain/text.ts';

const SIGN_IN_AGAIN = '<p><a href="/auth/sign-in">Sign in again</a></p>\n';

export function authRoutes(ctx: ConsoleContext): Hono<ConsoleEnv> {
  const { config, secure, cookies } = ctx;
  const trustName = config.trustName;
  const app = new Hono<ConsoleEnv>();
  const notConfigured = (c: Context<ConsoleEnv>) => messagePage(c, 503, { trustName, title: 'Sign-in is not set up', message: 'Custodian\'s web console cannot sign anyone in yet: the trust\'s Microsoft 365 app registration has not been configured (see the README, Deployment).' });

  app.get('/sign-in', async (c) => {
    const provider = ctx.provider;
    if (!provider) return notConfigured(c);
    const keys = await ctx.keys();
    const returnTo = safeReturnTo(c.req.query('returnTo'));
    // Already signed in: nothing to do.
    if (await openSession(readCookie(c.req.header('cookie'), cookies.session), keys, ctx.now())) return seeOther(c, returnTo);
    const t = { ...(await signInSecrets()), returnTo };
    const url = await provider.authorizationUrl(t, `${config.baseUrl}/auth/callback`);
    c.header('set-cookie', setCookie(cookies.signIn, await sealSignIn(t, keys, ctx.now()), { secure, maxAge: SIGN_IN_SECONDS }), { append: true });
    return c.redirect(url.href, 302);
  });

  app.get('/callback', async (c) => {
    const provider = ctx.provider;
    if (!provider) return notConfigured(c);
    const keys = await ctx.keys();
    const t = await openSignIn(readCookie(c.req.header('cookie'), cookies.signIn), keys, ctx.now());
    c.header('set-cookie', setCookie(cookies.signIn, '', { secure, maxAge: 0 }), { append: true });
    const refused = (status: number, reason: string, message: string) => {
      logger.info('console sign-in refused', { reason });
      return messagePage(c, status, { trustName, title: 'You are not signed in', message, extra: SIGN_IN_AGAIN });
    };
    if (!t) return refused(400, 'no_transaction', 'This sign-in took too long, or was started in another browser window. Sign in again.');
    const search = new URL(c.req.url).search;
    let signedIn;
    try {
      signedIn = await provider.complete(new URL(`${config.baseUrl}/auth/callback${search}`), t);
    } catch (err) {
      if (err instanceof SignInRefused) return refused(err.reason === 'wrong_tenant' || err.reason === 'no_address' ? 403 : 400, err.reason, err.message);
      throw err;
    }
    try {
      await viewerFor(ctx.deps(), signedIn);
    } catch (err) {
      if (err instanceof Forbidden) return refused(403, 'not_on_trust', `Custodian is only for the trust's staff, signed in with their school or trust account. ${capitalise(err.message)}.`);
      throw err;
    }
    c.header('set-cookie', setCookie(cookies.session, await sealSession(signedIn, keys, ctx.now()), { secure, maxAge: SESSION_SECONDS }), { append: true });
    logger.info('console sign-in', { roles: signedIn.roles.length });
    return seeOther(c, t.returnTo);
  });

  app.post('/sign-out', async (c) => {
    if (!sameOrigin({ origin: c.req.header('origin'), secFetchSite: c.req.header('sec-fetch-site') }, config.baseUrl)) {
      return messagePage(c, 403, { trustName, title: 'Nothing was changed', message: 'This sign-out came from another site.' });
    }
    const session = await openSession(readCookie(c.req.header('cookie'), cookies.session), await ctx.keys(), ctx.now());
    if (session) {
      const form = (await c.req.parseBody()) as Form;
      if (!csrfMatches(session.csrf, form[CSRF_FIELD])) {
        return messagePage(c, 403, { trustName, title: 'Nothing was changed', message: 'This form is out of date. Go back, reload the page and sign out again.' });
      }
    }
    c.header('set-cookie', setCookie(cookies.session, '', { secure, maxAge: 0 }), { append: true });
    const end = ctx.provider ? await ctx.provider.endSessionUrl(`${config.baseUrl}/`).catch(() => undefined) : undefined;
    if (end) return seeOther(c, end.href);
    return messagePage(c, 200, { trustName, title: 'You have signed out', message: 'You have signed out of Custodian.', kind: 'success', extra: SIGN_IN_AGAIN });
  });

  return app;
}

