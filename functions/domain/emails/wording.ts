/**
 * Shared wording: how a task, its person, its account and its policy are named, in the emails and on the action
 * pages alike.
 */
import type { IsoDate, Platform } from '../model.ts';
import { cleanHandle } from '../model.ts';
import { accountLabel, PLATFORM_NAMES, type Task } from '../tasks.ts';
import { longDate } from '../working-days.ts';
import { plain } from './render.ts';

export interface AccountView { platform: string; handle: string; url?: string; schoolName: string; linkedEmail: string; admins: string[] }

/** The person the task is about: their name if known, else their address. */
export function personName(task: Pick<Task, 'subjectName' | 'subjectEmail'>): string {
  return task.subjectName?.trim() || task.subjectEmail;
}

/** "Instagram @oakfield_pe", from the account if given, else from the task's copy of platform and handle. */
export function accountTitle(task: Pick<Task, 'platform' | 'handle' | 'accountId'>, account?: Pick<AccountView, 'platform' | 'handle'>): string {
  const platform = account?.platform ?? task.platform ?? 'other';
  const handle = cleanHandle(account?.handle ?? task.handle ?? task.accountId ?? '');
  return accountLabel({ platform: platform as Platform, handle });
}

/** The platform's display name, e.g. "Instagram". */
export function platformName(platform: string | undefined): string {
  if (!platform || platform === 'other' || platform === 'blog' || platform === 'website') return 'the platform';
  return PLATFORM_NAMES[platform] ?? platform;
}

/** "main supervisor" / "reserve supervisor" / "supervisor". */
export function supervisorRole(task: Pick<Task, 'role'>): string {
  if (task.role === 'main_supervisor') return 'main supervisor';
  if (task.role === 'reserve_supervisor') return 'reserve supervisor';
  return 'supervisor';
}

/** The heading of a task's email and page, e.g. "Transfer or close Instagram @oakfield_pe". */
export function taskTitle(task: Task, account?: AccountView, policy?: { title: string }): string {
  const label = accountTitle(task, account);
  switch (task.type) {
    case 'transfer_or_close': return `Transfer or close ${label}`;
    case 'replace_admin': return `Name a new administrator for ${label}`;
    case 'replace_supervisor': return `Name a new ${supervisorRole(task)} for ${label}`;
    case 'acknowledge_policy': return 'Read and accept the social media policy';
    case 'attest_account': return `Confirm ${label} is still in use and monitored`;
    case 'planned_end': return `Extend or close ${label}: planned end date`;
    case 'policy_review': return `Review ${policyName(policy?.title)}`;
    case 'approve_request': return `Approve or reject a new account: ${label}`;
    case 'set_up_account': return `Set up the new account ${label}`;
  }
}

/** "the Social Media Policy" from a title, without doubling a leading "the"; "the social media policy" when unknown. */
export function policyName(title: string | undefined): string {
  const t = plain(title ?? '');
  if (!t) return 'the social media policy';
  return /^the\s/i.test(t) ? t : `the ${t}`;
}

/**
 * A transfer_or_close task raised because the linked address was renamed or deleted in the directory, not because
 * its owner is leaving. Told apart by the task's reason (domain/leavers.ts writes "... no longer exists in the directory").
 */
export function isAddressGone(task: Pick<Task, 'type' | 'reason'>): boolean {
  return task.type === 'transfer_or_close' && /no longer exists in the directory/i.test(task.reason ?? '');
}

/**
 * Whether the task's subject is a person. Tasks the sweep raises about an account (attestation, planned end, too few
 * administrators) carry `account:<id>` instead of an address, and no name.
 */
export function isPersonSubject(task: Pick<Task, 'subjectEmail'>): boolean {
  const s = (task.subjectEmail ?? '').trim();
  return s.includes('@') && !/^account:/i.test(s);
}

/** Tasks about a member of staff who is leaving (and not about an address that has gone, nor about an account alone). */
export function isLeaverTask(task: Task): boolean {
  return (task.type === 'transfer_or_close' || task.type === 'replace_admin' || task.type === 'replace_supervisor')
    && !isAddressGone(task) && isPersonSubject(task);
}

/** "Fri 18 Dec 2026", from longDate's "Friday 18 December 2026". */
export function shortDate(d: IsoDate): string {
  const parts = longDate(d).split(/[\s,]+/).filter(Boolean);
  const [weekday = '', day = '', month = '', year = ''] = parts;
  return `${weekday.slice(0, 3)} ${day} ${month.slice(0, 3)} ${year}`;
}
