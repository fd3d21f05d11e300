/**
 * The daily sweep's reminder about an open task of any type, before and after its due date.
 */
import type { IsoDate } from '../model.ts';
import type { Task } from '../tasks.ts';
import { longDate } from '../working-days.ts';
import { render, v, type Block, type EmailContent, type MailContext, type Run } from './render.ts';
import { actionHeading, commandLine, linkBlocks, linkLabel, remindersWere } from './blocks.ts';
import { situation, subjectTopic, taskFacts, whatToDo, type PolicyView } from './situation.ts';
import { shortDate, taskTitle, type AccountView } from './wording.ts';

/** Who an overdue task goes to: the joiner's line manager for a policy acknowledgement, else the trust's IT contact. */
function escalationTarget(ctx: MailContext, task: Task, who: 'your' | 'their'): Run[] {
  if (task.type === 'acknowledge_policy') return [`${who} line manager`, ...(task.lineManager ? [' (', v(task.lineManager), ')'] : [])];
  return ["the trust's IT contact, ", v(ctx.trustItContact)];
}

/**
 * A reminder about an open task (any type). `number` = which reminder this is (1-based); say how many went before
 * ("This is reminder 3; 2 reminders were sent before"). `overdue` changes the wording. Sent to the task's assignees.
 */
export function taskReminderEmail(
  ctx: MailContext,
  input: { task: Task; account?: AccountView; policy?: PolicyView; actionUrl: string; linkExpiresOn: IsoDate; number: number; overdue: boolean; today: IsoDate; commands?: boolean },
): EmailContent {
  const { task, account, policy, actionUrl, linkExpiresOn, overdue, today } = input;
  const n = Math.max(1, Math.floor(input.number) || 1);
  const due = longDate(task.dueDate);
  const topic = subjectTopic(task, account, policy);
  const subject = overdue
    ? `Overdue, was due by ${shortDate(task.dueDate)} (reminder ${n}): ${topic}`
    : `Reminder ${n}: action needed by ${shortDate(task.dueDate)}: ${topic}`;
  const target = escalationTarget(ctx, task, 'your');
  const count = `This is reminder ${n}; ${remindersWere(n - 1)} sent before.`;

  const blocks: Block[] = [
    { p: overdue ? ['This task was due by ', v(due), ' and is overdue. ', count] : ['This task is due by ', v(due), '. ', count] },
  ];
  if (task.escalatedOn) blocks.push({ note: [{ strong: ['Escalated: '] }, 'on ', v(longDate(task.escalatedOn)), ' this task was passed to ', ...target, '.'] });
  blocks.push(...situation(task, account, policy, today));
  blocks.push({ h: overdue ? `What to do now (it was due by ${due})` : `What to do by ${due}` });
  blocks.push({ p: whatToDo(task, policy) });
  blocks.push(taskFacts(task, account, policy, [['Due by', [v(due)]], ['Reminder', [`${n}`]]]));
  blocks.push({ h: actionHeading(task) });
  blocks.push(...linkBlocks(actionUrl, linkExpiresOn, ...linkLabel(task)));
  if (input.commands !== false) blocks.push(...commandLine(task));
  blocks.push({ h: 'If nothing is done' });
  const then: Run[] = task.escalatedOn
    ? ['It has already been escalated to ', ...target, '. You will keep getting reminders until it is done.']
    : overdue
      ? ['You will keep getting reminders until it is done, and if it stays overdue it is escalated to ', ...target, '.']
      : ['If it is not done by ', v(due), ', you will keep getting reminders and it is escalated to ', ...target, '.'];
  if (task.type === 'attest_account') {
    then.push(" An account with no confirmation and no recorded activity for twice its monitoring period is reported to the school's IT managers as neglected.");
  }
  blocks.push({ p: then });
  blocks.push({ small: ['You are receiving this because you were asked to do this task. Task id ', v(task.id), '. ', { text: task.reason }] });
  return render(ctx, subject, `${overdue ? 'Overdue' : 'Reminder'}: ${taskTitle(task, account, policy)}`, blocks);
}
