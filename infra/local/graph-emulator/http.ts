/** HTTP plumbing shared by the Graph routes and the admin API: Graph-shaped errors and bodies. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';

export const LOG = '[graph-emulator]';

/** A route handler; `path` is what follows the /v1.0 or /_emulator prefix. */
export type Route = (req: IncomingMessage, res: ServerResponse, path: string, url: URL) => Promise<void>;

export class GraphHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const notFoundUser = (key: string) =>
  new GraphHttpError(404, 'Request_ResourceNotFound', `Resource '${key}' does not exist or one of its queried reference-property objects are not present.`);

const JSON_TYPE = 'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8';

export function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
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

export function sendError(res: ServerResponse, err: GraphHttpError): void {
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

export async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
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

/** Error class/code only: messages can carry URLs or personal data. */
export function errorName(err: unknown): string {
  if (err instanceof GraphHttpError) return err.code;
  if (err && typeof err === 'object') {
    const e = err as { name?: string; code?: string; cause?: { code?: string } };
    return e.cause?.code ?? e.code ?? e.name ?? 'Error';
  }
  return 'Error';
}
