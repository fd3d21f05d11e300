/**
 * One email per leaver per recipient: every account of the leaver's that needs this person, each with its own
 * decision link (made for this recipient), and, for information, the accounts where the leaver was only removed as
 * an administrator. The same shape serves the first email and the follow-ups (reminders and escalations), so a line
 * manager with six accounts to sort out gets one email on the morning it starts, and one on each reminder day.
 */
import type { IsoDate } from '../model.ts';
import type { Task } from '../tasks.ts';
import { longDate } from '../working-days.ts';
import { render, v, type Block, type EmailContent, type MailContext, type Run } from './render.ts';
import { joinValues, personRuns, plural, schoolOf } from './blocks.ts';
import { leaverSituation } from './situation.ts';
import { accountTitle, isAddressGone, personName, shortDate, supervisorRole, type AccountView } from './wording.ts';
import type { AssigneeRole } from './task-created.ts';

export interface LeaverTaskItem {
  task: Task;
  account: AccountView;
  actionUrl: string;
  linkExpiresOn: IsoDate;
  /** Follow-ups: where the task stands today. */
  standing?: 'due' | 'overdue' | 'escalated';
}

export interface LeaverTasksInput {
  kind: 'created' | 'follow_up';
  recipient: string;
  /** Why the recipient is asked (line manager, IT manager, trust IT contact); empty when escalated to them. */
  roles: AssigneeRole[];
  items: LeaverTaskItem[];
  /** Accounts where the leaver was removed as an administrator and enough remain: nothing to decide. */
  forInformation: AccountView[];
  /** Terminal commands are for IT staff only; line managers and headteachers get none. */
  commands: boolean;
  today: IsoDate;
}

/** What each item asks, in a few words. */
function asks(task: Task): string {
  switch (task.type) {
    case 'transfer_or_close': return isAddressGone(task) ? 'registered to an address that no longer exists: transfer or close it' : 'registered to their email address: transfer it to a continuing member of staff, or close it';
    case 'replace_admin': return 'they were an administrator and fewer than two remain: name a replacement administrator, or close it';
    case 'replace_supervisor': return `they are its ${supervisorRole(task)}: name a replacement, or close it`;
    default: return task.reason;
  }
}

function roleWords(roles: AssigneeRole[], leaver: string, schools: string[]): Run[] {
  const phrases: Run[][] = roles.map((role) => {
    if (role === 'line_manager') return [v(leaver), "'s line manager"];
    if (role === 'it_manager') return ['the IT manager for ', ...joinValues(schools)];
    return ["the trust's IT contact"];
  });
  const out: Run[] = [];
  phrases.forEach((p, i) => out.push(...(i > 0 ? [' and as '] : []), ...p));
  return out;
}

export function leaverTasksEmail(ctx: MailContext, input: LeaverTasksInput): EmailContent {
  const { items, today } = input;
  const first = items[0]!.task;
  const name = personName(first);
  const earliest = items.map((i) => i.task.dueDate).sort()[0]!;
  const n = plural(items.length, 'account');
  const late = first.eventDate !== undefined && first.eventDate < today;
  const overdue = items.some((i) => i.standing === 'overdue' || i.standing === 'escalated');
  const subject = input.kind === 'created'
    ? `${late ? 'Urgent: a' : 'A'}ction needed by ${shortDate(earliest)}: ${n} tied to ${name}, who ${late ? 'has left' : 'is leaving'}`
    : `${overdue ? 'Overdue' : 'Reminder'}: ${n} tied to ${name} still ${items.length === 1 ? 'needs' : 'need'} a decision`;

  const blocks: Block[] = [{ p: leaverSituation(first, today) }];
  blocks.push({
    p: [
      items.length === 1 ? 'One official account needs' : `${items.length} official accounts need`, ' a decision from you. ',
      'Each has its own decision page below; nothing happens just by opening one, and each works once. ',
      'When their school email is switched off, nobody will be able to log in to an account still tied to it.',
    ],
  });
  if (input.kind === 'follow_up') {
    const escalated = items.filter((i) => i.standing === 'escalated').length;
    if (escalated) blocks.push({ note: [{ strong: ['Escalated: '] }, plural(escalated, 'decision'), ' below ', escalated === 1 ? 'is' : 'are', ' overdue and now with you as well.'] });
  }
  blocks.push({ h: `What to do by ${longDate(earliest)}` });
  items.forEach((item, i) => {
    const { task, account } = item;
    const title = accountTitle(task, account);
    const standing = item.standing === 'escalated' ? ' (overdue, escalated)' : item.standing === 'overdue' ? ' (overdue)' : '';
    blocks.push({ h: `${i + 1}. ${title}, ${schoolOf(task, account)}` });
    blocks.push({
      facts: [
        ['Why', [asks(task)]],
        ['Registered to', [v(account.linkedEmail)]],
        ['Administrators', account.admins.length ? joinValues(account.admins) : ['none recorded']],
        ['Due by', [v(longDate(task.dueDate)), standing]],
        ['Task', [v(task.id)]],
      ],
    });
    blocks.push({ button: { url: item.actionUrl, label: `Decide about ${title}` } });
    blocks.push({ small: ['This link is yours: the decision is recorded in your name. It works once and expires on ', v(longDate(item.linkExpiresOn)), '.'] });
    if (input.commands) blocks.push({ small: ['Or, from a terminal: ', { code: `custodian tasks resolve ${task.id}` }] });
  });
  if (input.forInformation.length) {
    blocks.push({ h: 'For information: nothing to decide' });
    blocks.push({
      p: [v(name), ' has been removed as an administrator of ', items.length ? 'these accounts too' : 'these accounts', '; each still has at least two. Make sure they no longer have access on the platform itself.'],
    });
    blocks.push({ list: input.forInformation.map((a) => [v(accountTitle(first, a)), ', ', v(a.schoolName)]) });
  }
  blocks.push({ h: 'If nothing is done' });
  blocks.push({
    p: [
      'You will get reminders before each due date and on it. ',
      "Whatever is still not done after that is escalated to the trust's IT contact, ", v(ctx.trustItContact), '.',
    ],
  });
  const schools = [...new Set(items.map((i) => schoolOf(i.task, i.account)))];
  if (input.roles.length) {
    blocks.push({ small: ['You are receiving this as ', ...roleWords(input.roles, name, schools), ' (', v(input.recipient), '). About ', ...personRuns(first), '.'] });
  } else {
    blocks.push({ small: ['You are receiving this because these decisions were escalated to you (', v(input.recipient), ').'] });
  }
  return render(ctx, subject, `${n} tied to ${name}`, blocks);
}

/** For the single-account emails: the same "for information" list, as blocks. */
export function forInformationBlocks(task: Task, accounts: AccountView[]): Block[] {
  if (!accounts.length) return [];
  return [
    { h: 'For information: nothing to decide' },
    { p: [v(personName(task)), ' has also been removed as an administrator of these accounts; each still has at least two. Make sure they no longer have access on the platform itself.'] },
    { list: accounts.map((a) => [v(accountTitle(task, a)), ', ', v(a.schoolName)]) },
  ];
}
