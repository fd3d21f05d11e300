/**
 * The email asking an account's supervisors to extend or close it as its planned end date nears (planned_end).
 */
import type { IsoDate } from '../model.ts';
import type { Task } from '../tasks.ts';
import { longDate } from '../working-days.ts';
import { render, v, type Block, type EmailContent, type MailContext } from './render.ts';
import { accountFacts, commandLine, linkBlocks, personFacts, schoolOf } from './blocks.ts';
import { accountTitle, platformName, shortDate, taskTitle, type AccountView } from './wording.ts';

/** planned_end created: to the supervisor: the account reaches its planned end on <date> (exit strategy); extend with a new date, or close. */
export function plannedEndEmail(
  ctx: MailContext,
  input: { task: Task; account: AccountView & { plannedEndDate: IsoDate }; actionUrl: string; linkExpiresOn: IsoDate; commands?: boolean },
): EmailContent {
  const { task, account, actionUrl, linkExpiresOn } = input;
  const label = accountTitle(task, account);
  const due = longDate(task.dueDate);
  const end = longDate(account.plannedEndDate);
  const platform = platformName(account.platform);
  const subject = `Action needed by ${shortDate(task.dueDate)}: ${label} is planned to end on ${shortDate(account.plannedEndDate)}, extend or close it`;
  const blocks: Block[] = [
    { p: ['The ', v(label), ' account of ', v(schoolOf(task, account)), ' has a planned end date of ', v(end), ' in the register: the exit strategy recorded for it.'] },
    { p: ["The trust's social media policy asks for a careful exit strategy and a clear plan from the outset about how long a site will last, so that it is not left neglected (A.1.6)."] },
    { h: `What to do by ${due}` },
    { p: ['Decide whether the account is still needed after ', v(end), ':'] },
    {
      list: [
        [{ strong: ['Extend: '] }, 'if it is still needed, enter a new planned end date on the decision page.'],
        [{ strong: ['Close: '] }, 'if it is not, close the account on ', v(platform), ' and record it as closed on the decision page.'],
      ],
    },
    accountFacts(task, account, [
      ...personFacts(task),
      ['Planned end', [v(end)]],
      ['Due by', [v(due)]],
      ['Task', [v(task.id)]],
    ]),
    { h: 'Make the decision' },
    ...linkBlocks(actionUrl, linkExpiresOn, 'Open the decision page', 'your decision'),
    ...(input.commands === false ? [] : commandLine(task)),
    { h: 'If nothing is done' },
    { p: ['You will get reminders before the due date and on it, ', v(due), ". If it is still not done after that, it is escalated to the trust's IT contact, ", v(ctx.trustItContact), '.'] },
    { small: ['You are receiving this as a supervisor of ', v(label), ' in the register. Task id ', v(task.id), '.'] },
  ];
  return render(ctx, subject, taskTitle(task, account), blocks);
}
