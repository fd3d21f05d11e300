/**
 * The email telling a school's IT managers that an account looks neglected. It has no action link.
 */
import type { IsoDate } from '../model.ts';
import { longDate } from '../working-days.ts';
import { render, v, type Block, type EmailContent, type MailContext } from './render.ts';
import { accountFacts, plural, schoolOf } from './blocks.ts';
import { accountTitle, platformName, shortDate, type AccountView } from './wording.ts';

/** Calendar days from `from` to `to`, or undefined for a malformed date. */
function daysBetween(from: IsoDate, to: IsoDate): number | undefined {
  const n = Math.round((Date.parse(`${to}T12:00:00Z`) - Date.parse(`${from}T12:00:00Z`)) / 86_400_000);
  return Number.isFinite(n) ? n : undefined;
}

/**
 * An account is neglected: to the school's IT managers: no attestation or recorded activity since lastSeenOn (twice
 * the monitoring period); what to do (ask the supervisor, confirm, or close); the policy says a site must not be
 * neglected. No action link (the supervisor's attestation task has one); mentions `custodian register list`.
 */
export function neglectedAccountEmail(
  ctx: MailContext,
  input: { account: AccountView & { monitoringFrequency: string; mainSupervisor: string; lastSeenOn: IsoDate }; today: IsoDate },
): EmailContent {
  const { account, today } = input;
  const label = accountTitle({}, account);
  const school = schoolOf({}, account);
  const seen = longDate(account.lastSeenOn);
  const days = daysBetween(account.lastSeenOn, today);
  const platform = platformName(account.platform);
  const subject = `Neglected account: ${label} (${school}), nothing since ${shortDate(account.lastSeenOn)}`;
  const blocks: Block[] = [
    {
      p: [
        'Nobody has confirmed that the ', v(label), ' account of ', v(school), ' is in use, and no activity on it has been recorded, since ', v(seen),
        days !== undefined && days >= 0 ? ` (${plural(days, 'day')} ago)` : '', '. That is more than twice its monitoring period (', v(account.monitoringFrequency), ').',
      ],
    },
    { p: ["The trust's social media policy says a site must not be neglected, as that puts the trust's reputation at risk (A.1.6), and that contact through it is monitored (A.5.3)."] },
    { h: 'What to do' },
    {
      list: [
        ['Ask the main supervisor, ', v(account.mainSupervisor), ', whether the account is still used and looked after. They have been sent a task to confirm it, with a link.'],
        ['If it is in use, they confirm it from that task; that clears the neglected flag.'],
        ['If it is no longer needed, they request its closure from the same task; then close it on ', v(platform), '.'],
        ['To see every account and its status, run ', { code: 'custodian register list' }, '; ', { code: 'custodian tasks list' }, ' shows the open tasks, the supervisor\'s among them.'],
      ],
    },
    accountFacts({}, account, [
      ['Main supervisor', [v(account.mainSupervisor)]],
      ['Monitoring', [v(account.monitoringFrequency)]],
      ['Last confirmed or active', [v(seen)]],
      ['Flagged on', [v(longDate(today))]],
    ]),
    { h: 'If nothing is done' },
    { p: ['The account stays flagged as neglected in the register and in the weekly digest until its supervisor confirms it is in use or it is closed.'] },
    { small: ['You are receiving this as an IT manager for ', v(school), '.'] },
  ];
  return render(ctx, subject, `${label} looks neglected`, blocks);
}
