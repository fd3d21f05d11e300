/** The trust's schools: their names, IT managers and email domains. */
import type { Actor, School } from '../domain/model.ts';
import type { Store } from './ports.ts';

/** Adds or updates a school; says what happened. */
export async function putSchool(store: Store, school: School, actor: Actor): Promise<'created' | 'updated' | 'unchanged'> {
  const before = await store.getSchool(school.id);
  const { applied } = await store.commit([{ kind: 'school', action: before ? 'school.updated' : 'school.created', ...(before ? { before } : {}), after: school }], actor);
  if (applied.length === 0) return 'unchanged';
  return before ? 'updated' : 'created';
}
