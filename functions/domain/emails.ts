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
import { accountLabel, PLATFORM_NAMES, type Task } from './tasks.ts';
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
export function taskTitle(task: Task, account?: AccountView, policy?: { title: string }): string {
  const label = accountTitle(task, account);
  switch (task.type) {
    case 'transfer_or_close': return `Transfer or close ${label}`;
    case 'replace_admin': return `Name a new administrator for ${label}`;
    case 'replace_supervisor': return `Name a new ${supervisorRole(task)} for ${label}`;
    case 'acknowledge_policy': return 'Read and accept the social media policy';
    case 'attest_account': return `Confirm ${label} is still in use and monitored`;
    case 'planned_end': return `Extend or close ${label}: planned end date`;
    case 'policy_review': return `Review ${policyName(policy?.title)}`;
  }
}

/** "the Social Media Policy" from a title, without doubling a leading "the"; "the social media policy" when unknown. */
export function policyName(title: string | undefined): string {
  const t = plain(title ?? '');
  if (!t) return 'the social media policy';
  return /^the\s/i.test(t) ? t : `the ${t}`;
}

/**
 * A transfer_or_close task raised because the linked address was renamed or deleted in the directory, not because
 * its owner is leaving. Told apart by the task's reason (domain/leavers.ts writes "... no longer exists in the directory").
 */
export function isAddressGone(task: Pick<Task, 'type' | 'reason'>): boolean {
  return task.type === 'transfer_or_close' && /no longer exists in the directory/i.test(task.reason ?? '');
}

/**
 * Whether the task's subject is a person. Tasks the sweep raises about an account (attestation, planned end, too few
 * administrators) carry `account:<id>` instead of an address, and no name.
 */
export function isPersonSubject(task: Pick<Task, 'subjectEmail'>): boolean {
  const s = (task.subjectEmail ?? '').trim();
  return s.includes('@') && !/^account:/i.test(s);
}

/** Tasks about a member of staff who is leaving (and not about an address that has gone, nor about an account alone). */
function isLeaverTask(task: Task): boolean {
  return (task.type === 'transfer_or_close' || task.type === 'replace_admin' || task.type === 'replace_supervisor')
    && !isAddressGone(task) && isPersonSubject(task);
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
  | { small: Run[] }
  /** A data table: aligned columns in text, a real table in HTML. `mark` highlights a row (e.g. overdue). */
  | { table: { head: string[]; rows: Array<{ cells: Run[][]; mark?: boolean }> } };

/** The document model, for other email builders in this folder (digest.ts). */
export type { Block as EmailBlock, Run as EmailRun };

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

/** Columns padded to their widest cell, two spaces apart, a dashed rule under the header. Never wrapped. */
function tableText(t: { head: string[]; rows: Array<{ cells: Run[][] }> }): string {
  const cell = (runs: Run[]) => runs.map(runText).join('').split(GLUE).join(' ');
  const grid = [t.head.map(plain), t.head.map(() => ''), ...t.rows.map((r) => t.head.map((_, i) => cell(r.cells[i] ?? [])))];
  const widths = t.head.map((_, i) => Math.max(...grid.map((row) => Array.from(row[i] ?? '').length)));
  grid[1] = widths.map((w) => '-'.repeat(w));
  const pad = (text: string, w: number) => text + ' '.repeat(Math.max(0, w - Array.from(text).length));
  return grid.map((row) => row.map((c, i) => pad(c, widths[i] ?? 0)).join('  ').trimEnd()).join('\n');
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
    } else if ('table' in b) out.push(tableText(b.table));
    else out.push(`${b.button.label}:\n${plain(b.button.url)}`);
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
    } else if ('table' in b) {
      const head = b.table.head.map((h) => `<th scope="col" style="${S.dataTh}">${escapeHtml(h)}</th>`).join('');
      const rows = b.table.rows.map((r) => {
        const cells = b.table.head.map((_, i) => `<td style="${S.dataTd}">${(r.cells[i] ?? []).map(runHtml).join('')}</td>`).join('');
        return `<tr${r.mark ? ` style="${S.marked}"` : ''}>${cells}</tr>`;
      });
      out.push(`<table style="${S.dataTable}"><thead><tr>${head}</tr></thead><tbody>${rows.join('')}</tbody></table>`);
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

function render(ctx: Pick<MailContext, 'trustName'>, subject: string, title: string, blocks: Block[]): EmailContent {
  return {
    subject: headerSafe(subject),
    text: `${renderText([{ h: plain(title) }, ...blocks])}\n--\n${wrap(`${plain(ctx.trustName).replace(/ /g, GLUE)}: sent by Custodian, the trust's register of official social media accounts.`).split(GLUE).join(' ')}\n`,
    html: emailLayout({ trustName: ctx.trustName, title, bodyHtml: renderHtml(blocks) }),
  };
}

/** Subject (through headerSafe), text and HTML from blocks, for other email builders in this folder (digest.ts). */
export { render as renderEmail };

// ---------------------------------------------------------------------------------------------------------------
// Pieces shared by the emails

/** "Rachel Hughes (rachel.hughes@oakfield.sch.uk)", or just the address when the name is not known. */
function personRuns(task: Task): Run[] {
  const name = task.subjectName?.trim();
  return name ? [v(name), ' (', v(task.subjectEmail), ')'] : [v(task.subjectEmail)];
}

function schoolOf(task: Pick<Task, 'school'>, account?: Pick<AccountView, 'schoolName'>): string {
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

function accountFacts(task: Pick<Task, 'platform' | 'handle' | 'accountId' | 'school'>, account: AccountView | undefined, extra: Array<[string, Run[]]> = []): Block {
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

/** The label for the task's person in the facts table. */
function personLabel(task: Task): string {
  if (isAddressGone(task)) return 'Registered address';
  if (task.type === 'attest_account' || task.type === 'planned_end') return 'Supervisor';
  if (task.type === 'policy_review') return 'Policy owner';
  return 'Person';
}

/** The people on the task, for the sweep's tasks about an account: its supervisors (the assignees). */
function supervisorRuns(task: Task): Run[] {
  return isPersonSubject(task) ? personRuns(task) : joinValues(task.assignees);
}

/** The facts rows naming the task's person, or its supervisors when the task is about an account alone. */
function personFacts(task: Task): Array<[string, Run[]]> {
  if (isPersonSubject(task)) return [[personLabel(task), personRuns(task)]];
  if (task.type === 'attest_account') return [['Main supervisor', supervisorRuns(task)]];
  if (task.type === 'planned_end') return [[task.assignees.length === 1 ? 'Supervisor' : 'Supervisors', supervisorRuns(task)]];
  return [];
}

/** A renamed or deleted linked address: what it means, without saying anyone is leaving. */
function addressGoneSituation(task: Task, account?: AccountView): Block[] {
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
function situation(task: Task, account: AccountView | undefined, policy: { title: string; nextReviewDate: IsoDate } | undefined, today: IsoDate): Block[] {
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
function whatToDo(task: Task, policy?: { title: string }): Run[] {
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
  }
}

/** Who an overdue task goes to: the joiner's line manager for a policy acknowledgement, else the trust's IT contact. */
function escalationTarget(ctx: MailContext, task: Task, who: 'your' | 'their'): Run[] {
  if (task.type === 'acknowledge_policy') return [`${who} line manager`, ...(task.lineManager ? [' (', v(task.lineManager), ')'] : [])];
  return ["the trust's IT contact, ", v(ctx.trustItContact)];
}

/** The terminal alternative to the link, or nothing for the joiner's own acknowledgement. */
function commandLine(task: Task): Block[] {
  if (task.type === 'acknowledge_policy') return [];
  const command = task.type === 'policy_review' && task.policyId ? `custodian policies reviewed ${task.policyId}` : `custodian tasks resolve ${task.id}`;
  return [{ p: ['Or, from a terminal, run: ', { code: command }] }];
}

/** "no reminders were", "1 reminder was", "3 reminders were". */
function remindersWere(n: number): string {
  if (n <= 0) return 'no reminders were';
  return n === 1 ? '1 reminder was' : `${n} reminders were`;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** What the link opens, as the button says it. */
function linkLabel(task: Task): [string, string] {
  switch (task.type) {
    case 'acknowledge_policy': return ['Open the policy acceptance page', 'that you accept the policy'];
    case 'attest_account': return ['Open the confirmation page', 'your answer'];
    case 'policy_review': return ['Open the review page', 'the review'];
    default: return ['Open the decision page', 'your decision'];
  }
}

/** The heading above the link. */
function actionHeading(task: Task): string {
  switch (task.type) {
    case 'acknowledge_policy': return 'Accept the policy';
    case 'attest_account': return 'Answer';
    case 'policy_review': return 'Mark it reviewed';
    default: return 'Make the decision';
  }
}

/** A short description of the task for a subject: the title, and the person for leaver tasks. */
function subjectTopic(task: Task, account?: AccountView, policy?: { title: string }): string {
  const title = taskTitle(task, account, policy);
  return isLeaverTask(task) ? `${title} (${personName(task)})` : title;
}

/** Facts for reminder and escalation emails: the account (or policy), the person, the dates, the task. */
function taskFacts(task: Task, account: AccountView | undefined, policy: { title: string; nextReviewDate: IsoDate } | undefined, extra: Array<[string, Run[]]>): Block {
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

// ---------------------------------------------------------------------------------------------------------------
// Joiner: acknowledge the policy

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

// ---------------------------------------------------------------------------------------------------------------
// Reminders and escalations (the daily sweep)

type PolicyView = { title: string; nextReviewDate: IsoDate };

/**
 * A reminder about an open task (any type). `number` = which reminder this is (1-based); say how many went before
 * ("This is reminder 3; 2 reminders were sent before"). `overdue` changes the wording. Sent to the task's assignees.
 */
export function taskReminderEmail(
  ctx: MailContext,
  input: { task: Task; account?: AccountView; policy?: PolicyView; actionUrl: string; linkExpiresOn: IsoDate; number: number; overdue: boolean; today: IsoDate },
): EmailContent {
  const { task, account, policy, actionUrl, linkExpiresOn, overdue, today } = input;
  const n = Math.max(1, Math.floor(input.number) || 1);
  const due = longDate(task.dueDate);
  const topic = subjectTopic(task, account, policy);
  const subject = overdue
    ? `Overdue, was due by ${shortDate(task.dueDate)} (reminder ${n}): ${topic}`
    : `Reminder ${n}: action needed by ${shortDate(task.dueDate)}: ${topic}`;
  const target = escalationTarget(ctx, task, 'your');
  const count = `This is reminder ${n}; ${remindersWere(n - 1)} sent before.`;

  const blocks: Block[] = [
    { p: overdue ? ['This task was due by ', v(due), ' and is overdue. ', count] : ['This task is due by ', v(due), '. ', count] },
  ];
  if (task.escalatedOn) blocks.push({ note: [{ strong: ['Escalated: '] }, 'on ', v(longDate(task.escalatedOn)), ' this task was passed to ', ...target, '.'] });
  blocks.push(...situation(task, account, policy, today));
  blocks.push({ h: overdue ? `What to do now (it was due by ${due})` : `What to do by ${due}` });
  blocks.push({ p: whatToDo(task, policy) });
  blocks.push(taskFacts(task, account, policy, [['Due by', [v(due)]], ['Reminder', [`${n}`]]]));
  blocks.push({ h: actionHeading(task) });
  blocks.push(...linkBlocks(actionUrl, linkExpiresOn, ...linkLabel(task)));
  blocks.push(...commandLine(task));
  blocks.push({ h: 'If nothing is done' });
  const then: Run[] = task.escalatedOn
    ? ['It has already been escalated to ', ...target, '. You will keep getting reminders until it is done.']
    : overdue
      ? ['You will keep getting reminders until it is done, and if it stays overdue it is escalated to ', ...target, '.']
      : ['If it is not done by ', v(due), ', you will keep getting reminders and it is escalated to ', ...target, '.'];
  if (task.type === 'attest_account') {
    then.push(" An account with no confirmation and no recorded activity for twice its monitoring period is reported to the school's IT managers as neglected.");
  }
  blocks.push({ p: then });
  blocks.push({ small: ['You are receiving this because you were asked to do this task. Task id ', v(task.id), '. ', { text: task.reason }] });
  return render(ctx, subject, `${overdue ? 'Overdue' : 'Reminder'}: ${taskTitle(task, account, policy)}`, blocks);
}

/**
 * Escalation of an overdue task: to the trust IT contact (for acknowledge_policy: to the joiner's line manager),
 * copying the assignees; says how many reminders were sent, since when it is overdue, who was asked.
 */
export function taskEscalationEmail(
  ctx: MailContext,
  input: {
    task: Task; account?: AccountView; policy?: PolicyView; actionUrl: string; linkExpiresOn: IsoDate;
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
        'Please make sure ', v(name), ' reads the policy and accepts it. They can do it from the link in their own email or from the page below; ',
        'the acceptance is recorded in their name, so only they should press the button.',
      ],
    });
  } else {
    blocks.push({ p: ['Find out why it has not been done, and make sure it is. What is needed:'] });
    blocks.push({ p: whatToDo(task, policy) });
    blocks.push({ p: ['The people asked can decide from the link in their own emails, or from the page below.'] });
  }
  blocks.push(taskFacts(task, account, policy, [
    ['Due by', [v(due)]],
    ['Overdue', [days]],
    ['Asked', asked.length ? asked : ['nobody']],
    ['Reminders sent', [`${sent}`]],
    ['Escalated on', [v(longDate(today))]],
  ]));
  blocks.push({ h: actionHeading(task) });
  blocks.push(...linkBlocks(actionUrl, linkExpiresOn, ...linkLabel(task)));
  blocks.push(...commandLine(task));
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

// ---------------------------------------------------------------------------------------------------------------
// Accounts: attestation, neglect, planned end

/**
 * attest_account created: to the main supervisor: "Is <account> still in use and monitored?" with two actions
 * (Confirm / Request closure) on the linked page. `reason`: 'scheduled' (monitoring frequency) or 'review_due'
 * (past its next review date).
 */
export function attestationEmail(
  ctx: MailContext,
  input: { task: Task; account: AccountView & { monitoringFrequency: string; lastSeenOn: IsoDate }; actionUrl: string; linkExpiresOn: IsoDate; reason: 'scheduled' | 'review_due' },
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
    ...commandLine(task),
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

/** planned_end created: to the supervisor: the account reaches its planned end on <date> (exit strategy); extend with a new date, or close. */
export function plannedEndEmail(
  ctx: MailContext,
  input: { task: Task; account: AccountView & { plannedEndDate: IsoDate }; actionUrl: string; linkExpiresOn: IsoDate },
): EmailContent {
  const { task, account, actionUrl, linkExpiresOn } = input;
  const label = accountTitle(task, account);
  const due = longDate(task.dueDate);
  const end = longDate(account.plannedEndDate);
  const platform = platformName(account.platform);
  const subject = `Action needed by ${shortDate(task.dueDate)}: ${label} is planned to end on ${shortDate(account.plannedEndDate)}, extend or close it`;
  const blocks: Block[] = [
    { p: ['The ', v(label), ' account of ', v(schoolOf(task, account)), ' has a planned end date of ', v(end), ' in the register: the exit strategy recorded for it.'] },
    { p: ["The trust's social media policy asks for a careful exit strategy and a clear plan from the outset about how long a site will last, so that it is not left neglected (A.1.6)."] },
    { h: `What to do by ${due}` },
    { p: ['Decide whether the account is still needed after ', v(end), ':'] },
    {
      list: [
        [{ strong: ['Extend: '] }, 'if it is still needed, enter a new planned end date on the decision page.'],
        [{ strong: ['Close: '] }, 'if it is not, close the account on ', v(platform), ' and record it as closed on the decision page.'],
      ],
    },
    accountFacts(task, account, [
      ...personFacts(task),
      ['Planned end', [v(end)]],
      ['Due by', [v(due)]],
      ['Task', [v(task.id)]],
    ]),
    { h: 'Make the decision' },
    ...linkBlocks(actionUrl, linkExpiresOn, 'Open the decision page', 'your decision'),
    ...commandLine(task),
    { h: 'If nothing is done' },
    { p: ['You will get reminders before the due date and on it, ', v(due), ". If it is still not done after that, it is escalated to the trust's IT contact, ", v(ctx.trustItContact), '.'] },
    { small: ['You are receiving this as a supervisor of ', v(label), ' in the register. Task id ', v(task.id), '.'] },
  ];
  return render(ctx, subject, taskTitle(task, account), blocks);
}

// ---------------------------------------------------------------------------------------------------------------
// Policies: review

/** policy_review created: to the policy owner: policy <title> is due for review on <date>; mark it reviewed (sets the next review date, default 12 months on). */
export function policyReviewEmail(
  ctx: MailContext,
  input: { task: Task; policy: { title: string; nextReviewDate: IsoDate; schoolName?: string }; actionUrl: string; linkExpiresOn: IsoDate },
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
    ...commandLine(task),
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
