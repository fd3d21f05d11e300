/** Webhook subscriptions: their state, the checks Graph makes on create/update, and the validation handshake. */
import { randomUUID } from 'node:crypto';
import { errorName, GraphHttpError } from './http.ts';
import type { EmulatorSubscription } from './types.ts';

/** users, groups and other directory resources (subscription resource type docs). */
const MAX_SUBSCRIPTION_MINUTES = 41_760;
/** Graph gives the notification endpoint 10 s to answer the validation request. */
const VALIDATION_TIMEOUT_MS = 10_000;

export interface SubscriptionState extends EmulatorSubscription {
  applicationId: string;
  creatorId: string;
  /** Log delivery failures once per outage, not once per change. */
  failureLogged: boolean;
}

export class SubscriptionStore {
  private readonly subs = new Map<string, SubscriptionState>();

  /** Expired subscriptions are dropped as they are noticed. */
  live(): SubscriptionState[] {
    const now = Date.now();
    for (const [id, s] of this.subs) if (Date.parse(s.expirationDateTime) <= now) this.subs.delete(id);
    return [...this.subs.values()];
  }

  find(id: string): SubscriptionState | undefined {
    return this.live().find((x) => x.id === id);
  }

  /** For the Graph routes: a missing or expired subscription is Graph's 404. */
  get(id: string): SubscriptionState {
    const s = this.find(id);
    if (!s) throw new GraphHttpError(404, 'ResourceNotFound', 'The object was not found.');
    return s;
  }

  remove(id: string): void {
    this.subs.delete(id);
  }

  async create(body: Record<string, unknown>): Promise<SubscriptionState> {
    const resource = typeof body.resource === 'string' ? body.resource.trim() : '';
    if (!/^\/?users(\/[^/]+)?$/i.test(resource)) {
      throw new GraphHttpError(400, 'InvalidRequest', `Resource '${resource}' is not supported by this emulator; use 'users' or '/users'.`);
    }
    const changeTypes = typeof body.changeType === 'string' ? body.changeType.split(',').map((c) => c.trim()) : [];
    if (!changeTypes.length || changeTypes.some((c) => !['created', 'updated', 'deleted'].includes(c))) {
      throw new GraphHttpError(400, 'InvalidRequest', `changeType must be a comma-separated subset of created,updated,deleted.`);
    }
    const notificationUrl = checkUrl(body.notificationUrl, 'notificationUrl');
    const lifecycleNotificationUrl = body.lifecycleNotificationUrl == null ? undefined : checkUrl(body.lifecycleNotificationUrl, 'lifecycleNotificationUrl');
    const expirationDateTime = checkExpiration(body.expirationDateTime);
    if (body.clientState != null && (typeof body.clientState !== 'string' || body.clientState.length > 128)) {
      throw new GraphHttpError(400, 'InvalidRequest', 'clientState must be a string of at most 128 characters.');
    }
    if (body.includeResourceData === true) {
      throw new GraphHttpError(400, 'InvalidRequest', 'includeResourceData is not supported by this emulator.');
    }
    await validateEndpoint(notificationUrl);
    if (lifecycleNotificationUrl && lifecycleNotificationUrl !== notificationUrl) await validateEndpoint(lifecycleNotificationUrl);
    const s: SubscriptionState = {
      id: randomUUID(),
      resource,
      changeType: changeTypes.join(','),
      notificationUrl,
      expirationDateTime,
      applicationId: '11111111-1111-4111-8111-111111111111',
      creatorId: '22222222-2222-4222-8222-222222222222',
      failureLogged: false,
    };
    if (lifecycleNotificationUrl) s.lifecycleNotificationUrl = lifecycleNotificationUrl;
    if (typeof body.clientState === 'string') s.clientState = body.clientState;
    this.subs.set(s.id, s);
    return s;
  }

  /** PATCH: renew, or move the notification URL; nothing changes unless every check passes. */
  async update(s: SubscriptionState, body: Record<string, unknown>): Promise<void> {
    const expirationDateTime = body.expirationDateTime === undefined ? s.expirationDateTime : checkExpiration(body.expirationDateTime);
    // Moving the notification URL re-runs the handshake, as on create.
    let notificationUrl = s.notificationUrl;
    if (body.notificationUrl !== undefined && body.notificationUrl !== s.notificationUrl) {
      notificationUrl = checkUrl(body.notificationUrl, 'notificationUrl');
      await validateEndpoint(notificationUrl);
    }
    s.expirationDateTime = expirationDateTime;
    s.notificationUrl = notificationUrl;
  }
}

/** What the in-process handle shows: the public fields, without Graph's extras. */
export function publicSubscription(s: SubscriptionState): EmulatorSubscription {
  const out: EmulatorSubscription = { id: s.id, resource: s.resource, changeType: s.changeType, notificationUrl: s.notificationUrl, expirationDateTime: s.expirationDateTime };
  if (s.lifecycleNotificationUrl !== undefined) out.lifecycleNotificationUrl = s.lifecycleNotificationUrl;
  if (s.clientState !== undefined) out.clientState = s.clientState;
  return out;
}

/** The subscription resource as Graph returns it. */
export function subscriptionJson(s: SubscriptionState): Record<string, unknown> {
  return {
    id: s.id,
    resource: s.resource,
    applicationId: s.applicationId,
    changeType: s.changeType,
    clientState: s.clientState ?? null,
    notificationUrl: s.notificationUrl,
    notificationQueryOptions: null,
    lifecycleNotificationUrl: s.lifecycleNotificationUrl ?? null,
    expirationDateTime: s.expirationDateTime,
    creatorId: s.creatorId,
    includeResourceData: false,
    latestSupportedTlsVersion: 'v1_2',
    encryptionCertificate: null,
    encryptionCertificateId: null,
    notificationUrlAppId: null,
  };
}

function checkExpiration(raw: unknown): string {
  const when = typeof raw === 'string' ? Date.parse(raw) : NaN;
  if (Number.isNaN(when)) throw new GraphHttpError(400, 'InvalidRequest', 'expirationDateTime is required and must be an ISO 8601 date-time.');
  const now = Date.now();
  if (when <= now) throw new GraphHttpError(400, 'InvalidRequest', 'Subscription expiration date-time must be in the future.');
  if (when > now + MAX_SUBSCRIPTION_MINUTES * 60_000) {
    throw new GraphHttpError(400, 'InvalidRequest', `Subscription expiration can only be ${MAX_SUBSCRIPTION_MINUTES} minutes in the future.`);
  }
  return new Date(when).toISOString();
}

function checkUrl(raw: unknown, field: string): string {
  if (typeof raw === 'string') {
    try {
      const u = new URL(raw);
      if (u.protocol === 'https:' || u.protocol === 'http:') return raw;
    } catch {
      // fall through
    }
  }
  throw new GraphHttpError(400, 'InvalidRequest', `${field} must be an absolute URL.`);
}

/** The endpoint must echo the (URL-decoded) token as text/plain with 200 within 10 s. */
async function validateEndpoint(endpoint: string): Promise<void> {
  const token = `Validation: Testing client application reachability for subscription Request-Id: ${randomUUID()}`;
  const target = new URL(endpoint);
  target.searchParams.set('validationToken', token);
  let detail: string;
  try {
    const res = await fetch(target, {
      method: 'POST',
      headers: { 'content-type': 'text/plain; charset=utf-8' },
      body: '',
      signal: AbortSignal.timeout(VALIDATION_TIMEOUT_MS),
    });
    const body = await res.text();
    const type = res.headers.get('content-type') ?? '';
    if (res.status === 200 && type.toLowerCase().startsWith('text/plain') && body === token) return;
    detail = res.status !== 200 ? `HTTP ${res.status}` : !type.toLowerCase().startsWith('text/plain') ? `content-type ${type || 'missing'}` : 'body did not echo the token';
  } catch (err) {
    if (errorName(err) === 'TimeoutError') throw new GraphHttpError(400, 'ValidationError', 'Subscription validation request timed out.');
    detail = errorName(err);
  }
  throw new GraphHttpError(400, 'ValidationError', `Subscription validation request failed. Notification endpoint must respond with 200 OK to validation request. (emulator: ${detail})`);
}
