/**
 * The rows the lists show, shared by the CLI's `--json` output and the console's JSON answers (contracts section 8:
 * "the same array as the CLI's --json"), so the two cannot drift. The register's rows are `listRegister`'s
 * (usecases/register.ts).
 */
import type { AuditEntry, IsoDate, Policy } from '../../domain/model.ts';
import type { Resolution, Task } from '../../domain/tasks.ts';
import type { Store } from '../ports.ts';

/** `custodian tasks list --json`: one task. */
export type TaskRow = {
  id: string;
  type: Task['type'];
  status: Task['status'];
  accountId: string | null;
  platform: string | null;
  handle: string | null;
  subjectEmail: string;
  dueDate: IsoDate;
  assignees: string[];
  resolution?: Resolution;
};

export function taskRow(t: Task): TaskRow {
  return {
    id: t.id, type: t.type, status: t.status, accountId: t.accountId ?? null, platform: t.platform ?? null, handle: t.handle ?? null,
    subjectEmail: t.subjectEmail, dueDate: t.dueDate, assignees: t.assignees, ...(t.resolution ? { resolution: t.resolution } : {}),
  };
}

/** `custodian policies list --json`: a policy without the sweep's bookkeeping. */
export type PolicyRow = Omit<Policy, 'nextCheckOn'>;

/** The policies as `custodian policies list` shows them: soonest review first. */
export function policyRows(policies: Policy[]): PolicyRow[] {
  return policies.map(({ nextCheckOn: _n, ...p }) => p).sort((a, b) => a.nextReviewDate.localeCompare(b.nextReviewDate));
}

/** Audit entries from 90 days before `now` unless a start date is given. */
export const DEFAULT_AUDIT_DAYS = 90;

/**
 * `custodian audit --json`: one account's whole history (`account`), or every entry from `since` (default 90 days
 * before `now`), oldest first.
 */
export async function readAudit(store: Store, filter: { account?: string; since?: IsoDate }, now: Date): Promise<AuditEntry[]> {
  const since = filter.since ?? new Date(now.getTime() - DEFAULT_AUDIT_DAYS * 86_400_000).toISOString().slice(0, 10);
  const entries = filter.account ? await store.auditFor('account', filter.account.toLowerCase()) : await store.auditSince(since);
  entries.sort((a, b) => a.at.localeCompare(b.at) || a.id.localeCompare(b.id));
  return entries;
}
