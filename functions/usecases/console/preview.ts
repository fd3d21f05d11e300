/**
 * Previews for the console (an import, an edit): the real use case run on the real store, except that its commits
 * are kept here instead of written. The register import validates the whole file before its first write and reads
 * nothing after it, so what it would commit is exactly what the real run then commits. (The CLI's dry runs use
 * adapters/dry-run-store.ts, which also lets a use case read its own changes back; use cases may not import adapters.)
 */
import type { Change } from '../../domain/changes.ts';
import type { CommitResult, Store } from '../ports.ts';

export interface Held {
  /** A store that reads through to the real one and writes nothing. */
  store: Store;
  /** Each commit the use case made, in order. */
  commits: Change[][];
}

export function holdingCommits(real: Store): Held {
  const commits: Change[][] = [];
  const commit = async (changes: Change[]): Promise<CommitResult> => {
    commits.push(changes);
    return { applied: changes, audit: [] };
  };
  const store = new Proxy(real, {
    get(target, prop) {
      if (prop === 'commit') return commit;
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { store, commits };
}
