/** The fixture file: loading it, and turning later edits of it into directory changes. */
import { readFileSync, unwatchFile, watchFile, type Stats } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { errorName, LOG } from './http.ts';
import { userSchema } from './users.ts';
import type { Directory } from './directory.ts';
import type { EmulatorUser } from './types.ts';

export const DEFAULT_FIXTURE = fileURLToPath(new URL('../../../samples/directory.json', import.meta.url));

const fixtureSchema = z.object({ tenantId: z.string().optional(), users: z.array(userSchema) });

export function loadFixture(path: string): { tenantId?: string; users: EmulatorUser[] } {
  const parsed = fixtureSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success) {
    throw new Error(`${LOG} invalid fixture ${path}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  const out: { tenantId?: string; users: EmulatorUser[] } = { users: parsed.data.users };
  if (parsed.data.tenantId) out.tenantId = parsed.data.tenantId;
  return out;
}

/**
 * Re-reads the fixture whenever it changes on disk and applies the difference from the previous
 * version (starting with `loaded`) to the directory, so edits notify like any other change.
 * Returns the function that stops watching.
 */
export function watchFixture(path: string, loaded: EmulatorUser[], directory: Directory): () => void {
  let previous = new Map(loaded.map((u) => [u.id, u]));
  let chain = Promise.resolve();
  const onChange = (curr: Stats, prev: Stats) => {
    if (curr.mtimeMs === prev.mtimeMs && curr.size === prev.size) return;
    chain = chain.then(async () => {
      let next: Map<string, EmulatorUser>;
      try {
        next = new Map(loadFixture(path).users.map((u) => [u.id, u]));
      } catch (err) {
        // Editors save in several steps; the next complete write triggers another reload.
        console.warn(`${LOG} fixture not reloaded: ${err instanceof Error ? err.message.split('\n')[0] : 'unreadable'}`);
        return;
      }
      for (const [id, u] of next) {
        const before = previous.get(id);
        if (before && JSON.stringify(before) === JSON.stringify(u)) continue;
        // A field dropped from the file is a field cleared, not a field left as it was.
        const replacement = { givenName: undefined, surname: undefined, jobTitle: null, department: null, managerId: null, appRoles: undefined, ...u };
        await (directory.has(id) ? directory.update(id, replacement) : directory.add(u)).catch((err: unknown) =>
          console.warn(`${LOG} fixture change for user ${id} not applied: ${errorName(err)}`),
        );
      }
      for (const id of previous.keys()) {
        if (!next.has(id) && directory.has(id)) await directory.delete(id);
      }
      previous = next;
    });
  };
  watchFile(path, { interval: 200, persistent: false }, onChange);
  return () => unwatchFile(path, onChange);
}
