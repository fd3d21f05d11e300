/**
 * What a task is about and what it asks for: the situation paragraphs, the decision, the subject topic and the facts
 * table, shared by the task created, reminder and escalation emails.
 */
import type { IsoDate } from '../model.ts';
import type { Task } from '../tasks.ts';
import { longDate } from '../working-days.ts';
import { v, type Block, type Run } from './render.ts';
import { accountFacts, joinValues, personFacts, personRuns, plural, schoolOf, supervisorRuns } from './blocks.ts';
import { accountTitle, isAddressGone, isLeaverTask, personName, policyName, supervisorRole, taskTitle, type AccountView } from './wording.ts';

export type PolicyView = { title: string; nextReviewDate: IsoDate };

/** The leaver's situation, first paragraph of every leaver task email. */
export function leaverSituation(task: Task, today: IsoDate): Run[] {
  const who = personRuns(task);
  if (!task.eventDate) return [...who, ' is leaving.'];
  if (task.eventDate < today) return [...who, ' left on ', v(longDate(task.eventDate)), '.'];
  if (task.eventDate === today) return [...who, ' leaves today, ', v(longDate(task.eventDate)), '.'];
  return [...who, ' is leaving on ', v(longDate(task.eventDate)), '.'];
}

/** A renamed or deleted linked address: what it means, without saying anyone is leaving. */
export function addressGoneSituation(task: Task, account?: AccountView): Block[] {
  const address = account?.linkedEmail ?? task.subjectEmail;
  return [
    {
      p: [
        'The ', v(accountTitle(task, account)), ' account of ', v(schoolOf(task, account)), ' is registered to ', v(address),
        ', which no longer exists in the directory: the address has been renamed or deleted.',
      ],
    },
    {
      p: [
        'Until the login email of the account is changed to an address that works, nobody can reset its password or receive its security codes, ',
        'and if the old address is ever given to someone else, they could take the account over.',
      ],
    },
  ];
}

/** What the task is about, for reminders and escalations: the account or policy, the person, and why it matters. */
export function situation(task: Task, account: AccountView | undefined, policy: { title: string; nextReviewDate: IsoDate } | undefined, today: IsoDate): Block[] {
  const acct: Run[] = ['the ', v(accountTitle(task, account)), ' account of ', v(schoolOf(task, account))];
  switch (task.type) {
    case 'transfer_or_close':
      if (isAddressGone(task)) return addressGoneSituation(task, account);
      return [
        { p: leaverSituation(task, today) },
        { p: [...cap(acct), ' is registered to ', v(account?.linkedEmail ?? task.subjectEmail), '. When their school email is switched off, nobody will be able to log in to the account, reset its password or close it.'] },
      ];
    case 'replace_admin':
      if (!isLeaverTask(task)) return [{ p: [...cap(acct), ' has ', ...adminCount(account), ". The trust's social media policy asks for at least two (A.5.4), so that the account is moderated during leave and absences."] }];
      return [
        { p: leaverSituation(task, today) },
        { p: ['They were an administrator of ', ...acct, ". The trust's social media policy asks for at least two administrators (A.5.4), so that the account is moderated during leave and absences."] },
      ];
    case 'replace_supervisor':
      return [{ p: leaverSituation(task, today) }, { p: ['They are the ', supervisorRole(task), ' of ', ...acct, '.'] }];
    case 'acknowledge_policy':
      return [{ p: [...personRuns(task), " has not yet read and accepted the trust's social media policy. Every member of staff is asked to read and sign it."] }];
    case 'attest_account':
      return [{
        p: [
          'The main supervisor (', ...supervisorRuns(task), ') is asked to confirm that ', ...acct, ' is still in use and monitored. ',
          "The trust's social media policy says a site must not be neglected (A.1.6) and that contact through it is monitored (A.5.3).",
        ],
      }];
    case 'planned_end': {
      // The planned end date is the task's eventDate when the sweep recorded it there.
      const when: Run[] = task.eventDate
        ? [task.eventDate < today ? ' reached its planned end date on ' : ' reaches its planned end date on ', v(longDate(task.eventDate)), '.']
        : [' is at or near its planned end date.'];
      return [{ p: [...cap(acct), ...when, " The trust's social media policy asks for a clear plan from the outset about how long a site will last (A.1.6)."] }];
    }
    case 'approve_request':
      return [{
        p: [
          { text: task.reason }, ' ',
          "The trust's social media policy asks for approval before an official site is created (A.3.2), with an exit plan from the outset (A.1.6).",
        ],
      }];
    case 'set_up_account':
      return [{
        p: [
          { text: task.reason }, ' ',
          "The trust's social media policy asks the IT manager to record each account, with the email address connected to it, so that access is never lost (A.1.7).",
        ],
      }];
    case 'policy_review': {
      const reviewOn = policy?.nextReviewDate ?? task.dueDate;
      return [{
        p: [
          ...cap([v(policyName(policy?.title))]), reviewOn < today ? ' was due for review on ' : ' is due for review on ', v(longDate(reviewOn)), '. ',
          ...personRuns(task), ' owns it in the policy register. Policies are reviewed at least once a year.',
        ],
      }];
    }
  }
}

/** "1 administrator (a@x)", "no administrators", "3 administrators (a, b and c)". */
function adminCount(account: AccountView | undefined): Run[] {
  if (!account) return ['fewer than two administrators'];
  const n = account.admins.length;
  if (n === 0) return ['no administrators'];
  return [plural(n, 'administrator'), ' (', ...joinValues(account.admins), ')'];
}

/** Upper-cases the first letter of a run list that starts with our own copy ("the ..." → "The ..."). */
function cap(runs: Run[]): Run[] {
  const [first, ...rest] = runs;
  if (typeof first === 'string') return [first.charAt(0).toUpperCase() + first.slice(1), ...rest];
  if (first && 'value' in first) return [{ value: first.value.charAt(0).toUpperCase() + first.value.slice(1) }, ...rest];
  return runs;
}

/** The decision a task asks for, in one or two sentences. */
export function whatToDo(task: Task, policy?: { title: string }): Run[] {
  switch (task.type) {
    case 'transfer_or_close':
      return ['Transfer the account to the school email address of a continuing member of staff, or close it.'];
    case 'replace_admin':
      return [`Name ${isLeaverTask(task) ? 'a replacement' : 'another'} administrator, or close the account, or keep it as it is and say why.`];
    case 'replace_supervisor':
      return [`Name a replacement ${supervisorRole(task)}, or close the account, or keep it as it is and say why.`];
    case 'acknowledge_policy':
      return ['Read the policy, then press "I have read and accept the social media policy" on the page.'];
    case 'attest_account':
      return ['Confirm that the account is still in use and monitored, or, if it is no longer needed, request its closure.'];
    case 'planned_end':
      return ['Extend the account with a new planned end date, or close it.'];
    case 'policy_review':
      return ['Review ', v(policyName(policy?.title)), ', then mark it reviewed, giving its next review date (left empty, it is 12 months on).'];
    case 'approve_request':
      return ['Read the request on the decision page, then approve it, or reject it and say why (the person who asked is told your reason).'];
    case 'set_up_account':
      return [
        'Create the account (or confirm it) with the approved linked email, then record its handle and address (URL), ',
        'at least two administrators, and that its login details are stored as the trust requires.',
      ];
  }
}

/** A short description of the task for a subject: the title, and the person for leaver tasks. */
export function subjectTopic(task: Task, account?: AccountView, policy?: { title: string }): string {
  const title = taskTitle(task, account, policy);
  return isLeaverTask(task) ? `${title} (${personName(task)})` : title;
}

/** Facts for reminder and escalation emails: the account (or policy), the person, the dates, the task. */
export function taskFacts(task: Task, account: AccountView | undefined, policy: { title: string; nextReviewDate: IsoDate } | undefined, extra: Array<[string, Run[]]>): Block {
  const rows: Array<[string, Run[]]> = [
    ...personFacts(task),
    ...(task.eventDate && isLeaverTask(task) ? [['Leave date', [v(longDate(task.eventDate))]] as [string, Run[]]] : []),
    ...extra,
    ['Task', [v(task.id)]],
  ];
  if (task.type === 'policy_review') {
    return { facts: [['Policy', [v(policy?.title ?? 'the social media policy')]], ...(policy ? [['Review date', [v(longDate(policy.nextReviewDate))]] as [string, Run[]]] : []), ...rows] };
  }
  if (task.type === 'acknowledge_policy') return { facts: rows };
  return accountFacts(task, account, rows);
}
