import { describe, expect, it } from 'vitest';
import { weeklyDigestEmail, type DigestInput } from '../../functions/domain/digest.ts';

type OpenTask = DigestInput['openTasks'][number];

const today = '2027-01-04';

function open(overrides: Partial<OpenTask> & Pick<OpenTask, 'id'>): OpenTask {
  return {
    type: 'transfer_or_close',
    dueDate: '2027-01-08',
    subjectEmail: 'rachel.hughes@oakfield.sch.uk',
    subjectName: 'Rachel Hughes',
    platform: 'instagram',
    handle: 'oakfield_pe',
    remindersSent: 0,
    ...overrides,
  };
}

function input(overrides: Partial<DigestInput> = {}): DigestInput {
  return {
    trustName: 'Northfield Learning Trust',
    schoolName: 'Oakfield Academy',
    today,
    weekLabel: 'week of Monday 4 January 2027',
    openTasks: [
      open({ id: 'TaskOpenLater001', dueDate: '2027-01-15', type: 'replace_admin', subjectName: 'Sam Admin', subjectEmail: 'sam.admin@oakfield.sch.uk', handle: 'oakfield_sport', remindersSent: 0 }),
      open({ id: 'TaskOverdueNew02', dueDate: '2026-12-30', type: 'attest_account', subjectEmail: 'account:x:oakfield', subjectName: undefined, platform: 'x', handle: 'oakfield', remindersSent: 2 }),
      open({ id: 'TaskOpenSoon0003', dueDate: '2027-01-08', remindersSent: 1 }),
      open({ id: 'TaskOverdueOld04', dueDate: '2026-12-18', remindersSent: 4, escalatedOn: '2026-12-23' }),
      open({ id: 'TaskDueToday0005', dueDate: today, type: 'planned_end', subjectEmail: 'account:facebook:oakfieldpta', subjectName: undefined, platform: 'facebook', handle: 'oakfieldpta' }),
    ],
    neglected: [
      { platform: 'youtube', handle: 'oakfieldmusic', mainSupervisor: 'lee.music@oakfield.sch.uk', lastSeenOn: '2026-11-20' },
      { platform: 'tiktok', handle: 'oakfieldpe', mainSupervisor: 'jo.pe@oakfield.sch.uk', lastSeenOn: '2026-10-01' },
    ],
    shortOfAdmins: [
      { platform: 'instagram', handle: 'oakfield_art', admins: ['amy.art@oakfield.sch.uk'] },
      { platform: 'x', handle: 'oakfield_old', admins: [] },
    ],
    policiesDue: [
      { title: 'Social Media Policy', owner: 'owner@northfield-trust.org.uk', nextReviewDate: '2027-02-01' },
      { title: 'Acceptable Use Policy', owner: 'it@northfield-trust.org.uk', nextReviewDate: '2026-12-01' },
    ],
    ...overrides,
  };
}

function visible(html: string): string {
  return html
    .replace(/<[^>]*>/g, ' ')
    .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&#96;/g, '`')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');
}

/** The lines of one plain-text table, found by its header line's first words, up to the blank line after it. */
function textTable(text: string, header: RegExp): string[] {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => header.test(l));
  expect(start, `table ${header}`).toBeGreaterThanOrEqual(0);
  const end = lines.findIndex((l, i) => i > start && l.trim() === '');
  return lines.slice(start, end === -1 ? undefined : end);
}

/** The rows (<tr> contents) of the HTML table that follows a heading. */
function htmlRows(html: string, heading: string): string[] {
  const at = html.indexOf(heading);
  expect(at, heading).toBeGreaterThanOrEqual(0);
  const table = /<table[\s\S]*?<\/table>/.exec(html.slice(at))?.[0] ?? '';
  return [...table.matchAll(/<tr[^>]*>[\s\S]*?<\/tr>/g)].map((m) => m[0]).slice(1);
}

describe('weeklyDigestEmail', () => {
  it('puts the counts and the school in the subject', () => {
    const mail = weeklyDigestEmail(input());
    expect(mail.subject).toBe('Custodian weekly: 2 overdue, 5 open tasks, 2 neglected accounts, 2 accounts short of administrators, 2 policies due for review — Oakfield Academy');
    const small = weeklyDigestEmail(input({
      openTasks: [
        open({ id: 'a', dueDate: '2026-12-01' }), open({ id: 'b', dueDate: '2027-01-01' }),
        open({ id: 'c', dueDate: today }), open({ id: 'd', dueDate: '2027-02-01' }), open({ id: 'e', dueDate: '2027-02-02' }),
      ],
      neglected: input().neglected.slice(0, 1),
      shortOfAdmins: [],
      policiesDue: [],
    }));
    expect(small.subject).toBe('Custodian weekly: 2 overdue, 5 open tasks, 1 neglected account — Oakfield Academy');
  });

  it('uses singulars and zeroes, and says None for empty sections', () => {
    const mail = weeklyDigestEmail(input({ openTasks: [open({ id: 'only' })], neglected: [], shortOfAdmins: [], policiesDue: [] }));
    expect(mail.subject).toBe('Custodian weekly: 0 overdue, 1 open task, 0 neglected accounts — Oakfield Academy');
    const empty = weeklyDigestEmail(input({ openTasks: [], neglected: [], shortOfAdmins: [], policiesDue: [] }));
    expect(empty.subject).toBe('Custodian weekly: 0 overdue, 0 open tasks, 0 neglected accounts — Oakfield Academy');
    for (const part of [empty.text, visible(empty.html)]) {
      expect(part.match(/None\./g)?.length).toBe(4);
      expect(part).toContain('Open tasks (0, 0 overdue)');
      expect(part).toContain('Neglected accounts (0)');
      expect(part).toContain('Accounts short of administrators (0)');
      expect(part).toContain('Policies due for review (0)');
    }
    expect(empty.html).not.toContain('<table style="border-collapse:collapse;width:100%');
  });

  it('names the school and the week in both parts', () => {
    const mail = weeklyDigestEmail(input());
    for (const part of [mail.text.replace(/\s+/g, ' '), visible(mail.html)]) {
      expect(part).toContain('Weekly digest: Oakfield Academy, week of Monday 4 January 2027');
      expect(part).toContain('5 open tasks (2 overdue), 2 neglected accounts, 2 accounts short of administrators and 2 policies due for review');
      expect(part).toContain('custodian tasks list');
      expect(part).toContain('must not be neglected (A.1.6)');
      expect(part).toContain('at least two administrators per account (A.5.4)');
    }
    expect(mail.html).toContain('Northfield Learning Trust');
    expect(mail.html.startsWith('<!doctype html>')).toBe(true);
  });

  it('lists overdue tasks first, marked, then the rest by due date', () => {
    const mail = weeklyDigestEmail(input());
    const table = textTable(mail.text, /^Status\s+Due\s+Task/);
    const rows = table.slice(2);
    expect(rows.map((r) => r.split(/\s{2,}/).at(-1))).toEqual(['TaskOverdueOld04', 'TaskOverdueNew02', 'TaskDueToday0005', 'TaskOpenSoon0003', 'TaskOpenLater001']);
    expect(rows[0]).toMatch(/^Overdue\s+Fri 18 Dec 2026\s+Transfer or close\s+Instagram @oakfield_pe\s+Rachel Hughes\s+4\s+Wed 23 Dec 2026\s+TaskOverdueOld04$/);
    expect(rows[1]).toMatch(/^Overdue\s+Wed 30 Dec 2026\s+Confirm in use\s+X @oakfield\s+-\s+2\s+-\s+TaskOverdueNew02$/);
    expect(rows[2]).toMatch(/^Open\s+Mon 4 Jan 2027\s+Planned end/); // due today is not overdue yet
    expect(mail.text).not.toContain('account:');

    const html = htmlRows(mail.html, 'Open tasks (5, 2 overdue)');
    expect(html).toHaveLength(5);
    expect(html[0]).toMatch(/^<tr style="background:[^"]+">/);
    expect(html[0]).toContain('<strong>Overdue</strong>');
    expect(html[1]).toContain('<strong>Overdue</strong>');
    expect(html[2]).toMatch(/^<tr>/);
    expect(html[0]).toContain('TaskOverdueOld04');
    expect(html[4]).toContain('TaskOpenLater001');
  });

  it('aligns the plain-text columns', () => {
    const mail = weeklyDigestEmail(input());
    for (const header of [/^Status\s+Due\s+Task/, /^Account\s+Main supervisor/, /^Account\s+Administrators/, /^Status\s+Review date/]) {
      const [head, rule, ...rows] = textTable(mail.text, header);
      // Each column starts where its dashes start, in the header and in every row.
      const starts = [...rule!.matchAll(/-+/g)].map((m) => m.index!);
      expect(starts.length).toBeGreaterThan(1);
      for (const line of [head!, ...rows]) {
        for (const s of starts.slice(1)) {
          expect(line[s - 1], `${line} @${s}`).toBe(' ');
          expect(line[s - 2], `${line} @${s}`).toBe(' ');
          expect(line[s], `${line} @${s}`).not.toBe(' ');
        }
      }
    }
  });

  it('sorts neglected accounts oldest first, short ones by fewest administrators, policies by date', () => {
    const mail = weeklyDigestEmail(input());
    const neglected = textTable(mail.text, /^Account\s+Main supervisor/).slice(2);
    expect(neglected[0]).toMatch(/^TikTok @oakfieldpe\s+jo\.pe@oakfield\.sch\.uk\s+Thu 1 Oct 2026\s+95$/);
    expect(neglected[1]).toMatch(/^YouTube @oakfieldmusic\s+lee\.music@oakfield\.sch\.uk\s+Fri 20 Nov 2026\s+45$/);

    const short = textTable(mail.text, /^Account\s+Administrators/).slice(2);
    expect(short[0]).toMatch(/^X @oakfield_old\s+none\s+0$/);
    expect(short[1]).toMatch(/^Instagram @oakfield_art\s+amy\.art@oakfield\.sch\.uk\s+1$/);
    expect(htmlRows(mail.html, 'Accounts short of administrators (2)')[0]).toMatch(/^<tr style=/);

    const policies = textTable(mail.text, /^Status\s+Review date/).slice(2);
    expect(policies[0]).toMatch(/^Overdue\s+Tue 1 Dec 2026\s+Acceptable Use Policy\s+it@northfield-trust\.org\.uk$/);
    expect(policies[1]).toMatch(/^Due\s+Mon 1 Feb 2027\s+Social Media Policy\s+owner@northfield-trust\.org\.uk$/);
    expect(mail.text.replace(/\s+/g, ' ')).toContain('1 is past the review date.');
  });

  it('escapes every value, keeps the subject on one line, and has no script', () => {
    const x = '<img src=x onerror=alert(1)>';
    const mail = weeklyDigestEmail(input({
      trustName: '<b>Trust</b>',
      schoolName: 'Oakfield\r\nBcc: evil@x.com <b>',
      weekLabel: 'week of <i>Monday</i>',
      openTasks: [open({ id: '"><script>alert(1)</script>', handle: x, subjectName: `O'Brien "Bob" <b>` })],
      neglected: [{ platform: 'facebook', handle: x, mainSupervisor: '"><script>alert(1)</script>', lastSeenOn: '2026-11-20' }],
      shortOfAdmins: [{ platform: 'x', handle: x, admins: [x] }],
      policiesDue: [{ title: `The "Safe" & 'Sound' Policy ${x}`, owner: x, nextReviewDate: '2027-02-01' }],
    }));
    expect(mail.subject).not.toMatch(/[\r\n]/);
    expect(mail.subject).toBe('Custodian weekly: 0 overdue, 1 open task, 1 neglected account, 1 account short of administrators, 1 policy due for review — Oakfield Bcc: evil@x.com <b>');
    expect(mail.html).not.toMatch(/<script/i);
    expect(mail.html).not.toContain('<img');
    expect(mail.html).not.toContain('<b>');
    expect(mail.html).not.toContain('<i>');
    expect(mail.html).toContain('The &quot;Safe&quot; &amp; &#39;Sound&#39; Policy &lt;img src=x onerror=alert(1)&gt;');
    expect(mail.html).toContain('O&#39;Brien &quot;Bob&quot; &lt;b&gt;');
    expect(visible(mail.html)).toContain(`Instagram @${x}`);
    expect(mail.text).toContain(`Instagram @${x}`);
    expect(mail.text).toContain(`The "Safe" & 'Sound' Policy ${x}`);
    expect(mail.text).not.toMatch(/&(amp|lt|gt|quot|#\d+);/);
  });
});
