/**
 * The local stand-in for Microsoft Entra ID (contracts sections 7 and 8): an OpenID Connect provider built on
 * oidc-provider (OpenID-certified), so the console's relying-party code signs in locally exactly as it will
 * against `https://login.microsoftonline.com/<tenantId>/v2.0`. Its users are the Graph emulator's enabled users
 * at the moment of sign-in, and its ID tokens carry the claims Entra v2 tokens do (oid, tid, email,
 * preferred_username, name, roles).
 *
 * What it deliberately does: authorization code flow only, PKCE with S256 required of every client, confidential
 * clients (client_secret_basic or client_secret_post), implicit consent, RP-initiated logout. State lives in
 * memory (oidc-provider's own adapter): a restart signs everyone out, as it should for a local stack.
 *
 * Layout (infra/local/oidc/): configuration.ts is oidc-provider's configuration, accounts.ts matches addresses to
 * users and shapes the claims, interactions.ts serves the sign-in form, pages.ts holds the HTML, and
 * oidc-provider.d.ts types the library. This file loads it, listens, and keeps its logs free of personal data.
 */
import { createServer } from 'node:http';
import type { Middleware } from 'oidc-provider';
import type { EmulatorUser } from './graph-emulator/types.ts';
import { buildConfiguration } from './oidc/configuration.ts';
import { interactionRoutes } from './oidc/interactions.ts';
import { AUTO_SUBMIT_SHA } from './oidc/pages.ts';

export interface OidcClientRegistration {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
  postLogoutRedirectUris?: string[];
}

export interface LocalOidcProvider {
  /** The issuer identifier, which is also where it listens, e.g. http://127.0.0.1:4004. */
  issuer: string;
  url: string;
  port: number;
  close(): Promise<void>;
}

export interface StartOidcProviderOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 4004; 0 picks a free port. */
  port?: number;
  /** The `tid` claim: the directory fixture's tenant. */
  tenantId: string;
  /** Called at every sign-in and token request, so users added or disabled later count at once. */
  users: () => EmulatorUser[];
  clients: OidcClientRegistration[];
  log?: (line: string) => void;
}

export const DEFAULT_OIDC_PORT = 4004;

/**
 * Loads oidc-provider once. Its module prints "Unsupported runtime" on import under any Node older than 22 LTS;
 * this repository supports Node 20 locally (Lambda runs 22) and the provider's tests pass on it, so that one
 * line would only be noise on every `npm start`. Every other line it writes passes through.
 */
let loading: Promise<typeof import('oidc-provider')> | undefined;
function loadOidcProvider(): Promise<typeof import('oidc-provider')> {
  loading ??= (async () => {
    const warn = console.warn;
    console.warn = (...args: unknown[]) => {
      if (typeof args[0] === 'string' && args[0].includes('oidc-provider WARNING: Unsupported runtime')) return;
      warn.apply(console, args);
    };
    try {
      return await import('oidc-provider');
    } finally {
      console.warn = warn;
    }
  })();
  return loading;
}

/** Plain pages that never need to be framed or to load anything from elsewhere. */
const securityHeaders: Middleware = async (ctx, next) => {
  // script-src lists the one inline script of ours; oidc-provider adds the hash of its own form_post script.
  // No form-action: browsers apply it to the redirects after a form post, which end at the relying party.
  ctx.set('content-security-policy', `default-src 'none'; style-src 'unsafe-inline'; script-src ${AUTO_SUBMIT_SHA}; img-src 'self'; base-uri 'none'; frame-ancestors 'none'`);
  ctx.set('x-content-type-options', 'nosniff');
  ctx.set('referrer-policy', 'no-referrer');
  await next();
};

export async function startOidcProvider(opts: StartOidcProviderOptions): Promise<LocalOidcProvider> {
  const host = opts.host ?? '127.0.0.1';
  const log = opts.log ?? (() => undefined);
  const oidc = await loadOidcProvider();
  const { default: Provider, errors } = oidc;
  const configuration = await buildConfiguration(oidc, { tenantId: opts.tenantId, users: opts.users, clients: opts.clients });

  // Listen first: with port 0 the issuer, which must be this server's own URL, is known only afterwards.
  const server = createServer();
  const port = await new Promise<number>((ok, fail) => {
    server.once('error', fail);
    server.listen(opts.port ?? DEFAULT_OIDC_PORT, host, () => {
      server.off('error', fail);
      const addr = server.address();
      ok(typeof addr === 'object' && addr ? addr.port : 0);
    });
  });
  const close = () =>
    new Promise<void>((ok) => {
      server.close(() => ok());
      server.closeAllConnections();
    });
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  const issuer = `http://${urlHost}:${port}`;

  try {
    const provider = new Provider(issuer, configuration);
    provider.use(securityHeaders);
    provider.use(interactionRoutes(provider, { users: opts.users, log, SessionNotFound: errors.SessionNotFound }));

    // Error codes and oidc-provider's descriptions only: they name parameters, never people.
    for (const event of ['authorization.error', 'grant.error', 'end_session.error', 'end_session_confirm.error']) {
      provider.on(event, (_ctx, err) => {
        const e = err as { error?: string; error_description?: string };
        log(`[oidc] ${event}: ${[e.error ?? err.name, e.error_description].filter(Boolean).join(': ')}`);
      });
    }
    provider.on('server_error', (ctx, err) => log(`[oidc] server error on ${ctx.oidc?.route ?? 'a request'}: ${err.name}`));
    // Koa prints unhandled errors with their stack to stderr unless the app has an error listener.
    provider.on('error', (err) => log(`[oidc] request failed: ${err.name}`));

    server.on('request', provider.callback());
  } catch (err) {
    await close();
    throw err;
  }

  return { issuer, url: issuer, port, close };
}
