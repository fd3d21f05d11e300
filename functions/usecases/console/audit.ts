/**
 * `GET /audit` and `GET /audit.csv`: the history, as `custodian audit --json` gives it, limited to what the viewer may
 * see. Trust administrators see every entry; a school's IT managers see the entries about their schools, their
 * accounts, tasks and policies; everyone sees the entries about the accounts tied to them and the tasks they may see
 * (assigned to them). Entries about people are for trust administrators only.
 */
import { stringify } from 'csv-stringify/sync';
import { parseDate, type Account, type AuditEntry, type IsoDate } from '../../domain/model.ts';
import { protectCell } from '../../domain/register-csv.ts';
import type { Task } from '../../domain/tasks.ts';
import type { Deps } from '../deps.ts';
import { normaliseAccountId } from './register.ts';
import { readAudit } from './rows.ts';
import { canSeeAccount, canSeeTask, Forbidden, Invalid, managesSchool, tiesOf, type Viewer } from './viewer.ts';

export interface AuditFilters {
  /** One account's whole history (its id, `platform:handle`). */
  account?: string;
  /** Entries from this date (YYYY-MM-DD); default 90 days ago. Ignored with `account`, as by the CLI. */
  since?: string;
}

export async function auditFor(deps: Deps, viewer: Viewer, filters: AuditFilters = {}): Promise<AuditEntry[]> {
  let since: IsoDate | undefined;
  if (filters.since) {
    since = /^\d{4}-\d{2}-\d{2}$/.test(filters.since) ? parseDate(filters.since) : undefined;
    if (!since) throw new Invalid('since must be a date, YYYY-MM-DD');
  }
  if (filters.account) {
    const id = normaliseAccountId(filters.account);
    if (!viewer.trustAdmin) {
      const account = await deps.store.getAccount(id);
      if (!account || !canSeeAccount(viewer, account)) throw new Forbidden(`you do not have access to the history of account ${id}`);
    }
    return readAudit(deps.store, { account: id }, deps.clock());
  }
  const entries = await readAudit(deps.store, { ...(since ? { since } : {}) }, deps.clock());
  if (viewer.trustAdmin) return entries;
  return entries.filter(await visibility(deps, viewer, entries));
}

/** Which of these entries the viewer may see, from the records they are about as they stand. */
async function visibility(deps: Deps, viewer: Viewer, entries: AuditEntry[]): Promise<(e: AuditEntry) => boolean> {
  const ids = (type: AuditEntry['entityType']) => [...new Set(entries.filter((e) => e.entityType === type).map((e) => e.entityId))];
  const tasks = new Map<string, Task>((await deps.store.getTasks(ids('task'))).map((t) => [t.id, t]));
  const accountIds = [...new Set([...ids('account'), ...[...tasks.values()].flatMap((t) => (t.accountId ? [t.accountId] : []))])];
  const accounts = new Map<string, Account>((await deps.store.getAccounts(accountIds)).map((a) => [a.id, a]));
  const policies = ids('policy').length > 0 ? new Map((await deps.store.listPolicies()).map((p) => [p.id, p])) : new Map();
  const accountVisible = (id: string | undefined) => {
    const a = id ? accounts.get(id) : undefined;
    return !!a && (managesSchool(viewer, a.school) || tiesOf(viewer, a).length > 0);
  };
  return (e) => {
    switch (e.entityType) {
      case 'account': return accountVisible(e.entityId);
      case 'task': {
        const t = tasks.get(e.entityId);
        if (!t) return false;
        return canSeeTask(viewer, t) || managesSchool(viewer, t.accountId ? accounts.get(t.accountId)?.school : undefined);
      }
      case 'policy': return managesSchool(viewer, policies.get(e.entityId)?.school);
      case 'school': return managesSchool(viewer, e.entityId);
      case 'person': return false;
      default: return false;
    }
  };
}

const CSV_COLUMNS = ['at', 'by', 'source', 'action', 'entity_type', 'entity_id', 'before', 'after'] as const;

/**
 * The same entries as a CSV download: one row each, the changed fields as JSON, and every cell that a spreadsheet would
 * read as a formula written with a leading `'` (as the register export does).
 */
export async function auditCsv(deps: Deps, viewer: Viewer, filters: AuditFilters = {}): Promise<string> {
  const entries = await auditFor(deps, viewer, filters);
  const json = (v: Record<string, unknown> | undefined) => (v === undefined ? '' : JSON.stringify(v));
  const rows = entries.map((e) => [e.at, e.by, e.source, e.action, e.entityType, e.entityId, json(e.before), json(e.after)].map(protectCell));
  return stringify([[...CSV_COLUMNS], ...rows], { record_delimiter: '\r\n', bom: true });
}
