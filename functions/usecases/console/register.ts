/** `GET /register` and `GET /register/{accountId}`: the register as far as the viewer may see it. */
import type { AuditEntry, Finding, School } from '../../domain/model.ts';
import type { RegisterEntry } from '../../domain/register.ts';
import type { Deps } from '../deps.ts';
import { listRegister } from '../register.ts';
import { taskRow, type TaskRow } from './rows.ts';
import { canChangeAccount, canSeeAccount, canSeeTask, refuse, type Viewer } from './viewer.ts';

export interface RegisterFilters {
  school?: string;
  status?: string;
  /** A finding code (`fewer_than_two_admins`, `linked_email_off_domain`, …). */
  finding?: string;
  /** Text found, in any case, in the handle, published name, school (id or name) or linked email. */
  q?: string;
}

/** The rows of `custodian register list --json` (with findings) that the viewer may see and the filters keep. */
export async function registerFor(deps: Deps, viewer: Viewer, filters: RegisterFilters = {}): Promise<RegisterEntry[]> {
  const [rows, schools] = await Promise.all([
    listRegister(deps.store, { ...(filters.school ? { school: filters.school } : {}) }),
    filters.q ? deps.store.listSchools() : Promise.resolve([] as School[]),
  ]);
  const q = filters.q?.trim().toLowerCase();
  const names = new Map(schools.map((s) => [s.id, s.name.toLowerCase()]));
  return rows.filter((r) => canSeeAccount(viewer, r)
    && (!filters.status || r.status === filters.status)
    && (!filters.finding || r.findings.some((f) => f.code === filters.finding))
    && (!q || [r.handle, r.publishedName, r.school, names.get(r.school), r.linkedEmail].some((v) => v?.toLowerCase().includes(q))));
}

export interface AccountView {
  account: RegisterEntry;
  school?: School;
  findings: Finding[];
  /** Its open tasks that the viewer may see. */
  openTasks: TaskRow[];
  /** The account's audit entries, newest first. */
  history: AuditEntry[];
  /** Whether the viewer may edit it (POST /register/{accountId}). */
  canChange: boolean;
}

/** `platform:handle` in lower case without `@`, as `custodian audit --account` takes it. */
export function normaliseAccountId(id: string): string {
  return id.trim().toLowerCase().replace(/:@+/, ':');
}

/** One account, its open tasks and its history. Forbidden unless the viewer may see it. */
export async function accountFor(deps: Deps, viewer: Viewer, accountId: string): Promise<AccountView> {
  const id = normaliseAccountId(accountId);
  const found = await deps.store.getAccount(id);
  if (!found || !canSeeAccount(viewer, found)) throw refuse(viewer, !!found, `account ${id}`);
  const [rows, school, open, audit] = await Promise.all([
    listRegister(deps.store, { school: found.school }),
    deps.store.getSchool(found.school),
    deps.store.listTasks('open'),
    deps.store.auditFor('account', id),
  ]);
  const account = rows.find((r) => r.id === id) ?? { ...found, findings: [] };
  return {
    account,
    ...(school ? { school } : {}),
    findings: account.findings,
    openTasks: open.filter((t) => t.accountId === id && canSeeTask(viewer, t)).map(taskRow),
    history: audit.sort((a, b) => b.at.localeCompare(a.at) || b.id.localeCompare(a.id)),
    canChange: canChangeAccount(viewer, found),
  };
}
