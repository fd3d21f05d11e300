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
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { AdminRoutes } from './graph-emulator/admin-routes.ts';
import { DeltaFeed } from './graph-emulator/delta.ts';
import { Directory } from './graph-emulator/directory.ts';
import { DEFAULT_FIXTURE, loadFixture, watchFixture } from './graph-emulator/fixture.ts';
import { GraphRoutes, Throttle } from './graph-emulator/graph-routes.ts';
import { LOG } from './graph-emulator/http.ts';
import { Notifier } from './graph-emulator/notifications.ts';
import { serve } from './graph-emulator/server.ts';
import { publicSubscription, SubscriptionStore } from './graph-emulator/subscriptions.ts';
import { userSchema } from './graph-emulator/users.ts';
import type { EmulatorControls, EmulatorUser, GraphEmulator, Site, StartGraphEmulatorOptions } from './graph-emulator/types.ts';

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

export type {
  EmulatorSubscription,
  EmulatorUser,
  GraphEmulator,
  LifecycleEvent,
  StartGraphEmulatorOptions,
} from './graph-emulator/types.ts';

/*
 * Layout (infra/local/graph-emulator/): directory.ts holds the users and their change log,
 * fixture.ts loads and watches the fixture file, delta.ts answers delta queries,
 * subscriptions.ts and notifications.ts handle webhooks, graph-routes.ts and admin-routes.ts are
 * the two HTTP faces and server.ts the glue. This file only wires them together.
 */

const DEFAULT_PORT = 4003;
const DEFAULT_TENANT = '00000000-0000-4000-8000-000000000000';

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

  const subscriptions = new SubscriptionStore();
  const notifier = new Notifier(subscriptions, tenantId);
  const directory = new Directory(fixtureUsers, (id, changeType, seq) => notifier.notifyChange(id, changeType, seq));
  // Links carry the base URL, which is known only once the server listens.
  const site: Site = { baseUrl: '' };
  const delta = new DeltaFeed(directory, site);
  const throttle = new Throttle();

  const controls: EmulatorControls = {
    users: () => directory.users(),
    updateUser: (idOrAddress, patch) => directory.update(idOrAddress, patch),
    disableUser: (idOrAddress) => directory.disable(idOrAddress),
    deleteUser: (idOrAddress, delOpts) => directory.delete(idOrAddress, delOpts),
    addUser: (user) => directory.add(user),
    setNotificationsEnabled(on) {
      notifier.enabled = on;
    },
    subscriptions: () => subscriptions.live().map(publicSubscription),
    expireDeltaTokens: () => delta.expire(),
    throttleNext: (n, retryAfterSeconds) => throttle.set(n, retryAfterSeconds),
    triggerLifecycle: (subscriptionId, event) => notifier.triggerLifecycle(subscriptionId, event),
  };

  const graph = new GraphRoutes({ directory, delta, subscriptions, throttle, site });
  const admin = new AdminRoutes(controls, tenantId);
  const server = await serve({ admin: admin.handle, graph: graph.handle }, opts.port ?? DEFAULT_PORT, host);
  site.baseUrl = server.url;

  const stopWatching = fixturePath && opts.watchFixture ? watchFixture(fixturePath, fixtureUsers, directory) : () => undefined;

  return {
    url: server.url,
    port: server.port,
    ...controls,
    async close() {
      stopWatching();
      await server.close();
    },
  };
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
