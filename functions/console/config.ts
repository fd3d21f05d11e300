/**
 * The console's own configuration, from its function's environment (infra/functions.ts) and the console secret:
 * where it is served, which OpenID Connect provider signs people in, and the keys its cookies are sealed with.
 */
import { secretJson } from '../adapters/secrets.ts';

export interface OidcSettings {
  /** The issuer identifier: `https://login.microsoftonline.com/<tenantId>/v2.0` deployed, the local provider locally. */
  issuer: string;
  clientId: string;
  /** The trust's Entra tenant: an ID token must carry it as `tid`. Undefined when the issuer is not Entra's. */
  tenantId?: string;
}

export interface ConsoleSecrets {
  /** The app registration's client secret, for the token request. */
  clientSecret: string;
  /** Seal new cookies with the first; open cookies sealed with any (a key rotation keeps sessions alive). */
  sessionKeys: string[];
}

export interface ConsoleConfig {
  /** The public base URL, without a trailing slash: redirect URIs and the `Origin` POSTs must come from. */
  baseUrl: string;
  trustName: string;
  /** Undefined until the app registration is set up (README, Deployment): pages then say sign-in is not configured. */
  oidc?: OidcSettings;
  secrets: () => Promise<ConsoleSecrets>;
}

function read(key: string): string {
  return (process.env[key] ?? '').trim();
}

/** The secret's JSON: `{"clientSecret": "...", "sessionKey": "...", "previousSessionKeys": ["..."]}`. */
export function parseConsoleSecret(raw: unknown): ConsoleSecrets {
  const s = (raw ?? {}) as { clientSecret?: unknown; sessionKey?: unknown; previousSessionKeys?: unknown };
  const keys = [s.sessionKey, ...(Array.isArray(s.previousSessionKeys) ? s.previousSessionKeys : [])]
    .filter((k): k is string => typeof k === 'string' && k.length >= 32);
  if (keys.length === 0) throw new Error('the console secret has no sessionKey of at least 32 characters');
  return { clientSecret: typeof s.clientSecret === 'string' ? s.clientSecret : '', sessionKeys: keys };
}

/** Read when the function first runs (inside its invocation, so locally it sees its own environment). */
export function consoleConfigFromEnv(): ConsoleConfig {
  const baseUrl = read('PUBLIC_BASE_URL').replace(/\/+$/, '');
  if (!baseUrl) throw new Error('environment variable PUBLIC_BASE_URL is not set');
  const issuer = read('OIDC_ISSUER');
  const clientId = read('OIDC_CLIENT_ID');
  const tenantId = read('OIDC_TENANT_ID').toLowerCase();
  const secretId = read('CONSOLE_SECRET_ID');
  return {
    baseUrl,
    trustName: read('TRUST_NAME') || 'Custodian',
    ...(issuer && clientId ? { oidc: { issuer, clientId, ...(tenantId ? { tenantId } : {}) } } : {}),
    secrets: async () => {
      if (!secretId) throw new Error('environment variable CONSOLE_SECRET_ID is not set');
      return parseConsoleSecret(await secretJson<unknown>(secretId));
    },
  };
}

/** Whether cookies must be `Secure`: whenever the console is served over https (always, deployed). */
export function isHttps(config: Pick<ConsoleConfig, 'baseUrl'>): boolean {
  return config.baseUrl.startsWith('https://');
}
