/** The Graph v1.0 REST surface: bearer check, throttling, /users (list, get, manager, delta) and /subscriptions. */
import type { IncomingMessage } from 'node:http';
import { GraphHttpError, notFoundUser, readJson, send, type Route } from './http.ts';
import { decodeCursor, encodeCursor, parseFilter, parsePageSize, parseSelect, queryOptions, type ListCursor } from './query.ts';
import { project } from './users.ts';
import { deltaHeaders, type DeltaFeed } from './delta.ts';
import { subscriptionJson, type SubscriptionStore } from './subscriptions.ts';
import type { Directory } from './directory.ts';
import type { Site } from './types.ts';

const DEFAULT_LIST_PAGE = 100;

/** Makes the next n Graph requests answer 429. */
export class Throttle {
  private remaining = 0;
  private retryAfter = 1;

  set(n: number, retryAfterSeconds = 1): void {
    this.remaining = Math.max(0, Math.floor(n));
    this.retryAfter = Math.max(0, Math.ceil(retryAfterSeconds));
  }

  /** Counts one request against the throttle: the 429 to answer with, or undefined to go ahead. */
  take(): GraphHttpError | undefined {
    if (this.remaining > 0) {
      this.remaining -= 1;
      return new GraphHttpError(429, 'TooManyRequests', 'Too many requests. Retry after the number of seconds in the Retry-After header.', {
        'retry-after': String(this.retryAfter),
      });
    }
    return undefined;
  }
}

export interface GraphState {
  directory: Directory;
  delta: DeltaFeed;
  subscriptions: SubscriptionStore;
  throttle: Throttle;
  site: Site;
}

/** One parsed Graph request. */
interface Call {
  req: IncomingMessage;
  method: string;
  q: Map<string, string>;
  seg: string[];
}

/** What a matched route answers; undefined from a route means "no such resource". */
interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

const notAllowed = (method: string) => new GraphHttpError(405, 'Request_BadRequest', `The ${method} method is not supported on this resource.`);

export class GraphRoutes {
  constructor(private readonly state: GraphState) {}

  readonly handle: Route = async (req, res, path, url) => {
    if (!/^Bearer\s+\S+/i.test(String(req.headers.authorization ?? ''))) {
      throw new GraphHttpError(401, 'InvalidAuthenticationToken', req.headers.authorization ? 'Access token validation failure. Invalid audience.' : 'Access token is empty.', {
        'www-authenticate': 'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize"',
      });
    }
    const throttled = this.state.throttle.take();
    if (throttled) throw throttled;
    const call: Call = { req, method: req.method ?? 'GET', q: queryOptions(url), seg: path.split('/').filter(Boolean).map(decodeURIComponent) };
    const root = call.seg[0]?.toLowerCase();
    const reply = root === 'users' ? this.users(call) : root === 'subscriptions' ? await this.subscriptions(call) : undefined;
    if (!reply) throw new GraphHttpError(400, 'BadRequest', `Resource not found for the segment '${call.seg[0] ?? ''}'.`);
    send(res, reply.status, reply.body, reply.headers);
  };

  private users({ req, method, q, seg }: Call): Reply | undefined {
    const { directory, delta } = this.state;
    const [, second, third] = seg;
    if (method !== 'GET') throw notAllowed(method);
    if (seg.length === 1) return { status: 200, body: this.listUsers(q) };
    if (seg.length === 2 && /^(delta|microsoft\.graph\.delta(\(\))?)$/i.test(second ?? '')) {
      return { status: 200, body: delta.respond(q, req), headers: deltaHeaders(req) };
    }
    if (seg.length === 2) {
      const select = parseSelect(q.get('select'), false);
      const u = directory.byKey(second as string);
      return { status: 200, body: { '@odata.context': `${this.base}/v1.0/$metadata#users${select ? `(${select.join(',')})` : ''}/$entity`, ...project(u, select) } };
    }
    if (seg.length === 3 && third?.toLowerCase() === 'manager') {
      const u = directory.byKey(second as string);
      const m = u.managerId ? directory.get(u.managerId) : undefined;
      if (!m) throw notFoundUser('manager');
      const select = parseSelect(q.get('select'), false);
      return { status: 200, body: { '@odata.context': `${this.base}/v1.0/$metadata#directoryObjects/$entity`, '@odata.type': '#microsoft.graph.user', ...project(m, select) } };
    }
    return undefined;
  }

  private async subscriptions({ req, method, seg }: Call): Promise<Reply | undefined> {
    const { subscriptions } = this.state;
    const entity = `${this.base}/v1.0/$metadata#subscriptions/$entity`;
    if (seg.length === 1 && method === 'GET') {
      return { status: 200, body: { '@odata.context': `${this.base}/v1.0/$metadata#subscriptions`, value: subscriptions.live().map(subscriptionJson) } };
    }
    if (seg.length === 1 && method === 'POST') {
      const s = await subscriptions.create(await readJson(req));
      return { status: 201, body: { '@odata.context': entity, ...subscriptionJson(s) } };
    }
    if (seg.length === 2) {
      const s = subscriptions.get(seg[1] as string);
      if (method === 'GET') return { status: 200, body: { '@odata.context': entity, ...subscriptionJson(s) } };
      if (method === 'DELETE') {
        subscriptions.remove(s.id);
        return { status: 204, body: undefined };
      }
      if (method === 'PATCH') {
        await subscriptions.update(s, await readJson(req));
        return { status: 200, body: { '@odata.context': entity, ...subscriptionJson(s) } };
      }
      throw notAllowed(method);
    }
    return undefined;
  }

  private listUsers(q: Map<string, string>): unknown {
    const token = q.get('skiptoken');
    const cursor: ListCursor = token
      ? decodeCursor(token)
      : { offset: 0, top: parsePageSize(q.get('top'), DEFAULT_LIST_PAGE), select: parseSelect(q.get('select'), false), filter: q.get('filter') ?? null };
    const matches = cursor.filter ? parseFilter(cursor.filter) : () => true;
    const all = this.state.directory.all().filter(matches);
    const page = all.slice(cursor.offset, cursor.offset + cursor.top);
    const body: Record<string, unknown> = { '@odata.context': `${this.base}/v1.0/$metadata#users${cursor.select ? `(${cursor.select.join(',')})` : ''}` };
    if (cursor.offset + cursor.top < all.length) {
      body['@odata.nextLink'] = `${this.base}/v1.0/users?$skiptoken=${encodeCursor({ ...cursor, offset: cursor.offset + cursor.top })}`;
    }
    body.value = page.map((u) => project(u, cursor.select));
    return body;
  }

  private get base(): string {
    return this.state.site.baseUrl;
  }
}
