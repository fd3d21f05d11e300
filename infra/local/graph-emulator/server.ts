/** The HTTP server glue: route by prefix, turn thrown errors into Graph error bodies, listen, close. */
import { createServer } from 'node:http';
import { errorName, GraphHttpError, LOG, sendError, type Route } from './http.ts';

export interface RunningServer {
  /** e.g. http://127.0.0.1:4003 */
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function serve(routes: { admin: Route; graph: Route }, requestedPort: number, host: string): Promise<RunningServer> {
  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://emulator.invalid');
      let path = url.pathname;
      // See DIFFERENCES: undo the SDK's http-nextLink mangling.
      path = path.replace(/^\/v1\.0\/https?:\/+[^/]+(?=\/v1\.0\/)/i, '');
      if (path.startsWith('/_emulator/')) return routes.admin(req, res, path.slice('/_emulator'.length), url);
      if (path === '/v1.0' || path.startsWith('/v1.0/')) return routes.graph(req, res, path.slice('/v1.0'.length), url);
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
    server.listen(requestedPort, host, () => {
      server.off('error', fail);
      const addr = server.address();
      ok(typeof addr === 'object' && addr ? addr.port : requestedPort);
    });
  });
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    close: () =>
      new Promise<void>((ok) => {
        server.close(() => ok());
        server.closeAllConnections();
      }),
  };
}
