/**
 * A local stand-in for the slice of Microsoft Graph v1.0 that Custodian uses: users (list, get,
 * manager, delta) and webhook subscriptions. It follows the documented wire shapes closely enough
 * for @microsoft/microsoft-graph-client to run against it, so adapter code exercised locally is the
 * code that runs against the real tenant. Deliberate differences from Graph are listed in
 * DIFFERENCES below; everything else that looks odd is mimicking Graph on purpose.
 *
 * Runs in-process (tests: `startGraphEmulator({ port: 0 })`) or standalone
 * (`tsx infra/local/graph-emulator.ts`, port 4003, watching samples/directory.json).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync, unwatchFile, watchFile, type Stats } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { z } from 'zod';

/*
 * DIFFERENCES from real Graph, and why:
 * - Plain http and any non-empty bearer token: there is no Entra to validate tokens against.
 * - notificationUrl/lifecycleNotificationUrl may be http: local receivers have no certificates.
 * - Soft delete is the default; `deleteUser(x, { permanent: true })` emulates the hard delete.
 * - Change notifications are sent once, with a 10 s timeout and no retries (Graph retries for up
 *   to 4 hours); a local stack should show a dead webhook path, not hide it.
 * - $filter supports only eq / startswith / proxyAddresses/any(...) clauses joined by one kind of
 *   connector; $orderby, $count, $search and $expand are ignored or rejected.
 * - Requests whose path embeds our own absolute URL (`/v1.0/http://host/v1.0/users?...`) are
 *   accepted, because the Graph JS SDK only recognises absolute *https* URLs and mangles http
 *   nextLinks that way when they are passed to `client.api(nextLink)` (PageIterator does this).
 */

export interface EmulatorUser {
  id: string;
  displayName: string;
  givenName?: string;
  surname?: string;
  mail: string | null;
  userPrincipalName: string;
  proxyAddresses: string[];
  accountEnabled: boolean;
  employeeLeaveDateTime: string | null;
  employeeId?: string | null;
  jobTitle?: string | null;
  department?: string | null;
  managerId?: string | null;
}

export type LifecycleEvent = 'reauthorizationRequired' | 'subscriptionRemoved';

export interface EmulatorSubscription {
  id: string;
  resource: string;
  changeType: string;
  notificationUrl: string;
  lifecycleNotificationUrl?: string;
  clientState?: string;
  expirationDateTime: string;
}

export interface GraphEmulator {
  /** e.g. http://127.0.0.1:4003 (Graph paths under /v1.0, admin API under /_emulator). */
  url: string;
  port: number;
  users(): EmulatorUser[];
  /** Change a user; records a delta change and POSTs change notifications (changeType "updated") to every live subscription whose resource covers the user. */
  updateUser(idOrAddress: string, patch: Partial<EmulatorUser>): Promise<EmulatorUser>;
  disableUser(idOrAddress: string): Promise<EmulatorUser>;
  /**
   * Soft delete (Graph's DELETE /users/{id}): delta shows @removed {reason:"changed"} and, as
   * documented for users, notifications carry changeType "updated". With `permanent: true`:
   * @removed {reason:"deleted"} and changeType "deleted".
   */
  deleteUser(idOrAddress: string, opts?: { permanent?: boolean }): Promise<void>;
  /** Notifications carry changeType "updated": Graph does not emit "created" for users. */
  addUser(user: Omit<EmulatorUser, 'id'> & { id?: string }): Promise<EmulatorUser>;
  /** Sets whether change and lifecycle notifications are sent (to test "webhook path killed"). */
  setNotificationsEnabled(on: boolean): void;
  subscriptions(): EmulatorSubscription[];
  /** Forget all delta tokens (and delta paging state) issued so far: their next use gets 410 syncStateNotFound. */
  expireDeltaTokens(): void;
  /** Make the next n Graph requests answer 429 with Retry-After: seconds (default 1). */
  throttleNext(n: number, retryAfterSeconds?: number): void;
  /**
   * POST a lifecycle notification to the subscription's lifecycleNotificationUrl. Resolves false
   * when nothing was delivered (no lifecycle URL, notifications off, or delivery failed).
   * "subscriptionRemoved" also removes the subscription, as Graph has by then.
   */
  triggerLifecycle(subscriptionId: string, event: LifecycleEvent): Promise<boolean>;
  close(): Promise<void>;
}

export interface StartGraphEmulatorOptions {
  /** Default 4003; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default samples/directory.json (ignored when `users` is given). */
  fixturePath?: string;
  users?: EmulatorUser[];
  tenantId?: string;
  /** Re-read the fixture when it changes on disk and turn the differences into changes + notifications. */
  watchFixture?: boolean;
}

const DEFAULT_PORT = 4003;
const DEFAULT_FIXTURE = fileURLToPath(new URL('../../samples/directory.json', import.meta.url));
const DEFAULT_TENANT = '00000000-0000-4000-8000-000000000000';
/** users, groups and other directory resources (subscription resource type docs). */
const MAX_SUBSCRIPTION_MINUTES = 41_760;
/** Graph gives the notification endpoint 10 s to answer the validation request. */
const VALIDATION_TIMEOUT_MS = 10_000;
const DELIVERY_TIMEOUT_MS = 10_000;
const DEFAULT_DELTA_PAGE = 50;
const DEFAULT_LIST_PAGE = 100;
const MAX_PAGE = 999;
const LOG = '[graph-emulator]';

// ---------------------------------------------------------------------------------------------
// Users: fixture validation and the Graph view of a user

const userSchema = z.object({
  id: z.string().min(1),
  displayName: z.string().min(1),
  givenName: z.string().optional(),
  surname: z.string().optional(),
  mail: z.string().nullable(),
  userPrincipalName: z.string().min(3),
  proxyAddresses: z.array(z.string()),
  accountEnabled: z.boolean(),
  employeeLeaveDateTime: z.string().nullable(),
  employeeId: z.string().nullable().optional(),
  jobTitle: z.string().nullable().optional(),
  department: z.string().nullable().optional(),
  managerId: z.string().nullable().optional(),
});
const patchSchema = userSchema.omit({ id: true }).partial().strict();
const fixtureSchema = z.object({ tenantId: z.string().optional(), users: z.array(userSchema) });

/** The properties a user resource has here; anything else in $select is a 400, as in Graph. */
const USER_PROPERTIES = [
  'id', 'displayName', 'givenName', 'surname', 'mail', 'userPrincipalName', 'proxyAddresses',
  'accountEnabled', 'employeeLeaveDateTime', 'employeeId', 'jobTitle', 'department', 'businessPhones',
  'mobilePhone', 'officeLocation', 'preferredLanguage',
] as const;
/**
 * What Graph returns for a user without $select. accountEnabled, proxyAddresses and
 * employeeLeaveDateTime are deliberately absent, so an adapter that forgets $select fails here too.
 */
const DEFAULT_PROPERTIES = [
  'businessPhones', 'displayName', 'givenName', 'jobTitle', 'mail', 'mobilePhone',
  'officeLocation', 'preferredLanguage', 'surname', 'userPrincipalName', 'id',
];
const PROPERTY_BY_LOWER = new Map<string, string>(USER_PROPERTIES.map((p) => [p.toLowerCase(), p]));

function graphView(u: EmulatorUser): Record<string, unknown> {
  return {
    id: u.id,
    displayName: u.displayName,
    givenName: u.givenName ?? null,
    surname: u.surname ?? null,
    mail: u.mail,
    userPrincipalName: u.userPrincipalName,
    proxyAddresses: [...u.proxyAddresses],
    accountEnabled: u.accountEnabled,
    employeeLeaveDateTime: u.employeeLeaveDateTime,
    employeeId: u.employeeId ?? null,
    jobTitle: u.jobTitle ?? null,
    department: u.department ?? null,
    businessPhones: [],
    mobilePhone: null,
    officeLocation: null,
    preferredLanguage: null,
  };
}

function project(u: EmulatorUser, select: string[] | null, opts: { forceId?: boolean } = {}): Record<string, unknown> {
  const view = graphView(u);
  const out: Record<string, unknown> = {};
  for (const p of select ?? DEFAULT_PROPERTIES) {
    if (p === 'manager') {
      // Delta reports the manager link as an annotation, not a property (user: delta docs).
      if (u.managerId) out['manager@delta'] = [{ '@odata.type': '#microsoft.graph.user', id: u.managerId }];
    } else {
      out[p] = view[p];
    }
  }
  if (opts.forceId) out.id = u.id;
  return out;
}

const clone = (u: EmulatorUser): EmulatorUser => structuredClone(u);

/** "SMTP:a@b" / "smtp:a@b" / "a@b" → "a@b", lower case. */
const bareAddress = (s: string): string => s.replace(/^smtp:/i, '').trim().toLowerCase();

// ---------------------------------------------------------------------------------------------
// HTTP plumbing

class GraphHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

const notFoundUser = (key: string) =>
  new GraphHttpError(404, 'Request_ResourceNotFound', `Resource '${key}' does not exist or one of its queried reference-property objects are not present.`);

const JSON_TYPE = 'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8';

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const requestId = randomUUID();
  const common = { 'request-id': requestId, 'client-request-id': requestId, 'cache-control': 'no-cache' };
  if (body === undefined) {
    res.writeHead(status, { ...common, ...headers });
    res.end();
    return;
  }
  res.writeHead(status, { ...common, 'content-type': JSON_TYPE, ...headers });
  res.end(JSON.stringify(body));
}

function sendError(res: ServerResponse, err: GraphHttpError): void {
  const requestId = randomUUID();
  send(
    res,
    err.status,
    {
      error: {
        code: err.code,
        message: err.message,
        innerError: { date: new Date().toISOString().slice(0, 19), 'request-id': requestId, 'client-request-id': requestId },
      },
    },
    err.headers,
  );
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 1_000_000) throw new GraphHttpError(413, 'RequestEntityTooLarge', 'Request body too large.');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const text = await readBody(req);
  if (!text.trim()) return {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // fall through to the Graph-style error
  }
  throw new GraphHttpError(400, 'BadRequest', 'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.');
}

/** OData query options are case-insensitive and the `$` is optional in Graph v1.0. */
function queryOptions(url: URL): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of url.searchParams) out.set(k.replace(/^\$/, '').toLowerCase(), v);
  return out;
}

function parseSelect(raw: string | undefined, allowManager: boolean): string[] | null {
  if (raw === undefined || raw.trim() === '') return null;
  const props: string[] = [];
  for (const part of raw.split(',')) {
    const name = part.trim();
    if (!name) continue;
    if (allowManager && name.toLowerCase() === 'manager') {
      props.push('manager');
      continue;
    }
    const canonical = PROPERTY_BY_LOWER.get(name.toLowerCase());
    if (!canonical) {
      throw new GraphHttpError(400, 'Request_BadRequest', `Could not find a property named '${name}' on type 'microsoft.graph.user'.`);
    }
    if (!props.includes(canonical)) props.push(canonical);
  }
  return props.length ? props : null;
}

function parsePageSize(raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > MAX_PAGE) {
    throw new GraphHttpError(400, 'Request_BadRequest', `Invalid page size specified: '${raw}'. Must be between 1 and ${MAX_PAGE} inclusive.`);
  }
  return n;
}

const preferredPageSize = (req: IncomingMessage): number | undefined => {
  const m = /odata\.maxpagesize\s*=\s*(\d+)/i.exec(String(req.headers.prefer ?? ''));
  return m ? Math.min(Math.max(Number(m[1]), 1), MAX_PAGE) : undefined;
};

const newToken = (): string => randomBytes(24).toString('base64url');

/** Opaque to clients, but stateless: list paging must survive expireDeltaTokens(). */
interface ListCursor { offset: number; top: number; select: string[] | null; filter: string | null }
const encodeCursor = (c: ListCursor): string => Buffer.from(JSON.stringify(c)).toString('base64url');
function decodeCursor(token: string): ListCursor {
  try {
    const c = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as ListCursor;
    if (Number.isInteger(c.offset) && Number.isInteger(c.top)) return c;
  } catch {
    // fall through
  }
  throw new GraphHttpError(400, 'Request_BadRequest', 'The specified page token value has expired or is invalid.');
}

// ---------------------------------------------------------------------------------------------
// A deliberately small $filter: enough for "find the user behind this address".

type Clause = (u: EmulatorUser) => boolean;

function parseFilter(raw: string): Clause {
  const unsupported = () => new GraphHttpError(400, 'Request_UnsupportedQuery', `Unsupported or invalid query filter clause specified: '${raw}'.`);
  const parts: string[] = [];
  const connectors = new Set<string>();
  let buf = '';
  let quoted = false;
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i] as string;
    if (ch === "'") quoted = !quoted;
    const rest = raw.slice(i).toLowerCase();
    if (!quoted && (rest.startsWith(' or ') || rest.startsWith(' and '))) {
      const word = rest.startsWith(' or ') ? 'or' : 'and';
      connectors.add(word);
      parts.push(buf);
      buf = '';
      i += word.length + 1;
      continue;
    }
    buf += ch;
  }
  parts.push(buf);
  if (connectors.size > 1) throw unsupported();

  const literal = (s: string): string | boolean | null => {
    const t = s.trim();
    if (/^'.*'$/s.test(t)) return t.slice(1, -1).replace(/''/g, "'");
    if (t === 'true') return true;
    if (t === 'false') return false;
    if (t === 'null') return null;
    throw unsupported();
  };
  const same = (a: unknown, b: unknown) =>
    typeof a === 'string' && typeof b === 'string' ? a.toLowerCase() === b.toLowerCase() : a === b;
  const prop = (name: string) => {
    const p = PROPERTY_BY_LOWER.get(name.trim().toLowerCase());
    if (!p) throw unsupported();
    return p;
  };

  const clauses: Clause[] = parts.map((part) => {
    const text = part.trim();
    let m = /^proxyAddresses\/any\((\w+):\s*\1\s+eq\s+(.+)\)$/is.exec(text);
    if (m) {
      const value = literal(m[2] as string);
      return (u) => u.proxyAddresses.some((a) => same(a, value));
    }
    m = /^startswith\(\s*([\w]+)\s*,\s*(.+)\)$/is.exec(text);
    if (m) {
      const p = prop(m[1] as string);
      const value = literal(m[2] as string);
      if (typeof value !== 'string') throw unsupported();
      return (u) => {
        const v = graphView(u)[p];
        return typeof v === 'string' && v.toLowerCase().startsWith(value.toLowerCase());
      };
    }
    m = /^([\w]+)\s+eq\s+(.+)$/is.exec(text);
    if (m) {
      const p = prop(m[1] as string);
      const value = literal(m[2] as string);
      return (u) => same(graphView(u)[p], value);
    }
    throw unsupported();
  });
  return connectors.has('and') ? (u) => clauses.every((c) => c(u)) : (u) => clauses.some((c) => c(u));
}

// ---------------------------------------------------------------------------------------------

interface SubscriptionState extends EmulatorSubscription {
  applicationId: string;
  creatorId: string;
  /** Log delivery failures once per outage, not once per change. */
  failureLogged: boolean;
}

type Gone = 'soft' | 'hard';
interface DeltaState { seq: number; select: string[] | null }
interface DeltaSession { items: Record<string, unknown>[]; seq: number; select: string[] | null; pageSize: number }

export async function startGraphEmulator(opts: StartGraphEmulatorOptions = {}): Promise<GraphEmulator> {
  const host = opts.host ?? '127.0.0.1';
  const fixturePath = opts.users ? undefined : resolve(opts.fixturePath ?? DEFAULT_FIXTURE);

  let fixtureUsers: EmulatorUser[] = opts.users ? opts.users.map((u) => userSchema.parse(u)) : [];
  let fixtureTenant: string | undefined;
  if (fixturePath) {
    const fixture = loadFixture(fixturePath);
    fixtureUsers = fixture.users;
    fixtureTenant = fixture.tenantId;
  }
  const tenantId = opts.tenantId ?? fixtureTenant ?? DEFAULT_TENANT;

  const live = new Map<string, EmulatorUser>();
  for (const u of fixtureUsers) {
    if (live.has(u.id)) throw new Error(`${LOG} duplicate user id in fixture: ${u.id}`);
    live.set(u.id, clone(u));
  }
  const gone = new Map<string, Gone>();
  // Delta is answered from a log of "user X changed at seq N"; the user's state at answer time is what gets sent.
  let seq = 0;
  const changeLog: Array<{ seq: number; id: string }> = [];
  const deltaTokens = new Map<string, DeltaState>();
  const deltaPages = new Map<string, { session: DeltaSession; offset: number }>();
  const subs = new Map<string, SubscriptionState>();
  let notificationsEnabled = true;
  let throttleRemaining = 0;
  let throttleRetryAfter = 1;
  let baseUrl = '';

  // ------------------------------------------------------------------ directory operations

  function find(idOrAddress: string): EmulatorUser | undefined {
    const byId = live.get(idOrAddress);
    if (byId) return byId;
    const key = bareAddress(idOrAddress);
    for (const u of live.values()) {
      if (u.userPrincipalName.toLowerCase() === key || u.mail?.toLowerCase() === key) return u;
    }
    for (const u of live.values()) {
      if (u.proxyAddresses.some((a) => bareAddress(a) === key)) return u;
    }
    return undefined;
  }

  function mustFind(idOrAddress: string): EmulatorUser {
    const u = find(idOrAddress);
    if (!u) throw new GraphHttpError(404, 'Request_ResourceNotFound', `No user matches '${idOrAddress}'.`);
    return u;
  }

  function assertUniqueUpn(upn: string, exceptId?: string): void {
    for (const other of live.values()) {
      if (other.id !== exceptId && other.userPrincipalName.toLowerCase() === upn.toLowerCase()) {
        throw new GraphHttpError(400, 'Request_BadRequest', 'Another object with the same value for property userPrincipalName already exists.');
      }
    }
  }

  async function recordChange(id: string, changeType: 'updated' | 'deleted'): Promise<void> {
    seq += 1;
    changeLog.push({ seq, id });
    await notifyChange(id, changeType);
  }

  async function updateUser(idOrAddress: string, patch: Partial<EmulatorUser>): Promise<EmulatorUser> {
    const u = mustFind(idOrAddress);
    const { id: _ignored, ...rest } = patch;
    const parsed = patchSchema.safeParse(rest);
    if (!parsed.success) throw new GraphHttpError(400, 'Request_BadRequest', `Invalid user patch: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    if (parsed.data.userPrincipalName) assertUniqueUpn(parsed.data.userPrincipalName, u.id);
    const before = JSON.stringify(u);
    Object.assign(u, parsed.data);
    if (JSON.stringify(u) !== before) await recordChange(u.id, 'updated');
    return clone(u);
  }

  async function deleteUser(idOrAddress: string, delOpts: { permanent?: boolean } = {}): Promise<void> {
    const u = mustFind(idOrAddress);
    live.delete(u.id);
    gone.set(u.id, delOpts.permanent ? 'hard' : 'soft');
    // Per the subscription docs: users notify "updated" for soft delete, "deleted" only when permanent.
    await recordChange(u.id, delOpts.permanent ? 'deleted' : 'updated');
  }

  async function addUser(user: Omit<EmulatorUser, 'id'> & { id?: string }): Promise<EmulatorUser> {
    const parsed = userSchema.safeParse({ ...user, id: user.id ?? randomUUID() });
    if (!parsed.success) throw new GraphHttpError(400, 'Request_BadRequest', `Invalid user: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    const u = parsed.data;
    if (live.has(u.id) || gone.get(u.id) === 'soft') {
      throw new GraphHttpError(400, 'Request_BadRequest', `Another object with the same id already exists.`);
    }
    assertUniqueUpn(u.userPrincipalName);
    gone.delete(u.id);
    live.set(u.id, clone(u));
    await recordChange(u.id, 'updated');
    return clone(u);
  }

  // ------------------------------------------------------------------ notifications

  function liveSubscriptions(): SubscriptionState[] {
    const now = Date.now();
    for (const [id, s] of subs) if (Date.parse(s.expirationDateTime) <= now) subs.delete(id);
    return [...subs.values()];
  }

  const publicSub = (s: SubscriptionState): EmulatorSubscription => {
    const out: EmulatorSubscription = { id: s.id, resource: s.resource, changeType: s.changeType, notificationUrl: s.notificationUrl, expirationDateTime: s.expirationDateTime };
    if (s.lifecycleNotificationUrl !== undefined) out.lifecycleNotificationUrl = s.lifecycleNotificationUrl;
    if (s.clientState !== undefined) out.clientState = s.clientState;
    return out;
  };

  const covers = (resource: string, userId: string): boolean => {
    const m = /^\/?users(?:\/([^/]+))?$/i.exec(resource);
    return !!m && (m[1] === undefined || m[1].toLowerCase() === userId.toLowerCase());
  };

  /** Delivery failures are swallowed: Graph's own retries are not something a local stack should rely on. */
  async function deliver(s: SubscriptionState, url: string, payload: unknown): Promise<boolean> {
    let problem: string;
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify(payload),
        signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
      });
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) {
        s.failureLogged = false;
        return true;
      }
      problem = `HTTP ${res.status}`;
    } catch (err) {
      problem = errorName(err);
    }
    if (!s.failureLogged) {
      s.failureLogged = true;
      console.warn(`${LOG} notification delivery for subscription ${s.id} failed (${problem}); further failures are not logged until one succeeds`);
    }
    return false;
  }

  async function notifyChange(userId: string, changeType: 'updated' | 'deleted'): Promise<void> {
    if (!notificationsEnabled) return;
    const targets = liveSubscriptions().filter((s) => covers(s.resource, userId) && s.changeType.split(',').includes(changeType));
    await Promise.all(
      targets.map((s) =>
        deliver(s, s.notificationUrl, {
          value: [
            {
              subscriptionId: s.id,
              subscriptionExpirationDateTime: s.expirationDateTime,
              changeType,
              resource: `Users/${userId}`,
              resourceData: {
                '@odata.type': '#Microsoft.Graph.User',
                '@odata.id': `Users/${userId}`,
                id: userId,
                organizationId: tenantId,
                sequenceNumber: seq,
              },
              clientState: s.clientState ?? null,
              tenantId,
            },
          ],
        }),
      ),
    );
  }

  async function triggerLifecycle(subscriptionId: string, event: LifecycleEvent): Promise<boolean> {
    const s = liveSubscriptions().find((x) => x.id === subscriptionId);
    if (!s) throw new GraphHttpError(404, 'ResourceNotFound', `Subscription '${subscriptionId}' was not found.`);
    if (event === 'subscriptionRemoved') subs.delete(s.id);
    // Graph sends lifecycle events only to subscriptions created with a lifecycleNotificationUrl.
    if (!s.lifecycleNotificationUrl || !notificationsEnabled) return false;
    return deliver(s, s.lifecycleNotificationUrl, {
      value: [
        {
          subscriptionId: s.id,
          subscriptionExpirationDateTime: s.expirationDateTime,
          tenantId,
          clientState: s.clientState ?? null,
          lifecycleEvent: event,
          resource: s.resource,
        },
      ],
    });
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

  // ------------------------------------------------------------------ Graph endpoints

  function listUsers(q: Map<string, string>): unknown {
    const token = q.get('skiptoken');
    const cursor: ListCursor = token
      ? decodeCursor(token)
      : { offset: 0, top: parsePageSize(q.get('top'), DEFAULT_LIST_PAGE), select: parseSelect(q.get('select'), false), filter: q.get('filter') ?? null };
    const matches = cursor.filter ? parseFilter(cursor.filter) : () => true;
    const all = [...live.values()].filter(matches);
    const page = all.slice(cursor.offset, cursor.offset + cursor.top);
    const body: Record<string, unknown> = { '@odata.context': `${baseUrl}/v1.0/$metadata#users${cursor.select ? `(${cursor.select.join(',')})` : ''}` };
    if (cursor.offset + cursor.top < all.length) {
      body['@odata.nextLink'] = `${baseUrl}/v1.0/users?$skiptoken=${encodeCursor({ ...cursor, offset: cursor.offset + cursor.top })}`;
    }
    body.value = page.map((u) => project(u, cursor.select));
    return body;
  }

  /** By id or userPrincipalName only, as Graph does: an alias needs $filter on proxyAddresses. */
  function getByKey(key: string): EmulatorUser {
    const lower = key.toLowerCase();
    const u = live.get(key) ?? [...live.values()].find((x) => x.id.toLowerCase() === lower || x.userPrincipalName.toLowerCase() === lower);
    if (!u) throw notFoundUser(key);
    return u;
  }

  function deltaItem(id: string, select: string[] | null): Record<string, unknown> {
    const u = live.get(id);
    if (u) return project(u, select, { forceId: true });
    return { id, '@removed': { reason: gone.get(id) === 'hard' ? 'deleted' : 'changed' } };
  }

  function deltaPage(session: DeltaSession, offset: number, pageSize: number): unknown {
    const page = session.items.slice(offset, offset + pageSize);
    const body: Record<string, unknown> = { '@odata.context': `${baseUrl}/v1.0/$metadata#users${session.select ? `(${session.select.join(',')})` : ''}` };
    if (offset + pageSize < session.items.length) {
      const skip = newToken();
      deltaPages.set(skip, { session, offset: offset + pageSize });
      body['@odata.nextLink'] = `${baseUrl}/v1.0/users/delta?$skiptoken=${skip}`;
    } else {
      const delta = newToken();
      deltaTokens.set(delta, { seq: session.seq, select: session.select });
      body['@odata.deltaLink'] = `${baseUrl}/v1.0/users/delta?$deltatoken=${delta}`;
    }
    body.value = page;
    return body;
  }

  const syncStateGone = () =>
    new GraphHttpError(410, 'syncStateNotFound', 'The sync state generation is not found. The delta token is expired and data must be synchronized again.', {
      location: `${baseUrl}/v1.0/users/delta`,
    });

  function delta(q: Map<string, string>, req: IncomingMessage): unknown {
    const prefer = preferredPageSize(req);
    const skip = q.get('skiptoken');
    if (skip !== undefined) {
      const state = deltaPages.get(skip);
      if (!state) throw syncStateGone();
      return deltaPage(state.session, state.offset, prefer ?? state.session.pageSize);
    }
    const deltaToken = q.get('deltatoken');
    const pageSize = prefer ?? DEFAULT_DELTA_PAGE;
    if (deltaToken === 'latest') {
      return deltaPage({ items: [], seq, select: parseSelect(q.get('select'), true), pageSize }, 0, pageSize);
    }
    if (deltaToken !== undefined) {
      const state = deltaTokens.get(deltaToken);
      if (!state) throw syncStateGone();
      const lastChange = new Map<string, number>();
      for (const c of changeLog) if (c.seq > state.seq) lastChange.set(c.id, c.seq);
      const ids = [...lastChange.entries()].sort((a, b) => a[1] - b[1]).map(([id]) => id);
      const items = ids.map((id) => deltaItem(id, state.select));
      return deltaPage({ items, seq, select: state.select, pageSize }, 0, pageSize);
    }
    const select = parseSelect(q.get('select'), true);
    const items = [...live.values()].map((u) => project(u, select, { forceId: true }));
    return deltaPage({ items, seq, select, pageSize }, 0, pageSize);
  }

  function subscriptionJson(s: SubscriptionState): Record<string, unknown> {
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

  async function createSubscription(body: Record<string, unknown>): Promise<SubscriptionState> {
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
    subs.set(s.id, s);
    return s;
  }

  function liveSub(id: string): SubscriptionState {
    const s = liveSubscriptions().find((x) => x.id === id);
    if (!s) throw new GraphHttpError(404, 'ResourceNotFound', 'The object was not found.');
    return s;
  }

  async function graph(req: IncomingMessage, res: ServerResponse, path: string, url: URL): Promise<void> {
    if (!/^Bearer\s+\S+/i.test(String(req.headers.authorization ?? ''))) {
      throw new GraphHttpError(401, 'InvalidAuthenticationToken', req.headers.authorization ? 'Access token validation failure. Invalid audience.' : 'Access token is empty.', {
        'www-authenticate': 'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize"',
      });
    }
    if (throttleRemaining > 0) {
      throttleRemaining -= 1;
      throw new GraphHttpError(429, 'TooManyRequests', 'Too many requests. Retry after the number of seconds in the Retry-After header.', {
        'retry-after': String(throttleRetryAfter),
      });
    }
    const q = queryOptions(url);
    const method = req.method ?? 'GET';
    const seg = path.split('/').filter(Boolean).map(decodeURIComponent);
    const [root, second, third] = seg;
    const notAllowed = () => new GraphHttpError(405, 'Request_BadRequest', `The ${method} method is not supported on this resource.`);

    if (root?.toLowerCase() === 'users') {
      if (method !== 'GET') throw notAllowed();
      if (seg.length === 1) return send(res, 200, listUsers(q));
      if (seg.length === 2 && /^(delta|microsoft\.graph\.delta(\(\))?)$/i.test(second ?? '')) return send(res, 200, delta(q, req), deltaHeaders(req));
      if (seg.length === 2) {
        const select = parseSelect(q.get('select'), false);
        const u = getByKey(second as string);
        return send(res, 200, { '@odata.context': `${baseUrl}/v1.0/$metadata#users${select ? `(${select.join(',')})` : ''}/$entity`, ...project(u, select) });
      }
      if (seg.length === 3 && third?.toLowerCase() === 'manager') {
        const u = getByKey(second as string);
        const m = u.managerId ? live.get(u.managerId) : undefined;
        if (!m) throw notFoundUser('manager');
        const select = parseSelect(q.get('select'), false);
        return send(res, 200, { '@odata.context': `${baseUrl}/v1.0/$metadata#directoryObjects/$entity`, '@odata.type': '#microsoft.graph.user', ...project(m, select) });
      }
    }

    if (root?.toLowerCase() === 'subscriptions') {
      if (seg.length === 1 && method === 'GET') {
        return send(res, 200, { '@odata.context': `${baseUrl}/v1.0/$metadata#subscriptions`, value: liveSubscriptions().map(subscriptionJson) });
      }
      if (seg.length === 1 && method === 'POST') {
        const s = await createSubscription(await readJson(req));
        return send(res, 201, { '@odata.context': `${baseUrl}/v1.0/$metadata#subscriptions/$entity`, ...subscriptionJson(s) });
      }
      if (seg.length === 2) {
        const s = liveSub(second as string);
        if (method === 'GET') return send(res, 200, { '@odata.context': `${baseUrl}/v1.0/$metadata#subscriptions/$entity`, ...subscriptionJson(s) });
        if (method === 'DELETE') {
          subs.delete(s.id);
          return send(res, 204, undefined);
        }
        if (method === 'PATCH') {
          const body = await readJson(req);
          const expirationDateTime = body.expirationDateTime === undefined ? s.expirationDateTime : checkExpiration(body.expirationDateTime);
          // Moving the notification URL re-runs the handshake, as on create.
          let notificationUrl = s.notificationUrl;
          if (body.notificationUrl !== undefined && body.notificationUrl !== s.notificationUrl) {
            notificationUrl = checkUrl(body.notificationUrl, 'notificationUrl');
            await validateEndpoint(notificationUrl);
          }
          s.expirationDateTime = expirationDateTime;
          s.notificationUrl = notificationUrl;
          return send(res, 200, { '@odata.context': `${baseUrl}/v1.0/$metadata#subscriptions/$entity`, ...subscriptionJson(s) });
        }
        throw notAllowed();
      }
    }

    throw new GraphHttpError(400, 'BadRequest', `Resource not found for the segment '${root ?? ''}'.`);
  }

  function deltaHeaders(req: IncomingMessage): Record<string, string> {
    const n = preferredPageSize(req);
    return n ? { 'preference-applied': `odata.maxpagesize=${n}` } : {};
  }

  // ------------------------------------------------------------------ admin API (/_emulator)

  async function admin(req: IncomingMessage, res: ServerResponse, path: string, url: URL): Promise<void> {
    const method = req.method ?? 'GET';
    const seg = path.split('/').filter(Boolean).map(decodeURIComponent);
    const [a, b, c, d] = seg;

    if (method === 'GET' && seg.length === 1 && a === 'users') return send(res, 200, { tenantId, users: api.users() });
    if (method === 'POST' && seg.length === 1 && a === 'users') {
      return send(res, 201, await addUser((await readJson(req)) as unknown as EmulatorUser));
    }
    if (method === 'GET' && seg.length === 1 && a === 'subscriptions') return send(res, 200, { subscriptions: api.subscriptions() });
    if (method === 'POST' && seg.length === 3 && a === 'users' && c === 'disable') return send(res, 200, await disableUser(b as string));
    if (method === 'POST' && seg.length === 3 && a === 'users' && c === 'delete') {
      await deleteUser(b as string, { permanent: url.searchParams.get('permanent') === 'true' });
      return send(res, 204, undefined);
    }
    if (method === 'PATCH' && seg.length === 2 && a === 'users') {
      return send(res, 200, await updateUser(b as string, (await readJson(req)) as Partial<EmulatorUser>));
    }
    if (method === 'POST' && seg.length === 2 && a === 'notifications' && (b === 'on' || b === 'off')) {
      notificationsEnabled = b === 'on';
      return send(res, 200, { notificationsEnabled });
    }
    if (method === 'POST' && seg.length === 2 && a === 'delta' && b === 'expire') {
      api.expireDeltaTokens();
      return send(res, 204, undefined);
    }
    if (method === 'POST' && seg.length === 1 && a === 'throttle') {
      api.throttleNext(Number(url.searchParams.get('n') ?? '1'), Number(url.searchParams.get('retryAfter') ?? '1'));
      return send(res, 204, undefined);
    }
    if (method === 'POST' && seg.length === 4 && a === 'subscriptions' && c === 'lifecycle') {
      if (d !== 'reauthorizationRequired' && d !== 'subscriptionRemoved') {
        throw new GraphHttpError(400, 'BadRequest', 'Lifecycle event must be reauthorizationRequired or subscriptionRemoved.');
      }
      return send(res, 200, { delivered: await triggerLifecycle(b as string, d) });
    }
    throw new GraphHttpError(404, 'NotFound', `No emulator admin route for ${method} /_emulator/${seg.join('/')}.`);
  }

  // ------------------------------------------------------------------ server

  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://emulator.invalid');
      let path = url.pathname;
      // See DIFFERENCES: undo the SDK's http-nextLink mangling.
      path = path.replace(/^\/v1\.0\/https?:\/+[^/]+(?=\/v1\.0\/)/i, '');
      if (path.startsWith('/_emulator/')) return admin(req, res, path.slice('/_emulator'.length), url);
      if (path === '/v1.0' || path.startsWith('/v1.0/')) return graph(req, res, path.slice('/v1.0'.length), url);
      throw new GraphHttpError(400, 'BadRequest', 'Invalid version: only /v1.0 is emulated.');
    })().catch((err: unknown) => {
      if (res.headersSent) {
        res.end();
        return;
      }
      if (err instanceof GraphHttpError) return sendError(res, err);
      console.error(`${LOG} internal error: ${errorName(err)}`);
      sendError(res, new GraphHttpError(500, 'InternalServerError', 'The emulator failed to handle the request.'));
    });
  });

  const port = await new Promise<number>((ok, fail) => {
    server.once('error', fail);
    server.listen(opts.port ?? DEFAULT_PORT, host, () => {
      server.off('error', fail);
      const addr = server.address();
      ok(typeof addr === 'object' && addr ? addr.port : (opts.port ?? DEFAULT_PORT));
    });
  });
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  baseUrl = `http://${urlHost}:${port}`;

  // ------------------------------------------------------------------ fixture watching

  let stopWatching = (): void => undefined;
  if (fixturePath && opts.watchFixture) {
    let previous = new Map(fixtureUsers.map((u) => [u.id, u]));
    let chain = Promise.resolve();
    const onChange = (curr: Stats, prev: Stats) => {
      if (curr.mtimeMs === prev.mtimeMs && curr.size === prev.size) return;
      chain = chain.then(async () => {
        let next: Map<string, EmulatorUser>;
        try {
          next = new Map(loadFixture(fixturePath).users.map((u) => [u.id, u]));
        } catch (err) {
          // Editors save in several steps; the next complete write triggers another reload.
          console.warn(`${LOG} fixture not reloaded: ${err instanceof Error ? err.message.split('\n')[0] : 'unreadable'}`);
          return;
        }
        for (const [id, u] of next) {
          const before = previous.get(id);
          if (before && JSON.stringify(before) === JSON.stringify(u)) continue;
          // A field dropped from the file is a field cleared, not a field left as it was.
          const replacement = { givenName: undefined, surname: undefined, jobTitle: null, department: null, managerId: null, ...u };
          await (live.has(id) ? updateUser(id, replacement) : addUser(u)).catch((err: unknown) =>
            console.warn(`${LOG} fixture change for user ${id} not applied: ${errorName(err)}`),
          );
        }
        for (const id of previous.keys()) {
          if (!next.has(id) && live.has(id)) await deleteUser(id);
        }
        previous = next;
      });
    };
    watchFile(fixturePath, { interval: 200, persistent: false }, onChange);
    stopWatching = () => unwatchFile(fixturePath, onChange);
  }

  // ------------------------------------------------------------------ public handle

  async function disableUser(idOrAddress: string): Promise<EmulatorUser> {
    return updateUser(idOrAddress, { accountEnabled: false });
  }

  const api: GraphEmulator = {
    url: baseUrl,
    port,
    users: () => [...live.values()].map(clone),
    updateUser,
    disableUser,
    deleteUser,
    addUser,
    setNotificationsEnabled(on) {
      notificationsEnabled = on;
    },
    subscriptions: () => liveSubscriptions().map(publicSub),
    expireDeltaTokens() {
      deltaTokens.clear();
      deltaPages.clear();
    },
    throttleNext(n, retryAfterSeconds = 1) {
      throttleRemaining = Math.max(0, Math.floor(n));
      throttleRetryAfter = Math.max(0, Math.ceil(retryAfterSeconds));
    },
    triggerLifecycle,
    async close() {
      stopWatching();
      await new Promise<void>((ok) => {
        server.close(() => ok());
        server.closeAllConnections();
      });
    },
  };
  return api;
}

function loadFixture(path: string): { tenantId?: string; users: EmulatorUser[] } {
  const parsed = fixtureSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success) {
    throw new Error(`${LOG} invalid fixture ${path}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  const out: { tenantId?: string; users: EmulatorUser[] } = { users: parsed.data.users };
  if (parsed.data.tenantId) out.tenantId = parsed.data.tenantId;
  return out;
}

/** Error class/code only: messages can carry URLs or personal data. */
function errorName(err: unknown): string {
  if (err instanceof GraphHttpError) return err.code;
  if (err && typeof err === 'object') {
    const e = err as { name?: string; code?: string; cause?: { code?: string } };
    return e.cause?.code ?? e.code ?? e.name ?? 'Error';
  }
  return 'Error';
}

// Standalone: `tsx infra/local/graph-emulator.ts` (GRAPH_EMULATOR_PORT, GRAPH_EMULATOR_FIXTURE).
if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const fixture = process.env.GRAPH_EMULATOR_FIXTURE;
  const emulator = await startGraphEmulator({
    port: Number(process.env.GRAPH_EMULATOR_PORT ?? DEFAULT_PORT),
    ...(fixture ? { fixturePath: fixture } : {}),
    watchFixture: true,
  });
  console.log(`${LOG} Graph v1.0 at ${emulator.url}/v1.0, admin at ${emulator.url}/_emulator/ (${emulator.users().length} users)`);
  const stop = () => void emulator.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
