/** `GET /`: my open tasks and every account tied to me, with how. */
import type { RegisterEntry } from '../../domain/register.ts';
import type { Deps } from '../deps.ts';
import { listRegister } from '../register.ts';
import { taskRow, type TaskRow } from './rows.ts';
import { isViewer, tiesOf, type TieRole, type Viewer } from './viewer.ts';

export interface Home {
  /** Open tasks assigned to the viewer (and their own policy acknowledgement), soonest due first. */
  tasks: TaskRow[];
  /** Every account tied to the viewer, whatever their role otherwise, in the register's order. */
  accounts: Array<{ account: RegisterEntry; roles: TieRole[] }>;
}

export async function homeFor(deps: Deps, viewer: Viewer): Promise<Home> {
  const [open, register] = await Promise.all([deps.store.listTasks('open'), listRegister(deps.store)]);
  const tasks = open
    .filter((t) => t.assignees.some((a) => isViewer(viewer, a)) || (t.type === 'acknowledge_policy' && isViewer(viewer, t.subjectEmail)))
    .map(taskRow);
  // By mailbox across every alias, so not through the exact-address index: `jo+social@` is jo's too.
  const accounts = register.flatMap((account) => {
    const roles = tiesOf(viewer, account);
    return roles.length > 0 ? [{ account, roles }] : [];
  });
  return { tasks, accounts };
}
