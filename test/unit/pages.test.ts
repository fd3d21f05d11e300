import { describe, expect, it } from 'vitest';
import { resultPage, taskPage, type TaskPageInput } from '../../functions/actions/pages.ts';
import type { AccountView } from '../../functions/domain/emails.ts';
import { pageLayout } from '../../functions/domain/html.ts';
import type { Task } from '../../functions/domain/tasks.ts';
import { longDate } from '../../functions/domain/working-days.ts';

const formAction = 'https://custodian.example.org/actions/eyJ0IjoiYWJjIn0.c2ln';
const manager = 'jo.manager@oakfield.sch.uk';
const itManager = 'it@oakfield.sch.uk';

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
    delivery: { kind: 'created', state: 'sent' },
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

function page(overrides: Partial<TaskPageInput> = {}): string {
  return taskPage({ trustName: 'Northfield Learning Trust', task: task(), account, formAction, ...overrides });
}

/** The HTML of one form, by id. */
function formHtml(html: string, id: string): string {
  const m = new RegExp(`<form id="${id}"[\\s\\S]*?</form>`).exec(html);
  expect(m, `form ${id}`).not.toBeNull();
  return m![0];
}

function visible(html: string): string {
  return html
    .replace(/<style[\s\S]*?<\/style>/g, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&#96;/g, '`')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');
}

describe('pageLayout', () => {
  it('is a phone-friendly page with inline styles and no script', () => {
    const html = pageLayout({ trustName: 'A & B', title: 'Hi <there>', bodyHtml: '<p>x</p>' });
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('<html lang="en-GB">');
    expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(html).toContain('<h1>Hi &lt;there&gt;</h1>');
    expect(html).toContain('<style>');
    expect(html).not.toMatch(/<script|<link|style-src|src=/i);
  });
});

describe('taskPage for leaver tasks', () => {
  const cases: Array<[Task['type'], Partial<Task>, string, string]> = [
    ['transfer_or_close', {}, 'Email address of the continuing member of staff to transfer it to', 'Transfer or close Instagram @oakfield_pe'],
    ['replace_admin', {}, "New administrator's email", 'Name a new administrator for Instagram @oakfield_pe'],
    ['replace_supervisor', { role: 'reserve_supervisor' }, "New supervisor's email", 'Name a new reserve supervisor for Instagram @oakfield_pe'],
  ];

  for (const [type, extra, newOwnerLabel, title] of cases) {
    it(`${type}: shows the account, the person, the due date and three forms`, () => {
      const html = page({ task: task({ type, ...extra }) });
      expect(html).toContain(`<h1>${title}</h1>`);
      const text = visible(html);
      expect(text).toContain('Instagram @oakfield_pe');
      expect(text).toContain('Oakfield Academy');
      expect(text).toContain('Rachel Hughes (rachel.hughes@oakfield.sch.uk)');
      expect(text).toContain(longDate('2026-12-18'));
      expect(text).toContain('Tk7xQ2mP9aBcDeFg');
      expect(text).toContain('Nothing has changed yet. The decision is made only when you press one of the buttons below.');

      const transfer = formHtml(html, 'form-transfer');
      expect(transfer).toContain(`method="post" action="${formAction}"`);
      expect(transfer).toContain('<input type="hidden" name="action" value="transfer">');
      expect(transfer).toMatch(/<input type="email" id="newOwner" name="newOwner" required/);
      expect(transfer).toContain(`<label for="newOwner">${newOwnerLabel.replace("'", '&#39;')}</label>`);
      expect(transfer).toContain('id="submit-transfer"');

      const close = formHtml(html, 'form-close');
      expect(close).toContain(`action="${formAction}"`);
      expect(close).toContain('<input type="hidden" name="action" value="close">');
      expect(close).toContain('id="submit-close"');
      expect(close).toContain('cannot be undone');

      const keep = formHtml(html, 'form-keep');
      expect(keep).toContain('<input type="hidden" name="action" value="keep">');
      expect(keep).toMatch(/<textarea id="reason" name="reason" required/);
      expect(keep).toContain('<label for="reason">Why it should stay as it is</label>');
      expect(keep).toContain('id="submit-keep"');

      for (const f of [transfer, close, keep]) {
        expect(f).toContain('Who is making this decision?');
        expect(f).toMatch(/<select id="actor-\w+" name="actor" required>/);
        expect(f).toContain(`<option value="${manager}">${manager}</option>`);
        expect(f).toContain(`<option value="${itManager}">${itManager}</option>`);
      }
      expect(html).not.toContain('id="form-acknowledge"');
      expect(html).not.toContain('id="error"');
    });
  }

  it('quotes the policy clause for the task type', () => {
    expect(visible(page())).toContain('A.1.7');
    expect(visible(page({ task: task({ type: 'replace_admin' }) }))).toContain('A.5.4');
  });

  it('shows an error box and refills the forms', () => {
    const html = page({
      error: 'x@gmail.com is not an active member of staff on a trust domain',
      values: { newOwner: 'x@gmail.com', reason: 'Still used for sports day', actor: itManager },
    });
    const box = /<div class="box error" id="error" role="alert">[\s\S]*?<\/div>/.exec(html)?.[0] ?? '';
    expect(box).toContain('x@gmail.com is not an active member of staff on a trust domain');
    expect(html.indexOf('id="error"')).toBeLessThan(html.indexOf('id="form-transfer"'));
    expect(formHtml(html, 'form-transfer')).toContain('value="x@gmail.com"');
    expect(formHtml(html, 'form-keep')).toContain('>Still used for sports day</textarea>');
    for (const id of ['form-transfer', 'form-close', 'form-keep']) {
      const f = formHtml(html, id);
      expect(f).toContain(`<option value="${itManager}" selected>`);
      expect(f).not.toContain(`<option value="${manager}" selected>`);
    }
  });

  it('pre-selects the only assignee', () => {
    const html = page({ task: task({ assignees: [manager] }) });
    expect(formHtml(html, 'form-close')).toContain(`<option value="${manager}" selected>`);
  });

  it('escapes every field', () => {
    const x = '<img src=x onerror=alert(1)>';
    const html = taskPage({
      trustName: `<b>Trust</b>`,
      task: task({ subjectName: `O'Brien "Bob" <b>`, subjectEmail: `${x}@a.uk`, handle: x, assignees: [`"><script>alert(1)</script>`], id: x }),
      account: { ...account, handle: x, schoolName: x, linkedEmail: x, admins: [x], url: 'javascript:alert(1)' },
      formAction: `https://a.example/"><script>alert(1)</script>`,
      error: x,
      values: { newOwner: `"><img src=x>`, reason: '</textarea><script>alert(1)</script>', actor: x },
    });
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<b>');
    expect(html).not.toContain('href="javascript:');
    expect(html).toContain('action="https://a.example/&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
    expect(html).toContain('value="&quot;&gt;&lt;img src=x&gt;"');
    expect(html).toContain('O&#39;Brien &quot;Bob&quot; &lt;b&gt;');
    expect(html).toContain('&lt;/textarea&gt;');
    const text = visible(html);
    expect(text).toContain(`Instagram @${x}`);
    expect(text).toContain('javascript:alert(1)');
  });

  it('never contains a script', () => {
    for (const type of ['transfer_or_close', 'replace_admin', 'replace_supervisor', 'acknowledge_policy'] as const) {
      expect(page({ task: task({ type }) })).not.toMatch(/<script/i);
    }
  });
});

describe('taskPage for acknowledge_policy', () => {
  it('shows the statement and one acknowledge form, with no actor select', () => {
    const t = task({ type: 'acknowledge_policy', subjectName: 'Sam Lee', subjectEmail: 'sam.lee@oakfield.sch.uk', accountId: undefined, platform: undefined, handle: undefined, assignees: ['sam.lee@oakfield.sch.uk'] });
    const html = taskPage({ trustName: 'Northfield Learning Trust', task: t, formAction });
    expect(html).toContain('<h1>Read and accept the social media policy</h1>');
    const text = visible(html);
    expect(text).toContain('I have read, understood and accept the policy');
    expect(text).toContain('Sam Lee (sam.lee@oakfield.sch.uk)');
    expect(text).toContain(longDate('2026-12-18'));
    const f = formHtml(html, 'form-acknowledge');
    expect(f).toContain(`method="post" action="${formAction}"`);
    expect(f).toContain('<input type="hidden" name="action" value="acknowledge">');
    expect(f).toMatch(/<button type="submit" id="submit-acknowledge"[^>]*>I have read and accept the social media policy<\/button>/);
    expect(html).not.toContain('name="actor"');
    expect(html).not.toMatch(/id="form-(transfer|close|keep)"/);
    expect(html).not.toMatch(/<script/i);

    const withError = taskPage({ trustName: 'T', task: t, formAction, error: 'This link has already been used' });
    expect(withError).toContain('id="error"');
    expect(withError).toContain('This link has already been used');
  });
});

describe('resultPage', () => {
  it('puts the title in h1 and the message in #message, styled by kind', () => {
    for (const kind of ['success', 'error', 'info'] as const) {
      const html = resultPage({ trustName: 'Northfield Learning Trust', title: 'Done <now>', message: `Recorded "transfer" to <x@y>`, kind });
      expect(html).toContain('<h1>Done &lt;now&gt;</h1>');
      expect(html).toContain('<p id="message">Recorded &quot;transfer&quot; to &lt;x@y&gt;</p>');
      expect(html).toContain(`class="box ${kind}"`);
      expect(html).not.toMatch(/<script/i);
    }
  });
});
