/**
 * The audit trail's rules, pure: what changed between two versions of a record, whether a change is worth a write
 * at all, and what the audit keeps of it. Both store adapters (DynamoDB and in-memory) apply these, so the audit
 * reads the same whichever one wrote it.
 */
import type { Actor, AuditEntry } from './model.ts';

/** Bookkeeping, not register changes: the next date the sweep looks at a record is not audited. */
const IGNORED = new Set(['updatedAt', 'version', 'createdAt', 'nextCheckOn', 'nextActionOn']);

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * The fields that differ, each side holding only those fields. Keeping only the change (not the whole record)
 * keeps the audit readable and holds less personal data.
 */
export function diffFields(
  before: object | undefined,
  after: object | undefined,
): { before?: Record<string, unknown>; after?: Record<string, unknown>; changed: string[] } {
  const b = (before ?? {}) as Record<string, unknown>;
  const a = (after ?? {}) as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])].filter((k) => !IGNORED.has(k)).sort();
  const changed = keys.filter((k) => !same(b[k], a[k]));
  const pick = (o: Record<string, unknown>) => Object.fromEntries(changed.filter((k) => o[k] !== undefined).map((k) => [k, o[k]]));
  return {
    before: before ? pick(b) : undefined,
    after: after ? pick(a) : undefined,
    changed,
  };
}

/**
 * The audit keeps what happened, not more personal data than it needs: for people (whose records expire) and for
 * the free text of tasks (the leaver's name, the task's reason, a decision's reason), it records that a field
 * changed (or that a decision had a reason), not its value. Register fields (who an account is linked to, its
 * administrators and supervisors, its purpose) and who acted are kept: they are what the audit is for. The audit is
 * never reduced later (it is append-only, README "Least privilege"), so nothing that must expire may enter it.
 */
const PERSONAL_FIELDS: Partial<Record<AuditEntry['entityType'], ReadonlySet<string>>> = {
  person: new Set(['primaryEmail', 'addresses', 'displayName', 'employeeId', 'lineManagerEmail', 'directoryManagerEmail']),
  task: new Set(['subjectName', 'reason']),
  account_request: new Set(['requesterName']),
};
export const REDACTED = '(personal data not kept)';

/**
 * A task's decision is kept (what was decided, by whom, when, and a transfer's new address: register facts), but
 * its free-text reason (a "keep" justification, a closure request's note, why a task was cancelled) is not: it can
 * say anything about anyone, so the audit records only that there was one.
 */
function redactResolution(value: unknown): unknown {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return value;
  const resolution = value as Record<string, unknown>;
  return 'reason' in resolution && resolution.reason !== undefined ? { ...resolution, reason: REDACTED } : resolution;
}

/**
 * A request's steps: who decided what and when is kept (each person's decision is their own, on the record), but a
 * rejection's free-text reason is not, as for a task's decision. The request itself keeps it for the requester.
 */
function redactSteps(value: unknown): unknown {
  if (!Array.isArray(value)) return value;
  return value.map((step: unknown) => {
    if (!step || typeof step !== 'object') return step;
    const s = step as Record<string, unknown>;
    return s.decision ? { ...s, decision: redactResolution(s.decision) } : s;
  });
}

function redact(entityType: AuditEntry['entityType'], side: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  const fields = PERSONAL_FIELDS[entityType];
  if (!fields || !side) return side;
  return Object.fromEntries(Object.entries(side).map(([k, v]) => {
    if (fields.has(k)) return [k, REDACTED];
    if (entityType === 'task' && k === 'resolution') return [k, redactResolution(v)];
    if (entityType === 'account_request' && k === 'steps') return [k, redactSteps(v)];
    return [k, v];
  }));
}

/** What writing `after` over `before` amounts to: nothing, a bookkeeping write only, or a change to audit. */
export type Effect =
  | { kind: 'none' }
  | { kind: 'bookkeeping' }
  | { kind: 'audited'; before?: Record<string, unknown>; after?: Record<string, unknown> };

/**
 * A task's delivery claim (`pending` to `sending` with `claimedAt`, and back) is a lock taken around sending its
 * email, not a change to the task: it is written, but not audited. Recording who was told (`sentTo`), and that the
 * news went (`sent`), are audited.
 */
function withoutClaim(entityType: AuditEntry['entityType'], record: object | undefined): object | undefined {
  const delivery = entityType === 'task' ? (record as { delivery?: { state?: string; claimedAt?: string } } | undefined)?.delivery : undefined;
  if (!delivery) return record;
  const { claimedAt: _claimedAt, ...rest } = delivery;
  return { ...record, delivery: { ...rest, state: rest.state === 'sending' ? 'pending' : rest.state } };
}

export function effectOf(entityType: AuditEntry['entityType'], before: object | undefined, after: object | undefined): Effect {
  const changed = new Set(diffFields(withoutClaim(entityType, before), withoutClaim(entityType, after)).changed);
  const all = diffFields(before, after);
  const diff = { before: all.before && pickKeys(all.before, changed), after: all.after && pickKeys(all.after, changed), changed: all.changed.filter((k) => changed.has(k)) };
  if (diff.changed.length > 0 || !before || !after) {
    return { kind: 'audited', before: nonEmpty(redact(entityType, diff.before)), after: nonEmpty(redact(entityType, diff.after)) };
  }
  const strip = (o: object) => JSON.stringify({ ...o, updatedAt: undefined, version: undefined });
  return strip(before) !== strip(after) ? { kind: 'bookkeeping' } : { kind: 'none' };
}

function pickKeys(o: Record<string, unknown>, keys: ReadonlySet<string>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([k]) => keys.has(k)));
}

function nonEmpty(o: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  return o && Object.keys(o).length > 0 ? o : undefined;
}

/** The audit entry for an audited effect. */
export function auditEntry(
  effect: Extract<Effect, { kind: 'audited' }>,
  what: { action: string; entityType: AuditEntry['entityType']; entityId: string },
  actor: Actor,
  at: string,
  id: string,
): AuditEntry {
  return {
    id,
    at,
    by: actor.by,
    source: actor.source,
    action: what.action,
    entityType: what.entityType,
    entityId: what.entityId,
    ...(effect.before ? { before: effect.before } : {}),
    ...(effect.after ? { after: effect.after } : {}),
  };
}
