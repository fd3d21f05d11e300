/**
 * The email sent when a task is created: what happened, what to do by when, the decision link, what happens if
 * nothing is done, and why each recipient is receiving it.
 */
import type { IsoDate } from '../model.ts';
import type { Task } from '../tasks.ts';
import { longDate } from '../working-days.ts';
import { render, v, type Block, type EmailContent, type MailContext, type Run } from './render.ts';
import { accountFacts, joinValues, linkBlocks, personFacts, schoolOf } from './blocks.ts';
import { forInformationBlocks } from './leaver-tasks.ts';
import { addressGoneSituation, leaverSituation, situation, whatToDo } from './situation.ts';
import { accountTitle, isAddressGone, isLeaverTask, personName, platformName, shortDate, supervisorRole, taskTitle, type AccountView } from './wording.ts';

/** Why a recipient is on the task, to say "why you". */
export type AssigneeRole = 'line_manager' | 'it_manager' | 'trust_it_contact';

function possessive(name: string): string {
  return `${name}'s`;
}

function isLate(task: Task, today: IsoDate): boolean {
  return task.eventDate !== undefined && task.eventDate < today;
}

function whyYou(task: Task, account: AccountView | undefined, roles: Record<string, AssigneeRole[]>): Run[][] {
  const name = task.subjectName?.trim();
  const lineManagerOf = name ? `${possessive(name)} line manager` : `the line manager of ${task.subjectEmail}`;
  const school = schoolOf(task, account);
  const all = Object.values(roles).flat();
  const lineKnown = all.includes('line_manager');
  const itKnown = all.includes('it_manager');
  let missing: string;
  if (!lineKnown && !itKnown) missing = `neither ${lineManagerOf} nor an IT manager for ${school} is known`;
  else if (!lineKnown) missing = `${lineManagerOf} is not known`;
  else if (!itKnown) missing = `no IT manager for ${school} is known`;
  else missing = 'the line manager or school IT manager is not known';

  const order = [...new Set([...task.assignees, ...Object.keys(roles)])];
  const lines: Run[][] = [];
  for (const email of order) {
    const mine = [...new Set(roles[email] ?? [])];
    if (mine.length === 0) continue;
    const phrases: Run[][] = mine.map((role) => {
      if (role === 'line_manager') return [v(lineManagerOf)];
      if (role === 'it_manager') return ['the IT manager for ', v(school)];
      return ["the trust's IT contact, because ", { text: missing }];
    });
    const runs: Run[] = ['You are receiving this as '];
    phrases.forEach((p, i) => runs.push(...(i > 0 ? [' and as '] : []), ...p));
    runs.push(' (', v(email), ').');
    lines.push(runs);
  }
  return lines;
}

export function taskCreatedEmail(
  ctx: MailContext,
  input: {
    task: Task; account: AccountView; actionUrl: string; linkExpiresOn: IsoDate; assigneeRoles: Record<string, AssigneeRole[]>; today: IsoDate;
    /** Terminal commands only for IT staff (default: shown). */
    commands?: boolean;
    /** Accounts where the same leaver was only removed as an administrator. */
    forInformation?: AccountView[];
  },
): EmailContent {
  const { task, account, actionUrl, linkExpiresOn, assigneeRoles, today } = input;
  const label = accountTitle(task, account);
  const school = schoolOf(task, account);
  const name = personName(task);
  const due = longDate(task.dueDate);
  const gone = isAddressGone(task);
  // "Late" is about a leaver reported after their leave date; other tasks' eventDate means something else.
  const late = isLeaverTask(task) && isLate(task, today);
  const leaves = late ? 'who has left' : 'who is leaving';
  const platform = platformName(account.platform);
  const acct: Run[] = ['the ', v(label), ' account of ', v(school)];

  let subject: string;
  const intro: Block[] = [];
  let todo: Run[];
  let options: Run[][];

  const closeOption = [{ strong: ['Close: '] }, 'close the account on ', v(platform), ' if it is no longer needed.'];
  switch (task.type) {
    case 'transfer_or_close': {
      if (gone) {
        // A renamed or deleted address, not a leaver: say nothing about anyone leaving.
        subject = `Action needed by ${shortDate(task.dueDate)}: ${label} is registered to ${account.linkedEmail}, which no longer exists in the directory`;
        intro.push(...addressGoneSituation(task, account));
        todo = [
          'Change the login email of the account to the school email address of a continuing member of staff (the new address, if it was only renamed), or close it. ',
          "The trust's social media policy (A.1.7) asks for the email address connected with each account to be kept in the central register.",
        ];
        options = [
          [{ strong: ['Transfer: '] }, 'change the login email of the account on ', v(platform), ' to a school email address that works, then enter that address on the decision page.'],
          closeOption,
          [{ strong: ['Keep as it is: '] }, 'only if there is a good reason; you will be asked for it.'],
        ];
        break;
      }
      subject = `${late ? 'Urgent: a' : 'A'}ction needed by ${shortDate(task.dueDate)}: ${label} is tied to ${name}, ${leaves}`;
      intro.push({ p: leaverSituation(task, today) });
      const sameAddress = account.linkedEmail.trim().toLowerCase() === task.subjectEmail.trim().toLowerCase();
      intro.push({
        p: [
          'The ', v(label), ' account of ', v(school), ' is registered to ', v(account.linkedEmail),
          ...(sameAddress ? [] : [', which belongs to ', v(name)]),
          '. When their school email is switched off, nobody will be able to log in to the account, reset its password or close it.',
        ],
      });
      todo = [
        'Transfer the account to the email address of a continuing member of staff, or close it. ',
        "The trust's social media policy (A.1.7) asks the line manager to make sure this happens when a member of staff leaves, and the IT manager to be told.",
      ];
      options = [
        [{ strong: ['Transfer: '] }, 'change the login email of the account on ', v(platform), ' to the school email address of a continuing member of staff, then enter that address on the decision page.'],
        closeOption,
        [{ strong: ['Keep as it is: '] }, 'only if there is a good reason; you will be asked for it.'],
      ];
      break;
    }
    case 'replace_admin': {
      if (!isLeaverTask(task)) {
        // Raised by the sweep: too few administrators, nobody leaving.
        subject = `Action needed by ${shortDate(task.dueDate)}: ${label} has fewer than two administrators`;
        intro.push(...situation(task, account, undefined, today));
        todo = whatToDo(task);
        options = [
          [{ strong: ['Add: '] }, 'give a continuing member of staff administrator access on ', v(platform), ' and enter their email address on the decision page (the "transfer" option adds them).'],
          closeOption,
          [{ strong: ['Keep as it is: '] }, 'you will be asked why.'],
        ];
        break;
      }
      subject = `${late ? 'Urgent: a' : 'A'}ction needed by ${shortDate(task.dueDate)}: ${label} needs a new administrator, as ${name} ${late ? 'has left' : 'is leaving'}`;
      const leaver = task.subjectEmail.trim().toLowerCase();
      const remaining = account.admins.filter((a) => a.trim().toLowerCase() !== leaver);
      intro.push({ p: leaverSituation(task, today) });
      intro.push({ p: ['They were an administrator of ', ...acct, ', and have been removed from its administrators in the register.'] });
      intro.push({
        p: remaining.length === 0
          ? ['It now has no administrators. ', "The trust's social media policy asks for at least two (A.5.4), so that the account is moderated during leave and absences."]
          : [
            remaining.length === 1 ? 'The only administrator left is ' : 'The administrators who remain are ', ...joinValues(remaining), '. ',
            "The trust's social media policy asks for at least two (A.5.4), so that the account is moderated during leave and absences.",
          ],
      });
      todo = ['Name a replacement administrator, or close the account, or keep it as it is and say why.'];
      options = [
        [{ strong: ['Replace: '] }, 'give a continuing member of staff administrator access on ', v(platform), ' and enter their email address on the decision page (the "transfer" option adds them).'],
        closeOption,
        [{ strong: ['Keep as it is: '] }, 'if the remaining administrators are enough; you will be asked why.'],
        ['Either way, make sure ', v(name), ' no longer has access to the account on ', v(platform), '.'],
      ];
      break;
    }
    case 'replace_supervisor': {
      const role = supervisorRole(task);
      subject = `${late ? 'Urgent: a' : 'A'}ction needed by ${shortDate(task.dueDate)}: ${label} needs a new ${role}, as ${name} ${late ? 'has left' : 'is leaving'}`;
      intro.push({ p: leaverSituation(task, today) });
      intro.push({
        p: [
          'They are the ', role, ' of ', ...acct,
          task.role === 'reserve_supervisor'
            ? ', who covers when the main supervisor is away. Once they leave, the account has no reserve supervisor.'
            : task.role === 'main_supervisor'
              ? ', the member of staff responsible for it. Once they leave, nobody is responsible for the account.'
              : '. Once they leave, the account needs a new supervisor.',
        ],
      });
      todo = [`Name a replacement ${role}, or close the account, or keep it as it is and say why.`];
      options = [
        [{ strong: ['Replace: '] }, `on the decision page, enter the email address of the continuing member of staff who will be the new ${role}.`],
        closeOption,
        [{ strong: ['Keep as it is: '] }, 'you will be asked why.'],
      ];
      break;
    }
    default: {
      // The sweep's tasks have their own emails (attestationEmail, plannedEndEmail, policyReviewEmail); this is a
      // plain fallback that still says what, why and what to do.
      subject = `Action needed by ${shortDate(task.dueDate)}: ${taskTitle(task, account)}`;
      intro.push(...situation(task, account, undefined, today));
      todo = whatToDo(task);
      options = [];
    }
  }

  const blocks: Block[] = [...intro];
  if (late) {
    blocks.push({
      note: [
        { strong: ['Urgent: '] }, v(name), ' has already left and we have only just been told. ',
        'Please act today: once their school email is switched off it may be impossible to get back into the account.',
      ],
    });
  }
  blocks.push({ h: `What to do by ${due}` });
  blocks.push({ p: todo });
  if (options.length) blocks.push({ list: options });
  blocks.push(accountFacts(task, account, [
    ...personFacts(task),
    ...(task.eventDate && isLeaverTask(task) ? [['Leave date', [v(longDate(task.eventDate))]] as [string, Run[]]] : []),
    ['Due by', [v(due)]],
    ['Task', [v(task.id)]],
  ]));
  blocks.push({ h: 'Make the decision' });
  blocks.push(...linkBlocks(actionUrl, linkExpiresOn, 'Open the decision page', 'your decision'));
  if (input.commands !== false) blocks.push({ p: ['Or, from a terminal, run: ', { code: `custodian tasks resolve ${task.id}` }] });
  blocks.push(...forInformationBlocks(task, input.forInformation ?? []));
  blocks.push({ h: 'If nothing is done' });
  blocks.push({
    p: [
      'You will get reminders before the due date and on it, ', v(due), '. ',
      "If it is still not done after that, it is escalated to the trust's IT contact, ", v(ctx.trustItContact), '.',
    ],
  });
  const why = whyYou(task, account, assigneeRoles);
  if (why.length) {
    blocks.push({ h: 'Why you' });
    blocks.push({ list: why });
  }
  blocks.push({ small: ['Task id ', v(task.id), '. ', { text: task.reason }] });

  return render(ctx, subject, taskTitle(task, account), blocks);
}
