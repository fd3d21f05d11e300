/**
 * The interaction routes oidc-provider sends the browser to when it needs a person: `GET /interaction/:uid`
 * shows the sign-in form, `POST` checks the address against the Graph emulator's users as they are now.
 * Consent is implicit (see loadExistingGrant in oidc-provider.ts); if a client still asks for it with
 * prompt=consent, it is granted here without a screen, as an admin-consented Entra app would be.
 */
import type { IncomingMessage } from 'node:http';
import type { Interaction, KoaContextWithOIDC, Middleware, Provider } from 'oidc-provider';
import type { EmulatorUser } from '../graph-emulator/types.ts';
import { matchUser } from './accounts.ts';
import { errorPage, signInPage } from './pages.ts';

const MAX_FORM_BYTES = 8 * 1024;

const REFUSED = {
  unknown: 'There is no user with that address in the Graph directory emulator. Check the address, or add the user through the emulator first.',
  disabled: 'That account is disabled in the Graph directory emulator, so it cannot sign in.',
} as const;

class FormTooLarge extends Error {}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_FORM_BYTES) throw new FormTooLarge();
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function html(ctx: KoaContextWithOIDC, status: number, body: string): void {
  ctx.status = status;
  ctx.type = 'html';
  ctx.body = body;
}

export interface InteractionOptions {
  users: () => EmulatorUser[];
  log: (line: string) => void;
  /** oidc-provider's `errors.SessionNotFound`, passed in because the module is loaded lazily (see oidc-provider.ts). */
  SessionNotFound: new (...args: unknown[]) => Error;
}

export function interactionRoutes(provider: Provider, { users, log, SessionNotFound }: InteractionOptions): Middleware {
  const resume = (ctx: KoaContextWithOIDC, returnTo: string) => {
    ctx.status = 303;
    ctx.redirect(returnTo);
  };

  const consent = async (ctx: KoaContextWithOIDC, details: Interaction) => {
    const accountId = details.session?.accountId;
    if (!accountId) return html(ctx, 400, errorPage('Sign-in could not continue', 'This sign-in has no signed-in user.'));
    const grant = (details.grantId ? await provider.Grant.find(details.grantId) : undefined)
      ?? new provider.Grant({ accountId, clientId: String(details.params.client_id) });
    const { missingOIDCScope, missingOIDCClaims } = details.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[] };
    if (missingOIDCScope) grant.addOIDCScope(missingOIDCScope.join(' '));
    if (missingOIDCClaims) grant.addOIDCClaims(missingOIDCClaims);
    const grantId = await grant.save();
    resume(ctx, await provider.interactionResult(ctx.req, ctx.res, { consent: { grantId } }, { mergeWithLastSubmission: true }));
  };

  const signIn = async (ctx: KoaContextWithOIDC, details: Interaction) => {
    const action = `/interaction/${details.uid}`;
    if (ctx.method === 'GET') {
      const hint = typeof details.params.login_hint === 'string' ? details.params.login_hint : '';
      return html(ctx, 200, signInPage({ action, email: hint }));
    }
    const email = (await readForm(ctx.req)).get('email')?.trim() ?? '';
    if (!email) return html(ctx, 400, signInPage({ action, error: 'Enter your email address.' }));
    const match = matchUser(users(), email);
    if (!match.ok) {
      // The reason only: the address typed is personal data.
      log(`[oidc] sign-in refused: ${match.reason} user`);
      return html(ctx, 403, signInPage({ action, email, error: REFUSED[match.reason] }));
    }
    log('[oidc] sign-in accepted');
    // remember: false keeps the provider's session cookie to this browser session, so a shared demo
    // machine does not stay signed in as the last person tried.
    const returnTo = await provider.interactionResult(ctx.req, ctx.res, { login: { accountId: match.user.id, remember: false } }, { mergeWithLastSubmission: false });
    resume(ctx, returnTo);
  };

  return async (ctx, next) => {
    const uid = /^\/interaction\/([\w-]+)$/.exec(ctx.path)?.[1];
    if (!uid) return next();
    ctx.set('cache-control', 'no-store');
    if (ctx.method !== 'GET' && ctx.method !== 'POST') {
      ctx.set('allow', 'GET, POST');
      return html(ctx, 405, errorPage('Sign-in could not continue', 'This page only accepts GET and POST.'));
    }
    try {
      const details = await provider.interactionDetails(ctx.req, ctx.res);
      // The cookie names the browser's current interaction; an older tab's URL must not act on it.
      if (details.uid !== uid) throw new SessionNotFound('interaction mismatch');
      if (details.prompt.name === 'login') return await signIn(ctx, details);
      if (details.prompt.name === 'consent') return await consent(ctx, details);
      return html(ctx, 400, errorPage('Sign-in could not continue', `This provider cannot handle the "${details.prompt.name}" step.`));
    } catch (err) {
      if (err instanceof SessionNotFound) {
        return html(ctx, 400, errorPage('Sign-in expired', 'This sign-in has expired or was already completed.'));
      }
      if (err instanceof FormTooLarge) return html(ctx, 413, errorPage('Sign-in could not continue', 'The form sent was too large.'));
      throw err;
    }
  };
}
