import { describe, expect, it } from 'vitest';
import { account, itManager, manager, task as fixtureTask } from '../support/fixtures.ts';
import { resultPage, taskPage, type TaskPageInput } from '../../functions/actions/pages.ts';
import type { AccountView } from '../../functions/domain/emails.ts';
import { pageLayout } from '../../functions/domain/html.ts';
import type { AccountRequest } from '../../functions/domain/requests.ts';
import type { Task } from '../../functions/domain/tasks.ts';
import { longDate } from '../../functions/domain/working-days.ts';

const formAction = 'https://custodian.example.org/actions/eyJ0IjoiYWJjIn0.c2ln';
const task = (overrides: Partial<Task> = {}): Task => fixtureTask({ delivery: { kind: 'created', state: 'sent' }, ...overrides });

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

      // Nobody chooses who is deciding: the link's recipient is the actor (contracts section 6).
      for (const f of [transfer, close, keep]) expect(f).not.toMatch(/name="actor"|<select/);
      expect(html).not.toContain('Who is making this decision?');
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
      values: { newOwner: 'x@gmail.com', reason: 'Still used for sports day' },
    });
    const box = /<div class="box error" id="error" role="alert">[\s\S]*?<\/div>/.exec(html)?.[0] ?? '';
    expect(box).toContain('x@gmail.com is not an active member of staff on a trust domain');
    expect(html.indexOf('id="error"')).toBeLessThan(html.indexOf('id="form-transfer"'));
    expect(formHtml(html, 'form-transfer')).toContain('value="x@gmail.com"');
    expect(formHtml(html, 'form-keep')).toContain('>Still used for sports day</textarea>');
  });

  it('says who the decision is recorded as: the person the link was sent to', () => {
    const html = page({ actingAs: itManager });
    expect(/<p class="box info" id="acting-as">[\s\S]*?<\/p>/.exec(html)?.[0]).toContain(`You are deciding as <strong>${itManager}</strong>`);
    expect(html.indexOf('id="acting-as"')).toBeLessThan(html.indexOf('id="form-transfer"'));
    expect(page()).not.toContain('id="acting-as"');
  });

  it('adds the hidden fields it is given to every form (the console CSRF token)', () => {
    const html = page({ hiddenFields: { _csrf: 'tok"en' } });
    for (const id of ['form-transfer', 'form-close', 'form-keep']) expect(formHtml(html, id)).toContain('<input type="hidden" name="_csrf" value="tok&quot;en">');
  });

  it('escapes every field', () => {
    const x = '<img src=x onerror=alert(1)>';
    const html = taskPage({
      trustName: `<b>Trust</b>`,
      task: task({ subjectName: `O'Brien "Bob" <b>`, subjectEmail: `${x}@a.uk`, handle: x, assignees: [`"><script>alert(1)</script>`], id: x }),
      account: { ...account, handle: x, schoolName: x, linkedEmail: x, admins: [x], url: 'javascript:alert(1)' },
      formAction: `https://a.example/"><script>alert(1)</script>`,
      error: x,
      values: { newOwner: `"><img src=x>`, reason: '</textarea><script>alert(1)</script>' },
      actingAs: x,
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

// ---------------------------------------------------------------------------------------------------------------
// The sweep's task types

const supervisor = 'jo.supervisor@oakfield.sch.uk';
const reserve = 'pat.reserve@oakfield.sch.uk';
const owner = 'policy.owner@northfield-trust.org.uk';

/** A task the sweep raises about an account: `account:<id>` as its subject, the supervisors as assignees. */
function accountTask(type: Task['type'], overrides: Partial<Task> = {}): Task {
  return task({ type, subjectEmail: 'account:instagram:oakfield_pe', subjectName: undefined, eventDate: undefined, assignees: [supervisor, reserve], reason: 'sweep', ...overrides });
}

const reviewTask = task({
  type: 'policy_review', subjectEmail: owner, subjectName: undefined, accountId: undefined, platform: undefined, handle: undefined,
  school: undefined, policyId: 'pol-1', dueDate: '2027-03-01', eventDate: undefined, assignees: [owner], reason: 'due for review',
});
const policy = { title: 'Social Media Policy', nextReviewDate: '2027-03-01' };

/** The hidden action and the submit button every decision form has, and no choice of who is deciding. */
function expectDecisionForm(html: string, action: string, _assignees: string[]): string {
  const f = formHtml(html, `form-${action}`);
  expect(f).toContain(`method="post" action="${formAction}"`);
  expect(f).toContain(`<input type="hidden" name="action" value="${action}">`);
  expect(f).toMatch(new RegExp(`<button type="submit" id="submit-${action}"`));
  expect(f).not.toMatch(/name="actor"|<select/);
  return f;
}

describe('taskPage for attest_account', () => {
  it('asks whether the account is in use, with confirm and request-closure forms', () => {
    const html = page({ task: accountTask('attest_account') });
    expect(html).toContain('<h1>Confirm Instagram @oakfield_pe is still in use and monitored</h1>');
    const text = visible(html);
    expect(text).toContain('Instagram @oakfield_pe');
    expect(text).toContain('Oakfield Academy');
    expect(text).toContain(`Main supervisor ${supervisor}, ${reserve}`);
    expect(text).toContain(longDate('2026-12-18'));
    expect(text).toContain('A.1.6');
    expect(text).toContain('Nothing has changed yet');
    expect(text).not.toMatch(/account:instagram|leaving/);

    const confirm = expectDecisionForm(html, 'confirm', [supervisor, reserve]);
    expect(confirm).toMatch(/<button type="submit" id="submit-confirm">Yes, it is in use and monitored<\/button>/);
    const closure = expectDecisionForm(html, 'request_closure', [supervisor, reserve]);
    expect(closure).toContain('<textarea id="reason" name="reason">');
    expect(closure).not.toMatch(/<textarea[^>]*required/);
    expect(closure).toContain('<label for="reason">Why (optional)</label>');
    expect(html).not.toMatch(/id="form-(transfer|keep|close|extend|reviewed|acknowledge)"/);
  });

  it('refills the reason after an error', () => {
    const html = page({ task: accountTask('attest_account'), error: 'The reason is too long.', values: { reason: 'Merged into @oakfield' } });
    expect(html).toContain('id="error"');
    const closure = formHtml(html, 'form-request_closure');
    expect(closure).toContain('>Merged into @oakfield</textarea>');
  });
});

describe('taskPage for planned_end', () => {
  it('offers to extend with a new date, or close', () => {
    const html = page({ task: accountTask('planned_end') });
    expect(html).toContain('<h1>Extend or close Instagram @oakfield_pe: planned end date</h1>');
    const text = visible(html);
    expect(text).toContain('exit strategy');
    expect(text).toContain(`Supervisor ${supervisor}, ${reserve}`);
    expect(text).not.toMatch(/account:instagram|leaving/);
    const extend = expectDecisionForm(html, 'extend', [supervisor, reserve]);
    expect(extend).toContain('<label for="newDate">New planned end date</label>');
    expect(extend).toMatch(/<input type="date" id="newDate" name="newDate" required/);
    const close = expectDecisionForm(html, 'close', [supervisor, reserve]);
    expect(close).toContain('cannot be undone');
    expect(html).not.toMatch(/id="form-(transfer|keep|confirm|request_closure|reviewed)"/);
  });

  it('refills the new date after an error', () => {
    const html = page({ task: accountTask('planned_end'), error: 'the new planned end must be after today', values: { newDate: '2027-09-01' } });
    expect(formHtml(html, 'form-extend')).toContain('value="2027-09-01"');
    expect(html.indexOf('id="error"')).toBeLessThan(html.indexOf('id="form-extend"'));
  });
});

describe('taskPage for policy_review', () => {
  it('shows the policy and its review date, with one reviewed form', () => {
    const html = taskPage({ trustName: 'Northfield Learning Trust', task: reviewTask, policy, formAction });
    expect(html).toContain('<h1>Review the Social Media Policy</h1>');
    const text = visible(html);
    expect(text).toContain('Policy Social Media Policy');
    expect(text).toContain(`Review date ${longDate('2027-03-01')}`);
    expect(text).toContain(`Policy owner ${owner}`);
    expect(text).toContain('Nothing has changed yet');
    const f = expectDecisionForm(html, 'reviewed', [owner]);
    expect(f).toContain('<label for="nextReview">Next review date</label>');
    expect(f).toMatch(/<input type="date" id="nextReview" name="nextReview"/);
    expect(f).not.toMatch(/name="nextReview"[^>]*required/);
    expect(f).toContain('leave empty for 12 months on');
    expect(f).toMatch(/<button type="submit" id="submit-reviewed">Mark as reviewed<\/button>/);
    expect(html).not.toMatch(/id="form-(transfer|keep|close|extend|confirm|request_closure)"/);
    expect(html).not.toContain('Account');
  });

  it('works without the policy, and refills the date', () => {
    const html = taskPage({ trustName: 'T', task: reviewTask, formAction, values: { nextReview: '2028-01-31' } });
    expect(html).toContain('<h1>Review the social media policy</h1>');
    expect(formHtml(html, 'form-reviewed')).toContain('value="2028-01-31"');
  });
});

describe('taskPage wording for addresses and accounts without a person', () => {
  it('a renamed or deleted linked address is not called a leaver', () => {
    const html = page({ task: task({ reason: 'Instagram @oakfield_pe is registered to rachel.hughes@oakfield.sch.uk, which no longer exists in the directory' }) });
    const text = visible(html);
    expect(text).toContain('which no longer exists in the directory');
    expect(text).toContain('Registered address Rachel Hughes (rachel.hughes@oakfield.sch.uk)');
    expect(text).not.toMatch(/leaving|Leave date|Person leaving/);
    expect(html).toContain('id="form-transfer"');
  });

  it('an account short of administrators (raised by the sweep) names no person', () => {
    const html = page({ task: accountTask('replace_admin', { assignees: [itManager] }) });
    const text = visible(html);
    expect(text).toContain('has one administrator: sam.admin@oakfield.sch.uk');
    expect(text).toContain('A.5.4');
    expect(text).not.toMatch(/account:instagram|leaving/);
  });
});

describe('taskPage escapes the new fields', () => {
  it('escapes the policy title, handles and refilled dates', () => {
    const x = '<img src=x onerror=alert(1)>';
    const attack = '"><script>alert(1)</script>';
    const pages = [
      taskPage({ trustName: 'T', task: { ...reviewTask, assignees: [attack] }, policy: { title: `Policy "A" & 'B' ${x}`, nextReviewDate: '2027-03-01' }, formAction, values: { nextReview: attack }, actingAs: attack }),
      page({ task: accountTask('planned_end', { handle: x, assignees: [attack] }), account: { ...account, handle: x }, values: { newDate: attack }, actingAs: attack }),
      page({ task: accountTask('attest_account', { handle: x }), account: { ...account, handle: x, schoolName: x }, values: { reason: '</textarea><script>alert(1)</script>' } }),
    ];
    for (const html of pages) {
      expect(html).not.toMatch(/<script/i);
      expect(html).not.toContain('<img');
    }
    expect(pages[0]).toContain('Policy &quot;A&quot; &amp; &#39;B&#39; &lt;img src=x onerror=alert(1)&gt;');
    expect(pages[0]).toContain('value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
    expect(pages[1]).toContain('value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
    expect(visible(pages[1]!)).toContain(`Instagram @${x}`);
    expect(pages[2]).toContain('&lt;/textarea&gt;&lt;script&gt;');
  });

  it('never contains a script, for every task type', () => {
    for (const type of ['transfer_or_close', 'replace_admin', 'replace_supervisor', 'acknowledge_policy', 'attest_account', 'planned_end', 'policy_review', 'approve_request', 'set_up_account'] as const) {
      const html = page({ task: task({ type }), policy });
      expect(html).not.toMatch(/<script/i);
      expect(html.startsWith('<!doctype html>')).toBe(true);
    }
  });
});

describe('taskPage for a request for a new account', () => {
  const request: AccountRequest = {
    id: 'r0abc', status: 'pending', requester: 'j.smith@oakfield.sch.uk', requesterName: 'Jo Smith', school: 'oakfield', platform: 'instagram', handle: 'Oakfield_PE',
    publishedName: 'Oakfield PE', purpose: 'PE news\nand fixtures', aims: 'Families at fixtures', whyNotExisting: 'Whole-school account only', content: 'Fixtures',
    audience: 'Parents', linkedEmail: 'pe@oakfield.sch.uk', admins: ['a.one@oakfield.sch.uk', 'a.two@oakfield.sch.uk'], mainSupervisor: 'k.williams@oakfield.sch.uk',
    reserveSupervisor: 'm.reserve@oakfield.sch.uk', monitoringFrequency: 'weekly', holidayMonitoringFrequency: 'monthly', responsible: 'PE department',
    plannedEndDate: '2028-07-31', exitPlan: 'Archive it', successMeasures: 'Attendance at fixtures',
    steps: [
      { step: 'line_manager', approvers: ['d.okafor@oakfield.sch.uk'], decision: { outcome: 'approved', by: 'd.okafor@oakfield.sch.uk', at: '2026-12-03T10:00:00.000Z' } },
      { step: 'headteacher', approvers: ['it.support@trust.example.org'], fallbackReason: 'no headteacher is recorded for Oakfield Academy' },
      { step: 'trust_approvers', approvers: ['director.it@trust.example.org'] },
    ],
    currentStep: 1, submittedAt: '2026-12-02T09:00:00.000Z', createdAt: '2026-12-02T09:00:00.000Z', updatedAt: '2026-12-03T10:00:00.000Z', version: 2,
  };
  const view = { request, schoolName: 'Oakfield Academy' };
  const approveTask = task({ type: 'approve_request', subjectEmail: 'request:r0abc', subjectName: undefined, accountId: undefined, handle: 'Oakfield_PE', requestId: 'r0abc', requestStep: 1, dueDate: '2026-12-10', assignees: ['it.support@trust.example.org'] });

  it('approve_request: shows every answer of the form, why this person is asked, and approve and reject forms', () => {
    const html = page({ task: approveTask, account: undefined, request: view, actingAs: 'it.support@trust.example.org' });
    expect(html).toContain('<h1>Approve or reject a new account: Instagram @Oakfield_PE</h1>');
    const text = visible(html);
    for (const fact of ['Jo Smith (j.smith@oakfield.sch.uk)', 'Oakfield Academy', 'Oakfield PE', 'Families at fixtures', 'Whole-school account only', 'Parents',
      'pe@oakfield.sch.uk', 'a.one@oakfield.sch.uk, a.two@oakfield.sch.uk', 'k.williams@oakfield.sch.uk', 'm.reserve@oakfield.sch.uk', 'weekly', 'monthly',
      'PE department', longDate('2028-07-31'), 'Archive it', 'Attendance at fixtures', '2 of 3: headteacher', longDate('2026-12-10')]) {
      expect(text).toContain(fact);
    }
    expect(html).toContain('PE news<br>and fixtures');
    expect(text).toContain("You are asked as the trust's IT contact, in place of the headteacher of Oakfield Academy, because no headteacher is recorded for Oakfield Academy.");
    expect(text).toContain('Step 1 (line manager): approved by d.okafor@oakfield.sch.uk');
    const approve = formHtml(html, 'form-approve');
    expect(approve).toContain('name="action" value="approve"');
    expect(approve).toContain('id="submit-approve"');
    const reject = formHtml(html, 'form-reject');
    expect(reject).toContain('name="action" value="reject"');
    expect(reject).toMatch(/<label for="reason">[^<]+<\/label>\s*<textarea id="reason" name="reason" required><\/textarea>/);
    expect(html).toContain('id="acting-as"');
    expect(html).not.toContain('custodian tasks');
  });

  it('approve_request: refills the reason after an error, and carries the console\'s hidden fields', () => {
    const html = page({ task: approveTask, account: undefined, request: view, error: 'rejecting a request needs a reason', values: { reason: 'Too <many>' }, hiddenFields: { _csrf: 'tok' } });
    expect(html).toContain('id="error"');
    expect(formHtml(html, 'form-reject')).toContain('>Too &lt;many&gt;</textarea>');
    expect(formHtml(html, 'form-approve')).toContain('name="_csrf" value="tok"');
  });

  it('set_up_account: the set-up form with the handle, the URL, the linked email, the administrators and the login checkbox', () => {
    const setUp = task({ type: 'set_up_account', subjectEmail: 'request:r0abc', subjectName: undefined, accountId: 'instagram:oakfield_pe', handle: 'Oakfield_PE', requestId: 'r0abc', assignees: ['it@oakfield.sch.uk'] });
    const approvedAccount = { ...account, handle: 'Oakfield_PE', linkedEmail: 'pe@oakfield.sch.uk', admins: ['a.one@oakfield.sch.uk', 'a.two@oakfield.sch.uk'] };
    const html = page({ task: setUp, account: approvedAccount, request: { request: { ...request, status: 'approved' }, schoolName: 'Oakfield Academy' } });
    expect(html).toContain('<h1>Set up the new account Instagram @Oakfield_PE</h1>');
    const form = formHtml(html, 'form-set_up');
    expect(form).toContain('name="action" value="set_up"');
    expect(form).toMatch(/<input type="text" id="handle" name="handle" required[^>]*value="Oakfield_PE">/);
    expect(form).toMatch(/<input type="url" id="url" name="url" required/);
    expect(form).toMatch(/<input type="email" id="linked_email" name="linked_email" required[^>]*value="">/);
    expect(visible(form)).toContain('it must be the approved one, pe@oakfield.sch.uk');
    expect(form).toContain('<textarea id="admins" name="admins" required aria-describedby="admins-hint">a.one@oakfield.sch.uk\na.two@oakfield.sch.uk</textarea>');
    expect(form).toMatch(/<label class="check" for="login_stored"><input type="checkbox" id="login_stored" name="login_stored" value="yes" required> The login details are stored as the trust requires<\/label>/);
    expect(form).toContain('id="submit-set_up"');
    expect(visible(html)).toContain('Attendance at fixtures');

    const again = page({ task: setUp, account: approvedAccount, request: view, values: { handle: 'x"y', url: 'https://a.example', linked_email: 'pe@oakfield.sch.uk', admins: 'a@b', login_stored: 'yes' } });
    const refilled = formHtml(again, 'form-set_up');
    expect(refilled).toContain('value="x&quot;y"');
    expect(refilled).toContain('value="https://a.example"');
    expect(refilled).toContain('>a@b</textarea>');
    expect(refilled).toContain('value="yes" required checked>');
  });
});
