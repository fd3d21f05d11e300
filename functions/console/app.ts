/**
 * The console as a `hono` app: sign-in routes (no session needed), then every page behind the session, with the
 * CSRF and `Origin` checks in front of every POST, and the use cases' refusals mapped to 403/404/400/409 pages (or
 * JSON, for callers that asked for it). handler.ts runs it on Lambda; the benchmark and tests run it in-process.
 */
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { logger, safeError } from '../adapters/logger.ts';
import type { Deps } from '../usecases/deps.ts';
import { Forbidden, Invalid, NotFound, Stale, viewerFor, type Viewer } from '../usecases/console/viewer.ts';
import { openIdProvider, type IdentityProvider } from './auth.ts';
import { isHttps, type ConsoleConfig } from './config.ts';
import { csrfMatches, CSRF_FIELD, sameOrigin } from './csrf.ts';
import { jsonError, messagePage, securityHeaders, seeOther, wantsJson } from './http.ts';
import type { PageUser } from './layout.ts';
import { authRoutes } from './routes/auth.ts';
import { cookieNames, openSession, readCookie, setCookie, type CookieNames, type Session } from './session.ts';
import { capitalise } from '../domain/text.ts';

export type Form = Record<string, string | File>;

type ConsoleVariables = { session: Session; viewer: Viewer; user: PageUser; form: Form };

/** `consoleVariables`: the signed-in request's variables, handed to a group of routes loaded on first use (lazyRoutes). */
export type ConsoleEnv = { Variables: ConsoleVariables; Bindings: { consoleVariables?: Partial<ConsoleVariables> } };

export interface ConsoleServices {
  config: ConsoleConfig;
  deps: () => Deps;
  /** Undefined when sign-in is not configured (no issuer or client id yet). */
  provider?: IdentityProvider;
  now: () => Date;
}

/** What the routes share: the services and the cookie settings derived from the base URL. */
export interface ConsoleContext extends ConsoleServices {
  secure: boolean;
  cookies: CookieNames;
  keys: () => Promise<string[]>;
}

/**
 * Request bodies: a register file (at most MAX_REGISTER_FILE_BYTES, routes/register.ts) comes back base64 in the
 * Confirm form; every other form is small. Lambda answers at most 6 MB, which bounds the preview page too.
 */
const MAX_IMPORT_BYTES = 4 * 1024 * 1024;
const MAX_FORM_BYTES = 64 * 1024;

export function createConsoleApp(services: Omit<ConsoleServices, 'provider'> & { provider?: IdentityProvider | null }): Hono<ConsoleEnv> {
  const { config } = services;
  const provider = services.provider === null ? undefined : services.provider ?? (config.oidc ? openIdProvider(config.oidc, config.secrets) : undefined);
  const secure = isHttps(config);
  const ctx: ConsoleContext = {
    config,
    deps: services.deps,
    now: services.now,
    ...(provider ? { provider } : {}),
    secure,
    cookies: cookieNames(secure),
    keys: async () => (await config.secrets()).sessionKeys,
  };
  const headers = securityHeaders(config.oidc ? [new URL(config.oidc.issuer).origin] : []);
  const app = new Hono<ConsoleEnv>();

  app.use('*', async (c, next) => {
    await next();
    for (const [k, v] of Object.entries(headers)) c.res.headers.set(k, v);
  });

  app.onError((err, c) => errorResponse(c, ctx, err));
  app.notFound((c) => (wantsJson(c) ? jsonError(c, 404, 'not found') : messagePage(c, 404, { trustName: config.trustName, title: 'Page not found', message: 'There is no page at this address.', ...userOf(c) })));

  app.use('*', async (c, next) => {
    const length = Number(c.req.header('content-length') ?? 0);
    const limit = c.req.path === '/register/import' ? MAX_IMPORT_BYTES : MAX_FORM_BYTES;
    if (length > limit) return messagePage(c, 413, { trustName: config.trustName, title: 'Too much data', message: `The form sent more than this page accepts (${Math.round(limit / 1024)} KB).` });
    return next();
  });

  app.route('/auth', authRoutes(ctx));

  // Everything else needs a session, and the person must still be someone Custodian lets in.
  app.use('*', async (c, next) => {
    if (!ctx.provider) return messagePage(c, 503, { trustName: config.trustName, title: 'Sign-in is not set up', message: 'Custodian\'s web console cannot sign anyone in yet: the trust\'s Microsoft 365 app registration has not been configured (see the README, Deployment).' });
    const cookie = readCookie(c.req.header('cookie'), ctx.cookies.session);
    const session = await openSession(cookie, await ctx.keys(), ctx.now());
    if (!session) {
      if (cookie) c.header('set-cookie', setCookie(ctx.cookies.session, '', { secure, maxAge: 0 }), { append: true });
      if (wantsJson(c)) return jsonError(c, 401, 'sign in first: GET /auth/sign-in');
      const url = new URL(c.req.url);
      const returnTo = c.req.method === 'GET' ? `${url.pathname}${url.search}` : '/';
      return seeOther(c, `/auth/sign-in?returnTo=${encodeURIComponent(returnTo)}`);
    }
    c.set('session', session);
    c.set('user', { email: session.email, ...(session.name ? { name: session.name } : {}), csrf: session.csrf });
    c.set('viewer', await viewerFor(ctx.deps(), { email: session.email, ...(session.name ? { name: session.name } : {}), roles: session.roles }));

    if (c.req.method === 'POST') {
      const refuse = (why: string) => {
        logger.warn('console POST refused', { reason: why, path: routeOf(c.req.path) });
        return wantsJson(c) ? jsonError(c, 403, 'the form is out of date or came from another site; nothing was changed')
          : messagePage(c, 403, { trustName: config.trustName, title: 'Nothing was changed', message: 'This form could not be accepted: it is out of date or came from another site. Go back, reload the page and try again.', user: c.get('user') });
      };
      if (!sameOrigin({ origin: c.req.header('origin'), secFetchSite: c.req.header('sec-fetch-site') }, config.baseUrl)) return refuse('origin');
      const form = (await c.req.parseBody()) as Form;
      if (!csrfMatches(session.csrf, form[CSRF_FIELD])) return refuse('csrf');
      c.set('form', form);
    }
    return next();
  });

  // Each group of pages is a module of its own, loaded on its first request (a chunk of the deployed bundle: a cold
  // start loads only the pages it serves, infra/constructs/bundle.ts).
  const groups: Array<[paths: string[], load: () => Promise<RouteGroup>]> = [
    [['/', '/audit', '/audit.csv', '/policies', '/policies/*'], async () => (await import('./routes/pages.ts')).pageRoutes],
    [['/register', '/register/*'], async () => (await import('./routes/register.ts')).registerRoutes],
    [['/tasks', '/tasks/*'], async () => (await import('./routes/tasks.ts')).taskRoutes],
    [['/requests', '/requests/*'], async () => (await import('./routes/requests.ts')).requestRoutes],
  ];
  for (const [paths, load] of groups) {
    const handler = lazyRoutes(ctx, load);
    for (const path of paths) app.all(path, handler);
  }
  return app;
}

type RouteGroup = (ctx: ConsoleContext) => Hono<ConsoleEnv>;

/**
 * A group of routes built on its first request, then kept for the container's life. The group is a hono app of its
 * own: it gets the request with the signed-in person's variables (set by the middleware above, which has already
 * read any form), and its errors propagate to this app's error pages; a path it has no route for falls through to
 * this app's 404. hono has no lazily loaded sub-app of its own (`app.route` needs the routes when it is called), hence this.
 */
function lazyRoutes(ctx: ConsoleContext, load: () => Promise<RouteGroup>): MiddlewareHandler<ConsoleEnv> {
  let group: Promise<Hono<ConsoleEnv>> | undefined;
  const unmatched = new WeakSet<Response>();
  const build = async () => {
    const routes = (await load())(ctx);
    const sub = new Hono<ConsoleEnv>();
    sub.use('*', async (c, next) => {
      for (const [k, v] of Object.entries(c.env.consoleVariables ?? {})) c.set(k as keyof ConsoleVariables, v as never);
      await next();
    });
    sub.route('/', routes);
    sub.onError((err) => { throw err; });
    sub.notFound(() => {
      const res = new Response(null, { status: 404 });
      unmatched.add(res);
      return res;
    });
    return sub;
  };
  return async (c, next) => {
    group ??= build();
    // A failed load (it should never fail once deployed) is tried again on the next request.
    group.catch(() => { group = undefined; });
    const res = await (await group).fetch(c.req.raw, { ...c.env, consoleVariables: c.var });
    if (unmatched.has(res)) return next();
    return res;
  };
}

function userOf(c: Context<ConsoleEnv>): { user?: PageUser } {
  const user = c.get('user');
  return user ? { user } : {};
}

/** The route as a template (`/register/{id}`), for logs: paths carry account ids and addresses. */
export function routeOf(path: string): string {
  const parts = path.split('/');
  if (parts[1] === 'register' && parts[2] && parts[2] !== 'import') return '/register/{accountId}';
  if (parts[1] === 'tasks' && parts[2]) return '/tasks/{taskId}';
  if (parts[1] === 'policies' && parts[2]) return '/policies/{policyId}';
  if (parts[1] === 'requests' && parts[2] && parts[2] !== 'new') return '/requests/{requestId}';
  return path;
}

function errorResponse(c: Context<ConsoleEnv>, ctx: ConsoleContext, err: Error): Response {
  const trustName = ctx.config.trustName;
  const user = userOf(c);
  const known: Array<[new (...a: never[]) => Error, number, string]> = [
    [Forbidden, 403, 'You do not have access to this'],
    [NotFound, 404, 'Not found'],
    [Invalid, 400, 'That did not work'],
    [Stale, 409, 'Nothing was changed'],
  ];
  for (const [type, status, title] of known) {
    if (err instanceof type) {
      logger.info('console request refused', { status, path: routeOf(c.req.path) });
      return wantsJson(c) ? jsonError(c, status, err.message) : messagePage(c, status, { trustName, title, message: capitalise(err.message), ...user });
    }
  }
  logger.error('console request failed', { path: routeOf(c.req.path), error: safeError(err) });
  return wantsJson(c) ? jsonError(c, 500, 'something went wrong') : messagePage(c, 500, { trustName, title: 'Something went wrong', message: 'Custodian could not finish that just now. Reload the page to see what was saved, and try again in a minute.', ...user });
}

