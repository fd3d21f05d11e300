/** OData query options: $select, page sizes, list paging cursors and a deliberately small $filter. */
import type { IncomingMessage } from 'node:http';
import { GraphHttpError } from './http.ts';
import { graphView, PROPERTY_BY_LOWER } from './users.ts';
import type { EmulatorUser } from './types.ts';

const MAX_PAGE = 999;

/** OData query options are case-insensitive and the `$` is optional in Graph v1.0. */
export function queryOptions(url: URL): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of url.searchParams) out.set(k.replace(/^\$/, '').toLowerCase(), v);
  return out;
}

export function parseSelect(raw: string | undefined, allowManager: boolean): string[] | null {
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

export function parsePageSize(raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > MAX_PAGE) {
    throw new GraphHttpError(400, 'Request_BadRequest', `Invalid page size specified: '${raw}'. Must be between 1 and ${MAX_PAGE} inclusive.`);
  }
  return n;
}

export const preferredPageSize = (req: IncomingMessage): number | undefined => {
  const m = /odata\.maxpagesize\s*=\s*(\d+)/i.exec(String(req.headers.prefer ?? ''));
  return m ? Math.min(Math.max(Number(m[1]), 1), MAX_PAGE) : undefined;
};

/** Opaque to clients, but stateless: list paging must survive expireDeltaTokens(). */
export interface ListCursor { offset: number; top: number; select: string[] | null; filter: string | null }
export const encodeCursor = (c: ListCursor): string => Buffer.from(JSON.stringify(c)).toString('base64url');
export function decodeCursor(token: string): ListCursor {
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

export function parseFilter(raw: string): Clause {
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
