/**
 * The emails that ask people to act on tasks. Each recipient gets an email of their own, with links made for them
 * (whoever uses a link acts as its recipient: links.ts), and a leaver's tasks reach each recipient as one email listing
 * every account that needs them. The same code sends the first email (straight after the change that opened the
 * tasks, or later from a pending delivery) and the sweep's follow-ups (sweep/tasks.ts).
 */
import {
  attestationEmail, isLeaverTask, leaverTasksEmail, plannedEndEmail, policyAcknowledgementEmail, policyReviewEmail, taskCreatedEmail,
  type AccountView, type AssigneeRole, type EmailContent, type LeaverTaskItem,
} from '../domain/emails.ts';
import { approvalRequestEmail, setUpAccountEmail } from '../domain/emails/account-requests.ts';
import { mailboxOf, type Account, type Policy, type School } from '../domain/model.ts';
import type { AccountRequest } from '../domain/requests.ts';
import { lastSeenOn } from '../domain/cadence.ts';
import type { Task } from '../domain/tasks.ts';
import { londonDate } from '../domain/working-days.ts';
import type { Deps } from './deps.ts';
import { accountView, actionLink } from './links.ts';

export interface TaskContext {
  account?: Account;
  school?: School;
  policy?: Policy;
  /** approve_request and set_up_account: the request for a new account. */
  request?: AccountRequest;
}

/** Reads what a task's emails say about its account (and school) or policy. */
export async function loadTaskContext(deps: Deps, task: Task): Promise<TaskContext> {
  const account = task.accountId ? await deps.store.getAccount(task.accountId) : undefined;
  const schoolId = account?.school ?? task.school;
  const school = schoolId ? await deps.store.getSchool(schoolId) : undefined;
  const policy = task.policyId ? await deps.store.getPolicy(task.policyId) : undefined;
  const request = task.requestId ? await deps.store.getRequest(task.requestId) : undefined;
  return { ...(account ? { account } : {}), ...(school ? { school } : {}), ...(policy ? { policy } : {}), ...(request ? { request } : {}) };
}

/** Why each assignee is asked, to say "why you". */
export function rolesOf(task: Task, school: School | undefined, trustItContact: string): Record<string, AssigneeRole[]> {
  const roles: Record<string, AssigneeRole[]> = {};
  const add = (email: string, role: AssigneeRole) => { (roles[email] ??= []).includes(role) || roles[email]!.push(role); };
  for (const a of task.assignees) {
    if (a === task.lineManager) add(a, 'line_manager');
    if (school?.itManagers.includes(a)) add(a, 'it_manager');
    if (a === trustItContact) add(a, 'trust_it_contact');
  }
  return roles;
}

/**
 * Whether an email to this person may show terminal commands: only the people who keep the register (the school's
 * IT managers, the trust IT contact). A line manager, a headteacher or a supervisor reads no `custodian ...`.
 */
export function showsCommands(deps: Deps, email: string, schools: Array<School | undefined>): boolean {
  return email === deps.config.trustItContact || schools.some((s) => s?.itManagers.includes(email));
}

/** Who a task's first email goes to: the joiner alone for the policy, otherwise each assignee. */
export function recipientsOf(task: Task): string[] {
  return task.type === 'acknowledge_policy' ? [task.subjectEmail] : [...new Set(task.assignees)];
}

export interface SendOptions {
  /** Recipients already sent this email (a retry after a failure): skipped. */
  skip?: ReadonlySet<string>;
  /** Called after each recipient's email is accepted, so a failure part-way can be retried for the others only. */
  sent?: (email: string) => void;
}

/** Emails each recipient of a new task their own copy, with their own link. */
export async function sendTaskOpened(deps: Deps, task: Task, context: TaskContext, options: SendOptions = {}): Promise<void> {
  for (const recipient of recipientsOf(task)) {
    if (options.skip?.has(recipient)) continue;
    const link = await actionLink(deps, task, recipient);
    await deps.mailer.send({ to: [recipient], ...openedEmail(deps, task, context, recipient, link) });
    options.sent?.(recipient);
  }
}

function openedEmail(deps: Deps, task: Task, context: TaskContext, recipient: string, link: { url: string; expiresOn: string }, info: AccountView[] = []): EmailContent {
  const ctx = { trustName: deps.config.trustName, trustItContact: deps.config.trustItContact };
  const commands = showsCommands(deps, recipient, [context.school]);
  const common = { task, actionUrl: link.url, linkExpiresOn: link.expiresOn, commands };
  if (task.type === 'acknowledge_policy') {
    const policyTitle = `${deps.config.trustName} social media and acceptable use policy`;
    return policyAcknowledgementEmail(ctx, { ...common, joinerName: task.subjectName, policyTitle });
  }
  if (task.type === 'policy_review') {
    const policy = context.policy;
    if (!policy) throw new Error(`task ${task.id} refers to policy ${task.policyId}, which is not in the policy register`);
    const schoolName = policy.school ? context.school?.name ?? policy.school : undefined;
    return policyReviewEmail(ctx, { ...common, policy: { title: policy.title, nextReviewDate: policy.nextReviewDate, ...(schoolName ? { schoolName } : {}) } });
  }
  if (task.type === 'approve_request' || task.type === 'set_up_account') {
    const request = context.request;
    if (!request) throw new Error(`task ${task.id} refers to request ${task.requestId}, which is not on record`);
    const view = { request, schoolName: context.school?.name ?? request.school, task, actionUrl: link.url, linkExpiresOn: link.expiresOn };
    return task.type === 'approve_request' ? approvalRequestEmail(ctx, view) : setUpAccountEmail(ctx, { ...view, recipient });
  }
  const { account, school } = context;
  if (!account) throw new Error(`task ${task.id} refers to account ${task.accountId}, which is not in the register`);
  const view = accountView(account, school);
  if (task.type === 'attest_account') {
    const reason = task.reason.includes('review date') ? 'review_due' : 'scheduled';
    return attestationEmail(ctx, { ...common, account: { ...view, monitoringFrequency: account.monitoringFrequency, lastSeenOn: lastSeenOn(account) }, reason });
  }
  if (task.type === 'planned_end') return plannedEndEmail(ctx, { ...common, account: { ...view, plannedEndDate: account.plannedEndDate! } });
  const roles = rolesOf(task, school, deps.config.trustItContact);
  return taskCreatedEmail(ctx, {
    ...common, account: view, assigneeRoles: { [recipient]: roles[recipient] ?? [] }, today: londonDate(deps.clock()), commands, forInformation: info,
  });
}

/** Tasks whose news goes to each recipient as one email per leaver (a leaver's accounts), rather than one per task. */
export function groupsByLeaver(tasks: Task[], leaverOf: (task: Task) => string): Task[][] {
  const groups = new Map<string, Task[]>();
  for (const task of tasks) {
    const key = isLeaverTask(task) ? `leaver:${leaverOf(task)}` : `task:${task.id}`;
    groups.set(key, [...(groups.get(key) ?? []), task]);
  }
  return [...groups.values()];
}

/** A key that is the same for every address of one person (their record's key), or the address's mailbox. */
export async function leaverKeys(deps: Deps, tasks: Task[]): Promise<(task: Task) => string> {
  const keys = new Map<string, string>();
  for (const subject of new Set(tasks.filter(isLeaverTask).map((t) => t.subjectEmail))) {
    const person = await deps.store.findPerson([subject]);
    keys.set(subject, person?.key ?? mailboxOf(subject));
  }
  return (task) => keys.get(task.subjectEmail) ?? mailboxOf(task.subjectEmail);
}

/**
 * Accounts where any of the leaver's addresses was removed as an administrator with nothing to decide (no task of
 * this group about them), for the "for information" list.
 */
export async function removedAdminOnly(deps: Deps, group: Task[]): Promise<Array<{ account: Account; view: AccountView }>> {
  const person = await deps.store.findPerson([group[0]!.subjectEmail]);
  const addresses = [...new Set([...group.map((t) => t.subjectEmail), ...(person?.addresses ?? [])])];
  const withTasks = new Set(group.map((t) => t.accountId));
  const ids = [...new Set((await deps.store.linksForEmails(addresses)).filter((l) => l.role === 'removed_admin' && !withTasks.has(l.accountId)).map((l) => l.accountId))];
  const accounts = (await deps.store.getAccounts(ids)).filter((a) => a.status !== 'closed');
  const out: Array<{ account: Account; view: AccountView }> = [];
  for (const account of accounts) out.push({ account, view: accountView(account, (await deps.store.getSchool(account.school)) ?? undefined) });
  return out;
}

export interface GroupItem { task: Task; context: TaskContext; standing?: LeaverTaskItem['standing'] }

/**
 * One email per recipient about one leaver: every task of the group this person is asked to act on (each with their
 * own link), plus, for the line manager, the school's IT managers and the trust IT contact, the accounts where the
 * leaver was only removed as an administrator. A recipient with a single task gets that task's own, fuller email.
 */
export async function sendLeaverEmails(
  deps: Deps,
  items: GroupItem[],
  options: { kind: 'created' | 'follow_up'; recipients: (task: Task) => string[]; skip?: (task: Task, email: string) => boolean; sent?: (email: string, tasks: Task[]) => void;
    single: (item: GroupItem, recipient: string, info: AccountView[]) => Promise<EmailContent> },
): Promise<void> {
  const info = options.kind === 'created' ? await removedAdminOnly(deps, items.map((i) => i.task)) : [];
  const ctx = { trustName: deps.config.trustName, trustItContact: deps.config.trustItContact };
  const today = londonDate(deps.clock());
  const everyone = [...new Set(items.flatMap((i) => options.recipients(i.task)))];
  for (const recipient of everyone) {
    const mine = items.filter((i) => options.recipients(i.task).includes(recipient) && !options.skip?.(i.task, recipient));
    if (mine.length === 0) continue;
    const schools = mine.map((i) => i.context.school);
    const isLineManager = mine.some((i) => i.task.lineManager === recipient);
    const infoFor = info
      .filter(({ account }) => isLineManager || recipient === deps.config.trustItContact || items.some((i) => i.context.school?.id === account.school && i.context.school.itManagers.includes(recipient)))
      .map(({ view }) => view);
    let email: EmailContent;
    if (mine.length === 1) {
      email = await options.single(mine[0]!, recipient, infoFor);
    } else {
      const listed: LeaverTaskItem[] = [];
      for (const item of mine) {
        const link = await actionLink(deps, item.task, recipient);
        listed.push({ task: item.task, account: accountView(item.context.account!, item.context.school), actionUrl: link.url, linkExpiresOn: link.expiresOn, ...(item.standing ? { standing: item.standing } : {}) });
      }
      const roles = [...new Set(mine.flatMap((i) => rolesOf(i.task, i.context.school, deps.config.trustItContact)[recipient] ?? []))];
      email = leaverTasksEmail(ctx, { kind: options.kind, recipient, roles, items: listed, forInformation: infoFor, commands: showsCommands(deps, recipient, schools), today });
    }
    await deps.mailer.send({ to: [recipient], ...email });
    options.sent?.(recipient, mine.map((i) => i.task));
  }
}

/** The first email about a task for one recipient, with the "for information" list when it is about a leaver. */
export async function openedEmailFor(deps: Deps, item: GroupItem, recipient: string, info: AccountView[]): Promise<EmailContent> {
  return openedEmail(deps, item.task, item.context, recipient, await actionLink(deps, item.task, recipient), info);
}
