/**
 * The email asking a joiner to read and accept the social media policy.
 */
import type { IsoDate } from '../model.ts';
import type { Task } from '../tasks.ts';
import { longDate } from '../working-days.ts';
import { render, v, type Block, type EmailContent, type MailContext } from './render.ts';
import { linkBlocks } from './blocks.ts';
import { policyName, shortDate } from './wording.ts';

export function policyAcknowledgementEmail(
  ctx: MailContext,
  input: { task: Task; joinerName?: string; actionUrl: string; linkExpiresOn: IsoDate; policyTitle: string },
): EmailContent {
  const { task, actionUrl, linkExpiresOn, policyTitle } = input;
  const name = input.joinerName?.trim() || task.subjectName?.trim();
  const due = longDate(task.dueDate);
  const policy = policyName(policyTitle);
  const subject = `Action needed by ${shortDate(task.dueDate)}: please read and accept ${policy}`;
  const blocks: Block[] = [
    { p: name ? ['Welcome to ', v(ctx.trustName), ', ', v(name), '.'] : ['Welcome to ', v(ctx.trustName), '.'] },
    {
      p: [
        'Every member of staff must read and sign the trust\'s social media and acceptable use policy: ', { strong: [v(policyTitle)] }, '. ',
        'It sets out how staff use social media and the trust\'s official accounts safely.',
        ...(task.eventDate ? [' You start on ', v(longDate(task.eventDate)), '.'] : []),
      ],
    },
    { h: `What to do by ${due}` },
    { p: ['Read the policy, then open the page below and press "I have read and accept the social media policy". If you have not been given a copy of the policy, ask your line manager or ', v(ctx.trustItContact), '.'] },
    ...linkBlocks(actionUrl, linkExpiresOn, 'Open the policy acceptance page', 'that you accept the policy'),
    { h: 'If nothing is done' },
    { p: ['You will get reminders before the due date and on it, ', v(due), '. If it is still not done after that, your line manager is told.'] },
    {
      facts: [
        ['Policy', [v(policyTitle)]],
        ['Your address', [v(task.subjectEmail)]],
        ['Due by', [v(due)]],
        ['Task', [v(task.id)]],
      ],
    },
    { small: ['You are receiving this because you are joining ', v(ctx.trustName), ' as ', v(task.subjectEmail), ', and every member of staff is asked to accept this policy. Task id ', v(task.id), '.'] },
  ];
  return render(ctx, subject, `Please read and accept ${policy}`, blocks);
}
