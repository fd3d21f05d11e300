/**
 * Requests for new official accounts: the Social Media Site Creation Approval Form (policy 000 Appendix B, contracts
 * section 9) as a record that moves through the trust's approval chain. Pure: the request record, its states, and
 * the chain's steps and their decisions. No I/O, no clock reads. The form's validation is request-forms.ts; the
 * tasks and the account a request creates are request-tasks.ts.
 *
 * A request is `pending` while its steps are decided one by one, `approved` once the last step approves (the account
 * is then in the register as `approved`, waiting to be set up), `set_up` once the school's IT manager has created it,
 * or `rejected` by any step (the steps after it are never opened).
 *
 * Light on imports on purpose: the action pages (functions/actions/pages.ts) import it for the step labels, so it is
 * loaded on their cold start.
 */
import { APPROVAL_STEPS, type ApprovalStepName } from './approval-steps.ts';
import { accountId, mailboxOf, normaliseEmail, type IsoDate, type MonitoringFrequency, type Platform } from './model.ts';

export const REQUEST_STATUSES = ['pending', 'approved', 'set_up', 'rejected'] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

export { APPROVAL_STEPS, type ApprovalStepName };

/** Policy 000 A.3.2 and Appendix B: the line manager, the principal (headteacher), then the trust's Director of IT or Marketing. */
export const DEFAULT_APPROVAL_STEPS: readonly ApprovalStepName[] = APPROVAL_STEPS;

export const STEP_LABELS: Record<ApprovalStepName, string> = {
  line_manager: 'line manager',
  headteacher: 'headteacher',
  trust_approvers: 'trust approver',
};

/** The form's answers, as the register and the emails use them. */
export interface RequestFields {
  school: string;
  platform: Platform;
  /** The proposed handle, without a leading `@`, in the author's case. */
  handle: string;
  publishedName: string;
  purpose: string;
  aims: string;
  whyNotExisting: string;
  content: string;
  audience: string;
  /** The official address the account will be registered to (on the school's domains). */
  linkedEmail: string;
  admins: string[];
  mainSupervisor: string;
  reserveSupervisor: string;
  monitoringFrequency: MonitoringFrequency;
  holidayMonitoringFrequency: MonitoringFrequency;
  /** Who monitors and updates the site and responds to its users (free text: names or a team). */
  responsible: string;
  plannedEndDate?: IsoDate;
  exitPlan?: string;
  successMeasures: string;
}

export interface StepDecision {
  outcome: 'approved' | 'rejected';
  /** The person who decided (the link's recipient, or the signed-in person): never a choice from a list. */
  by: string;
  at: string;
  /** A rejection's reason, for the requester. */
  reason?: string;
}

export interface ApprovalStep {
  step: ApprovalStepName;
  /** Who may decide this step: its people, or the trust IT contact when nobody was known for it. */
  approvers: string[];
  /** Set when the step fell back to the trust IT contact: why (said in the email and on the request's page). */
  fallbackReason?: string;
  /** The step's approve_request task, once the step is opened. */
  taskId?: string;
  openedAt?: string;
  decision?: StepDecision;
}

export interface AccountRequest extends RequestFields {
  id: string;
  status: RequestStatus;
  /** The member of staff who filled in the form (canonical address), and their name when known. */
  requester: string;
  requesterName?: string;
  /**
   * The chain, worked out when the request was submitted (who each step's people are), so the requester sees from
   * the start who will be asked, and a later change of settings does not change a request half way through.
   */
  steps: ApprovalStep[];
  /** The index of the step being decided; `steps.length` once every step has approved. */
  currentStep: number;
  /** The register's account, once the last step approved. */
  accountId?: string;
  /** The set_up_account task, once the last step approved. */
  setUpTaskId?: string;
  submittedAt: string;
  decidedAt?: string;
  setUpAt?: string;
  setUpBy?: string;
  createdAt: string;
  updatedAt: string;
  version: number;
}

/** A new request's id: time first (lists by id come out oldest first), then randomness. Lower case, URL-safe. */
export function newRequestId(now: Date, random: string): string {
  return `r${now.getTime().toString(36).padStart(9, '0')}${random.toLowerCase().replace(/[^a-z0-9]/g, '').slice(0, 8)}`;
}

/** The account id a request will create: `platform:handle`, as the register identifies accounts. */
export function requestedAccountId(r: Pick<RequestFields, 'platform' | 'handle'>): string {
  return accountId(r.platform, r.handle);
}

/** "2 of 3: headteacher". */
export function stepLabel(r: Pick<AccountRequest, 'steps'>, index: number): string {
  const step = r.steps[index];
  return step ? `${index + 1} of ${r.steps.length}: ${STEP_LABELS[step.step]}` : '';
}

// ---------------------------------------------------------------------------------------------------------------
// The chain

/** The people a step asks, as worked out at submission: each step's own people, or why there are none. */
export interface StepPeople {
  approvers: string[];
  /** Why nobody could be found (the step then falls back to the trust IT contact). */
  missing?: string;
}

/**
 * The chain of steps for a request. Each step's people exclude the requester (nobody approves their own request); a
 * step with nobody left falls back to the trust IT contact, and says why.
 */
export function approvalChain(steps: readonly ApprovalStepName[], people: (step: ApprovalStepName) => StepPeople, requester: string, trustItContact: string): ApprovalStep[] {
  const me = mailboxOf(requester);
  return steps.map((step) => {
    const found = people(step);
    const approvers = [...new Set(found.approvers.map(normaliseEmail))].filter((a) => mailboxOf(a) !== me);
    if (approvers.length > 0) return { step, approvers };
    const reason = found.missing ?? (found.approvers.length > 0 ? `the ${STEP_LABELS[step]} is the person who made the request, who cannot approve it` : `no ${STEP_LABELS[step]} is known`);
    return { step, approvers: [normaliseEmail(trustItContact)], fallbackReason: reason };
  });
}

/** The outcome of a step decision on the request, or why it cannot be made. Pure. */
export function decideStep(request: AccountRequest, index: number, decision: StepDecision, nowIso: string): AccountRequest {
  const steps = request.steps.map((s, i) => (i === index ? { ...s, decision } : s));
  const last = index === request.steps.length - 1;
  const status: RequestStatus = decision.outcome === 'rejected' ? 'rejected' : last ? 'approved' : 'pending';
  return {
    ...request,
    steps,
    status,
    currentStep: decision.outcome === 'approved' ? index + 1 : index,
    ...(status !== 'pending' ? { decidedAt: nowIso } : {}),
    updatedAt: nowIso,
    version: request.version + 1,
  };
}
