/** Graph access for the directory functions, from their environment and the Graph secret. */
import { GraphDirectory, clientCredentialsTokenProvider, type TokenProvider } from './graph.ts';
import { env } from './env.ts';
import { secretJson } from './secrets.ts';

export interface GraphSecret {
  tenantId: string;
  clientId: string;
  clientSecret: string;
  clientState: string;
}

export class GraphNotConfigured extends Error {}

let cachedProvider: { key: string; token: TokenProvider } | undefined;

export async function graphSecret(): Promise<GraphSecret> {
  return secretJson<GraphSecret>(env('GRAPH_SECRET_ID'));
}

/**
 * The Graph client. Tokens come from the Microsoft identity platform (client credentials) for Graph itself; the
 * local directory emulator, on plain http over loopback, has no identity platform and takes any bearer token.
 */
export async function directoryFromEnv(): Promise<{ directory: GraphDirectory; clientState: string }> {
  const secret = await graphSecret();
  const baseUrl = env('GRAPH_BASE_URL');
  const url = new URL(baseUrl);
  let token: TokenProvider;
  if (url.protocol === 'http:') {
    if (!['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)) throw new Error('GRAPH_BASE_URL must be https (plain http is only for the local emulator on loopback)');
    token = async () => 'local-directory-emulator';
  } else {
    if (!secret.tenantId || !secret.clientId || !secret.clientSecret) {
      throw new GraphNotConfigured('the Graph secret has no tenantId/clientId/clientSecret yet (see README, Entra app registration)');
    }
    // One provider per credentials for the container's life: it keeps the token in memory until shortly before expiry.
    const cacheKey = `${secret.tenantId}/${secret.clientId}/${secret.clientSecret}`;
    if (cachedProvider?.key !== cacheKey) {
      cachedProvider = { key: cacheKey, token: clientCredentialsTokenProvider({ tenantId: secret.tenantId, clientId: secret.clientId, clientSecret: secret.clientSecret }) };
    }
    token = cachedProvider.token;
  }
  return { directory: new GraphDirectory({ baseUrl, token }), clientState: secret.clientState };
}
