/**
 * Pieces shared by the emails: the person and account facts, the link and its terminal alternative, and the small
 * counting phrases.
 */
import type { IsoDate } from '../model.ts';
import type { Task } from '../tasks.ts';
import { longDate } from '../working-days.ts';
import { v, type Block, type Run } from './render.ts';
import { accountTitle, isAddressGone, isPersonSubject, type AccountView } from './wording.ts';

/** "Rachel Hughes (rachel.hughes@oakfield.sch.uk)", or just the address when the name is not known. */
export function personRuns(task: Task): Run[] {
  const name = task.subjectName?.trim();
  return name ? [v(name), ' (', v(task.subjectEmail), ')'] : [v(task.subjectEmail)];
}

export function schoolOf(task: Pick<Task, 'school'>, account?: Pick<AccountView, 'schoolName'>): string {
  return account?.schoolName || task.school || 'the school';
}

export function accountFacts(task: Pick<Task, 'platform' | 'handle' | 'accountId' | 'school'>, account: AccountView | undefined, extra: Array<[string, Run[]]> = []): Block {
  const rows: Array<[string, Run[]]> = [['Account', [v(accountTitle(task, account))]]];
  if (account?.url) rows.push(['Link', [{ link: account.url }]]);
  rows.push(['School', [v(schoolOf(task, account))]]);
  if (account) {
    rows.push(['Registered to', [v(account.linkedEmail)]]);
    rows.push(['Administrators', account.admins.length ? joinValues(account.admins) : ['none recorded']]);
  }
  rows.push(...extra);
  return { facts: rows };
}

export function joinValues(values: string[]): Run[] {
  const runs: Run[] = [];
  values.forEach((x, i) => {
    if (i > 0) runs.push(i === values.length - 1 ? ' and ' : ', ');
    runs.push(v(x));
  });
  return runs;
}

export function linkBlocks(actionUrl: string, linkExpiresOn: IsoDate, label: string, what: string): Block[] {
  return [
    { button: { url: actionUrl, label } },
    {
      p: [
        `The link opens a page where you confirm ${what}; nothing happens just by opening it. It works once and expires on `,
        v(longDate(linkExpiresOn)), '.',
      ],
    },
  ];
}

/** The label for the task's person in the facts table. */
export function personLabel(task: Task): string {
  if (isAddressGone(task)) return 'Registered address';
  if (task.type === 'attest_account' || task.type === 'planned_end') return 'Supervisor';
  if (task.type === 'policy_review') return 'Policy owner';
  return 'Person';
}

/** The people on the task, for the sweep's tasks about an account: its supervisors (the assignees). */
export function supervisorRuns(task: Task): Run[] {
  return isPersonSubject(task) ? personRuns(task) : joinValues(task.assignees);
}

/** The facts rows naming the task's person, or its supervisors when the task is about an account alone. */
export function personFacts(task: Task): Array<[string, Run[]]> {
  if (isPersonSubject(task)) return [[personLabel(task), personRuns(task)]];
  if (task.type === 'attest_account') return [['Main supervisor', supervisorRuns(task)]];
  if (task.type === 'planned_end') return [[task.assignees.length === 1 ? 'Supervisor' : 'Supervisors', supervisorRuns(task)]];
  return [];
}

/** The terminal alternative to the link, or nothing for the joiner's own acknowledgement. */
export function commandLine(task: Task): Block[] {
  // The joiner's own acknowledgement, and the new-account decisions (made on the page or in the console only).
  if (task.type === 'acknowledge_policy' || task.type === 'approve_request' || task.type === 'set_up_account') return [];
  const command = task.type === 'policy_review' && task.policyId ? `custodian policies reviewed ${task.policyId}` : `custodian tasks resolve ${task.id}`;
  return [{ p: ['Or, from a terminal, run: ', { code: command }] }];
}

/** "no reminders were", "1 reminder was", "3 reminders were". */
export function remindersWere(n: number): string {
  if (n <= 0) return 'no reminders were';
  return n === 1 ? '1 reminder was' : `${n} reminders were`;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** What the link opens, as the button says it. */
export function linkLabel(task: Task): [string, string] {
  switch (task.type) {
    case 'acknowledge_policy': return ['Open the policy acceptance page', 'that you accept the policy'];
    case 'attest_account': return ['Open the confirmation page', 'your answer'];
    case 'policy_review': return ['Open the review page', 'the review'];
    case 'set_up_account': return ['Open the set-up page', 'what you set up'];
    default: return ['Open the decision page', 'your decision'];
  }
}

/** The heading above the link. */
export function actionHeading(task: Task): string {
  switch (task.type) {
    case 'acknowledge_policy': return 'Accept the policy';
    case 'attest_account': return 'Answer';
    case 'policy_review': return 'Mark it reviewed';
    case 'set_up_account': return 'Record the set-up';
    default: return 'Make the decision';
  }
}
