import { describe, expect, it } from 'vitest';
import { account, itManager, manager, task } from '../support/fixtures.ts';
import {
  approvalRequestEmail,
  attestationEmail,
  neglectedAccountEmail,
  plannedEndEmail,
  policyAcknowledgementEmail,
  policyReviewEmail,
  requestOutcomeEmail,
  taskCancelledEmail,
  taskCreatedEmail,
  taskEscalationEmail,
  taskReminderEmail,
  type AccountView,
  type EmailContent,
  type AssigneeRole,
  type MailContext,
} from '../../functions/domain/emails.ts';
import { emailLayout, escapeHtml, headerSafe } from '../../functions/domain/html.ts';
import type { AccountRequest } from '../../functions/domain/requests.ts';
import type { Task } from '../../functions/domain/tasks.ts';
import { longDate } from '../../functions/domain/working-days.ts';

const ctx: MailContext = { trustName: 'Northfield Learning Trust', trustItContact: 'it.contact@northfield-trust.org.uk' };
const actionUrl = 'https://custodian.example.org/actions/eyJ0IjoiYWJjIn0.c2lnbmF0dXJl';

const roles: Record<string, AssigneeRole[]> = { [manager]: ['line_manager'], [itManager]: ['it_manager'] };

function created(t: Task, opts: { account?: AccountView; assigneeRoles?: Record<string, AssigneeRole[]>; today?: string } = {}) {
  return taskCreatedEmail(ctx, {
    task: t,
    account: opts.account ?? account,
    actionUrl,
    linkExpiresOn: '2027-01-15',
    assigneeRoles: opts.assigneeRoles ?? roles,
    today: opts.today ?? '2026-12-01',
  });
}

/** What a reader sees in the HTML: tags dropped, entities decoded. */
function visible(html: string): string {
  return html
    .replace(/<[^>]*>/g, ' ')
    .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&#96;/g, '`')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');
}

/** Plain text with line breaks folded, so wrapped sentences can be matched. */
function flat(text: string): string {
  return text.replace(/\s+/g, ' ');
}

const due = longDate('2026-12-18');

describe('escapeHtml and headerSafe', () => {
  it('escapes the six characters and treats null and undefined as empty', () => {
    expect(escapeHtml(`<a href="x" title='y'>&\`</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&#96;&lt;/a&gt;');
    expect(escapeHtml(undefined)).toBe('');
    expect(escapeHtml(null)).toBe('');
    expect(escapeHtml(42)).toBe('42');
  });

  it('turns control characters into single spaces and caps the length at 200', () => {
    expect(headerSafe('a\r\nBcc: evil@x.com\t\u0000b')).toBe('a Bcc: evil@x.com b');
    const long = headerSafe('x'.repeat(500));
    expect(long.length).toBeLessThanOrEqual(200);
  });

  it('emailLayout is a whole document naming the trust and Custodian, with the title escaped', () => {
    const html = emailLayout({ trustName: 'A & B Trust', title: '<b>Hi</b>', bodyHtml: '<p>body</p>', footer: 'note <x>' });
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('A &amp; B Trust');
    expect(html).toContain('&lt;b&gt;Hi&lt;/b&gt;');
    expect(html).toContain('note &lt;x&gt;');
    expect(html).toContain('sent by Custodian');
    expect(html).not.toMatch(/<style|<script|<link/i);
  });
});

describe('taskCreatedEmail', () => {
  const types: Array<[Task['type'], Partial<Task>, RegExp]> = [
    ['transfer_or_close', {}, /Instagram @oakfield_pe is tied to Rachel Hughes, who is leaving/],
    ['replace_admin', {}, /Instagram @oakfield_pe needs a new administrator, as Rachel Hughes is leaving/],
    ['replace_supervisor', { role: 'main_supervisor' }, /Instagram @oakfield_pe needs a new main supervisor, as Rachel Hughes is leaving/],
  ];

  for (const [type, extra, subjectRe] of types) {
    it(`${type}: subject and both parts name the account, the person, the due date, the link and the task id`, () => {
      const t = task({ type, ...extra });
      const mail = created(t);
      expect(mail.subject).toMatch(/^Action needed by Fri 18 Dec 2026: /);
      expect(mail.subject).toMatch(subjectRe);
      expect(mail.subject.length).toBeLessThan(200);
      for (const part of [flat(mail.text), visible(mail.html)]) {
        expect(part).toContain('Instagram @oakfield_pe');
        expect(part).toContain('Oakfield Academy');
        expect(part).toContain('Rachel Hughes (rachel.hughes@oakfield.sch.uk)');
        expect(part).toContain(`What to do by ${due}`);
        expect(part).toContain(actionUrl);
        expect(part).toContain(t.id);
        expect(part).toContain(`custodian tasks resolve ${t.id}`);
        expect(part).toContain(`expires on ${longDate('2027-01-15')}`);
        expect(part).toContain('nothing happens just by opening it');
        expect(part).toContain('It works once');
        expect(part).toContain(`escalated to the trust's IT contact, ${ctx.trustItContact}`);
        expect(part).toContain('reminders before the due date and on it');
      }
      // The link is a button in HTML and a bare line in text.
      expect(mail.html).toMatch(new RegExp(`<a href="${actionUrl.replace(/[.]/g, '\\.')}"[^>]*>Open the decision page</a>`));
      expect(mail.text.split('\n')).toContain(actionUrl);
      expect(mail.text).not.toMatch(/&(amp|lt|gt|quot|#\d+);/);
      expect(mail.text).not.toMatch(/<[a-z]/i);
      expect(mail.html).toContain('Northfield Learning Trust');
    });
  }

  it('transfer_or_close explains the lock-out risk and quotes policy A.1.7', () => {
    const text = flat(created(task()).text);
    expect(text).toContain('is registered to rachel.hughes@oakfield.sch.uk');
    expect(text).toContain('nobody will be able to log in to the account, reset its password or close it');
    expect(text).toContain('email address of a continuing member of staff, or close it');
    expect(text).toContain('A.1.7');
  });

  it('replace_admin lists who remains and quotes A.5.4', () => {
    const text = flat(created(task({ type: 'replace_admin' }), { account: { ...account, admins: ['sam.admin@oakfield.sch.uk', 'lee.admin@oakfield.sch.uk'] } }).text);
    expect(text).toContain('The administrators who remain are sam.admin@oakfield.sch.uk and lee.admin@oakfield.sch.uk');
    expect(text).toContain('at least two (A.5.4)');
    expect(text).toContain('Name a replacement administrator, or close the account, or keep it as it is');
    const none = flat(created(task({ type: 'replace_admin' }), { account: { ...account, admins: [] } }).text);
    expect(none).toContain('It now has no administrators');
  });

  it('replace_supervisor names the role held', () => {
    const text = flat(created(task({ type: 'replace_supervisor', role: 'reserve_supervisor' })).text);
    expect(text).toContain('They are the reserve supervisor of the Instagram @oakfield_pe account');
    expect(text).toContain('Name a replacement reserve supervisor');
  });

  it('says when the leaver has already gone (late notice) and that it is urgent', () => {
    const t = task({ eventDate: '2026-11-27', dueDate: '2026-12-03' });
    const mail = created(t, { today: '2026-12-01' });
    expect(mail.subject).toMatch(/^Urgent: action needed by Thu 3 Dec 2026: .* who has left$/);
    for (const part of [flat(mail.text), visible(mail.html)]) {
      expect(part).toContain(`left on ${longDate('2026-11-27')}`);
      expect(part).toContain('Rachel Hughes has already left and we have only just been told');
      expect(part).toContain('Urgent');
    }
    const onTime = created(task(), { today: '2026-12-01' });
    expect(onTime.text).not.toContain('already left');
    expect(onTime.subject).not.toContain('Urgent');
  });

  it('says why each recipient is receiving it', () => {
    const mail = created(task(), {
      assigneeRoles: { [manager]: ['line_manager'], [itManager]: ['it_manager'] },
    });
    for (const part of [flat(mail.text), visible(mail.html)]) {
      expect(part).toContain(`You are receiving this as Rachel Hughes's line manager (${manager})`);
      expect(part).toContain(`You are receiving this as the IT manager for Oakfield Academy (${itManager})`);
      expect(part).not.toContain("trust's IT contact, because");
    }
  });

  it('explains the trust IT contact standing in for an unknown line manager or IT manager', () => {
    const contact = ctx.trustItContact;
    const noManager = flat(created(task({ assignees: [itManager, contact] }), {
      assigneeRoles: { [itManager]: ['it_manager'], [contact]: ['trust_it_contact'] },
    }).text);
    expect(noManager).toContain(`You are receiving this as the trust's IT contact, because Rachel Hughes's line manager is not known (${contact})`);

    const noIt = flat(created(task({ assignees: [manager, contact] }), {
      assigneeRoles: { [manager]: ['line_manager'], [contact]: ['trust_it_contact'] },
    }).text);
    expect(noIt).toContain("as the trust's IT contact, because no IT manager for Oakfield Academy is known");

    const neither = flat(created(task({ assignees: [contact], subjectName: undefined }), {
      assigneeRoles: { [contact]: ['trust_it_contact'] },
    }).text);
    expect(neither).toContain("as the trust's IT contact, because neither the line manager of rachel.hughes@oakfield.sch.uk nor an IT manager for Oakfield Academy is known");

    const both = flat(created(task(), { assigneeRoles: { [manager]: ['line_manager', 'it_manager'] } }).text);
    expect(both).toContain("as Rachel Hughes's line manager and as the IT manager for Oakfield Academy");
  });

  it('uses the address when the name is not known', () => {
    const mail = created(task({ subjectName: undefined }));
    expect(mail.subject).toContain('is tied to rachel.hughes@oakfield.sch.uk, who is leaving');
    expect(flat(mail.text)).toContain('rachel.hughes@oakfield.sch.uk is leaving on');
    expect(flat(mail.text)).toContain(`the line manager of rachel.hughes@oakfield.sch.uk (${manager})`);
  });

  it('escapes data in HTML and keeps it raw in text', () => {
    const handle = '<img src=x onerror=alert(1)>';
    const name = `O'Brien "Bob" <b>`;
    const evil: AccountView = { ...account, handle, url: 'javascript:alert(1)', admins: ['<script>alert(1)</script>@x.com'] };
    const t = task({ subjectName: name, handle });
    for (const type of ['transfer_or_close', 'replace_admin', 'replace_supervisor'] as const) {
      const mail = created({ ...t, type }, { account: evil });
      expect(mail.html).not.toContain('<img');
      expect(mail.html).not.toContain('<b>');
      expect(mail.html).not.toContain('<script');
      expect(mail.html).not.toContain('href="javascript:');
      expect(mail.html).toContain('&lt;img src=x onerror=alert(1)&gt;');
      expect(mail.html).toContain('O&#39;Brien &quot;Bob&quot; &lt;b&gt;');
      expect(visible(mail.html)).toContain(`Instagram @${handle}`);
      expect(mail.text).toContain(`Instagram @${handle}`);
      expect(mail.text).toContain(name);
      expect(mail.text).toContain('javascript:alert(1)');
    }
  });

  it('keeps CR and LF out of the subject', () => {
    const mail = created(task({ subjectName: 'Rachel\r\nBcc: evil@x.com' }));
    expect(mail.subject).not.toMatch(/[\r\n]/);
    expect(mail.subject).toContain('Rachel Bcc: evil@x.com');
    expect(mail.text).not.toContain('Rachel\r\n');
    const long = created(task({ subjectName: 'N'.repeat(400) }));
    expect(long.subject.length).toBeLessThanOrEqual(200);
  });

  it('wraps plain text lines, leaving long URLs whole', () => {
    const mail = created(task());
    for (const line of mail.text.split('\n')) {
      if (!line.includes('https://')) expect(line.length).toBeLessThanOrEqual(110);
    }
  });
});

describe('taskCancelledEmail', () => {
  it('says the task is cancelled, why, that nothing needs doing and old links no longer work', () => {
    const t = task();
    const reason = 'Rachel Hughes is no longer leaving (HR cancelled the leaver record)';
    const mail = taskCancelledEmail(ctx, { task: t, account, reason });
    expect(mail.subject).toBe('Cancelled, no action needed: Instagram @oakfield_pe (Rachel Hughes)');
    for (const part of [flat(mail.text), visible(mail.html)]) {
      expect(part).toContain('Instagram @oakfield_pe');
      expect(part).toContain('Oakfield Academy');
      expect(part).toContain('Rachel Hughes (rachel.hughes@oakfield.sch.uk)');
      expect(part).toContain('has been cancelled. Nothing needs doing.');
      expect(part).toContain(reason);
      expect(part).toContain('Any link in the earlier email about this task no longer works');
      expect(part).toContain(t.id);
      expect(part).toContain(due);
    }
  });

  it('works without the account, from the task copy of platform and handle', () => {
    const mail = taskCancelledEmail(ctx, { task: task({ platform: 'x', handle: 'oakfield', school: 'Oakfield Academy' }), reason: 'The account was closed' });
    expect(mail.subject).toContain('X @oakfield');
    expect(flat(mail.text)).toContain('X @oakfield account of Oakfield Academy');
  });

  it('escapes the reason in HTML', () => {
    const mail = taskCancelledEmail(ctx, { task: task(), account, reason: '<img src=x onerror=alert(1)>' });
    expect(mail.html).not.toContain('<img');
    expect(mail.text).toContain('<img src=x onerror=alert(1)>');
  });
});

describe('policyAcknowledgementEmail', () => {
  const joiner = task({
    id: 'Ack9xQ2mP9aBcDeF',
    type: 'acknowledge_policy',
    subjectEmail: 'sam.lee@oakfield.sch.uk',
    subjectName: undefined,
    accountId: undefined,
    platform: undefined,
    handle: undefined,
    eventDate: '2026-12-07',
    assignees: ['sam.lee@oakfield.sch.uk'],
  });

  it('welcomes the joiner and asks them to accept the policy by the due date', () => {
    const mail = policyAcknowledgementEmail(ctx, {
      task: joiner, joinerName: 'Sam Lee', actionUrl, linkExpiresOn: '2027-01-15', policyTitle: 'Social Media and ICT Acceptable Use Policy',
    });
    expect(mail.subject).toBe('Action needed by Fri 18 Dec 2026: please read and accept the Social Media and ICT Acceptable Use Policy');
    for (const part of [flat(mail.text), visible(mail.html)]) {
      expect(part).toContain('Welcome to Northfield Learning Trust, Sam Lee.');
      expect(part).toContain('Every member of staff must read and sign');
      expect(part).toContain('Social Media and ICT Acceptable Use Policy');
      expect(part).toContain('I have read and accept the social media policy');
      expect(part).toContain(`What to do by ${due}`);
      expect(part).toContain(actionUrl);
      expect(part).toContain('your line manager is told');
      expect(part).toContain('sam.lee@oakfield.sch.uk');
      expect(part).toContain(joiner.id);
    }
  });

  it('escapes the joiner name and policy title in HTML', () => {
    const mail = policyAcknowledgementEmail(ctx, {
      task: joiner, joinerName: '<b>Sam</b>', actionUrl, linkExpiresOn: '2027-01-15', policyTitle: '<img src=x>',
    });
    expect(mail.html).not.toContain('<img');
    expect(mail.html).not.toContain('<b>Sam');
    expect(mail.text).toContain('<b>Sam</b>');
  });
});

// ---------------------------------------------------------------------------------------------------------------
// The sweep's emails

const supervisor = 'jo.supervisor@oakfield.sch.uk';
const reserve = 'pat.reserve@oakfield.sch.uk';
const owner = 'policy.owner@northfield-trust.org.uk';
const policy = { title: 'Social Media and ICT Acceptable Use Policy', nextReviewDate: '2027-03-01' };
const hostile = '<img src=x onerror=alert(1)>';

/** A task the sweep raises about an account: no person, `account:<id>` as its subject. */
function accountTask(type: Task['type'], overrides: Partial<Task> = {}): Task {
  return task({
    id: `${type.slice(0, 6)}Q2mP9aBcDe`,
    type,
    subjectEmail: 'account:instagram:oakfield_pe',
    subjectName: undefined,
    eventDate: undefined,
    assignees: [supervisor],
    reason: 'the main supervisor confirms the account is still in use and monitored (weekly)',
    ...overrides,
  });
}

const reviewTask = task({
  id: 'RevQ2mP9aBcDeFgH',
  type: 'policy_review',
  subjectEmail: owner,
  subjectName: undefined,
  accountId: undefined,
  platform: undefined,
  handle: undefined,
  school: undefined,
  policyId: 'pol-social-media',
  dueDate: '2027-03-01',
  eventDate: undefined,
  assignees: [owner],
  reason: 'Social Media and ICT Acceptable Use Policy is due for review on Monday 1 March 2027',
});

const joinerTask = task({
  id: 'Ack9xQ2mP9aBcDeF',
  type: 'acknowledge_policy',
  subjectEmail: 'sam.lee@oakfield.sch.uk',
  subjectName: 'Sam Lee',
  accountId: undefined,
  platform: undefined,
  handle: undefined,
  eventDate: '2026-12-07',
  assignees: ['sam.lee@oakfield.sch.uk'],
});

const goneTask = task({
  reason: 'Instagram @oakfield_pe is registered to rachel.hughes@oakfield.sch.uk, which no longer exists in the directory',
});

function parts(mail: EmailContent): string[] {
  return [flat(mail.text), visible(mail.html)];
}

/** Every email: a plain-text part without markup (unless the data has some), an HTML part with the trust, a one-line subject. */
function wellFormed(mail: EmailContent, dataHasMarkup = false): void {
  expect(mail.subject).not.toMatch(/[\r\n]/);
  expect(mail.subject.length).toBeLessThanOrEqual(200);
  expect(mail.text).not.toMatch(/&(amp|lt|gt|quot|#\d+);/);
  if (!dataHasMarkup) expect(mail.text).not.toMatch(/<[a-z]/i);
  expect(mail.html.startsWith('<!doctype html>')).toBe(true);
  expect(mail.html).toContain(ctx.trustName);
  expect(mail.html).not.toMatch(/<script/i);
}

function reminder(t: Task, opts: { number?: number; overdue?: boolean; today?: string; acct?: AccountView | undefined; policy?: typeof policy } = {}) {
  return taskReminderEmail(ctx, {
    task: t,
    ...('acct' in opts ? (opts.acct ? { account: opts.acct } : {}) : { account }),
    ...(opts.policy ? { policy: opts.policy } : {}),
    actionUrl,
    linkExpiresOn: '2027-01-15',
    number: opts.number ?? 1,
    overdue: opts.overdue ?? false,
    today: opts.today ?? '2026-12-10',
  });
}

describe('taskReminderEmail', () => {
  it('names the account, the person, the due date, the link and says which reminder this is', () => {
    const mail = reminder(task(), { number: 3 });
    wellFormed(mail);
    expect(mail.subject).toBe('Reminder 3: action needed by Fri 18 Dec 2026: Transfer or close Instagram @oakfield_pe (Rachel Hughes)');
    for (const part of parts(mail)) {
      expect(part).toContain('This is reminder 3; 2 reminders were sent before.');
      expect(part).toContain('Instagram @oakfield_pe');
      expect(part).toContain('Oakfield Academy');
      expect(part).toContain('Rachel Hughes (rachel.hughes@oakfield.sch.uk)');
      expect(part).toContain(`What to do by ${due}`);
      expect(part).toContain(actionUrl);
      expect(part).toContain(`expires on ${longDate('2027-01-15')}`);
      expect(part).toContain('Tk7xQ2mP9aBcDeFg');
      expect(part).toContain('custodian tasks resolve Tk7xQ2mP9aBcDeFg');
      expect(part).toContain(`escalated to the trust's IT contact, ${ctx.trustItContact}`);
    }
    expect(mail.text.split('\n')).toContain(actionUrl);
  });

  it('counts the reminders that went before', () => {
    expect(flat(reminder(task(), { number: 1 }).text)).toContain('This is reminder 1; no reminders were sent before.');
    expect(flat(reminder(task(), { number: 2 }).text)).toContain('This is reminder 2; 1 reminder was sent before.');
    expect(flat(reminder(task(), { number: 7 }).text)).toContain('This is reminder 7; 6 reminders were sent before.');
  });

  it('says when the task is overdue, and when it has already been escalated', () => {
    const mail = reminder(task(), { number: 4, overdue: true, today: '2026-12-22' });
    expect(mail.subject).toBe('Overdue, was due by Fri 18 Dec 2026 (reminder 4): Transfer or close Instagram @oakfield_pe (Rachel Hughes)');
    for (const part of parts(mail)) {
      expect(part).toContain(`This task was due by ${due} and is overdue. This is reminder 4; 3 reminders were sent before.`);
      expect(part).toContain(`What to do now (it was due by ${due})`);
      expect(part).toContain('Rachel Hughes (rachel.hughes@oakfield.sch.uk) left on');
      expect(part).toContain('if it stays overdue it is escalated to');
    }
    const escalated = reminder(task({ escalatedOn: '2026-12-23' }), { number: 5, overdue: true, today: '2026-12-28' });
    for (const part of parts(escalated)) {
      expect(part).toContain(`on ${longDate('2026-12-23')} this task was passed to the trust's IT contact, ${ctx.trustItContact}`);
      expect(part).toContain('It has already been escalated');
    }
  });

  it('covers every task type with its own wording', () => {
    const cases: Array<[Task, typeof policy | undefined, string[]]> = [
      [task({ type: 'replace_admin' }), undefined, ['Name a replacement administrator', 'A.5.4']],
      [task({ type: 'replace_supervisor', role: 'main_supervisor' }), undefined, ['They are the main supervisor of the Instagram @oakfield_pe account', 'Name a replacement main supervisor']],
      [joinerTask, undefined, ['Sam Lee (sam.lee@oakfield.sch.uk) has not yet read and accepted', 'your line manager', 'Accept the policy']],
      [accountTask('attest_account'), undefined, [`The main supervisor (${supervisor}) is asked to confirm`, 'A.1.6', 'A.5.3', 'reported to the school\'s IT managers as neglected']],
      [accountTask('planned_end', { assignees: [supervisor, reserve] }), undefined, ['is at or near its planned end date', 'Extend the account with a new planned end date, or close it', `${supervisor} and ${reserve}`]],
      [reviewTask, policy, ['The Social Media and ICT Acceptable Use Policy is due for review on Monday 1 March 2027', owner, '12 months on', 'custodian policies reviewed pol-social-media']],
    ];
    for (const [t, pol, expected] of cases) {
      const acct = t.type === 'acknowledge_policy' || t.type === 'policy_review' ? undefined : account;
      const mail = reminder(t, { number: 2, acct, ...(pol ? { policy: pol } : {}) });
      wellFormed(mail);
      expect(mail.subject).toContain(`Reminder 2: action needed by ${t.type === 'policy_review' ? 'Mon 1 Mar 2027' : 'Fri 18 Dec 2026'}`);
      for (const part of parts(mail)) {
        for (const e of expected) expect(part, `${t.type}: ${e}`).toContain(e);
        expect(part).toContain(actionUrl);
        expect(part).toContain(t.id);
        expect(part).toContain('This is reminder 2; 1 reminder was sent before.');
        expect(part).not.toContain('account:instagram');
      }
    }
  });

  it('never says an account-only task (raised by the sweep) is about someone leaving', () => {
    const short = accountTask('replace_admin', { assignees: [itManager, supervisor], reason: 'the account has 1 administrator; policy asks for at least two' });
    const mail = reminder(short, { number: 1 });
    expect(mail.subject).toBe('Reminder 1: action needed by Fri 18 Dec 2026: Name a new administrator for Instagram @oakfield_pe');
    for (const part of parts(mail)) {
      expect(part).toContain('The Instagram @oakfield_pe account of Oakfield Academy has 1 administrator (sam.admin@oakfield.sch.uk)');
      expect(part).toContain('Name another administrator');
      expect(part).not.toMatch(/leaving|has left|left on|account:instagram/);
    }
  });

  it('does not call a renamed or deleted address a leaver', () => {
    for (const part of parts(reminder(goneTask, { number: 2, overdue: true, today: '2026-12-22' }))) {
      expect(part).toContain('which no longer exists in the directory');
      expect(part).not.toMatch(/is leaving|has left|left on|who is leaving/);
    }
  });
});

describe('taskEscalationEmail', () => {
  it("to the trust's IT contact: how overdue, how many reminders, who was asked", () => {
    const mail = taskEscalationEmail(ctx, {
      task: task(), account, actionUrl, linkExpiresOn: '2027-01-15', remindersSent: 4, workingDaysOverdue: 3, escalatedTo: 'trust_it_contact', today: '2026-12-23',
    });
    wellFormed(mail);
    expect(mail.subject).toBe('Escalated: Transfer or close Instagram @oakfield_pe (Rachel Hughes) is 3 working days overdue');
    for (const part of parts(mail)) {
      expect(part).toContain(`escalated to you as the trust's IT contact (${ctx.trustItContact})`);
      expect(part).toContain(`It was due by ${due} and has been overdue since then: 3 working days now.`);
      expect(part).toContain(`It was sent to ${manager} and ${itManager}, and 4 reminders were sent since.`);
      expect(part).toContain('Instagram @oakfield_pe');
      expect(part).toContain('Rachel Hughes (rachel.hughes@oakfield.sch.uk)');
      expect(part).toContain(actionUrl);
      expect(part).toContain('custodian tasks resolve Tk7xQ2mP9aBcDeFg');
      expect(part).toContain('are copied');
    }
    expect(flat(mail.text)).toContain(`Escalated on: ${longDate('2026-12-23')}`);
    expect(flat(mail.text)).toContain('Reminders sent: 4');
    expect(flat(mail.text)).toContain('Overdue: 3 working days');
  });

  it("for a policy acknowledgement: to the joiner's line manager, who must not accept on their behalf", () => {
    const mail = taskEscalationEmail(ctx, {
      task: joinerTask, remindersSent: 0, workingDaysOverdue: 1, escalatedTo: 'line_manager', today: '2026-12-21',
    });
    wellFormed(mail);
    expect(mail.subject).toBe('Escalated: Sam Lee has not accepted the social media policy, 1 working day overdue');
    for (const part of parts(mail)) {
      expect(part).toContain("Sam Lee (sam.lee@oakfield.sch.uk) has not yet read and accepted the trust's social media policy");
      expect(part).toContain('You are receiving this as their line manager; they are copied.');
      expect(part).toContain('1 working day now');
      expect(part).toContain('It was sent to sam.lee@oakfield.sch.uk, and no reminders were sent since.');
      expect(part).toContain('only they can give it');
      // The manager's copy has no link: a link acts as its recipient, and only the joiner may accept.
      expect(part).not.toContain(actionUrl);
      expect(part).not.toContain('Accept the policy');
      expect(part).not.toContain('custodian tasks resolve');
    }
  });

  it('for a policy review: names the policy and its owner', () => {
    const mail = taskEscalationEmail(ctx, {
      task: reviewTask, policy, actionUrl, linkExpiresOn: '2027-04-01', remindersSent: 5, workingDaysOverdue: 3, escalatedTo: 'trust_it_contact', today: '2027-03-04',
    });
    expect(mail.subject).toBe('Escalated: Review the Social Media and ICT Acceptable Use Policy is 3 working days overdue');
    for (const part of parts(mail)) {
      expect(part).toContain(policy.title);
      expect(part).toContain(owner);
      expect(part).toContain('5 reminders were sent since');
    }
  });
});

describe('attestationEmail', () => {
  const acct = { ...account, monitoringFrequency: 'weekly', lastSeenOn: '2026-11-20' };

  it('asks the main supervisor whether the account is still in use and monitored, with both answers', () => {
    const t = accountTask('attest_account');
    const mail = attestationEmail(ctx, { task: t, account: acct, actionUrl, linkExpiresOn: '2027-01-15', reason: 'scheduled' });
    wellFormed(mail);
    expect(mail.subject).toBe('Action needed by Fri 18 Dec 2026: is Instagram @oakfield_pe still in use and monitored?');
    for (const part of parts(mail)) {
      expect(part).toContain('You are the main supervisor of the Instagram @oakfield_pe account of Oakfield Academy');
      expect(part).toContain('is it monitored weekly');
      expect(part).toContain(supervisor);
      expect(part).toContain(longDate('2026-11-20'));
      expect(part).toContain('Yes, it is in use and monitored');
      expect(part).toContain('Request closure');
      expect(part).toContain('must not be neglected (A.1.6)');
      expect(part).toContain('A.5.3');
      expect(part).toContain(`What to do by ${due}`);
      expect(part).toContain(actionUrl);
      expect(part).toContain(t.id);
      expect(part).toContain('in step with the monitoring frequency');
      expect(part).not.toContain('account:instagram');
    }
    expect(mail.html).toMatch(/<a href="[^"]+"[^>]*>Open the confirmation page<\/a>/);
  });

  it('says why when the account is past its review date', () => {
    const mail = attestationEmail(ctx, { task: accountTask('attest_account'), account: acct, actionUrl, linkExpiresOn: '2027-01-15', reason: 'review_due' });
    expect(flat(mail.text)).toContain('past its review date in the register');
    expect(flat(mail.text)).not.toContain('in step with the monitoring frequency');
  });
});

describe('neglectedAccountEmail', () => {
  it('tells the IT managers what was last seen, what to do, and carries no action link', () => {
    const mail = neglectedAccountEmail(ctx, {
      account: { ...account, monitoringFrequency: 'weekly', mainSupervisor: supervisor, lastSeenOn: '2026-11-20' },
      today: '2026-12-07',
    });
    wellFormed(mail);
    expect(mail.subject).toBe('Neglected account: Instagram @oakfield_pe (Oakfield Academy), nothing since Fri 20 Nov 2026');
    for (const part of parts(mail)) {
      expect(part).toContain(`since ${longDate('2026-11-20')} (17 days ago)`);
      expect(part).toContain('more than twice its monitoring period (weekly)');
      expect(part).toContain(`Ask the main supervisor, ${supervisor}`);
      expect(part).toContain('must not be neglected');
      expect(part).toContain('A.1.6');
      expect(part).toContain('custodian register list');
      expect(part).toContain('You are receiving this as an IT manager for Oakfield Academy');
    }
    expect(mail.html).not.toContain('/actions/');
    expect(mail.text).not.toContain('/actions/');
  });
});

describe('plannedEndEmail', () => {
  it('asks the supervisors to extend or close before the planned end', () => {
    const t = accountTask('planned_end', { assignees: [supervisor, reserve], dueDate: '2027-01-04' });
    const mail = plannedEndEmail(ctx, { task: t, account: { ...account, plannedEndDate: '2027-01-04' }, actionUrl, linkExpiresOn: '2027-02-03' });
    wellFormed(mail);
    expect(mail.subject).toBe('Action needed by Mon 4 Jan 2027: Instagram @oakfield_pe is planned to end on Mon 4 Jan 2027, extend or close it');
    for (const part of parts(mail)) {
      expect(part).toContain(`has a planned end date of ${longDate('2027-01-04')}`);
      expect(part).toContain('exit strategy');
      expect(part).toContain('A.1.6');
      expect(part).toContain('Extend:');
      expect(part).toContain('Close:');
      expect(part).toContain(`${supervisor} and ${reserve}`);
      expect(part).toContain(`What to do by ${longDate('2027-01-04')}`);
      expect(part).toContain(actionUrl);
      expect(part).toContain(t.id);
      expect(part).not.toContain('account:instagram');
    }
  });
});

describe('policyReviewEmail', () => {
  it('asks the owner to review the policy and mark it reviewed', () => {
    const mail = policyReviewEmail(ctx, { task: reviewTask, policy, actionUrl, linkExpiresOn: '2027-04-01' });
    wellFormed(mail);
    expect(mail.subject).toBe('Action needed by Mon 1 Mar 2027: the Social Media and ICT Acceptable Use Policy is due for review on Mon 1 Mar 2027');
    for (const part of parts(mail)) {
      expect(part).toContain('You own the Social Media and ICT Acceptable Use Policy (trust-wide) in the policy register');
      expect(part).toContain(`It is due for review on ${longDate('2027-03-01')}`);
      expect(part).toContain(owner);
      expect(part).toContain('leave that empty for 12 months on');
      expect(part).toContain('at least once a year');
      expect(part).toContain('the whole trust');
      expect(part).toContain(actionUrl);
      expect(part).toContain('custodian policies reviewed pol-social-media');
      expect(part).toContain(reviewTask.id);
    }
  });

  it('names the school for a school policy', () => {
    const mail = policyReviewEmail(ctx, { task: reviewTask, policy: { ...policy, schoolName: 'Oakfield Academy' }, actionUrl, linkExpiresOn: '2027-04-01' });
    expect(flat(mail.text)).toContain('Acceptable Use Policy for Oakfield Academy in the policy register');
    expect(flat(mail.text)).not.toContain('the whole trust');
  });
});

describe('renamed or deleted addresses', () => {
  it('taskCreatedEmail explains the address is gone and never says anyone is leaving', () => {
    for (const today of ['2026-12-01', '2026-12-20']) {
      const mail = created(goneTask, { today });
      expect(mail.subject).toBe('Action needed by Fri 18 Dec 2026: Instagram @oakfield_pe is registered to rachel.hughes@oakfield.sch.uk, which no longer exists in the directory');
      for (const part of parts(mail)) {
        expect(part).toContain('which no longer exists in the directory: the address has been renamed or deleted');
        expect(part).toContain('A.1.7');
        expect(part).toContain(actionUrl);
        expect(part).not.toMatch(/is leaving|has left|left on|who is leaving|Leave date|Urgent/);
      }
    }
  });

  it('leaver wording stays for a real leaver', () => {
    expect(flat(created(task()).text)).toContain('is leaving on');
  });
});

describe('taskCreatedEmail and taskCancelledEmail for the newer task types', () => {
  it('an account-only replace_admin says the account is short of administrators', () => {
    const t = accountTask('replace_admin', { assignees: [itManager], reason: 'the account has 1 administrator; policy asks for at least two' });
    const mail = created(t, { assigneeRoles: {} });
    expect(mail.subject).toBe('Action needed by Fri 18 Dec 2026: Instagram @oakfield_pe has fewer than two administrators');
    for (const part of parts(mail)) {
      expect(part).toContain('A.5.4');
      expect(part).not.toMatch(/leaving|has left|account:instagram/);
    }
  });

  it('the fallback for attest_account says what to do and is never "late"', () => {
    const mail = created(accountTask('attest_account', { eventDate: '2026-11-01' }), { assigneeRoles: {}, today: '2026-12-01' });
    expect(mail.subject).toBe('Action needed by Fri 18 Dec 2026: Confirm Instagram @oakfield_pe is still in use and monitored');
    for (const part of parts(mail)) {
      expect(part).toContain('Confirm that the account is still in use and monitored');
      expect(part).not.toMatch(/Urgent|has already left|account:instagram/);
    }
  });

  it('cancels a policy review by naming the policy', () => {
    const mail = taskCancelledEmail(ctx, { task: reviewTask, policy, reason: 'the policy was removed from the register' });
    expect(mail.subject).toBe(`Cancelled, no action needed: the review of the ${policy.title} (${owner})`);
    for (const part of parts(mail)) {
      expect(part).toContain(`to review the ${policy.title} has been cancelled`);
      expect(part).toContain('the policy was removed from the register');
    }
  });

  it('cancels an account-only task without inventing a person', () => {
    const mail = taskCancelledEmail(ctx, { task: accountTask('attest_account'), account, reason: 'the account was closed' });
    expect(mail.subject).toBe('Cancelled, no action needed: Instagram @oakfield_pe');
    for (const part of parts(mail)) {
      expect(part).toContain('account of Oakfield Academy has been cancelled');
      expect(part).toContain(supervisor);
      expect(part).not.toContain('account:instagram');
    }
  });
});

describe('the sweep emails escape hostile values', () => {
  const evilAccount: AccountView = { ...account, handle: hostile, url: 'javascript:alert(1)', schoolName: `St "Mary's" <b>`, admins: ['<script>alert(1)</script>@x.com'] };
  const evilTask = (t: Task) => ({ ...t, handle: hostile, subjectName: t.subjectName ? `O'Brien\r\nBcc: evil@x.com <b>` : undefined });
  const evilPolicy = { title: `The "Safe" Policy\r\nBcc: evil@x.com <img src=x onerror=alert(1)>`, nextReviewDate: '2027-03-01' };

  const mails: Array<[string, EmailContent]> = [
    ['reminder', reminder(evilTask(task()), { acct: evilAccount, number: 2 })],
    ['reminder policy', reminder(evilTask(reviewTask), { acct: undefined, policy: evilPolicy })],
    ['escalation', taskEscalationEmail(ctx, { task: evilTask(task()), account: evilAccount, actionUrl, linkExpiresOn: '2027-01-15', remindersSent: 2, workingDaysOverdue: 3, escalatedTo: 'trust_it_contact', today: '2026-12-23' })],
    ['escalation ack', taskEscalationEmail(ctx, { task: evilTask(joinerTask), actionUrl, linkExpiresOn: '2027-01-15', remindersSent: 2, workingDaysOverdue: 3, escalatedTo: 'line_manager', today: '2026-12-23' })],
    ['attestation', attestationEmail(ctx, { task: evilTask(accountTask('attest_account')), account: { ...evilAccount, monitoringFrequency: '<i>weekly</i>', lastSeenOn: '2026-11-20' }, actionUrl, linkExpiresOn: '2027-01-15', reason: 'scheduled' })],
    ['neglected', neglectedAccountEmail(ctx, { account: { ...evilAccount, monitoringFrequency: 'weekly', mainSupervisor: '"><script>alert(1)</script>', lastSeenOn: '2026-11-20' }, today: '2026-12-07' })],
    ['planned end', plannedEndEmail(ctx, { task: evilTask(accountTask('planned_end')), account: { ...evilAccount, plannedEndDate: '2027-01-04' }, actionUrl, linkExpiresOn: '2027-01-15' })],
    ['policy review', policyReviewEmail(ctx, { task: reviewTask, policy: { ...evilPolicy, schoolName: `St "Mary's" <b>` }, actionUrl, linkExpiresOn: '2027-04-01' })],
  ];

  for (const [name, mail] of mails) {
    it(name, () => {
      wellFormed(mail, true);
      expect(mail.html).not.toContain('<img');
      expect(mail.html).not.toContain('<b>');
      expect(mail.html).not.toContain('<i>');
      expect(mail.html).not.toContain('href="javascript:');
      expect(mail.subject).not.toContain('\r');
      expect(mail.subject).not.toContain('\n');
      const raw = `${mail.subject}\n${mail.text}`;
      if (name === 'reminder' || name === 'escalation') expect(mail.subject).toContain("(O'Brien Bcc: evil@x.com <b>)");
      if (name === 'escalation ack') expect(mail.subject).toContain("Escalated: O'Brien Bcc: evil@x.com <b> has not accepted");
      if (name === 'policy review') expect(mail.subject).toContain('The "Safe" Policy Bcc: evil@x.com <img src=x onerror=alert(1)> is due for review');
      if (name.includes('policy')) {
        expect(mail.html).toContain('The &quot;Safe&quot; Policy');
        expect(flat(mail.text)).toContain('The "Safe" Policy Bcc: evil@x.com <img src=x onerror=alert(1)>');
      } else if (name !== 'escalation ack') {
        expect(mail.html).toContain('&lt;img src=x onerror=alert(1)&gt;');
        expect(raw).toContain(`Instagram @${hostile}`);
      }
    });
  }
});

describe('the new-account emails (contracts section 9)', () => {
  const request: AccountRequest = {
    id: 'r0abc', status: 'pending', requester: 'j.smith@oakfield.sch.uk', requesterName: 'Jo <b>Smith</b>', school: 'oakfield', platform: 'instagram', handle: 'oakfield_pe',
    publishedName: 'Oakfield PE', purpose: 'PE <img src=x onerror=alert(1)>', aims: 'Families at fixtures', whyNotExisting: 'Whole-school only', content: 'Fixtures',
    audience: 'Parents', linkedEmail: 'pe@oakfield.sch.uk', admins: ['a.one@oakfield.sch.uk', 'a.two@oakfield.sch.uk'], mainSupervisor: 'k.williams@oakfield.sch.uk',
    reserveSupervisor: 'm.reserve@oakfield.sch.uk', monitoringFrequency: 'weekly', holidayMonitoringFrequency: 'monthly', responsible: 'PE department',
    exitPlan: 'Archive it', successMeasures: 'Attendance',
    steps: [
      { step: 'line_manager', approvers: [manager], decision: { outcome: 'approved', by: manager, at: '2026-12-03T10:00:00.000Z' } },
      { step: 'headteacher', approvers: ['head@oakfield.sch.uk'], decision: { outcome: 'rejected', by: 'head@oakfield.sch.uk', at: '2026-12-04T10:00:00.000Z', reason: 'Use the school account' } },
    ],
    currentStep: 1, submittedAt: '2026-12-02T09:00:00.000Z', createdAt: '2026-12-02T09:00:00.000Z', updatedAt: '2026-12-04T10:00:00.000Z', version: 3,
  };
  const view = { request, schoolName: 'Oakfield Academy' };
  const stepTask = task({ type: 'approve_request', subjectEmail: 'request:r0abc', subjectName: undefined, accountId: undefined, requestId: 'r0abc', requestStep: 1, dueDate: '2026-12-09' });

  it('the approval email names who asks, for what, why you, by when, and escapes the answers; no terminal command', () => {
    const mail = approvalRequestEmail(ctx, { ...view, request: { ...request, status: 'pending', steps: [request.steps[0]!, { step: 'headteacher', approvers: ['head@oakfield.sch.uk'] }] }, task: stepTask, actionUrl, linkExpiresOn: '2027-01-01' });
    expect(mail.subject).toBe('Approval needed by Wed 9 Dec 2026: new Instagram @oakfield_pe account for Oakfield Academy, requested by Jo <b>Smith</b>');
    for (const part of [mail.text, visible(mail.html)]) {
      for (const fact of ['Oakfield Academy', 'pe@oakfield.sch.uk', 'a.one@oakfield.sch.uk', 'k.williams@oakfield.sch.uk', 'weekly', 'monthly', 'Archive it', 'Attendance', longDate('2026-12-09'), 'headteacher']) {
        expect(flat(part)).toContain(fact);
      }
      expect(part).not.toContain('custodian tasks');
    }
    expect(mail.html).toContain('PE &lt;img src=x onerror=alert(1)&gt;');
    expect(mail.html).not.toContain('<img');
    expect(mail.html).toContain(actionUrl);
  });

  it('the requester is told a rejection with its reason, and an approval', () => {
    const rejected = requestOutcomeEmail(ctx, { ...view, request: { ...request, status: 'rejected' }, outcome: 'rejected' });
    expect(rejected.subject).toBe('Not approved: your request for Instagram @oakfield_pe (Oakfield Academy)');
    expect(flat(rejected.text)).toContain('rejected at approval step 2 of 2: headteacher by head@oakfield.sch.uk');
    expect(rejected.text).toContain('Use the school account');
    expect(visible(rejected.html)).toContain('Use the school account');
    const approved = requestOutcomeEmail(ctx, { ...view, request: { ...request, status: 'approved' }, outcome: 'approved', itManagers: [itManager] });
    expect(flat(approved.text)).toContain(`The school's IT managers (${itManager}) have been asked to set it up with the approved linked email, pe@oakfield.sch.uk`);
  });
});
