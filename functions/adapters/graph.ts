/**
 * Microsoft Graph, for the slice Custodian needs: users (get, manager, delta) and webhook subscriptions on /users.
 * Requests go through @microsoft/microsoft-graph-client with our own middleware chain, because the SDK's
 * AuthenticationHandler only attaches the token to https Graph hosts and the local emulator is plain http.
 * Tokens come from the Microsoft identity platform (client credentials, through openid-client), kept in memory and
 * renewed shortly before they expire.
 */
import {
  Client,
  GraphError as SdkGraphError,
  RetryHandler,
  RetryHandlerOptions,
  type Context,
  type Middleware,
  type MiddlewareOptions,
} from '@microsoft/microsoft-graph-client';
import { allowInsecureRequests, clientCredentialsGrant, ClientSecretPost, Configuration } from 'openid-client';
import { GRAPH_USER_FIELDS, type DeltaEntry, type DirectoryUser } from '../domain/directory.ts';
import { normaliseEmail } from '../domain/model.ts';

export interface GraphCredentials {
  tenantId: string;
  clientId: string;
  clientSecret: string;
}

export type TokenProvider = () => Promise<string>;

const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';

/** A token is used until this long before it expires (or half its life, for a short-lived one), then renewed. */
const TOKEN_RENEW_BEFORE_MS = 5 * 60_000;
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Client-credential tokens for Graph from the Microsoft identity platform's v2.0 token endpoint, through
 * openid-client. The endpoint is known, so there is no discovery request. The token is kept in memory until
 * shortly before it expires, so calling the provider per request is cheap, and callers that ask while a request
 * is under way share it. `authorityHost` is for a sovereign cloud or a test double; plain http is accepted only on
 * loopback (a local test endpoint), never for a real authority.
 */
export function clientCredentialsTokenProvider(creds: GraphCredentials, authorityHost = 'https://login.microsoftonline.com'): TokenProvider {
  const host = new URL(authorityHost);
  const insecure = host.protocol === 'http:';
  if (insecure && !LOOPBACK_HOSTS.has(host.hostname)) throw new Error('the identity platform authority must be https (plain http is only for a test endpoint on loopback)');
  if (!insecure && host.protocol !== 'https:') throw new Error(`unsupported authority ${host.origin}`);
  const base = `${host.origin}${host.pathname.replace(/\/+$/, '')}/${encodeURIComponent(creds.tenantId)}`;
  const config = new Configuration(
    { issuer: `${base}/v2.0`, token_endpoint: `${base}/oauth2/v2.0/token` },
    creds.clientId,
    undefined,
    ClientSecretPost(creds.clientSecret),
  );
  if (insecure) allowInsecureRequests(config);
  let cached: { token: string; renewAt: number } | undefined;
  let inFlight: Promise<string> | undefined;

  async function request(): Promise<string> {
    const asked = Date.now();
    let res: Awaited<ReturnType<typeof clientCredentialsGrant>>;
    try {
      res = await clientCredentialsGrant(config, { scope: GRAPH_SCOPE });
    } catch (err) {
      // An OAuth error answer (ResponseBodyError) carries `error` and `error_description`; neither holds the secret.
      const e = err as { error?: unknown; error_description?: unknown; status?: unknown; message?: string };
      if (typeof e.error === 'string') {
        const description = typeof e.error_description === 'string' ? `: ${e.error_description}` : '';
        const status = typeof e.status === 'number' ? ` (HTTP ${e.status})` : '';
        throw new Error(`the Microsoft identity platform refused a Graph token: ${e.error}${description}${status}`, { cause: err });
      }
      throw new Error(`could not get a Graph token from the Microsoft identity platform: ${e.message ?? String(err)}`, { cause: err });
    }
    if (!res.access_token) throw new Error('the Microsoft identity platform returned no access token');
    const lifeMs = typeof res.expires_in === 'number' ? res.expires_in * 1000 : 0;
    // Without a stated lifetime the token is used for this request only.
    cached = { token: res.access_token, renewAt: asked + lifeMs - Math.min(TOKEN_RENEW_BEFORE_MS, lifeMs / 2) };
    return res.access_token;
  }

  return async () => {
    if (cached && Date.now() < cached.renewAt) return cached.token;
    inFlight ??= request().finally(() => { inFlight = undefined; });
    return inFlight;
  };
}

/** The delta token (or the round it belongs to) is no longer valid: start a full round with `deltaPage()`. */
export class DeltaTokenExpiredError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'DeltaTokenExpiredError';
  }
}

/** A failed Graph call. `status` 0 means no HTTP answer (timeout, network, token). Never carries the token. */
export class GraphError extends Error {
  constructor(message: string, readonly status: number, readonly code?: string) {
    super(message);
    this.name = 'GraphError';
  }
}

export interface Subscription {
  id: string;
  resource: string;
  changeType: string;
  notificationUrl: string;
  lifecycleNotificationUrl?: string;
  expirationDateTime: string;
}

export interface DeltaPageResult {
  entries: DeltaEntry[];
  nextLink?: string;
  deltaLink?: string;
}

/** Longest subscription Graph allows on users (subscription resource type, "Maximum length of subscription"). */
export const MAX_USER_SUBSCRIPTION_MINUTES = 41_760;

const DEFAULT_MAX_RETRIES = 5;
const DEFAULT_TIMEOUT_MS = 30_000;
/** The RetryHandler's base delay in seconds; it adds exponential growth and jitter from the second retry. */
const RETRY_BASE_DELAY_SECONDS = 3;
const EXPIRED_DELTA_CODES = new Set(['syncstatenotfound', 'resyncrequired']);

// ---------------------------------------------------------------------------------------------
// Middleware. Retries use the SDK's RetryHandler: it retries 429/503/504, honours Retry-After (seconds or an
// HTTP date, capped at 180 s) and backs off exponentially with jitter when there is none.

/** Per-request option: send the request to this absolute URL (a nextLink/deltaLink) instead of the built one. */
class ExactUrl implements MiddlewareOptions {
  constructor(readonly url: string) {}
}

class LinkAndAuth implements Middleware {
  private next?: Middleware;
  constructor(private readonly origin: string, private readonly token: TokenProvider) {}

  async execute(context: Context): Promise<void> {
    const exact = context.middlewareControl?.getMiddlewareOptions(ExactUrl) as ExactUrl | undefined;
    if (exact) context.request = exact.url;
    // A stored link is data from outside; the token only ever goes to the Graph origin we were configured with.
    const target = new URL(typeof context.request === 'string' ? context.request : context.request.url);
    if (target.origin !== this.origin) {
      throw Object.assign(new Error(`refusing to send the Graph token to ${target.origin}`), { name: 'UntrustedLinkError' });
    }
    const options = (context.options ??= {});
    options.headers = { ...(options.headers as Record<string, string> | undefined), Authorization: `Bearer ${await this.token()}` };
    await this.next?.execute(context);
  }

  setNext(next: Middleware): void {
    this.next = next;
  }
}

/**
 * Instead of the SDK's HTTPMessageHandler: it calls the global fetch with no timeout. Each attempt gets its own
 * deadline (a Retry-After wait must not eat into it), and the body is read inside that deadline so a stalled
 * body times out too and a response about to be retried releases its connection.
 */
class TimedFetch implements Middleware {
  constructor(private readonly fetchImpl: typeof fetch, private readonly timeoutMs: number) {}

  async execute(context: Context): Promise<void> {
    const res = await this.fetchImpl(context.request as string, { ...(context.options as RequestInit), signal: AbortSignal.timeout(this.timeoutMs) });
    const body = res.status === 204 || res.status === 205 || res.status === 304 ? null : await res.arrayBuffer();
    context.response = new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
  }
}

// ---------------------------------------------------------------------------------------------
// Errors

interface RawGraphError {
  code?: string;
  message?: string;
  innerError?: RawGraphError;
  innererror?: RawGraphError;
}

/** Graph's own code and any nested innerError codes: the docs say to look through all of them. */
function errorCodes(err: SdkGraphError): string[] {
  const codes = err.code ? [err.code] : [];
  let body: RawGraphError | undefined;
  try {
    body = typeof err.body === 'string' ? (JSON.parse(err.body) as RawGraphError) : undefined;
  } catch {
    body = undefined;
  }
  for (let e = body?.innerError ?? body?.innererror; e && codes.length < 10; e = e.innerError ?? e.innererror) {
    if (typeof e.code === 'string') codes.push(e.code);
  }
  return codes;
}

/** `what` names the call without its query string: links carry skip/delta tokens that do not belong in logs. */
function toGraphError(err: unknown, what: string): GraphError {
  if (err instanceof GraphError) return err;
  if (err instanceof SdkGraphError && err.statusCode > 0) {
    const code = err.code ?? undefined;
    return new GraphError(`Graph ${what} failed: HTTP ${err.statusCode}${code ? ` ${code}` : ''}${err.message ? `: ${err.message}` : ''}`, err.statusCode, code);
  }
  // No HTTP answer: a timeout, a network failure or the token provider. The SDK wraps these as status -1.
  const e = err as { name?: string; code?: string | null; message?: string };
  const code = (e?.code ?? e?.name) || 'Error';
  return new GraphError(`Graph ${what} failed: no response (${code}${e?.message ? `: ${e.message}` : ''})`, 0, code);
}

const isNotFound = (err: unknown): boolean => err instanceof SdkGraphError && err.statusCode === 404;

// ---------------------------------------------------------------------------------------------
// Shapes

function pickUser(raw: Record<string, unknown>): DirectoryUser {
  const user: Record<string, unknown> = { id: raw.id };
  // Delta omits properties that were never set, and absent is not the same as null; keep only what came.
  for (const field of GRAPH_USER_FIELDS) if (field in raw) user[field] = raw[field];
  return user as unknown as DirectoryUser;
}

function toEntry(raw: Record<string, unknown>): DeltaEntry {
  const removed = raw['@removed'] as { reason?: unknown } | undefined;
  if (removed) return { kind: 'removed', id: String(raw.id), reason: typeof removed.reason === 'string' ? removed.reason : 'unknown' };
  return { kind: 'user', user: pickUser(raw) };
}

function toSubscription(raw: Record<string, unknown>): Subscription {
  const s: Subscription = {
    id: String(raw.id),
    resource: String(raw.resource),
    changeType: String(raw.changeType),
    notificationUrl: String(raw.notificationUrl),
    expirationDateTime: String(raw.expirationDateTime),
  };
  if (typeof raw.lifecycleNotificationUrl === 'string' && raw.lifecycleNotificationUrl) s.lifecycleNotificationUrl = raw.lifecycleNotificationUrl;
  return s;
}

interface DeltaResponse {
  value?: Array<Record<string, unknown>>;
  '@odata.nextLink'?: string;
  '@odata.deltaLink'?: string;
}

// ---------------------------------------------------------------------------------------------

export class GraphDirectory {
  private readonly client: Client;
  private readonly origin: string;

  constructor(opts: { baseUrl: string; token: TokenProvider; maxRetries?: number; fetchImpl?: typeof fetch; timeoutMs?: number }) {
    const baseUrl = opts.baseUrl.replace(/\/+$/, '');
    this.origin = new URL(baseUrl).origin;
    // Looked up per call, so a fetch patched after construction (msw in tests) is still the one used.
    const fetchImpl = opts.fetchImpl ?? ((input, init) => fetch(input, init));
    this.client = Client.initWithMiddleware({
      baseUrl,
      defaultVersion: 'v1.0',
      middleware: [
        new LinkAndAuth(this.origin, opts.token),
        new RetryHandler(new RetryHandlerOptions(RETRY_BASE_DELAY_SECONDS, opts.maxRetries ?? DEFAULT_MAX_RETRIES)),
        new TimedFetch(fetchImpl, opts.timeoutMs ?? DEFAULT_TIMEOUT_MS),
      ],
    });
  }

  /** GET /v1.0/users/{id}?$select=GRAPH_USER_FIELDS; undefined on 404. */
  async getUser(id: string): Promise<DirectoryUser | undefined> {
    try {
      const raw = (await this.client.api(`/users/${encodeURIComponent(id)}`).select([...GRAPH_USER_FIELDS]).get()) as Record<string, unknown>;
      return pickUser(raw);
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw toGraphError(err, 'GET /users/{id}');
    }
  }

  /** The manager's mail (or UPN when there is no mailbox), lower case; undefined when there is no manager. */
  async getManagerEmail(id: string): Promise<string | undefined> {
    try {
      const raw = (await this.client.api(`/users/${encodeURIComponent(id)}/manager`).select(['id', 'mail', 'userPrincipalName']).get()) as Record<string, unknown>;
      // The manager may be an organizational contact, which has mail but no userPrincipalName.
      const address = [raw.mail, raw.userPrincipalName].find((a): a is string => typeof a === 'string' && a.includes('@'));
      return address ? normaliseEmail(address) : undefined;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw toGraphError(err, 'GET /users/{id}/manager');
    }
  }

  /**
   * One page of a delta round: no link starts a full round (/v1.0/users/delta?$select=...); a nextLink or deltaLink
   * is followed exactly, since it already encodes the $select of the round it belongs to.
   */
  async deltaPage(link?: string): Promise<DeltaPageResult> {
    // A link saved from another directory (say, the local emulator before a switch to Graph) can never be followed
    // here; treating it as expired lets the caller recover with a full round. It is never sent the token.
    const linkOrigin = link ? (URL.canParse(link) ? new URL(link).origin : 'an unreadable link') : this.origin;
    if (linkOrigin !== this.origin) throw new DeltaTokenExpiredError(`delta link is for ${linkOrigin}, not ${this.origin}; start a full round`);
    let body: DeltaResponse;
    try {
      const request = this.client.api('/users/delta');
      body = (await (link ? request.middlewareOptions([new ExactUrl(link)]) : request.select([...GRAPH_USER_FIELDS])).get()) as DeltaResponse;
    } catch (err) {
      if (err instanceof SdkGraphError) {
        const codes = errorCodes(err).map((c) => c.toLowerCase());
        // 410 Gone is the documented "synchronization reset"; expired tokens also come back as 400 with these codes.
        if (err.statusCode === 410 || codes.some((c) => EXPIRED_DELTA_CODES.has(c))) {
          const cause = toGraphError(err, 'GET /users/delta');
          throw new DeltaTokenExpiredError(`Graph delta token is no longer valid (HTTP ${cause.status}${cause.code ? ` ${cause.code}` : ''}); start a full round`, { cause });
        }
      }
      throw toGraphError(err, 'GET /users/delta');
    }
    const result: DeltaPageResult = { entries: (body.value ?? []).map(toEntry) };
    if (body['@odata.nextLink']) result.nextLink = body['@odata.nextLink'];
    if (body['@odata.deltaLink']) result.deltaLink = body['@odata.deltaLink'];
    return result;
  }

  /** Follows nextLinks to the deltaLink, handing each page to onPage as it arrives. Returns the final deltaLink. */
  async deltaRound(link: string | undefined, onPage: (entries: DeltaEntry[]) => Promise<void>): Promise<string> {
    let next = link;
    for (;;) {
      const page = await this.deltaPage(next);
      // A page can be empty and still have a nextLink; only the deltaLink ends the round.
      await onPage(page.entries);
      if (page.deltaLink) return page.deltaLink;
      if (!page.nextLink) throw new GraphError('Graph delta page had neither @odata.nextLink nor @odata.deltaLink', 200);
      next = page.nextLink;
    }
  }

  /** Subscribes to /users for "updated,deleted" (Graph sends no "created" for users; a soft delete is "updated"). */
  async createSubscription(s: { notificationUrl: string; lifecycleNotificationUrl?: string; clientState: string; expirationDateTime: string }): Promise<Subscription> {
    const body: Record<string, string> = {
      changeType: 'updated,deleted',
      notificationUrl: s.notificationUrl,
      resource: '/users',
      expirationDateTime: s.expirationDateTime,
      clientState: s.clientState,
    };
    if (s.lifecycleNotificationUrl) body.lifecycleNotificationUrl = s.lifecycleNotificationUrl;
    try {
      return toSubscription((await this.client.api('/subscriptions').post(body)) as Record<string, unknown>);
    } catch (err) {
      throw toGraphError(err, 'POST /subscriptions');
    }
  }

  /** undefined on 404: the subscription expired or Graph removed it. */
  async getSubscription(id: string): Promise<Subscription | undefined> {
    try {
      return toSubscription((await this.client.api(`/subscriptions/${encodeURIComponent(id)}`).get()) as Record<string, unknown>);
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw toGraphError(err, 'GET /subscriptions/{id}');
    }
  }

  async renewSubscription(id: string, expirationDateTime: string): Promise<Subscription> {
    try {
      return toSubscription((await this.client.api(`/subscriptions/${encodeURIComponent(id)}`).patch({ expirationDateTime })) as Record<string, unknown>);
    } catch (err) {
      throw toGraphError(err, 'PATCH /subscriptions/{id}');
    }
  }

  async deleteSubscription(id: string): Promise<void> {
    try {
      await this.client.api(`/subscriptions/${encodeURIComponent(id)}`).delete();
    } catch (err) {
      throw toGraphError(err, 'DELETE /subscriptions/{id}');
    }
  }
}
