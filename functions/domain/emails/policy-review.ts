/**
 * The email asking a policy's owner to review it (policy_review).
 */
import type { IsoDate } from '../model.ts';
import type { Task } from '../tasks.ts';
import { longDate } from '../working-days.ts';
import { render, v, type Block, type EmailContent, type MailContext, type Run } from './render.ts';
import { actionHeading, commandLine, linkBlocks, personLabel, personRuns } from './blocks.ts';
import { policyName, shortDate, taskTitle } from './wording.ts';

/** policy_review created: to the policy owner: policy <title> is due for review on <date>; mark it reviewed (sets the next review date, default 12 months on). */
export function policyReviewEmail(
  ctx: MailContext,
  input: { task: Task; policy: { title: string; nextReviewDate: IsoDate; schoolName?: string }; actionUrl: string; linkExpiresOn: IsoDate; commands?: boolean },
): EmailContent {
  const { task, policy, actionUrl, linkExpiresOn } = input;
  const due = longDate(task.dueDate);
  const review = longDate(policy.nextReviewDate);
  const scope: Run[] = policy.schoolName?.trim() ? [' for ', v(policy.schoolName)] : [' (trust-wide)'];
  const subject = `Action needed by ${shortDate(task.dueDate)}: ${policyName(policy.title)} is due for review on ${shortDate(policy.nextReviewDate)}`;
  const blocks: Block[] = [
    { p: ['You own ', { strong: [v(policyName(policy.title))] }, ...scope, ' in the policy register. It is due for review on ', v(review), '.'] },
    { p: ['Policies are reviewed at least once a year, and sooner if technology or the law changes. A policy past its review date is listed as overdue.'] },
    { h: `What to do by ${due}` },
    {
      p: [
        'Review the policy: check it still fits the platforms the schools use, the law and current guidance, and update it if needed. ',
        'Then mark it reviewed on the page, giving the next review date; leave that empty for 12 months on.',
      ],
    },
    {
      facts: [
        ['Policy', [v(policy.title)]],
        ['Applies to', policy.schoolName?.trim() ? [v(policy.schoolName)] : ['the whole trust']],
        [personLabel(task), personRuns(task)],
        ['Review date', [v(review)]],
        ['Due by', [v(due)]],
        ['Task', [v(task.id)]],
      ],
    },
    { h: actionHeading(task) },
    ...linkBlocks(actionUrl, linkExpiresOn, 'Open the review page', 'the review'),
    ...(input.commands === false ? [] : commandLine(task)),
    { h: 'If nothing is done' },
    {
      p: [
        "You will get reminders before the review date and on it. If it is still not done after that, it is escalated to the trust's IT contact, ", v(ctx.trustItContact),
        ', and the policy is listed as overdue for review.',
      ],
    },
    { small: ['You are receiving this as the owner of ', v(policyName(policy.title)), ' in the policy register. Task id ', v(task.id), '.'] },
  ];
  return render(ctx, subject, taskTitle(task, undefined, policy), blocks);
}
