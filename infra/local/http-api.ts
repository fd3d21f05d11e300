/**
 * The local HTTP API: the template's API Gateway routes, turned into payload-format 2.0 events for the real
 * handlers, with API Gateway's 10 MB body limit and its response mapping.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { safeErrorMessage } from '../../functions/domain/redact.ts';
import type { LocalRuntime } from './runtime.ts';

export interface LocalRoute {
  method: string;
  path: string;
  functionName: string;
}

const MAX_BODY = 10 * 1024 * 1024;
const TEXT_TYPES = /^(text\/|application\/(json|x-www-form-urlencoded|xml|javascript))/i;

function matchRoute(routes: LocalRoute[], method: string, pathname: string) {
  for (const r of routes) {
    if (r.method !== method) continue;
    const names: string[] = [];
    const re = new RegExp(`^${r.path.replace(/\{([^}+]+)\+?\}/g, (_m, n: string) => { names.push(n); return '([^/]+)'; })}$`);
    const m = re.exec(pathname);
    if (m) {
      // A malformed %-escape is passed through as it came; the handler refuses it as it would any bad value.
      const decode = (v: string) => { try { return decodeURIComponent(v); } catch { return v; } };
      const params = Object.fromEntries(names.map((n, i) => [n, decode(m[i + 1]!)]));
      return { route: r, params };
    }
  }
  return undefined;
}

export interface HttpApi {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startHttpApi(o: { host: string; port: number; routes: LocalRoute[]; runtime: LocalRuntime; log: (l: string) => void }): Promise<HttpApi> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) tooLarge = true;
      else chunks.push(c);
    });
    req.on('end', () => {
      void (async () => {
        const url = new URL(req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`);
        const json = (status: number, body: unknown) => {
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(JSON.stringify(body));
        };
        if (tooLarge) return json(413, { message: 'Request Entity Too Large' });
        const found = matchRoute(o.routes, req.method ?? 'GET', url.pathname);
        if (!found) return json(404, { message: 'Not Found' });
        const raw = Buffer.concat(chunks);
        const contentType = String(req.headers['content-type'] ?? '');
        const isText = raw.length === 0 || TEXT_TYPES.test(contentType);
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(',') : v;
        const query: Record<string, string> = {};
        for (const [k, v] of url.searchParams) query[k] = query[k] === undefined ? v : `${query[k]},${v}`;
        const now = new Date();
        const event = {
          version: '2.0',
          routeKey: `${found.route.method} ${found.route.path}`,
          rawPath: url.pathname,
          rawQueryString: url.search.slice(1),
          ...(req.headers.cookie ? { cookies: req.headers.cookie.split(/;\s*/) } : {}),
          headers,
          ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
          ...(Object.keys(found.params).length ? { pathParameters: found.params } : {}),
          requestContext: {
            accountId: '000000000000',
            apiId: 'local',
            domainName: url.host,
            domainPrefix: 'local',
            http: { method: req.method, path: url.pathname, protocol: 'HTTP/1.1', sourceIp: req.socket.remoteAddress ?? '127.0.0.1', userAgent: headers['user-agent'] ?? '' },
            requestId: randomUUID(),
            routeKey: `${found.route.method} ${found.route.path}`,
            stage: '$default',
            time: now.toUTCString(),
            timeEpoch: now.getTime(),
          },
          ...(raw.length ? { body: isText ? raw.toString('utf8') : raw.toString('base64') } : {}),
          isBase64Encoded: !isText,
        };
        let result: unknown;
        try {
          result = await o.runtime.invoke(found.route.functionName, event);
        } catch (err) {
          // API Gateway hides the function's error from the caller. Logged without addresses, as the functions log.
          o.log(`${found.route.functionName}: ${safeErrorMessage(err)}`);
          return json(500, { message: 'Internal Server Error' });
        }
        // Payload format 2.0: a structured response, or anything else returned as a 200 JSON body.
        if (result && typeof result === 'object' && 'statusCode' in result) {
          const r = result as { statusCode: number; headers?: Record<string, string>; body?: string; isBase64Encoded?: boolean; cookies?: string[] };
          const h: Record<string, string | string[]> = { ...(r.headers ?? {}) };
          if (r.cookies?.length) h['set-cookie'] = r.cookies;
          if (!Object.keys(h).some((k) => k.toLowerCase() === 'content-type')) h['content-type'] = 'application/json';
          res.writeHead(r.statusCode, h);
          res.end(r.body === undefined ? '' : r.isBase64Encoded ? Buffer.from(r.body, 'base64') : r.body);
        } else {
          json(200, result ?? null);
        }
      })();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return { url: `http://${o.host}:${port}`, port, close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}
