/**
 * Submitting a request for a new official account (contracts section 9): the Site Creation Approval Form, validated
 * field by field, then the trust's approval chain worked out and its first step opened. The request and the first
 * step's approve_request task are one commit (with their audit entries, by the requester); the first approver's email
 * and the `Account Requested` event follow.
 *
 * The chain comes from the settings `approvalSteps` (default: line manager, headteacher, trust approvers) and
 * `trustApprovers`. Each step's people are worked out now, so the requester sees from the start who will be asked:
 * - line manager: the requester's, from HR (`lineManagerEmail`) or else the directory (`directoryManagerEmail`);
 * - headteacher: the school's (`custodian schools set --head`);
 * - trust approvers: the `trustApprovers` setting (any one of them decides).
 * A step whose person is unknown, is leaving, or is the requester falls back to the trust IT contact, and says why.
 * The decisions themselves go through resolveTask (request-decisions.ts).
 */
import { randomBytes } from 'node:crypto';
import { requestChange, taskChange } from '../domain/changes.ts';
import { accountId, cleanHandle, isEmail, normaliseEmail, parsePlatform, type School } from '../domain/model.ts';
import { formAddresses, validateRequestForm, type FieldError } from '../domain/request-forms.ts';
import { openStep } from '../domain/request-tasks.ts';
import {
  approvalChain, DEFAULT_APPROVAL_STEPS, newRequestId, STEP_LABELS, type AccountRequest, type ApprovalStepName, type StepPeople,
} from '../domain/requests.ts';
import { accountLabel } from '../domain/tasks.ts';
import { londonDate } from '../domain/working-days.ts';
import { logger } from '../adapters/logger.ts';
import type { AppConfig, Deps } from './deps.ts';
import { deliverSoon } from './request-delivery.ts';
import { lookUpStaff, personFor, standingOf } from './staff.ts';

export interface Requester {
  email: string;
  name?: string;
}

export type SubmitResult =
  | { ok: true; request: AccountRequest }
  | { ok: false; errors: FieldError[] };

/** The chain the settings ask for: `approvalSteps`, or line manager → headteacher → trust approvers. */
export function approvalStepsOf(config: Pick<AppConfig, 'approvalSteps'>): readonly ApprovalStepName[] {
  return config.approvalSteps?.length ? config.approvalSteps : DEFAULT_APPROVAL_STEPS;
}

/**
 * Validates the form (field → answer, named as in contracts section 9; others such as `_csrf` are ignored) and, when
 * every answer is acceptable, records the request and asks its first approver. Invalid answers are a result, not an
 * error: `{ ok: false, errors }`, one per problem, each naming its field, and nothing is written.
 */
export async function submitRequest(deps: Deps, requester: Requester, form: Readonly<Record<string, string | undefined>>, options: { source?: string } = {}): Promise<SubmitResult> {
  const email = normaliseEmail(requester.email ?? '');
  if (!isEmail(email)) throw new Error('a request needs the requester\'s email address');
  const now = deps.clock();
  const nowIso = now.toISOString();
  const today = londonDate(now);
  const schools = await deps.store.listSchools();

  // What the rules need to know, looked up once: every address on the form, and whether the handle is taken.
  const staff = await lookUpStaff(deps, formAddresses(form));
  const taken = await takenHandles(deps, form);
  const validation = validateRequestForm(form, { schools, today, ...staff, handleTaken: (id) => taken.get(id) });
  if (!validation.ok) return validation;
  const fields = validation.fields;
  const school = schools.find((s) => s.id === fields.school)!;

  const person = await personFor(deps, email);
  const steps = approvalChain(approvalStepsOf(deps.config), await stepPeople(deps, school, person?.lineManagerEmail ?? person?.directoryManagerEmail), email, deps.config.trustItContact);
  const name = requester.name?.trim() || person?.displayName;
  const request: AccountRequest = {
    ...fields,
    id: newRequestId(now, randomBytes(4).toString('hex')),
    status: 'pending',
    requester: email,
    ...(name ? { requesterName: name.slice(0, 200) } : {}),
    steps,
    currentStep: 0,
    submittedAt: nowIso,
    createdAt: nowIso,
    updatedAt: nowIso,
    version: 1,
  };
  const first = openStep(request, 0, { nowIso, today, escalateAfter: deps.config.escalateAfterWorkingDays }, school.name);
  await deps.store.commit([requestChange(undefined, first.request, 'request.submitted'), taskChange(undefined, first.task, 'task.created')], { by: email, source: options.source ?? 'console' });

  await deliverSoon(deps, [first.task]);
  await deps.publisher.publish('Account Requested', {
    requestId: first.request.id, school: first.request.school, platform: first.request.platform, handle: first.request.handle,
    requester: first.request.requester, steps: first.request.steps.map((s) => s.step),
  });
  logger.info('account requested', { requestId: first.request.id, steps: first.request.steps.length, fallbacks: first.request.steps.filter((s) => s.fallbackReason).length });
  return { ok: true, request: (await deps.store.getRequest(first.request.id)) ?? first.request };
}

/**
 * Why the form's platform and handle cannot be requested: an account in the register that is not closed, or a
 * request for it that is still pending or approved. Keyed by account id.
 */
async function takenHandles(deps: Deps, form: Readonly<Record<string, string | undefined>>): Promise<Map<string, string>> {
  const taken = new Map<string, string>();
  const platform = parsePlatform(form.platform ?? '');
  const handle = cleanHandle(form.handle ?? '');
  if (!platform || !handle) return taken;
  const id = accountId(platform, handle);
  const label = accountLabel({ platform, handle });
  const account = await deps.store.getAccount(id);
  if (account && account.status !== 'closed') {
    taken.set(id, `${label} is already in the register (${account.status.replace('_', ' ')}); ask ${account.school}'s IT manager about it`);
    return taken;
  }
  const open = (await deps.store.listRequests()).find((r) => accountId(r.platform, r.handle) === id && (r.status === 'pending' || r.status === 'approved'));
  if (open) taken.set(id, `${label} has already been requested (request ${open.id}, ${open.status})`);
  return taken;
}

/** Who each step asks, before the requester is taken out and fallbacks applied (domain/requests.ts approvalChain). */
async function stepPeople(deps: Deps, school: School, lineManager: string | undefined): Promise<(step: ApprovalStepName) => StepPeople> {
  const found: Partial<Record<ApprovalStepName, StepPeople>> = {};
  const check = async (step: ApprovalStepName, email: string | undefined, unknown: string): Promise<StepPeople> => {
    if (!email || !isEmail(email)) return { approvers: [], missing: unknown };
    const standing = standingOf(await personFor(deps, email));
    if (standing === 'leaving' || standing === 'left' || standing === 'disabled') {
      return { approvers: [], missing: `the ${STEP_LABELS[step]} on record, ${normaliseEmail(email)}, ${standing === 'disabled' ? 'has a disabled account' : standing === 'left' ? 'has left' : 'is leaving'}` };
    }
    return { approvers: [normaliseEmail(email)] };
  };
  found.line_manager = await check('line_manager', lineManager, "the requester's line manager is not known to Custodian (from HR or the directory)");
  found.headteacher = await check('headteacher', school.headteacher, `no headteacher is recorded for ${school.name}`);
  const approvers: string[] = [];
  for (const a of deps.config.trustApprovers ?? []) if ((await check('trust_approvers', a, '')).approvers.length) approvers.push(normaliseEmail(a));
  found.trust_approvers = approvers.length
    ? { approvers }
    : { approvers: [], missing: (deps.config.trustApprovers ?? []).length ? 'none of the trust approvers is an active member of staff' : 'no trust approvers are set up (the trustApprovers setting)' };
  return (step) => found[step] ?? { approvers: [] };
}
