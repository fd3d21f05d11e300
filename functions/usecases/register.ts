/**
 * Register import, export and listing. Import validates the whole file before writing anything, then writes
 * each changed account together with its audit entry in one transaction (several accounts may share one). An interrupted import can be run again:
 * rows already written are unchanged and are skipped.
 */
import { applyRow, changedFields, fieldsOf, withFindings, type RegisterEntry } from '../domain/register.ts';
import { parseRegisterCsv, registerToCsv, type RowError } from '../domain/register-csv.ts';
import type { AccountStatus, Actor } from '../domain/model.ts';
import { ConflictError, type Store, type TransactItem } from '../adapters/store.ts';

export interface ImportChange {
  line: number;
  accountId: string;
  kind: 'created' | 'updated' | 'unchanged';
  fields: string[];
}

export type ImportResult =
  | { ok: true; dryRun: boolean; created: number; updated: number; unchanged: number; changes: ImportChange[] }
  | { ok: false; errors: RowError[] };

export interface ImportOptions {
  dryRun?: boolean;
  actor: Actor;
  /** Called as accounts are written: (done, total). */
  onProgress?: (done: number, total: number) => void;
  concurrency?: number;
}

export async function importRegister(store: Store, csv: string | Buffer, options: ImportOptions): Promise<ImportResult> {
  const parsed = parseRegisterCsv(csv);
  if (!parsed.ok) return parsed;

  const schools = new Map((await store.listSchools()).map((s) => [s.id, s]));
  const errors: RowError[] = [];
  for (const row of parsed.rows) {
    if (!schools.has(row.school)) {
      errors.push({ line: row.line, reason: `school: "${row.school}" is not set up (add it first with: custodian schools set ${row.school} ...)` });
    }
  }
  if (errors.length > 0) return { ok: false, errors };

  const existing = new Map((await store.listAccounts()).map((a) => [a.id, a]));
  const now = store.now().toISOString();
  const changes: ImportChange[] = [];
  const pending: TransactItem[][] = [];
  for (const { line, ...row } of parsed.rows) {
    const before = existing.get(applyRow(undefined, row, now).id);
    const fields = before ? changedFields(before, row) : Object.keys(fieldsOf(row));
    const kind = !before ? 'created' : fields.length > 0 ? 'updated' : 'unchanged';
    const after = applyRow(before, row, now);
    changes.push({ line, accountId: after.id, kind, fields: kind === 'unchanged' ? [] : fields });
    if (kind !== 'unchanged') pending.push(store.accountChange(before, after, options.actor, before ? 'account.updated' : 'account.created'));
  }
  const tally = (k: ImportChange['kind']) => changes.filter((c) => c.kind === k).length;
  const result = { ok: true as const, dryRun: !!options.dryRun, created: tally('created'), updated: tally('updated'), unchanged: tally('unchanged'), changes };
  if (options.dryRun) return result;

  // Several accounts' changes share one transaction (each still with its own audit entry): far fewer round trips
  // than one transaction per account. A group that meets a concurrent change is retried one account at a time,
  // so only the account that really changed meanwhile fails.
  const groups = packTransactions(pending);
  let written = 0;
  await runLimited(groups.map((group) => async () => {
    try {
      await store.transact(group.flat());
    } catch (err) {
      if (!(err instanceof ConflictError) || group.length === 1) throw err;
      for (const one of group) await store.transact(one);
    }
    written += group.length;
    options.onProgress?.(written, pending.length);
  }), options.concurrency ?? 8);
  return result;
}

/** Packs per-account item lists into transactions of at most 100 items. */
function packTransactions(changes: TransactItem[][]): TransactItem[][][] {
  const groups: TransactItem[][][] = [];
  let current: TransactItem[][] = [];
  let size = 0;
  for (const change of changes) {
    if (size + change.length > 100 && current.length > 0) {
      groups.push(current);
      current = [];
      size = 0;
    }
    current.push(change);
    size += change.length;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

/** Runs tasks with at most `limit` in flight; the first failure stops new work and is thrown. */
async function runLimited(tasks: Array<() => Promise<unknown>>, limit: number): Promise<void> {
  let next = 0;
  let failed: { error: unknown } | undefined;
  const worker = async () => {
    while (next < tasks.length && !failed) {
      const task = tasks[next++]!;
      try {
        await task();
      } catch (error) {
        failed ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  if (failed) throw failed.error;
}

export async function exportRegister(store: Store): Promise<string> {
  const accounts = await store.listAccounts();
  accounts.sort((a, b) => a.school.localeCompare(b.school) || a.id.localeCompare(b.id));
  return registerToCsv(accounts.map(fieldsOf));
}

export async function listRegister(store: Store, filter: { school?: string; status?: AccountStatus } = {}): Promise<RegisterEntry[]> {
  const [accounts, schools, directoryState] = await Promise.all([store.listAccounts({ school: filter.school }), store.listSchools(), store.getDirectoryState()]);
  // Once the directory is connected, a linked email with no enabled account behind it is a finding.
  let inDirectory: ((email: string) => boolean) | undefined;
  if (directoryState?.lastSyncAt) {
    const enabled = new Set((await store.listPeople()).filter((p) => p.accountEnabled === true).flatMap((p) => p.addresses));
    inDirectory = (email) => enabled.has(email);
  }
  const entries = withFindings(accounts, schools, inDirectory).filter((a) => !filter.status || a.status === filter.status);
  return entries.sort((a, b) => a.school.localeCompare(b.school) || a.id.localeCompare(b.id));
}
