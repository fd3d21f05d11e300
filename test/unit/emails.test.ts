import { describe, expect, it } from 'vitest';
import {
  policyAcknowledgementEmail,
  taskCancelledEmail,
  taskCreatedEmail,
  type AccountView,
  type AssigneeRole,
  type MailContext,
} from '../../functions/domain/emails.ts';
import { emailLayout, escapeHtml, headerSafe } from '../../functions/domain/html.ts';
import type { Task } from '../../functions/domain/tasks.ts';
import { longDate } from '../../functions/domain/working-days.ts';

const ctx: MailContext = { trustName: 'Northfield Learning Trust', trustItContact: 'it.contact@northfield-trust.org.uk' };
const manager = 'jo.manager@oakfield.sch.uk';
const itManager = 'it@oakfield.sch.uk';
const actionUrl = 'https://custodian.example.org/actions/eyJ0IjoiYWJjIn0.c2lnbmF0dXJl';

function task(overrides: Partial<Task> = {}): Task {
  return {
    id: 'Tk7xQ2mP9aBcDeFg',
    type: 'transfer_or_close',
    status: 'open',
    subjectEmail: 'rachel.hughes@oakfield.sch.uk',
    subjectName: 'Rachel Hughes',
    accountId: 'instagram:oakfield_pe',
    platform: 'instagram',
    handle: 'oakfield_pe',
    school: 'oakfield',
    dueDate: '2026-12-18',
    assignees: [manager, itManager],
    reason: 'Rachel Hughes is leaving and the account is registered to their email address.',
    eventDate: '2026-12-18',
    sourceEvent: 'evt-1',
    sourceTime: '2026-12-01T09:00:00.000Z',
    createdAt: '2026-12-01T09:00:00.000Z',
    updatedAt: '2026-12-01T09:00:00.000Z',
    version: 1,
    delivery: { kind: 'created', state: 'pending' },
    remindersSent: 0,
    ...overrides,
  };
}

const account: AccountView = {
  platform: 'instagram',
  handle: 'oakfield_pe',
  url: 'https://www.instagram.com/oakfield_pe/',
  schoolName: 'Oakfield Academy',
  linkedEmail: 'rachel.hughes@oakfield.sch.uk',
  admins: ['sam.admin@oakfield.sch.uk'],
};

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
