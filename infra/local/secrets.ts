/**
 * The local stack's secrets: a value for each of the template's SecureString parameters, made as their deploy-time
 * provider makes them (infra/constructs/secure-parameters.ts), and the console's client secret at the local OpenID
 * provider. With a config folder (`npm start`) they are kept in its secrets.json (owner-only), so a restart keeps
 * links, sessions and the console's registration valid; integration tests keep them in memory.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SECURE_PARAMETER_TYPE } from '../constructs/secure-parameters.ts';
import { resolveValue, resourcesOfType, type LocalNames, type Template } from './template.ts';

const OIDC_SECRET_KEY = 'local:oidcClientSecret';

export interface LocalSecrets {
  /** Each parameter's value by its name (what the functions' `*_SECRET_ID` variables hold). */
  secrets: Map<string, string>;
  /** Each parameter's name by the template's logical id. */
  secretIds: Map<string, string>;
  /** The console's client secret, registered with the local OpenID provider and held in the console's secret. */
  oidcClientSecret: string;
  secretsFile?: string;
}

/**
 * Generates the value of one of the template's SecureString parameters as its deploy-time provider does
 * (infra/constructs/secure-parameters.ts): `Length` random letters and digits, or that put under `Key` of `Template`.
 */
function generateSecret(props: Record<string, any> | undefined): string {
  const length = Number(props?.Length ?? 32);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let value = '';
  while (value.length < length) for (const b of randomBytes(length)) if (b < 248 && value.length < length) value += alphabet[b % 62];
  if (!props?.Template || !props.Key) return value;
  return JSON.stringify({ ...(JSON.parse(String(props.Template)) as Record<string, string>), [String(props.Key)]: value });
}

export function localSecrets(template: Template, names: LocalNames, configDir: string | undefined): LocalSecrets {
  const secretsFile = configDir ? path.join(configDir, 'secrets.json') : undefined;
  const saved: Record<string, string> = secretsFile && existsSync(secretsFile) ? JSON.parse(readFileSync(secretsFile, 'utf8')) : {};
  const secrets = new Map<string, string>();
  const secretIds = new Map<string, string>();
  for (const [id, r] of resourcesOfType(template, SECURE_PARAMETER_TYPE)) {
    saved[id] ??= generateSecret(r.Properties);
    const name = resolveValue(r.Properties?.Name, names);
    secrets.set(name, saved[id]!);
    secretIds.set(id, name);
  }
  // Kept with the others so a restart keeps the console's registration valid for a console already running.
  saved[OIDC_SECRET_KEY] ??= randomBytes(32).toString('base64url');
  const oidcClientSecret = saved[OIDC_SECRET_KEY]!;
  // The console's secret (the template's ConsoleSecret) holds the client secret registered with the local provider.
  for (const [id] of secretIds) {
    if (!id.startsWith('ConsoleSecret')) continue;
    saved[id] = JSON.stringify({ ...(JSON.parse(saved[id]!) as Record<string, unknown>), clientSecret: oidcClientSecret });
    secrets.set(secretIds.get(id)!, saved[id]!);
  }
  if (secretsFile) {
    mkdirSync(path.dirname(secretsFile), { recursive: true });
    writeFileSync(secretsFile, JSON.stringify(saved, null, 2), { mode: 0o600 });
  }
  return { secrets, secretIds, oidcClientSecret, ...(secretsFile ? { secretsFile } : {}) };
}
