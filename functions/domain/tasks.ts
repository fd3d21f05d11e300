/**
 * Tasks: what someone must do about an account (or a policy), by when, and who is asked. Pure.
 */
import { createHash } from 'node:crypto';
import { mailboxOf, type Account, type IsoDate, type TaskStatus, type TaskType } from './model.ts';
import { addWorkingDays, onOrBeforeWorkingDay } from './working-days.ts';

export type Resolution =
  | { action: 'transfer'; to: string; by: string; at: string }
  | { action: 'confirm'; by: string; at: string }
  | { action: 'request_closure'; by: string; at: string; reason?: string }
  | { action: 'extend'; to: IsoDate; by: string; at: string }
  | { action: 'reviewed'; nextReview: IsoDate; by: string; at: string }
  | { action: 'close'; by: string; at: string; closedOn: IsoDate }
  | { action: 'keep'; reason: string; by: string; at: string }
  | { action: 'acknowledge'; by: string; at: string }
  | { action: 'approve'; by: string; at: string }
  | { action: 'reject'; reason: string; by: string; at: string }
  | { action: 'set_up'; handle: string; url: string; linkedEmail: string; admins: string[]; loginStored: true; by: string; at: string }
  | { action: 'cancelled'; reason: string; by: string; at: string };

export interface Task {
  id: string;
  type: TaskType;
  status: TaskStatus;
  /**
   * The address the task is about: the leaver's address as it appears on the account (or the joiner's address).
   * Tasks are found by it when a leaver is cancelled, whichever of the person's aliases HR or the directory used.
   */
  subjectEmail: string;
  subjectName?: string;
  accountId?: string;
  platform?: string;
  handle?: string;
  school?: string;
  /** For replace_supervisor: which role the leaver held. */
  role?: 'main_supervisor' | 'reserve_supervisor';
  dueDate: IsoDate;
  assignees: string[];
  /** The leaver's line manager when known (one of the assignees). */
  lineManager?: string;
  /** One sentence: why this task exists. */
  reason: string;
  /** Leave date (leaver tasks) or start date (joiner tasks). */
  eventDate?: IsoDate;
  /** The event that created (or last re-opened) the task, and its time, to order late and duplicate events. */
  sourceEvent: string;
  sourceTime: string;
  /**
   * Counts re-openings (absent means 1): emailed links carry the generation they were made for, so a link from
   * before a task was reopened (perhaps with other assignees) no longer acts on it.
   */
  generation?: number;
  createdAt: string;
  updatedAt: string;
  version: number;
  resolution?: Resolution;
  /**
   * Delivery of the task's news (its first email and Account Flagged event, or, once cancelled, the cancellation
   * email): written as pending with the change, then claimed, sent and marked sent; see usecases/notify.ts.
   */
  delivery: {
    kind: 'created' | 'cancelled'; state: 'pending' | 'sending' | 'sent' | 'skipped'; claimedAt?: string; sentAt?: string;
    /** Recipients already sent this delivery's email (each gets their own): a retry after a failure skips them. */
    sentTo?: string[];
    /** A cancellation of a task whose first email reached only some: only they are told. */
    only?: string[];
  };
  remindersSent: number;
  lastReminderOn?: IsoDate;
  escalatedOn?: IsoDate;
  /** The next date the sweep must act on this open task (a reminder or the escalation); see domain/schedule.ts. */
  nextActionOn?: IsoDate;
  /** policy_review tasks: the policy. */
  policyId?: string;
  /** approve_request and set_up_account tasks: the request for a new account (contracts section 9). */
  requestId?: string;
  /** approve_request tasks: which step of the request's chain (an index into its steps). */
  requestStep?: number;
}

/**
 * Deterministic identity: the same (type, account, address) is always the same task, however often and by whom
 * (HR or the directory) the leaver is reported. `subject` is the account id (with the role for supervisors).
 */
export function taskId(type: TaskType, subject: string, email: string): string {
  return createHash('sha256').update(`${type}\u0000${subject}\u0000${email}`).digest('base64url').replace(/[-_]/g, 'x').slice(0, 16);
}

/** Due on the leave date; when that has passed (late notice), two working days from today. */
export function leaverDueDate(leaveDate: IsoDate, today: IsoDate): IsoDate {
  if (leaveDate < today) return addWorkingDays(today, 2);
  // A leave date on a weekend or bank holiday means the working day before it.
  const due = onOrBeforeWorkingDay(leaveDate);
  return due < today ? addWorkingDays(today, 0) : due;
}

/** The leaver's line manager and the school's IT managers; the trust IT contact stands in for whichever is unknown. */
export function assigneesFor(opts: { lineManager?: string; schoolItManagers: string[]; trustItContact: string; exclude: string[] }): string[] {
  // The leaver's `+tag` variants are the leaver too: never ask them to act on their own leaving.
  const exclude = new Set(opts.exclude.map(mailboxOf));
  const manager = opts.lineManager && !exclude.has(mailboxOf(opts.lineManager)) ? [opts.lineManager] : [];
  const it = opts.schoolItManagers.filter((e) => !exclude.has(mailboxOf(e)));
  const list = [...manager, ...it];
  if (manager.length === 0 || it.length === 0) list.push(opts.trustItContact);
  return [...new Set(list)];
}

/**
 * The delivery of a task's cancellation: its assignees are told only if they were told about the task in the
 * first place (all of them, or those its first email reached before a failure).
 */
export function cancelledDelivery(task: Task): Task['delivery'] {
  if (task.delivery.state === 'sent') return { kind: 'cancelled', state: 'pending' };
  if (task.delivery.sentTo?.length) return { kind: 'cancelled', state: 'pending', only: task.delivery.sentTo };
  return { ...task.delivery, kind: 'cancelled', state: 'skipped' };
}

export function generationOf(task: Pick<Task, 'generation'>): number {
  return task.generation ?? 1;
}

/**
 * Whether this address may act on the task through a link made for it: the joiner alone accepts the policy in their
 * own name; any other task, its assignees (the people it was sent to, and those it was escalated to).
 */
export function mayActOn(task: Pick<Task, 'type' | 'subjectEmail' | 'assignees'>, email: string): boolean {
  if (task.type === 'acknowledge_policy') return task.subjectEmail === email;
  return task.assignees.includes(email);
}

export function accountLabel(a: Pick<Account, 'platform' | 'handle'>): string {
  return `${PLATFORM_NAMES[a.platform] ?? a.platform} ${a.platform === 'blog' || a.platform === 'website' ? '' : '@'}${a.handle}`.replace('  ', ' ');
}

export const PLATFORM_NAMES: Record<string, string> = {
  facebook: 'Facebook', instagram: 'Instagram', x: 'X', youtube: 'YouTube', tiktok: 'TikTok', linkedin: 'LinkedIn',
  threads: 'Threads', bluesky: 'Bluesky', snapchat: 'Snapchat', whatsapp: 'WhatsApp', flickr: 'Flickr',
  pinterest: 'Pinterest', blog: 'Blog', website: 'Website', other: 'Account',
};

export type Action = 'transfer' | 'close' | 'keep' | 'acknowledge' | 'confirm' | 'request_closure' | 'extend' | 'reviewed' | 'approve' | 'reject' | 'set_up';

/** Which decisions a task offers from its email and `custodian tasks resolve`. */
export function actionsFor(type: TaskType): Action[] {
  switch (type) {
    case 'transfer_or_close':
    case 'replace_admin':
    case 'replace_supervisor':
      return ['transfer', 'close', 'keep'];
    case 'acknowledge_policy':
      return ['acknowledge'];
    case 'attest_account':
      return ['confirm', 'request_closure'];
    case 'planned_end':
      return ['extend', 'close'];
    case 'policy_review':
      return ['reviewed'];
    case 'approve_request':
      return ['approve', 'reject'];
    case 'set_up_account':
      return ['set_up'];
  }
}

/** Working days an approver has to decide a step of a request for a new account. */
export const APPROVAL_WORKING_DAYS = 5;
/** Working days the school's IT managers have to create (or confirm) an approved account and record it. */
export const SET_UP_WORKING_DAYS = 10;
