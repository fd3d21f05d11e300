/**
 * The email sent when a task is cancelled, to everyone who had its first email.
 */
import { longDate } from '../working-days.ts';
import type { Task } from '../tasks.ts';
import { render, v, type Block, type EmailContent, type MailContext, type Run } from './render.ts';
import { accountFacts, personFacts, personRuns, schoolOf } from './blocks.ts';
import { accountTitle, isPersonSubject, personName, policyName, taskTitle, type AccountView } from './wording.ts';

/** A task was cancelled (a leaver no longer leaving, an account closed...): tells everyone who had its first email. */
export function taskCancelledEmail(ctx: MailContext, input: { task: Task; account?: AccountView; policy?: { title: string }; reason: string }): EmailContent {
  const { task, account, policy, reason } = input;
  const name = personName(task);
  const isPolicy = task.type === 'acknowledge_policy';
  const isReview = task.type === 'policy_review';
  const what = isPolicy ? 'the social media policy acknowledgement' : isReview ? `the review of ${policyName(policy?.title)}` : accountTitle(task, account);
  const subject = `Cancelled, no action needed: ${what}${isPersonSubject(task) ? ` (${name})` : ''}`;
  const blocks: Block[] = [];
  if (isPolicy) {
    blocks.push({ p: ['The task asking ', ...personRuns(task), ' to read and accept the social media policy has been cancelled. Nothing needs doing.'] });
  } else if (isReview) {
    blocks.push({ p: ['The task asking ', ...personRuns(task), ' to review ', v(policyName(policy?.title)), ' has been cancelled. Nothing needs doing.'] });
  } else {
    blocks.push({
      p: [
        'The task "', { text: taskTitle(task, account) }, '" about the ', v(accountTitle(task, account)), ' account of ', v(schoolOf(task, account)),
        ...(isPersonSubject(task) ? [' and ', ...personRuns(task)] : []), ' has been cancelled. Nothing needs doing.',
      ],
    });
  }
  blocks.push({ p: ['Why: ', { text: reason }] });
  blocks.push({ p: ['Any link in the earlier email about this task no longer works. If you have already made a decision, it still stands.'] });
  const extra: Array<[string, Run[]]> = [...personFacts(task), ['Was due by', [v(longDate(task.dueDate))]], ['Task', [v(task.id)]]];
  if (isReview) blocks.push({ facts: [['Policy', [v(policy?.title ?? 'the social media policy')]], ...extra] });
  else blocks.push(isPolicy ? { facts: extra } : accountFacts(task, account, extra));
  blocks.push({ small: ['You are receiving this because you were sent the earlier email about this task. Task id ', v(task.id), '.'] });
  return render(ctx, subject, `Cancelled: ${taskTitle(task, account, policy)}`, blocks);
}
