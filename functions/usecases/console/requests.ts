/**
 * `GET /requests` and a request's progress (contracts section 9): who may see which requests for new accounts, and
 * each request as its chain stands: every step, who is asked, whether it fell back to the trust IT contact and why,
 * and who decided what and when (or that it is waiting); then the set-up. Submitting is `submitRequest`
 * (usecases/requests.ts); deciding a step or the set-up is `decideTask` (tasks.ts), as for any task.
 *
 * Who sees a request: the requester (their own), the people any of its steps asks or asked, the IT managers of its
 * school, the trust IT contact (the fallback and escalation for every step), and trust administrators (all).
 * Anyone else gets Forbidden (403), whatever id they ask for.
 */
import { STEP_LABELS, type AccountRequest, type ApprovalStepName, type RequestStatus } from '../../domain/requests.ts';
import type { IsoDate } from '../../domain/model.ts';
import type { Task } from '../../domain/tasks.ts';
import type { Deps } from '../deps.ts';
import { isViewer, managesSchool, refuse, type Viewer } from './viewer.ts';

/** The viewer as these use cases need it (a full Viewer will do). */
export type RequestViewer = Pick<Viewer, 'email' | 'trustAdmin' | 'itManagerOf'> & Partial<Pick<Viewer, 'addresses'>>;

/** Why the viewer may see a request: as its requester, an approver, the school's IT manager, or a trust administrator. */
export type RequestRole = 'requester' | 'approver' | 'it_manager' | 'trust_it_contact' | 'trust_admin';

export interface StepProgress {
  number: number;
  step: ApprovalStepName;
  /** "line manager", "headteacher", "trust approver". */
  label: string;
  /** Who is asked (the task's assignees once open: an escalation adds the trust IT contact). */
  approvers: string[];
  /** Why the step fell back to the trust IT contact, when it did. */
  fallbackReason?: string;
  /** `waiting`: open now; `not_reached`: a later step; `not_needed`: after a rejection. */
  state: 'approved' | 'rejected' | 'waiting' | 'not_reached' | 'not_needed';
  decidedBy?: string;
  decidedAt?: string;
  /** A rejection's reason. */
  reason?: string;
  taskId?: string;
  dueDate?: IsoDate;
}

export interface RequestProgress {
  request: AccountRequest;
  schoolName: string;
  steps: StepProgress[];
  /** The set-up by the school's IT managers, once every step approved. */
  setUp?: { state: 'waiting' | 'done'; taskId?: string; assignees: string[]; dueDate?: IsoDate; by?: string; at?: string };
  /** Why this viewer sees it. */
  roles: RequestRole[];
  /** An open task of this request that the viewer may decide now (their step, or the set-up). */
  taskToDecide?: string;
}

/** One row of `GET /requests` (JSON: the same array). */
export interface RequestRow {
  id: string;
  status: RequestStatus;
  school: string;
  platform: string;
  handle: string;
  requester: string;
  submittedAt: string;
  /** "2 of 3: headteacher" while pending; undefined otherwise. */
  waitingFor?: string;
  accountId?: string;
}

function viewerHas(viewer: RequestViewer, address: string | undefined): boolean {
  return isViewer({ ...viewer, addresses: viewer.addresses ?? [viewer.email] } as Viewer, address);
}

function rolesFor(deps: Deps, viewer: RequestViewer, r: AccountRequest, tasks: Task[]): RequestRole[] {
  const roles: RequestRole[] = [];
  if (viewerHas(viewer, r.requester)) roles.push('requester');
  const asked = [...r.steps.flatMap((s) => [...s.approvers, ...(s.decision ? [s.decision.by] : [])]), ...tasks.filter((t) => t.type === 'approve_request').flatMap((t) => t.assignees)];
  if (asked.some((a) => viewerHas(viewer, a))) roles.push('approver');
  if (viewer.itManagerOf.includes(r.school)) roles.push('it_manager');
  if (viewerHas(viewer, deps.config.trustItContact)) roles.push('trust_it_contact');
  if (viewer.trustAdmin) roles.push('trust_admin');
  return roles;
}

async function tasksOf(deps: Deps, r: AccountRequest): Promise<Task[]> {
  const ids = [...r.steps.flatMap((s) => (s.taskId ? [s.taskId] : [])), ...(r.setUpTaskId ? [r.setUpTaskId] : [])];
  return ids.length ? deps.store.getTasks(ids) : [];
}

function row(r: AccountRequest): RequestRow {
  const step = r.steps[r.currentStep];
  return {
    id: r.id, status: r.status, school: r.school, platform: r.platform, handle: r.handle, requester: r.requester, submittedAt: r.submittedAt,
    ...(r.status === 'pending' && step ? { waitingFor: `${r.currentStep + 1} of ${r.steps.length}: ${STEP_LABELS[step.step]}` } : {}),
    ...(r.accountId ? { accountId: r.accountId } : {}),
  };
}

/**
 * The requests the viewer may see, newest first: a requester their own, approvers those they are asked about, IT
 * managers their schools', trust administrators (and the trust IT contact) all. `status` narrows the list.
 */
export async function listRequestsFor(deps: Deps, viewer: RequestViewer, filter: { status?: RequestStatus } = {}): Promise<RequestRow[]> {
  const everything = viewer.trustAdmin || viewerHas(viewer, deps.config.trustItContact);
  const all = await deps.store.listRequests(filter.status ? { status: filter.status } : {});
  const visible = everything ? all : all.filter((r) => viewerHas(viewer, r.requester) || managesSchool(viewer as Viewer, r.school)
    || r.steps.some((s) => s.approvers.some((a) => viewerHas(viewer, a)) || viewerHas(viewer, s.decision?.by)));
  // Escalated steps add people to a task only: they see the request through the task they were given.
  const escalated = everything ? [] : (await deps.store.listTasks('open')).filter((t) => t.type === 'approve_request' && t.requestId && t.assignees.some((a) => viewerHas(viewer, a)));
  const ids = new Set(visible.map((r) => r.id));
  for (const t of escalated) {
    if (ids.has(t.requestId!)) continue;
    const r = await deps.store.getRequest(t.requestId!);
    if (r && (!filter.status || r.status === filter.status)) { visible.push(r); ids.add(r.id); }
  }
  return visible.sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0)).map(row);
}

/** One request and its progress, for someone who may see it (Forbidden otherwise; NotFound only to those who could). */
export async function requestFor(deps: Deps, viewer: RequestViewer, id: string): Promise<RequestProgress> {
  const r = await deps.store.getRequest(id);
  const tasks = r ? await tasksOf(deps, r) : [];
  const roles = r ? rolesFor(deps, viewer, r, tasks) : [];
  if (!r || roles.length === 0) throw refuse(viewer as Viewer, !!r, `request ${id}`);
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const rejectedAt = r.steps.findIndex((s) => s.decision?.outcome === 'rejected');
  const steps: StepProgress[] = r.steps.map((s, i) => {
    const task = s.taskId ? byId.get(s.taskId) : undefined;
    const state: StepProgress['state'] = s.decision ? s.decision.outcome
      : rejectedAt >= 0 && i > rejectedAt ? 'not_needed'
        : r.status === 'pending' && i === r.currentStep ? 'waiting' : 'not_reached';
    return {
      number: i + 1, step: s.step, label: STEP_LABELS[s.step], approvers: task?.assignees ?? s.approvers,
      ...(s.fallbackReason ? { fallbackReason: s.fallbackReason } : {}), state,
      ...(s.decision ? { decidedBy: s.decision.by, decidedAt: s.decision.at, ...(s.decision.reason ? { reason: s.decision.reason } : {}) } : {}),
      ...(s.taskId ? { taskId: s.taskId } : {}), ...(task && state === 'waiting' ? { dueDate: task.dueDate } : {}),
    };
  });
  const setUpTask = r.setUpTaskId ? byId.get(r.setUpTaskId) : undefined;
  const setUp: RequestProgress['setUp'] = r.status === 'set_up'
    ? { state: 'done', assignees: setUpTask?.assignees ?? [], ...(r.setUpTaskId ? { taskId: r.setUpTaskId } : {}), ...(r.setUpBy ? { by: r.setUpBy } : {}), ...(r.setUpAt ? { at: r.setUpAt } : {}) }
    : r.status === 'approved' ? { state: 'waiting', assignees: setUpTask?.assignees ?? [], ...(r.setUpTaskId ? { taskId: r.setUpTaskId } : {}), ...(setUpTask ? { dueDate: setUpTask.dueDate } : {}) }
      : undefined;
  const open = tasks.find((t) => t.status === 'open' && (t.assignees.some((a) => viewerHas(viewer, a)) || (t.type === 'set_up_account' && managesSchool(viewer as Viewer, t.school))));
  const school = await deps.store.getSchool(r.school);
  return {
    request: r, schoolName: school?.name ?? r.school, steps, ...(setUp ? { setUp } : {}), roles, ...(open ? { taskToDecide: open.id } : {}),
  };
}
