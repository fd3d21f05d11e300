/**
 * The users delta query. A delta token remembers the change-log position (and $select) it was
 * issued at; a skip token remembers one page of a response already computed.
 */
import type { IncomingMessage } from 'node:http';
import { randomBytes } from 'node:crypto';
import { GraphHttpError } from './http.ts';
import { parseSelect, preferredPageSize } from './query.ts';
import { project } from './users.ts';
import type { Directory } from './directory.ts';
import type { Site } from './types.ts';

const DEFAULT_DELTA_PAGE = 50;

interface DeltaState { seq: number; select: string[] | null }
interface DeltaSession { items: Record<string, unknown>[]; seq: number; select: string[] | null; pageSize: number }

const newToken = (): string => randomBytes(24).toString('base64url');

/** Echoes an honoured `Prefer: odata.maxpagesize`, as Graph does. */
export function deltaHeaders(req: IncomingMessage): Record<string, string> {
  const n = preferredPageSize(req);
  return n ? { 'preference-applied': `odata.maxpagesize=${n}` } : {};
}

export class DeltaFeed {
  private readonly tokens = new Map<string, DeltaState>();
  private readonly pages = new Map<string, { session: DeltaSession; offset: number }>();

  constructor(
    private readonly directory: Directory,
    private readonly site: Site,
  ) {}

  /** GET /users/delta: a full sync, a page of one, or the changes since a delta token. */
  respond(q: Map<string, string>, req: IncomingMessage): unknown {
    const prefer = preferredPageSize(req);
    const skip = q.get('skiptoken');
    if (skip !== undefined) {
      const state = this.pages.get(skip);
      if (!state) throw this.syncStateGone();
      return this.page(state.session, state.offset, prefer ?? state.session.pageSize);
    }
    const deltaToken = q.get('deltatoken');
    const pageSize = prefer ?? DEFAULT_DELTA_PAGE;
    const seq = this.directory.seq;
    if (deltaToken === 'latest') {
      return this.page({ items: [], seq, select: parseSelect(q.get('select'), true), pageSize }, 0, pageSize);
    }
    if (deltaToken !== undefined) {
      const state = this.tokens.get(deltaToken);
      if (!state) throw this.syncStateGone();
      const items = this.directory.changedSince(state.seq).map((id) => this.item(id, state.select));
      return this.page({ items, seq, select: state.select, pageSize }, 0, pageSize);
    }
    const select = parseSelect(q.get('select'), true);
    const items = this.directory.all().map((u) => project(u, select, { forceId: true }));
    return this.page({ items, seq, select, pageSize }, 0, pageSize);
  }

  /** Forget every token issued so far: their next use gets 410 syncStateNotFound. */
  expire(): void {
    this.tokens.clear();
    this.pages.clear();
  }

  private item(id: string, select: string[] | null): Record<string, unknown> {
    const u = this.directory.get(id);
    if (u) return project(u, select, { forceId: true });
    return { id, '@removed': { reason: this.directory.removal(id) === 'hard' ? 'deleted' : 'changed' } };
  }

  private page(session: DeltaSession, offset: number, pageSize: number): unknown {
    const baseUrl = this.site.baseUrl;
    const page = session.items.slice(offset, offset + pageSize);
    const body: Record<string, unknown> = { '@odata.context': `${baseUrl}/v1.0/$metadata#users${session.select ? `(${session.select.join(',')})` : ''}` };
    if (offset + pageSize < session.items.length) {
      const skip = newToken();
      this.pages.set(skip, { session, offset: offset + pageSize });
      body['@odata.nextLink'] = `${baseUrl}/v1.0/users/delta?$skiptoken=${skip}`;
    } else {
      const delta = newToken();
      this.tokens.set(delta, { seq: session.seq, select: session.select });
      body['@odata.deltaLink'] = `${baseUrl}/v1.0/users/delta?$deltatoken=${delta}`;
    }
    body.value = page;
    return body;
  }

  private syncStateGone(): GraphHttpError {
    return new GraphHttpError(410, 'syncStateNotFound', 'The sync state generation is not found. The delta token is expired and data must be synchronized again.', {
      location: `${this.site.baseUrl}/v1.0/users/delta`,
    });
  }
}
