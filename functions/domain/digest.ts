/**
 * The weekly digest: one email per school to its IT managers, listing what needs attention. Pure: no I/O and no
 * clock reads; `today` arrives as an argument.
 *
 * Four sections, each an HTML table and an aligned plain-text table, or "None": open tasks (overdue first, marked),
 * neglected accounts, accounts short of administrators, policies due for review. Built from the same blocks as the
 * other emails (emails.ts), so values are escaped in HTML and kept raw (minus control characters) in text.
 */
import type { IsoDate, Platform } from './model.ts';
import { cleanHandle } from './model.ts';
import { accountLabel, type Task } from './tasks.ts';
import { isPersonSubject, personName, renderEmail, shortDate, type EmailBlock, type EmailContent, type EmailRun } from './emails.ts';

export interface DigestInput {
  trustName: string;
  schoolName: string;
  today: IsoDate;
  /** e.g. "week of Monday 4 January 2027" */
  weekLabel: string;
  openTasks: Array<Pick<Task, 'id' | 'type' | 'dueDate' | 'subjectEmail' | 'subjectName' | 'platform' | 'handle' | 'remindersSent' | 'escalatedOn'>>;
  neglected: Array<{ platform: string; handle: string; mainSupervisor: string; lastSeenOn: IsoDate }>;
  shortOfAdmins: Array<{ platform: string; handle: string; admins: string[] }>;
  policiesDue: Array<{ title: string; owner: string; nextReviewDate: IsoDate }>;
}

/** What each task type asks for, in a table cell. */
const TASK_NAMES: Record<Task['type'], string> = {
  transfer_or_close: 'Transfer or close',
  replace_admin: 'Name an administrator',
  replace_supervisor: 'Name a supervisor',
  attest_account: 'Confirm in use',
  planned_end: 'Planned end',
  policy_review: 'Review policy',
  acknowledge_policy: 'Accept policy',
  approve_request: 'Approve new account',
  set_up_account: 'Set up new account',
};

const NONE = '-';
const v = (value: string): EmailRun => ({ value });

function label(platform: string | undefined, handle: string | undefined): string {
  if (!platform && !handle) return NONE;
  return accountLabel({ platform: (platform ?? 'other') as Platform, handle: cleanHandle(handle ?? '') });
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Calendar days from `from` to `to`, or undefined for a malformed date. */
function daysSince(from: IsoDate, to: IsoDate): number | undefined {
  const n = Math.round((Date.parse(`${to}T12:00:00Z`) - Date.parse(`${from}T12:00:00Z`)) / 86_400_000);
  return Number.isFinite(n) ? n : undefined;
}

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** A section: its heading with the count (or `count` when given), a line saying why it matters, then its table or "None". */
function section(heading: string, why: EmailRun[] | undefined, table: { head: string[]; rows: Array<{ cells: EmailRun[][]; mark?: boolean }> }, count = `${table.rows.length}`): EmailBlock[] {
  const blocks: EmailBlock[] = [{ h: `${heading} (${count})` }];
  if (table.rows.length === 0) return [...blocks, { p: ['None.'] }];
  if (why) blocks.push({ p: why });
  blocks.push({ table });
  return blocks;
}

/** One email for a school's week: tables in HTML, aligned columns in text, the counts in the subject. */
export function weeklyDigestEmail(input: DigestInput): EmailContent {
  const { today } = input;
  const overdue = (t: { dueDate: IsoDate }) => t.dueDate < today;

  const tasks = [...input.openTasks].sort((a, b) =>
    Number(overdue(b)) - Number(overdue(a)) || byText(a.dueDate, b.dueDate) || byText(a.type, b.type) || byText(a.id, b.id));
  const overdueCount = tasks.filter(overdue).length;
  const neglected = [...input.neglected].sort((a, b) => byText(a.lastSeenOn, b.lastSeenOn) || byText(label(a.platform, a.handle), label(b.platform, b.handle)));
  const short = [...input.shortOfAdmins].sort((a, b) => a.admins.length - b.admins.length || byText(label(a.platform, a.handle), label(b.platform, b.handle)));
  const policies = [...input.policiesDue].sort((a, b) => byText(a.nextReviewDate, b.nextReviewDate) || byText(a.title, b.title));
  const policiesOverdue = policies.filter((p) => p.nextReviewDate < today).length;

  const counts = [
    `${overdueCount} overdue`,
    plural(tasks.length, 'open task'),
    plural(neglected.length, 'neglected account'),
    ...(short.length ? [plural(short.length, 'account') + ' short of administrators'] : []),
    ...(policies.length ? [plural(policies.length, 'policy', 'policies') + ' due for review'] : []),
  ];
  const subject = `Custodian weekly: ${counts.join(', ')} — ${input.schoolName}`;

  const blocks: EmailBlock[] = [
    {
      p: [
        'What needs attention at ', v(input.schoolName), ', ', v(input.weekLabel), ': ',
        plural(tasks.length, 'open task'), ` (${overdueCount} overdue), `, plural(neglected.length, 'neglected account'), ', ',
        plural(short.length, 'account'), ' short of administrators and ', plural(policies.length, 'policy', 'policies'), ' due for review.',
      ],
    },
    ...section('Open tasks', overdueCount ? ['Overdue tasks are listed first. Each was emailed to the people asked, with a link to decide.'] : undefined, {
      head: ['Status', 'Due', 'Task', 'Account', 'Person', 'Reminders', 'Escalated', 'Task id'],
      rows: tasks.map((t) => ({
        mark: overdue(t),
        cells: [
          overdue(t) ? [{ strong: ['Overdue'] }] : ['Open'],
          [v(shortDate(t.dueDate))],
          [TASK_NAMES[t.type] ?? t.type],
          [v(label(t.platform, t.handle))],
          [v(isPersonSubject(t) ? personName(t) : NONE)],
          [`${t.remindersSent ?? 0}`],
          [t.escalatedOn ? v(shortDate(t.escalatedOn)) : NONE],
          [v(t.id)],
        ],
      })),
    }, `${tasks.length}, ${overdueCount} overdue`),
    ...section('Neglected accounts', [
      "No confirmation and no recorded activity for twice the account's monitoring period. The trust's social media policy says a site must not be neglected (A.1.6).",
    ], {
      head: ['Account', 'Main supervisor', 'Last seen', 'Days'],
      rows: neglected.map((a) => {
        const days = daysSince(a.lastSeenOn, today);
        return { cells: [[v(label(a.platform, a.handle))], [v(a.mainSupervisor)], [v(shortDate(a.lastSeenOn))], [days === undefined ? NONE : `${days}`]] };
      }),
    }),
    ...section('Accounts short of administrators', ["The trust's social media policy asks for at least two administrators per account (A.5.4)."], {
      head: ['Account', 'Administrators', 'Count'],
      rows: short.map((a) => ({
        mark: a.admins.length === 0,
        cells: [[v(label(a.platform, a.handle))], a.admins.length ? [v(a.admins.join(', '))] : ['none'], [`${a.admins.length}`]],
      })),
    }),
    ...section('Policies due for review', [
      'Policies are reviewed at least once a year. ', ...(policiesOverdue ? [`${policiesOverdue} ${policiesOverdue === 1 ? 'is' : 'are'} past the review date.`] : []),
    ], {
      head: ['Status', 'Review date', 'Policy', 'Owner'],
      rows: policies.map((p) => ({
        mark: p.nextReviewDate < today,
        cells: [
          p.nextReviewDate < today ? [{ strong: ['Overdue'] }] : ['Due'],
          [v(shortDate(p.nextReviewDate))],
          [v(p.title)],
          [v(p.owner)],
        ],
      })),
    }),
    { h: 'More detail' },
    {
      p: [
        'From a terminal: ', { code: 'custodian tasks list' }, ', ', { code: 'custodian register list' }, ' and ', { code: 'custodian policies list' },
        '; decide a task with ', { code: 'custodian tasks resolve <task id>' }, '.',
      ],
    },
    { small: ['Custodian sends this digest once a week to the IT managers of ', v(input.schoolName), '.'] },
  ];
  return renderEmail({ trustName: input.trustName }, subject, `Weekly digest: ${input.schoolName}, ${input.weekLabel}`, blocks);
}
