/**
 * The email asking an account's main supervisor to confirm it is still in use and monitored (attest_account).
 */
import type { IsoDate } from '../model.ts';
import type { Task } from '../tasks.ts';
import { longDate } from '../working-days.ts';
import { render, v, type Block, type EmailContent, type MailContext } from './render.ts';
import { accountFacts, actionHeading, commandLine, linkBlocks, schoolOf, supervisorRuns } from './blocks.ts';
import { accountTitle, shortDate, type AccountView } from './wording.ts';

/**
 * attest_account created: to the main supervisor: "Is <account> still in use and monitored?" with two actions
 * (Confirm / Request closure) on the linked page. `reason`: 'scheduled' (monitoring frequency) or 'review_due'
 * (past its next review date).
 */
export function attestationEmail(
  ctx: MailContext,
  input: { task: Task; account: AccountView & { monitoringFrequency: string; lastSeenOn: IsoDate }; actionUrl: string; linkExpiresOn: IsoDate; reason: 'scheduled' | 'review_due'; commands?: boolean },
): EmailContent {
  const { task, account, actionUrl, linkExpiresOn, reason } = input;
  const label = accountTitle(task, account);
  const school = schoolOf(task, account);
  const due = longDate(task.dueDate);
  const freq = account.monitoringFrequency;
  const seen = longDate(account.lastSeenOn);
  const subject = `Action needed by ${shortDate(task.dueDate)}: is ${label} still in use and monitored?`;
  const blocks: Block[] = [
    { p: ['You are the main supervisor of the ', v(label), ' account of ', v(school), '. Is it still in use, and is it monitored ', v(freq), ', as the register says?'] },
    {
      p: reason === 'review_due'
        ? ['The account is past its review date in the register, so Custodian asks whether it is still needed. ']
        : ['Custodian asks this regularly, in step with the monitoring frequency recorded for the account, so that the register lists only accounts someone looks after. '],
    },
    { p: ["The trust's social media policy says a site must not be neglected (A.1.6), and that contact through it is monitored (A.5.3). It was last confirmed, or activity on it recorded, on ", v(seen), '.'] },
    { h: `What to do by ${due}` },
    { p: ['Open the page below and choose one:'] },
    {
      list: [
        [{ strong: ['Yes, it is in use and monitored: '] }, 'it stays in the register as it is, and you will be asked again later.'],
        [{ strong: ['Request closure: '] }, "if it is no longer needed, or nobody can look after it. The register marks it for closure and the school's IT managers see it; you can say why."],
      ],
    },
    accountFacts(task, account, [
      ['Main supervisor', supervisorRuns(task)],
      ['Monitoring', [v(freq)]],
      ['Last confirmed or active', [v(seen)]],
      ['Due by', [v(due)]],
      ['Task', [v(task.id)]],
    ]),
    { h: actionHeading(task) },
    ...linkBlocks(actionUrl, linkExpiresOn, 'Open the confirmation page', 'your answer'),
    ...(input.commands === false ? [] : commandLine(task)),
    { h: 'If nothing is done' },
    {
      p: [
        'You will get reminders before the due date and on it, ', v(due), ". If it is still not answered after that, it is escalated to the trust's IT contact, ", v(ctx.trustItContact), '. ',
        "An account with no confirmation and no recorded activity for twice its monitoring period is reported to the school's IT managers as neglected.",
      ],
    },
    { small: ['You are receiving this as the main supervisor of ', v(label), ' in the register. Task id ', v(task.id), '.'] },
  ];
  return render(ctx, subject, `Is ${label} still in use and monitored?`, blocks);
}
