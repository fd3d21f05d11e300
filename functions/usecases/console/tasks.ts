/**
 * `GET /tasks`, `GET /tasks/{taskId}` and `POST /tasks/{taskId}`: the tasks the viewer may see, and deciding one as
 * the signed-in person, with the same use case (and so the same effect) as the emailed action page.
 */
import type { Policy } from '../../domain/model.ts';
import type { AccountRequest } from '../../domain/requests.ts';
import type { RegisterEntry } from '../../domain/register.ts';
import { actionsFor, type Action, type Task } from '../../domain/tasks.ts';
import type { Deps } from '../deps.ts';
import { resolveTask, type Decision } from '../resolve.ts';
import { consoleActor } from './edit.ts';
import { withRegisterFindings } from './register.ts';
import { taskRow, type TaskRow } from './rows.ts';
import { canDecideTask, canSeeTask, Forbidden, refuse, type Viewer } from './viewer.ts';

/** The rows of `custodian tasks list --json` that the viewer may see. */
export async function tasksFor(deps: Deps, viewer: Viewer, filter: { status?: Task['status'] } = {}): Promise<TaskRow[]> {
  return (await deps.store.listTasks(filter.status)).filter((t) => canSeeTask(viewer, t)).map(taskRow);
}

export interface TaskView {
  task: Task;
  /** The account it is about, as the register lists it. */
  account?: RegisterEntry;
  /** The policy it is about (policy_review). */
  policy?: Policy;
  /** The request for a new account it is about (approve_request, set_up_account); `requestFor` gives its progress. */
  request?: AccountRequest;
  /** What the viewer may decide now: none once the task is decided, or when it is not theirs to decide. */
  actions: Action[];
}

async function visibleTask(deps: Deps, viewer: Viewer, taskId: string): Promise<Task> {
  const task = await deps.store.getTask(taskId);
  if (!task || !canSeeTask(viewer, task)) throw refuse(viewer, !!task, `task ${taskId}`);
  return task;
}

export async function taskFor(deps: Deps, viewer: Viewer, taskId: string): Promise<TaskView> {
  const task = await visibleTask(deps, viewer, taskId);
  const [account, policy, request] = await Promise.all([
    task.accountId ? deps.store.getAccount(task.accountId) : undefined,
    task.policyId ? deps.store.getPolicy(task.policyId) : undefined,
    task.requestId ? deps.store.getRequest(task.requestId) : undefined,
  ]);
  const school = account ? await deps.store.getSchool(account.school) : undefined;
  const entry = account ? (await withRegisterFindings(deps, [account], school ? [school] : []))[0] : undefined;
  return {
    task,
    ...(entry ? { account: entry } : {}),
    ...(policy ? { policy } : {}),
    ...(request ? { request } : {}),
    actions: task.status === 'open' && canDecideTask(viewer, task) ? (actionsFor(task.type) ?? []) : [],
  };
}

/**
 * Decides the task as the viewer (actor: their address, source `console`). Forbidden unless it is theirs to decide;
 * the decision itself is refused as on the action page (ResolveError: not open, invalid, conflict).
 */
export async function decideTask(deps: Deps, viewer: Viewer, taskId: string, decision: Decision): Promise<Task> {
  const task = await visibleTask(deps, viewer, taskId);
  if (!canDecideTask(viewer, task)) {
    throw new Forbidden(task.type === 'acknowledge_policy' ? 'only the person asked may acknowledge the policy'
      : task.type === 'approve_request' ? 'only the people asked to approve this step may decide it' : `you may not decide task ${task.id}`);
  }
  return resolveTask(deps, { taskId: task.id, decision, actor: consoleActor(viewer) });
}
