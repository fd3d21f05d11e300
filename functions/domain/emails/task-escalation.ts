/**
 * The daily sweep's escalation of an overdue task, to the trust's IT contact or the joiner's line manager.
 */
import type { IsoDate } from '../model.ts';
import type { Task } from '../tasks.ts';
import { longDate } from '../working-days.ts';
import { render, v, type Block, type EmailContent, type MailContext, type Run } from './render.ts';
import { actionHeading, commandLine, joinValues, linkBlocks, linkLabel, personRuns, plural, remindersWere, supervisorRuns } from './blocks.ts';
import { situation, subjectTopic, taskFacts, whatToDo, type PolicyView } from './situation.ts';
import { isPersonSubject, personName, taskTitle, type AccountView } from './wording.ts';

/**
 * Escalation of an overdue task: to the trust IT contact (for acknowledge_policy: to the joiner's line manager),
 * copying the assignees; says how many reminders were sent, since when it is overdue, who was asked.
 */
export function taskEscalationEmail(
  ctx: MailContext,
  input: {
    task: Task; account?: AccountView; policy?: PolicyView;
    /** The recipient's own link; absent when they may not act (a line manager told about an unaccepted policy). */
    actionUrl?: string; linkExpiresOn?: IsoDate; commands?: boolean;
    remindersSent: number; workingDaysOverdue: number; escalatedTo: 'trust_it_contact' | 'line_manager'; today: IsoDate;
  },
): EmailContent {
  const { task, account, policy, actionUrl, linkExpiresOn, escalatedTo, today } = input;
  const due = longDate(task.dueDate);
  const days = plural(Math.max(0, Math.floor(input.workingDaysOverdue) || 0), 'working day');
  const sent = Math.max(0, Math.floor(input.remindersSent) || 0);
  const name = personName(task);
  const ack = task.type === 'acknowledge_policy';
  const toManager = escalatedTo === 'line_manager';
  const subject = ack
    ? `Escalated: ${name} has not accepted the social media policy, ${days} overdue`
    : `Escalated: ${subjectTopic(task, account, policy)} is ${days} overdue`;
  const asked = joinValues(task.assignees);

  const blocks: Block[] = [];
  if (toManager) {
    const you: Run[] = ['You are receiving this as their line manager; they are copied.'];
    blocks.push({
      p: ack
        ? [...personRuns(task), " has not yet read and accepted the trust's social media policy, which every member of staff is asked to sign. ", ...you]
        : ['This task', ...(isPersonSubject(task) ? [' about ', ...personRuns(task)] : []), ' is overdue and has been escalated to you. ', ...you],
    });
  } else {
    blocks.push({ p: ["This task is overdue, so it has been escalated to you as the trust's IT contact (", v(ctx.trustItContact), '). The people asked to do it are copied.'] });
  }
  blocks.push({
    p: [
      'It was due by ', v(due), ' and has been overdue since then: ', days, ' now. ',
      'It was sent to ', ...asked, ', and ', remindersWere(sent), ' sent since.',
    ],
  });
  if (!ack) blocks.push(...situation(task, account, policy, today));
  blocks.push({ h: 'What to do' });
  if (ack) {
    blocks.push({
      p: [
        'Please make sure ', v(name), ' reads the policy and accepts it. They can do it from the link in their own email: ',
        'the acceptance is recorded in their name, so only they can give it.',
      ],
    });
  } else {
    blocks.push({ p: ['Find out why it has not been done, and make sure it is. What is needed:'] });
    blocks.push({ p: whatToDo(task, policy) });
    blocks.push({ p: actionUrl ? ['The people asked can decide from the link in their own emails, or you can decide from your own link below.'] : ['The people asked can decide from the link in their own emails.'] });
  }
  blocks.push(taskFacts(task, account, policy, [
    ['Due by', [v(due)]],
    ['Overdue', [days]],
    ['Asked', asked.length ? asked : ['nobody']],
    ['Reminders sent', [`${sent}`]],
    ['Escalated on', [v(longDate(today))]],
  ]));
  if (actionUrl && linkExpiresOn) {
    blocks.push({ h: actionHeading(task) });
    blocks.push(...linkBlocks(actionUrl, linkExpiresOn, ...linkLabel(task)));
    if (input.commands !== false) blocks.push(...commandLine(task));
  }
  blocks.push({ h: 'If nothing is done' });
  blocks.push({
    p: ack
      ? ['The task stays open and overdue, and ', v(name), ' keeps getting reminders until the policy is accepted.']
      : ['The task stays open and overdue: the people asked keep getting reminders, and it is listed as overdue in the weekly digest, until it is done or cancelled.'],
  });
  blocks.push({
    small: toManager
      ? ['You are receiving this as the line manager of ', ...supervisorRuns(task), '. Task id ', v(task.id), '.']
      : ["You are receiving this as the trust's IT contact; ", ...asked, task.assignees.length === 1 ? ' is' : ' are', ' copied. Task id ', v(task.id), '.'],
  });
  const title = ack ? `Escalated: ${name} has not accepted the social media policy` : `Escalated: ${taskTitle(task, account, policy)}`;
  return render(ctx, subject, title, blocks);
}
