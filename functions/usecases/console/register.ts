/** `GET /register` and `GET /register/{accountId}`: the register as far as the viewer may see it. */
import type { Account, AuditEntry, Finding, School } from '../../domain/model.ts';
import { withFindings, type RegisterEntry } from '../../domain/register.ts';
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

/**
 * The rows of `custodian register list --json` (with findings) that the viewer may see and the filters keep. Only
 * what the viewer may see is read: a trust administrator's whole register (or one school's), an IT manager's schools'
 * accounts (`listAccounts({ school })`), and the accounts tied to anyone's addresses through the address index.
 */
export async function registerFor(deps: Deps, viewer: Viewer, filters: RegisterFilters = {}): Promise<RegisterEntry[]> {
  const [accounts, schools] = await Promise.all([visibleAccounts(deps, viewer, filters.school), deps.store.listSchools()]);
  const rows = await withRegisterFindings(deps, accounts, schools);
  const q = filters.q?.trim().toLowerCase();
  const names = new Map(schools.map((s) => [s.id, s.name.toLowerCase()]));
  return rows.filter((r) => canSeeAccount(viewer, r)
    && (!filters.status || r.status === filters.status)
    && (!filters.finding || r.findings.some((f) => f.code === filters.finding))
    && (!q || [r.handle, r.publishedName, r.school, names.get(r.school), r.linkedEmail].some((v) => v?.toLowerCase().includes(q))));
}

/** The accounts the viewer may see (in `school`, when given), read without listing the rest of the register. */
async function visibleAccounts(deps: Deps, viewer: Viewer, school: string | undefined): Promise<Account[]> {
  if (viewer.trustAdmin) return deps.store.listAccounts(school ? { school } : {});
  const managed = viewer.itManagerOf.filter((s) => !school || s === school);
  const [own, links] = await Promise.all([
    Promise.all(managed.map((s) => deps.store.listAccounts({ school: s }))),
    deps.store.linksForEmails(viewer.addresses),
  ]);
  const accounts = own.flat();
  const have = new Set(accounts.map((a) => a.id));
  // A removed administrator is no longer tied to the account (tiesOf): those links are not followed.
  const tied = [...new Set(links.filter((l) => l.role !== 'removed_admin').map((l) => l.accountId))].filter((id) => !have.has(id));
  const more = tied.length ? await deps.store.getAccounts(tied) : [];
  return [...accounts, ...more.filter((a) => !school || a.school === school)];
}

/** Up to this many linked addresses are looked up one by one; more, and every person is read once. */
const FEW_ADDRESSES = 10;

/** The accounts as `listRegister` lists them: with their findings, by school then id. */
export async function withRegisterFindings(deps: Deps, accounts: Account[], schools: School[]): Promise<RegisterEntry[]> {
  // Once the directory is connected, a linked email with no enabled account behind it is a finding (as listRegister).
  let inDirectory: ((email: string) => boolean) | undefined;
  if (accounts.length && (await deps.store.getDirectoryState())?.lastSyncAt) {
    const emails = [...new Set(accounts.map((a) => a.linkedEmail))];
    let enabled: Set<string>;
    if (emails.length <= FEW_ADDRESSES) {
      // A page of a few accounts (one account, a person's own): each address through the index, not every person.
      const people = await Promise.all(emails.map((e) => deps.store.findPerson([e])));
      enabled = new Set(emails.filter((e, i) => people[i]?.accountEnabled === true && people[i]!.addresses.includes(e)));
    } else {
      enabled = new Set((await deps.store.listPeople()).filter((p) => p.accountEnabled === true).flatMap((p) => p.addresses));
    }
    inDirectory = (email) => enabled.has(email);
  }
  return withFindings(accounts, schools, inDirectory).sort((a, b) => a.school.localeCompare(b.school) || a.id.localeCompare(b.id));
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
  const [school, open, audit] = await Promise.all([
    deps.store.getSchool(found.school),
    deps.store.listTasks('open'),
    deps.store.auditFor('account', id),
  ]);
  const account = (await withRegisterFindings(deps, [found], school ? [school] : []))[0]!;
  return {
    account,
    ...(school ? { school } : {}),
    findings: account.findings,
    openTasks: open.filter((t) => t.accountId === id && canSeeTask(viewer, t)).map(taskRow),
    history: audit.sort((a, b) => b.at.localeCompare(a.at) || b.id.localeCompare(a.id)),
    canChange: canChangeAccount(viewer, found),
  };
}
