/**
 * Email content: subject, plain text and HTML for each email Custodian sends. Pure: no I/O and no clock reads;
 * "today" and every date arrive as arguments.
 *
 * Each email says which account, whose, what to do, by when, and what happens if nothing is done (design notes;
 * contracts section 6). Content is written once as blocks of runs and rendered twice, so the text and HTML parts
 * always say the same thing. Values from data are escaped in HTML and kept raw (minus control characters) in text.
 */
import type { IsoDate, Platform } from './model.ts';
import { cleanHandle } from './model.ts';
import { accountLabel, actionsFor, PLATFORM_NAMES, type Task } from './tasks.ts';
import { longDate } from './working-days.ts';
import { EMAIL_STYLES as S, emailLayout, escapeHtml, headerSafe, isSafeHref } from './html.ts';

export interface EmailContent { subject: string; text: string; html: string }
export interface MailContext { trustName: string; trustItContact: string }
export interface AccountView { platform: string; handle: string; url?: string; schoolName: string; linkedEmail: string; admins: string[] }
/** Why a recipient is on the task, to say "why you". */
export type AssigneeRole = 'line_manager' | 'it_manager' | 'trust_it_contact';

// ---------------------------------------------------------------------------------------------------------------
// Shared wording (also used by the action pages)

/** The person the task is about: their name if known, else their address. */
export function personName(task: Pick<Task, 'subjectName' | 'subjectEmail'>): string {
  return task.subjectName?.trim() || task.subjectEmail;
}

/** "Instagram @oakfield_pe", from the account if given, else from the task's copy of platform and handle. */
export function accountTitle(task: Pick<Task, 'platform' | 'handle' | 'accountId'>, account?: Pick<AccountView, 'platform' | 'handle'>): string {
  const platform = account?.platform ?? task.platform ?? 'other';
  const handle = cleanHandle(account?.handle ?? task.handle ?? task.accountId ?? '');
  return accountLabel({ platform: platform as Platform, handle });
}

/** The platform's display name, e.g. "Instagram". */
export function platformName(platform: string | undefined): string {
  if (!platform || platform === 'other' || platform === 'blog' || platform === 'website') return 'the platform';
  return PLATFORM_NAMES[platform] ?? platform;
}

/** "main supervisor" / "reserve supervisor" / "supervisor". */
export function supervisorRole(task: Pick<Task, 'role'>): string {
  if (task.role === 'main_supervisor') return 'main supervisor';
  if (task.role === 'reserve_supervisor') return 'reserve supervisor';
  return 'supervisor';
}

/** The heading of a task's email and page, e.g. "Transfer or close Instagram @oakfield_pe". */
export function taskTitle(task: Task, account?: AccountView): string {
  const label = accountTitle(task, account);
  switch (task.type) {
    case 'transfer_or_close': return `Transfer or close ${label}`;
    case 'replace_admin': return `Name a new administrator for ${label}`;
    case 'replace_supervisor': return `Name a new ${supervisorRole(task)} for ${label}`;
    case 'acknowledge_policy': return 'Read and accept the social media policy';
    case 'attest_account': return `Confirm ${label} is still needed`;
    case 'planned_end': return `${label} has reached its planned end date`;
    case 'policy_review': return 'The social media policy is due for review';
  }
}

/** "Fri 18 Dec 2026", from longDate's "Friday 18 December 2026". */
export function shortDate(d: IsoDate): string {
  const parts = longDate(d).split(/[\s,]+/).filter(Boolean);
  const [weekday = '', day = '', month = '', year = ''] = parts;
  return `${weekday.slice(0, 3)} ${day} ${month.slice(0, 3)} ${year}`;
}

function possessive(name: string): string {
  return `${name}'s`;
}

// ---------------------------------------------------------------------------------------------------------------
// A tiny document model, rendered to plain text and to HTML

/** Inline content. A bare string is our own copy; `value` is data kept on one line in text; `text` is data that may wrap. */
type Run =
  | string
  | { value: string }
  | { text: string }
  | { code: string }
  | { link: string }
  | { strong: Run[] };

type Block =
  | { p: Run[] }
  | { note: Run[] }
  | { h: string }
  | { list: Run[][] }
  | { facts: Array<[string, Run[]]> }
  | { button: { url: string; label: string } }
  | { small: Run[] };

const v = (value: string): Run => ({ value });

const TEXT_WIDTH = 72;
/** Stands in for a space inside a value so wrapping never splits it; never survives into output. */
const GLUE = '\u0001';

/** Data in plain text: control characters (CR, LF, tabs...) become spaces, runs of spaces collapse. */
function plain(value: string): string {
  return String(value ?? '').replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ').replace(/\s+/g, ' ').trim();
}

function runText(run: Run): string {
  if (typeof run === 'string') return run;
  if ('value' in run) return plain(run.value).replace(/ /g, GLUE);
  if ('text' in run) return plain(run.text);
  if ('code' in run) return plain(run.code).replace(/ /g, GLUE);
  if ('link' in run) return plain(run.link).replace(/ /g, GLUE);
  return run.strong.map(runText).join('');
}

function runHtml(run: Run): string {
  if (typeof run === 'string') return escapeHtml(run);
  if ('value' in run) return escapeHtml(run.value);
  if ('text' in run) return escapeHtml(run.text);
  if ('code' in run) return `<code style="${S.code}">${escapeHtml(run.code)}</code>`;
  if ('link' in run) {
    return isSafeHref(run.link)
      ? `<a href="${escapeHtml(run.link)}" style="${S.link}">${escapeHtml(run.link)}</a>`
      : escapeHtml(run.link);
  }
  return `<strong>${run.strong.map(runHtml).join('')}</strong>`;
}

/** Greedy word wrap; `first` prefixes the first line, `rest` the others. Long words (URLs) overflow on their own line. */
function wrap(content: string, first = '', rest = first, width = TEXT_WIDTH): string {
  const words = content.split(' ').filter((w) => w.length > 0);
  const lines: string[] = [];
  let line = first;
  let empty = true;
  for (const word of words) {
    if (!empty && line.length + 1 + word.length > width) {
      lines.push(line);
      line = rest + word;
    } else {
      line += (empty ? '' : ' ') + word;
    }
    empty = false;
  }
  lines.push(line);
  return lines.map((l) => l.trimEnd()).join('\n');
}

function renderText(blocks: Block[]): string {
  const out: string[] = [];
  for (const b of blocks) {
    if ('p' in b || 'small' in b) out.push(wrap(('p' in b ? b.p : b.small).map(runText).join('')));
    else if ('note' in b) out.push(wrap(b.note.map(runText).join(''), '** ', '   '));
    else if ('h' in b) out.push(`${b.h}\n${'-'.repeat(Math.min(b.h.length, TEXT_WIDTH))}`);
    else if ('list' in b) out.push(b.list.map((item) => wrap(item.map(runText).join(''), '- ', '  ')).join('\n'));
    else if ('facts' in b) {
      const pad = Math.max(...b.facts.map(([k]) => k.length)) + 2;
      out.push(b.facts.map(([k, runs]) => wrap(runs.map(runText).join(''), `${k}:`.padEnd(pad), ' '.repeat(pad))).join('\n'));
    } else out.push(`${b.button.label}:\n${plain(b.button.url)}`);
  }
  return `${out.join('\n\n').split(GLUE).join(' ')}\n`;
}

function renderHtml(blocks: Block[]): string {
  const out: string[] = [];
  for (const b of blocks) {
    if ('p' in b) out.push(`<p style="${S.p}">${b.p.map(runHtml).join('')}</p>`);
    else if ('small' in b) out.push(`<p style="${S.small}">${b.small.map(runHtml).join('')}</p>`);
    else if ('note' in b) out.push(`<p style="${S.note}">${b.note.map(runHtml).join('')}</p>`);
    else if ('h' in b) out.push(`<h2 style="${S.h2}">${escapeHtml(b.h)}</h2>`);
    else if ('list' in b) out.push(`<ul style="${S.ul}">${b.list.map((item) => `<li style="${S.li}">${item.map(runHtml).join('')}</li>`).join('')}</ul>`);
    else if ('facts' in b) {
      const rows = b.facts.map(([k, runs]) => `<tr><th scope="row" style="${S.th}">${escapeHtml(k)}</th><td style="${S.td}">${runs.map(runHtml).join('')}</td></tr>`);
      out.push(`<table role="presentation" style="${S.table}">${rows.join('')}</table>`);
    } else {
      const { url, label } = b.button;
      if (isSafeHref(url)) {
        out.push(`<p style="margin:8px 0 14px 0;"><a href="${escapeHtml(url)}" style="${S.button}">${escapeHtml(label)}</a></p>`);
        out.push(`<p style="${S.small}">If the button does not work, copy this address into your browser:<br><a href="${escapeHtml(url)}" style="${S.link}">${escapeHtml(url)}</a></p>`);
      } else {
        out.push(`<p style="${S.p}">${escapeHtml(label)}: ${escapeHtml(url)}</p>`);
      }
    }
  }
  return out.join('\n');
}

function render(ctx: MailContext, subject: string, title: string, blocks: Block[]): EmailContent {
  return {
    subject: headerSafe(subject),
    text: `${renderText([{ h: plain(title) }, ...blocks])}\n--\n${wrap(`${plain(ctx.trustName).replace(/ /g, GLUE)}: sent by Custodian, the trust's register of official social media accounts.`).split(GLUE).join(' ')}\n`,
    html: emailLayout({ trustName: ctx.trustName, title, bodyHtml: renderHtml(blocks) }),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Pieces shared by the emails

/** "Rachel Hughes (rachel.hughes@oakfield.sch.uk)", or just the address when the name is not known. */
function personRuns(task: Task): Run[] {
  const name = task.subjectName?.trim();
  return name ? [v(name), ' (', v(task.subjectEmail), ')'] : [v(task.subjectEmail)];
}

function schoolOf(task: Task, account?: AccountView): string {
  return account?.schoolName || task.school || 'the school';
}

function isLate(task: Task, today: IsoDate): boolean {
  return task.eventDate !== undefined && task.eventDate < today;
}

/** The leaver's situation, first paragraph of every leaver task email. */
function leaverSituation(task: Task, today: IsoDate): Run[] {
  const who = personRuns(task);
  if (!task.eventDate) return [...who, ' is leaving.'];
  if (task.eventDate < today) return [...who, ' left on ', v(longDate(task.eventDate)), '.'];
  if (task.eventDate === today) return [...who, ' leaves today, ', v(longDate(task.eventDate)), '.'];
  return [...who, ' is leaving on ', v(longDate(task.eventDate)), '.'];
}

function accountFacts(task: Task, account: AccountView | undefined, extra: Array<[string, Run[]]> = []): Block {
  const rows: Array<[string, Run[]]> = [['Account', [v(accountTitle(task, account))]]];
  if (account?.url) rows.push(['Link', [{ link: account.url }]]);
  rows.push(['School', [v(schoolOf(task, account))]]);
  if (account) {
    rows.push(['Registered to', [v(account.linkedEmail)]]);
    rows.push(['Administrators', account.admins.length ? joinValues(account.admins) : ['none recorded']]);
  }
  rows.push(...extra);
  return { facts: rows };
}

function joinValues(values: string[]): Run[] {
  const runs: Run[] = [];
  values.forEach((x, i) => {
    if (i > 0) runs.push(i === values.length - 1 ? ' and ' : ', ');
    runs.push(v(x));
  });
  return runs;
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

function linkBlocks(actionUrl: string, linkExpiresOn: IsoDate, label: string, what: string): Block[] {
  return [
    { button: { url: actionUrl, label } },
    {
      p: [
        `The link opens a page where you confirm ${what}; nothing happens just by opening it. It works once and expires on `,
        v(longDate(linkExpiresOn)), '.',
      ],
    },
  ];
}

// ---------------------------------------------------------------------------------------------------------------
// Task created

export function taskCreatedEmail(
  ctx: MailContext,
  input: { task: Task; account: AccountView; actionUrl: string; linkExpiresOn: IsoDate; assigneeRoles: Record<string, AssigneeRole[]>; today: IsoDate },
): EmailContent {
  const { task, account, actionUrl, linkExpiresOn, assigneeRoles, today } = input;
  const label = accountTitle(task, account);
  const school = schoolOf(task, account);
  const name = personName(task);
  const due = longDate(task.dueDate);
  const late = isLate(task, today);
  const leaves = late ? 'who has left' : 'who is leaving';
  const platform = platformName(account.platform);
  const acct: Run[] = ['the ', v(label), ' account of ', v(school)];

  let subject: string;
  const intro: Block[] = [];
  let todo: Run[];
  let options: Run[][];

  switch (task.type) {
    case 'transfer_or_close': {
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
        [{ strong: ['Close: '] }, 'close the account on ', v(platform), ' if it is no longer needed.'],
        [{ strong: ['Keep as it is: '] }, 'only if there is a good reason; you will be asked for it.'],
      ];
      break;
    }
    case 'replace_admin': {
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
        [{ strong: ['Close: '] }, 'close the account on ', v(platform), ' if it is no longer needed.'],
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
        [{ strong: ['Close: '] }, 'close the account on ', v(platform), ' if it is no longer needed.'],
        [{ strong: ['Keep as it is: '] }, 'you will be asked why.'],
      ];
      break;
    }
    default: {
      subject = `Action needed by ${shortDate(task.dueDate)}: ${taskTitle(task, account)}`;
      intro.push({ p: [{ text: task.reason }] });
      intro.push({ p: ['This is about ', ...acct, ' and ', ...personRuns(task), '.'] });
      todo = [`Decide what should happen: ${actionsFor(task.type).join(', ')}.`];
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
    ['Person', personRuns(task)],
    ...(task.eventDate ? [['Leave date', [v(longDate(task.eventDate))]] as [string, Run[]]] : []),
    ['Due by', [v(due)]],
    ['Task', [v(task.id)]],
  ]));
  blocks.push({ h: 'Make the decision' });
  blocks.push(...linkBlocks(actionUrl, linkExpiresOn, 'Open the decision page', 'your decision'));
  blocks.push({ p: ['Or, from a terminal, run: ', { code: `custodian tasks resolve ${task.id}` }] });
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

// ---------------------------------------------------------------------------------------------------------------
// Task cancelled

export function taskCancelledEmail(ctx: MailContext, input: { task: Task; account?: AccountView; reason: string }): EmailContent {
  const { task, account, reason } = input;
  const name = personName(task);
  const isPolicy = task.type === 'acknowledge_policy';
  const what = isPolicy ? 'the social media policy acknowledgement' : accountTitle(task, account);
  const subject = `Cancelled, no action needed: ${what} (${name})`;
  const blocks: Block[] = [];
  if (isPolicy) {
    blocks.push({ p: ['The task asking ', ...personRuns(task), ' to read and accept the social media policy has been cancelled. Nothing needs doing.'] });
  } else {
    blocks.push({
      p: [
        'The task "', { text: taskTitle(task, account) }, '" about the ', v(accountTitle(task, account)), ' account of ', v(schoolOf(task, account)),
        ' and ', ...personRuns(task), ' has been cancelled. Nothing needs doing.',
      ],
    });
  }
  blocks.push({ p: ['Why: ', { text: reason }] });
  blocks.push({ p: ['Any link in the earlier email about this task no longer works. If you have already made a decision, it still stands.'] });
  const extra: Array<[string, Run[]]> = [['Person', personRuns(task)], ['Was due by', [v(longDate(task.dueDate))]], ['Task', [v(task.id)]]];
  blocks.push(isPolicy ? { facts: extra } : accountFacts(task, account, extra));
  blocks.push({ small: ['You are receiving this because you were sent the earlier email about this task. Task id ', v(task.id), '.'] });
  return render(ctx, subject, `Cancelled: ${taskTitle(task, account)}`, blocks);
}

// ---------------------------------------------------------------------------------------------------------------
// Joiner: acknowledge the policy

export function policyAcknowledgementEmail(
  ctx: MailContext,
  input: { task: Task; joinerName?: string; actionUrl: string; linkExpiresOn: IsoDate; policyTitle: string },
): EmailContent {
  const { task, actionUrl, linkExpiresOn, policyTitle } = input;
  const name = input.joinerName?.trim() || task.subjectName?.trim();
  const due = longDate(task.dueDate);
  const policy = /^the\s/i.test(policyTitle.trim()) ? policyTitle.trim() : `the ${policyTitle.trim()}`;
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
