/**
 * The user directory: the users as they are now, the ones that have gone (and how), and a log of
 * which user changed when. Delta is answered from that log ("user X changed at seq N"); the user's
 * state at answer time is what gets sent.
 */
import { randomUUID } from 'node:crypto';
import { GraphHttpError, LOG, notFoundUser } from './http.ts';
import { bareAddress, clone, patchSchema, userSchema } from './users.ts';
import type { EmulatorUser } from './types.ts';

/**
 * What Graph would see change: everything but the app-role assignments, which live on the app's service
 * principal in Entra and so neither show in delta nor notify as a change to the user.
 */
const graphState = ({ appRoles: _roles, ...rest }: EmulatorUser): string => JSON.stringify(rest);

export type Gone = 'soft' | 'hard';
export type ChangeType = 'updated' | 'deleted';
/** Told of every recorded change, with the sequence number it was recorded under. */
export type ChangeListener = (id: string, changeType: ChangeType, seq: number) => Promise<void>;

export class Directory {
  private readonly live = new Map<string, EmulatorUser>();
  private readonly gone = new Map<string, Gone>();
  private currentSeq = 0;
  private readonly changeLog: Array<{ seq: number; id: string }> = [];

  constructor(
    users: EmulatorUser[],
    private readonly onChange: ChangeListener,
  ) {
    for (const u of users) {
      if (this.live.has(u.id)) throw new Error(`${LOG} duplicate user id in fixture: ${u.id}`);
      this.live.set(u.id, clone(u));
    }
  }

  /** The sequence number of the latest change (0 before any). */
  get seq(): number {
    return this.currentSeq;
  }

  /** Copies, safe to hand out. */
  users(): EmulatorUser[] {
    return [...this.live.values()].map(clone);
  }

  /** The live records themselves, in insertion order: for read-only views. */
  all(): EmulatorUser[] {
    return [...this.live.values()];
  }

  get(id: string): EmulatorUser | undefined {
    return this.live.get(id);
  }

  has(id: string): boolean {
    return this.live.has(id);
  }

  /** How a user that is no longer live went: soft delete, permanent delete, or undefined. */
  removal(id: string): Gone | undefined {
    return this.gone.get(id);
  }

  /** Users changed after `seq`, each once, ordered by their latest change. */
  changedSince(seq: number): string[] {
    const lastChange = new Map<string, number>();
    for (const c of this.changeLog) if (c.seq > seq) lastChange.set(c.id, c.seq);
    return [...lastChange.entries()].sort((a, b) => a[1] - b[1]).map(([id]) => id);
  }

  /** By id or userPrincipalName only, as Graph does: an alias needs $filter on proxyAddresses. */
  byKey(key: string): EmulatorUser {
    const lower = key.toLowerCase();
    const u = this.live.get(key) ?? [...this.live.values()].find((x) => x.id.toLowerCase() === lower || x.userPrincipalName.toLowerCase() === lower);
    if (!u) throw notFoundUser(key);
    return u;
  }

  async update(idOrAddress: string, patch: Partial<EmulatorUser>): Promise<EmulatorUser> {
    const u = this.mustFind(idOrAddress);
    const { id: _ignored, ...rest } = patch;
    const parsed = patchSchema.safeParse(rest);
    if (!parsed.success) throw new GraphHttpError(400, 'Request_BadRequest', `Invalid user patch: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    if (parsed.data.userPrincipalName) this.assertUniqueUpn(parsed.data.userPrincipalName, u.id);
    const before = graphState(u);
    Object.assign(u, parsed.data);
    if (graphState(u) !== before) await this.recordChange(u.id, 'updated');
    return clone(u);
  }

  async disable(idOrAddress: string): Promise<EmulatorUser> {
    return this.update(idOrAddress, { accountEnabled: false });
  }

  async delete(idOrAddress: string, delOpts: { permanent?: boolean } = {}): Promise<void> {
    const u = this.mustFind(idOrAddress);
    this.live.delete(u.id);
    this.gone.set(u.id, delOpts.permanent ? 'hard' : 'soft');
    // Per the subscription docs: users notify "updated" for soft delete, "deleted" only when permanent.
    await this.recordChange(u.id, delOpts.permanent ? 'deleted' : 'updated');
  }

  async add(user: Omit<EmulatorUser, 'id'> & { id?: string }): Promise<EmulatorUser> {
    const parsed = userSchema.safeParse({ ...user, id: user.id ?? randomUUID() });
    if (!parsed.success) throw new GraphHttpError(400, 'Request_BadRequest', `Invalid user: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    const u = parsed.data;
    if (this.live.has(u.id) || this.gone.get(u.id) === 'soft') {
      throw new GraphHttpError(400, 'Request_BadRequest', `Another object with the same id already exists.`);
    }
    this.assertUniqueUpn(u.userPrincipalName);
    this.gone.delete(u.id);
    this.live.set(u.id, clone(u));
    await this.recordChange(u.id, 'updated');
    return clone(u);
  }

  /** The admin side is lenient: id, userPrincipalName, mail or any proxy address. */
  private find(idOrAddress: string): EmulatorUser | undefined {
    const byId = this.live.get(idOrAddress);
    if (byId) return byId;
    const key = bareAddress(idOrAddress);
    for (const u of this.live.values()) {
      if (u.userPrincipalName.toLowerCase() === key || u.mail?.toLowerCase() === key) return u;
    }
    for (const u of this.live.values()) {
      if (u.proxyAddresses.some((a) => bareAddress(a) === key)) return u;
    }
    return undefined;
  }

  private mustFind(idOrAddress: string): EmulatorUser {
    const u = this.find(idOrAddress);
    if (!u) throw new GraphHttpError(404, 'Request_ResourceNotFound', `No user matches '${idOrAddress}'.`);
    return u;
  }

  private assertUniqueUpn(upn: string, exceptId?: string): void {
    for (const other of this.live.values()) {
      if (other.id !== exceptId && other.userPrincipalName.toLowerCase() === upn.toLowerCase()) {
        throw new GraphHttpError(400, 'Request_BadRequest', 'Another object with the same value for property userPrincipalName already exists.');
      }
    }
  }

  private async recordChange(id: string, changeType: ChangeType): Promise<void> {
    this.currentSeq += 1;
    this.changeLog.push({ seq: this.currentSeq, id });
    await this.onChange(id, changeType, this.currentSeq);
  }
}
