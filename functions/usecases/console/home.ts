/** `GET /`: my open tasks and every account tied to me, with how. */
import type { RegisterEntry } from '../../domain/register.ts';
import type { Deps } from '../deps.ts';
import { withRegisterFindings } from './register.ts';
import { taskRow, type TaskRow } from './rows.ts';
import { isViewer, tiesOf, type TieRole, type Viewer } from './viewer.ts';

export interface Home {
  /** Open tasks assigned to the viewer (and their own policy acknowledgement), soonest due first. */
  tasks: TaskRow[];
  /** Every account tied to the viewer, whatever their role otherwise, in the register's order (by school, then id). */
  accounts: Array<{ account: RegisterEntry; roles: TieRole[] }>;
}

export async function homeFor(deps: Deps, viewer: Viewer): Promise<Home> {
  const [open, links, schools] = await Promise.all([deps.store.listTasks('open'), deps.store.linksForEmails(viewer.addresses), deps.store.listSchools()]);
  const tasks = open
    .filter((t) => t.assignees.some((a) => isViewer(viewer, a)) || (t.type === 'acknowledge_policy' && isViewer(viewer, t.subjectEmail)))
    .map(taskRow);
  // Through the address index, which is keyed by mailbox: every address of the viewer's (their aliases) finds the
  // accounts tied to it, `+tag`s included (`jo@` finds `jo+social@`), without reading the rest of the register. The
  // roles are worked out from each account itself (tiesOf), so a removed administrator's link ties nobody.
  const ids = [...new Set(links.filter((l) => l.role !== 'removed_admin').map((l) => l.accountId))];
  const tied = ids.length ? await withRegisterFindings(deps, await deps.store.getAccounts(ids), schools) : [];
  const accounts = tied.flatMap((account) => {
    const roles = tiesOf(viewer, account);
    return roles.length > 0 ? [{ account, roles }] : [];
  });
  return { tasks, accounts };
}
