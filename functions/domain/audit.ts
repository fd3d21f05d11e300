/** Pure helpers for the audit trail: what changed between two versions of a record. */

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
