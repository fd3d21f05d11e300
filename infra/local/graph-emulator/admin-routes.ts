/** The admin API under /_emulator: the in-process controls over HTTP, for a stack run from the shell. */
import { GraphHttpError, readJson, send, type Route } from './http.ts';
import type { EmulatorControls, EmulatorUser } from './types.ts';

export class AdminRoutes {
  constructor(
    private readonly controls: EmulatorControls,
    private readonly tenantId: string,
  ) {}

  readonly handle: Route = async (req, res, path, url) => {
    const { controls } = this;
    const method = req.method ?? 'GET';
    const seg = path.split('/').filter(Boolean).map(decodeURIComponent);
    const [a, b, c, d] = seg;

    if (method === 'GET' && seg.length === 1 && a === 'users') return send(res, 200, { tenantId: this.tenantId, users: controls.users() });
    if (method === 'POST' && seg.length === 1 && a === 'users') {
      return send(res, 201, await controls.addUser((await readJson(req)) as unknown as EmulatorUser));
    }
    if (method === 'GET' && seg.length === 1 && a === 'subscriptions') return send(res, 200, { subscriptions: controls.subscriptions() });
    if (method === 'POST' && seg.length === 3 && a === 'users' && c === 'disable') return send(res, 200, await controls.disableUser(b as string));
    if (method === 'POST' && seg.length === 3 && a === 'users' && c === 'delete') {
      await controls.deleteUser(b as string, { permanent: url.searchParams.get('permanent') === 'true' });
      return send(res, 204, undefined);
    }
    if (method === 'PATCH' && seg.length === 2 && a === 'users') {
      return send(res, 200, await controls.updateUser(b as string, (await readJson(req)) as Partial<EmulatorUser>));
    }
    if (method === 'POST' && seg.length === 2 && a === 'notifications' && (b === 'on' || b === 'off')) {
      const notificationsEnabled = b === 'on';
      controls.setNotificationsEnabled(notificationsEnabled);
      return send(res, 200, { notificationsEnabled });
    }
    if (method === 'POST' && seg.length === 2 && a === 'delta' && b === 'expire') {
      controls.expireDeltaTokens();
      return send(res, 204, undefined);
    }
    if (method === 'POST' && seg.length === 1 && a === 'throttle') {
      controls.throttleNext(Number(url.searchParams.get('n') ?? '1'), Number(url.searchParams.get('retryAfter') ?? '1'));
      return send(res, 204, undefined);
    }
    if (method === 'POST' && seg.length === 4 && a === 'subscriptions' && c === 'lifecycle') {
      if (d !== 'reauthorizationRequired' && d !== 'subscriptionRemoved') {
        throw new GraphHttpError(400, 'BadRequest', 'Lifecycle event must be reauthorizationRequired or subscriptionRemoved.');
      }
      return send(res, 200, { delivered: await controls.triggerLifecycle(b as string, d) });
    }
    throw new GraphHttpError(404, 'NotFound', `No emulator admin route for ${method} /_emulator/${seg.join('/')}.`);
  };
}
