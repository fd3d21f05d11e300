/**
 * Register import, export and listing. Import validates the whole file before writing anything, then writes
 * each changed account together with its audit entry in one transaction (several accounts may share one). An interrupted import can be run again:
 * rows already written are unchanged and are skipped.
 */
import { applyRow, changedFields, fieldsOf, withFindings, type RegisterEntry } from '../domain/register.ts';
import { parseRegisterCsv, registerToCsv, type RowError } from '../domain/register-csv.ts';
import { type Change } from '../domain/changes.ts';
import { accountChange } from '../domain/scheduled-changes.ts';
import { accountId, mailboxOf, type Account, type AccountFields, type AccountStatus, type Actor } from '../domain/model.ts';
import { londonDate } from '../domain/working-days.ts';
import { CommitTooLargeError, ConflictError, type Store } from './ports.ts';

export interface ImportChange {
  line: number;
  accountId: string;
  kind: 'created' | 'updated' | 'unchanged';
  fields: string[];
}

export type ImportResult =
  | { ok: true; created: number; updated: number; unchanged: number; changes: ImportChange[] }
  | { ok: false; errors: RowError[] };

export interface ImportOptions {
  /** The clock: when the import happens (each account's next check date is counted from it). */
  now: Date;
  actor: Actor;
  /** Called as accounts are written: (done, total). */
  onProgress?: (done: number, total: number) => void;
  concurrency?: number;
}

/**
 * A dry run is this same function on a store that keeps the changes instead of writing them (adapters/dry-run-store.ts).
 */
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
  const today = londonDate(options.now);
  for (const row of parsed.rows) {
    // A future date would tell the neglect check the account is in use until then, whoever typed it.
    if (row.lastActivityDate && row.lastActivityDate > today) {
      errors.push({ line: row.line, reason: `last_activity_date: ${row.lastActivityDate} is in the future; record activity once it has happened` });
    }
  }
  const existing = new Map((await store.listAccounts()).map((a) => [a.id, a]));
  errors.push(...(await leaverRows(store, parsed.rows, existing)));
  if (errors.length > 0) return { ok: false, errors: errors.sort((a, b) => a.line - b.line) };

  const now = options.now.toISOString();
  const changes: ImportChange[] = [];
  const pending: Change[] = [];
  for (const { line, ...row } of parsed.rows) {
    const before = existing.get(applyRow(undefined, row, now).id);
    const fields = before ? changedFields(before, row) : Object.keys(fieldsOf(row));
    const kind = !before ? 'created' : fields.length > 0 ? 'updated' : 'unchanged';
    const after = applyRow(before, row, now);
    changes.push({ line, accountId: after.id, kind, fields: kind === 'unchanged' ? [] : fields });
    if (kind !== 'unchanged') pending.push(accountChange(before, after, before ? 'account.updated' : 'account.created', today));
  }
  const tally = (k: ImportChange['kind']) => changes.filter((c) => c.kind === k).length;
  const result = { ok: true as const, created: tally('created'), updated: tally('updated'), unchanged: tally('unchanged'), changes };

  // Several accounts' changes share one commit (each still with its own audit entry): far fewer round trips than
  // one per account. Each account stands alone, so a group too large for one commit is halved, and a group that
  // meets a concurrent change is retried one account at a time, so only the account that really changed fails.
  let written = 0;
  const commitGroup = async (group: Change[]): Promise<void> => {
    try {
      await store.commit(group, options.actor);
    } catch (err) {
      if (group.length === 1) throw err;
      if (err instanceof CommitTooLargeError) {
        const half = Math.ceil(group.length / 2);
        await commitGroup(group.slice(0, half));
        await commitGroup(group.slice(half));
        return;
      }
      if (!(err instanceof ConflictError)) throw err;
      for (const one of group) await store.commit([one], options.actor);
    }
  };
  const groups: Change[][] = [];
  for (let i = 0; i < pending.length; i += ACCOUNTS_PER_COMMIT) groups.push(pending.slice(i, i + ACCOUNTS_PER_COMMIT));
  await runLimited(groups.map((group) => async () => {
    await commitGroup(group);
    written += group.length;
    options.onProgress?.(written, pending.length);
  }), options.concurrency ?? 8);
  return result;
}

/** About what one DynamoDB transaction holds for new accounts with their links and audit entries. */
const ACCOUNTS_PER_COMMIT = 12;

/**
 * A row may not make someone Custodian knows is leaving (or has left) the linked email, an administrator or a
 * supervisor (contracts section 4): an old spreadsheet must not undo the lifecycle. A role the account already
 * gives them (a transfer still pending, say) is the register as it stands, not something the row makes.
 */
async function leaverRows(store: Store, rows: Array<AccountFields & { line: number }>, existing: Map<string, Account>): Promise<RowError[]> {
  const leavers = new Set((await store.listPeople()).filter((p) => p.status !== 'active').flatMap((p) => p.addresses.map(mailboxOf)));
  if (leavers.size === 0) return [];
  const errors: RowError[] = [];
  for (const row of rows) {
    const before = existing.get(accountId(row.platform, row.handle));
    const roles: Array<[string, string | undefined, Array<string | undefined>]> = [
      ['linked_email', row.linkedEmail, [before?.linkedEmail]],
      ...row.admins.map((a): [string, string, string[]] => ['admins', a, before?.admins ?? []]),
      ['main_supervisor', row.mainSupervisor, [before?.mainSupervisor]],
      ['reserve_supervisor', row.reserveSupervisor, [before?.reserveSupervisor]],
    ];
    for (const [column, email, had] of roles) {
      if (!email || !leavers.has(mailboxOf(email)) || had.includes(email)) continue;
      errors.push({ line: row.line, reason: `${column}: ${email} is leaving or has left; name a continuing member of staff` });
    }
  }
  return errors;
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
