/**
 * New official accounts (contracts section 9), on the in-memory store: a member of staff submits the site creation
 * approval form; the line manager, the headteacher and a trust approver each decide from the link in their own email
 * (through resolveTask, as the action page does: the recipient is the actor); the account enters the register as
 * approved and the school's IT manager sets it up. Also: refusals field by field, a rejection, fallbacks to the trust
 * IT contact, reminders and escalation, who may decide, who may see, the bus events and the audit. Given / when / then.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { personChange } from '../../functions/domain/changes.ts';
import type { OutgoingEmail } from '../../functions/usecases/ports.ts';
import type { Person } from '../../functions/domain/model.ts';
import type { AccountRequest } from '../../functions/domain/requests.ts';
import type { Task } from '../../functions/domain/tasks.ts';
import { verifyToken } from '../../functions/domain/tokens.ts';
import { decideTask, Forbidden, listRequestsFor, requestFor, type Viewer } from '../../functions/usecases/console/index.ts';
import { listRegister } from '../../functions/usecases/register.ts';
import { submitRequest } from '../../functions/usecases/requests.ts';
import { resolveTask, ResolveError, type Decision } from '../../functions/usecases/resolve.ts';
import { putSchool } from '../../functions/usecases/schools.ts';
import { runSweep } from '../../functions/usecases/sweep.ts';
import { harness, LINK_SECRET, SCHOOLS, TRUST_APPROVER, TRUST_IT, type Harness } from './support.ts';

const REQUESTER = 'j.smith@oakfield.sch.uk';
const MANAGER = 'd.okafor@oakfield.sch.uk';
const HEAD = 'head@oakfield.sch.uk';
const IT = 'it@oakfield.sch.uk';
const LEAVER = 'r.hughes@oakfield.sch.uk';

/** The form as a member of staff fills it in (field names of contracts section 9). */
const FORM: Record<string, string> = {
  school: 'oakfield',
  platform: 'instagram',
  handle: '@Oakfield_PE',
  published_name: 'Oakfield PE',
  purpose: 'Share PE fixtures, results and clubs with families.',
  aims: 'More families at fixtures;\nclubs that fill up.',
  why_not_existing: 'The school account posts whole-school news only.',
  content: 'Fixtures, results, club notices and photos with consent.',
  audience: 'Parents and carers of Oakfield pupils',
  main_supervisor: 'k.williams@oakfield.sch.uk',
  reserve_supervisor: 'm.reserve@oakfield.sch.uk',
  monitoring_frequency: 'weekly',
  holiday_monitoring_frequency: 'monthly',
  responsible: 'The PE department (K Williams)',
  linked_email: 'pe@oakfield.sch.uk',
  admins: 'a.one@oakfield.sch.uk; a.two@oakfield.sch.uk',
  planned_end_date: '2028-07-31',
  exit_plan: 'Archive it when the PE department stops using it.',
  success_measures: 'Fixture attendance, club sign-ups.',
  _csrf: 'ignored',
};

let h: Harness;

async function addPerson(key: string, email: string, over: Partial<Person> = {}): Promise<void> {
  const nowIso = h.clock.now().toISOString();
  await h.store.commit([personChange(undefined, { key, primaryEmail: email, addresses: [email], status: 'active', createdAt: nowIso, updatedAt: nowIso, version: 1, ...over }, 'person.created')], { by: 'system:hr', source: 'test' });
}

/** Given the three schools (Oakfield with its headteacher) and the staff, on Wednesday 2 December 2026. */
async function given(options: { headteacher?: boolean; lineManager?: boolean } = {}): Promise<void> {
  h = harness('2026-12-02T09:00:00Z');
  for (const s of SCHOOLS) {
    await putSchool(h.store, s.id === 'oakfield' && options.headteacher !== false ? { ...s, headteacher: HEAD } : s, { by: IT, source: 'test' });
  }
  await addPerson('hr:requester', REQUESTER, { displayName: 'Jo Smith', ...(options.lineManager === false ? {} : { lineManagerEmail: MANAGER }) });
  await addPerson('hr:leaver', LEAVER, { status: 'leaving', leaveDate: '2026-12-18' });
}

const submit = (form: Record<string, string> = FORM) => submitRequest(h.deps, { email: REQUESTER, name: 'Jo Smith' }, form);

async function submitted(form: Record<string, string> = FORM): Promise<AccountRequest> {
  const result = await submit(form);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.request;
}

const request = async (id: string) => (await h.store.getRequest(id))!;
const task = async (id: string) => (await h.store.getTask(id))!;
const mailTo = (to: string) => h.mailer.sent.filter((m) => m.to.includes(to));
const lastMailTo = (to: string) => mailTo(to).at(-1)!;

/** The action link in an email for a task: its token, as the action page reads it. */
function linkIn(email: OutgoingEmail, taskId: string) {
  const tokens = [...email.text.matchAll(/https:\/\/custodian\.example\.org\/actions\/([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)/g)].map((m) => m[1]!);
  const found = tokens.map((t) => ({ t, check: verifyToken(LINK_SECRET, t, Math.floor(h.clock.now().getTime() / 1000)) }))
    .find(({ check }) => check.ok && check.payload.t === taskId);
  if (!found || !found.check.ok) throw new Error(`no link for task ${taskId} in "${email.subject}"`);
  return found.check.payload;
}

/** Decides from the link in the newest email to `to` about `taskId`, as the action page's POST does. */
async function decideFromEmail(to: string, taskId: string, decision: Decision): Promise<Task> {
  const p = linkIn(lastMailTo(to), taskId);
  return resolveTask(h.deps, {
    taskId, decision, actor: { by: p.r, source: `email-action:${taskId}` },
    linkNonce: { nonce: p.n, expiresAt: p.e }, link: { recipient: p.r, generation: p.g },
  });
}

async function snapshot(): Promise<string> {
  return JSON.stringify({
    requests: await h.store.listRequests(), accounts: await h.store.listAccounts(), tasks: await h.store.listTasks(),
    audit: await h.store.auditSince('2026-01-01'), sent: h.mailer.sent.length, events: h.publisher.events.length,
  });
}

async function refusal(promise: Promise<unknown>): Promise<Error> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(Error);
  return err as Error;
}

const SET_UP: Decision = {
  action: 'set_up', handle: 'oakfield_pe', url: 'https://www.instagram.com/oakfield_pe', linkedEmail: 'PE@oakfield.sch.uk',
  admins: 'a.one@oakfield.sch.uk\na.two@oakfield.sch.uk', loginStored: true,
};

const viewer = (email: string, over: Partial<Viewer> = {}): Viewer => ({ email, trustAdmin: false, itManagerOf: [], addresses: [email], ...over });

describe('the whole chain: line manager, headteacher, trust approver, then the IT manager sets it up', () => {
  let r: AccountRequest;
  beforeEach(async () => {
    await given();
    r = await submitted();
  });

  it('submitting records the request, works out the chain, and emails the line manager their own link', async () => {
    expect(r).toMatchObject({
      status: 'pending', requester: REQUESTER, requesterName: 'Jo Smith', currentStep: 0, school: 'oakfield', platform: 'instagram', handle: 'Oakfield_PE',
      linkedEmail: 'pe@oakfield.sch.uk', admins: ['a.one@oakfield.sch.uk', 'a.two@oakfield.sch.uk'], holidayMonitoringFrequency: 'monthly',
      plannedEndDate: '2028-07-31', aims: 'More families at fixtures;\nclubs that fill up.',
    });
    expect(r.steps.map((s) => [s.step, s.approvers, s.fallbackReason])).toEqual([
      ['line_manager', [MANAGER], undefined], ['headteacher', [HEAD], undefined], ['trust_approvers', [TRUST_APPROVER], undefined],
    ]);
    const first = await task(r.steps[0]!.taskId!);
    // Due in 5 working days; reminders from the working-day rules like every task.
    expect(first).toMatchObject({ type: 'approve_request', status: 'open', assignees: [MANAGER], requestId: r.id, requestStep: 0, dueDate: '2026-12-09', subjectEmail: `request:${r.id}` });
    expect(first.delivery.state).toBe('sent');
    expect(h.mailer.sent.map((m) => m.to)).toEqual([[MANAGER]]);
    const email = lastMailTo(MANAGER);
    expect(email.subject).toBe('Approval needed by Wed 9 Dec 2026: new Instagram @Oakfield_PE account for Oakfield Academy, requested by Jo Smith');
    for (const text of [email.text, email.html]) {
      for (const fact of ['Jo Smith', REQUESTER, 'Oakfield Academy', 'Instagram', 'Oakfield_PE', 'Share PE fixtures', 'Parents and carers', 'pe@oakfield.sch.uk',
        'a.one@oakfield.sch.uk', 'k.williams@oakfield.sch.uk', 'm.reserve@oakfield.sch.uk', 'weekly', 'monthly', 'Archive it when', 'Fixture attendance', 'Wednesday 9 December 2026']) {
        expect(text).toContain(fact);
      }
      expect(text).not.toContain('custodian tasks');
    }
    expect(linkIn(email, first.id).r).toBe(MANAGER);
    expect(h.publisher.events).toEqual([{ detailType: 'Account Requested', detail: { requestId: r.id, school: 'oakfield', platform: 'instagram', handle: 'Oakfield_PE', requester: REQUESTER, steps: ['line_manager', 'headteacher', 'trust_approvers'] } }]);
  });

  it('each approver approves from their own email; the account enters the register as approved with every field, and the IT manager is asked to set it up', async () => {
    await decideFromEmail(MANAGER, r.steps[0]!.taskId!, { action: 'approve' });
    const afterManager = await request(r.id);
    expect(afterManager).toMatchObject({ status: 'pending', currentStep: 1 });
    expect(afterManager.steps[0]!.decision).toMatchObject({ outcome: 'approved', by: MANAGER });
    const headTask = afterManager.steps[1]!.taskId!;
    expect(await task(headTask)).toMatchObject({ type: 'approve_request', assignees: [HEAD], requestStep: 1 });
    expect(lastMailTo(HEAD).text).toContain('Step 1 (line manager): approved by d.okafor@oakfield.sch.uk');

    h.clock.advance(86_400_000);
    await decideFromEmail(HEAD, headTask, { action: 'approve' });
    const approverTask = (await request(r.id)).steps[2]!.taskId!;
    expect(linkIn(lastMailTo(TRUST_APPROVER), approverTask).r).toBe(TRUST_APPROVER);

    h.clock.advance(86_400_000);
    await decideFromEmail(TRUST_APPROVER, approverTask, { action: 'approve' });
    const approved = await request(r.id);
    expect(approved).toMatchObject({ status: 'approved', currentStep: 3, accountId: 'instagram:oakfield_pe' });
    expect(approved.steps.map((s) => s.decision?.by)).toEqual([MANAGER, HEAD, TRUST_APPROVER]);

    const account = (await h.store.getAccount('instagram:oakfield_pe'))!;
    expect(account).toMatchObject({
      status: 'approved', platform: 'instagram', handle: 'Oakfield_PE', school: 'oakfield', linkedEmail: 'pe@oakfield.sch.uk',
      admins: ['a.one@oakfield.sch.uk', 'a.two@oakfield.sch.uk'], mainSupervisor: 'k.williams@oakfield.sch.uk', reserveSupervisor: 'm.reserve@oakfield.sch.uk',
      purpose: FORM.purpose, audience: FORM.audience, publishedName: 'Oakfield PE', monitoringFrequency: 'weekly', holidayMonitoringFrequency: 'monthly',
      plannedEndDate: '2028-07-31',
      approval: {
        requestId: r.id, requestedBy: REQUESTER, approvedOn: '2026-12-04', aims: FORM.aims!.replace('\n', '\n'), whyNotExisting: FORM.why_not_existing,
        content: FORM.content, responsible: FORM.responsible, exitPlan: FORM.exit_plan, successMeasures: FORM.success_measures,
      },
    });
    // Approved, not set up: nothing for the sweep to ask of it yet.
    expect(account.nextCheckOn).toBeUndefined();
    expect((await listRegister(h.store, { status: 'approved' })).map((a) => a.id)).toEqual(['instagram:oakfield_pe']);

    const setUp = await task(approved.setUpTaskId!);
    expect(setUp).toMatchObject({ type: 'set_up_account', status: 'open', assignees: [IT], accountId: 'instagram:oakfield_pe', dueDate: '2026-12-18' });
    const itEmail = lastMailTo(IT);
    expect(itEmail.subject).toContain('set up the approved Instagram @Oakfield_PE account for Oakfield Academy');
    expect(itEmail.text).toContain('pe@oakfield.sch.uk');
    expect(itEmail.text).not.toContain('custodian tasks');
    expect(lastMailTo(REQUESTER).subject).toBe('Approved: your request for Instagram @Oakfield_PE (Oakfield Academy)');
    expect(h.publisher.events.filter((e) => e.detailType.startsWith('Account ')).map((e) => e.detailType)).toEqual(['Account Requested', 'Account Approved']);
    expect(h.publisher.events.find((e) => e.detailType === 'Account Approved')!.detail).toMatchObject({
      requestId: r.id, school: 'oakfield', platform: 'instagram', handle: 'Oakfield_PE', requester: REQUESTER, accountId: 'instagram:oakfield_pe',
    });
  });

  it('the IT manager records the set-up: the account becomes active, reviewed a year on, with its planned end from the request', async () => {
    await decideFromEmail(MANAGER, r.steps[0]!.taskId!, { action: 'approve' });
    await decideFromEmail(HEAD, (await request(r.id)).steps[1]!.taskId!, { action: 'approve' });
    await decideFromEmail(TRUST_APPROVER, (await request(r.id)).steps[2]!.taskId!, { action: 'approve' });
    const setUpId = (await request(r.id)).setUpTaskId!;
    h.clock.set('2026-12-07T10:00:00Z');

    const done = await decideFromEmail(IT, setUpId, SET_UP);

    expect(done.resolution).toMatchObject({ action: 'set_up', handle: 'oakfield_pe', url: 'https://www.instagram.com/oakfield_pe', linkedEmail: 'pe@oakfield.sch.uk', by: IT });
    const account = (await h.store.getAccount('instagram:oakfield_pe'))!;
    expect(account).toMatchObject({
      status: 'active', handle: 'oakfield_pe', url: 'https://www.instagram.com/oakfield_pe', nextReviewDate: '2027-12-07', plannedEndDate: '2028-07-31',
      lastActivityDate: '2026-12-07', approval: { setUpOn: '2026-12-07', setUpBy: IT },
    });
    // From now on the sweep treats it like any other account.
    expect(account.nextCheckOn).toBeDefined();
    expect(await request(r.id)).toMatchObject({ status: 'set_up', setUpBy: IT });
    expect(lastMailTo(REQUESTER).subject).toBe('Set up: Instagram @Oakfield_PE (Oakfield Academy) is in the register');
  });

  it('the audit shows each person\'s decision as their own', async () => {
    const later = () => h.clock.advance(3_600_000);
    later();
    await decideFromEmail(MANAGER, r.steps[0]!.taskId!, { action: 'approve' });
    later();
    await decideFromEmail(HEAD, (await request(r.id)).steps[1]!.taskId!, { action: 'approve' });
    later();
    await decideFromEmail(TRUST_APPROVER, (await request(r.id)).steps[2]!.taskId!, { action: 'approve' });
    later();
    await decideFromEmail(IT, (await request(r.id)).setUpTaskId!, SET_UP);

    const history = await h.store.auditFor('account_request', r.id);
    expect(history.map((e) => [e.action, e.by])).toEqual([
      ['request.submitted', REQUESTER], ['request.approved', MANAGER], ['request.approved', HEAD], ['request.approved', TRUST_APPROVER], ['request.set_up', IT],
    ]);
    expect(JSON.stringify(history)).not.toContain('Jo Smith');
    const steps = await h.store.getRequest(r.id);
    for (const [i, who] of [MANAGER, HEAD, TRUST_APPROVER].entries()) {
      const entries = await h.store.auditFor('task', steps!.steps[i]!.taskId!);
      expect(entries.find((e) => e.action === 'task.resolved')).toMatchObject({ by: who, source: `email-action:${steps!.steps[i]!.taskId}` });
    }
    expect((await h.store.auditFor('account', 'instagram:oakfield_pe')).map((e) => [e.action, e.by])).toEqual([['account.approved', TRUST_APPROVER], ['account.set_up', IT]]);
  });

  it('a step is decided once: a second approver\'s link, or the same link again, changes nothing', async () => {
    await decideFromEmail(MANAGER, r.steps[0]!.taskId!, { action: 'approve' });
    const before = await snapshot();
    const err = await refusal(decideFromEmail(MANAGER, r.steps[0]!.taskId!, { action: 'reject', reason: 'changed my mind' }));
    expect(err).toBeInstanceOf(ResolveError);
    expect((err as ResolveError).code).toBe('not_open');
    expect(await snapshot()).toBe(before);
  });
});

describe('a rejection at the headteacher step', () => {
  it('stops the chain, emails the requester the reason, and adds nothing to the register', async () => {
    await given();
    const r = await submitted();
    await decideFromEmail(MANAGER, r.steps[0]!.taskId!, { action: 'approve' });
    const headTask = (await request(r.id)).steps[1]!.taskId!;

    const empty = await refusal(decideFromEmail(HEAD, headTask, { action: 'reject', reason: '  ' }));
    expect((empty as ResolveError).code).toBe('invalid');
    await decideFromEmail(HEAD, headTask, { action: 'reject', reason: 'Post on the school account instead; we have too many accounts.' });

    const rejected = await request(r.id);
    expect(rejected).toMatchObject({ status: 'rejected', currentStep: 1 });
    expect(rejected.steps[1]!.decision).toMatchObject({ outcome: 'rejected', by: HEAD, reason: 'Post on the school account instead; we have too many accounts.' });
    expect(rejected.steps[2]!.taskId).toBeUndefined();
    expect((await h.store.listTasks('open'))).toEqual([]);
    expect(mailTo(TRUST_APPROVER)).toEqual([]);
    expect(await h.store.listAccounts()).toEqual([]);

    const told = lastMailTo(REQUESTER);
    expect(told.subject).toBe('Not approved: your request for Instagram @Oakfield_PE (Oakfield Academy)');
    for (const text of [told.text, told.html]) {
      expect(text).toContain('Post on the school account instead');
      expect(text).toContain(HEAD);
      expect(text).toContain('2 of 3: headteacher');
    }
    expect(h.publisher.events.find((e) => e.detailType === 'Account Rejected')!.detail).toEqual({
      requestId: r.id, school: 'oakfield', platform: 'instagram', handle: 'Oakfield_PE', requester: REQUESTER,
      step: 'headteacher', stepNumber: 2, rejectedBy: HEAD, reason: 'Post on the school account instead; we have too many accounts.',
    });
    expect(h.publisher.events.some((e) => e.detailType === 'Account Approved')).toBe(false);
    // The audit keeps the decision and who made it, not the free-text reason.
    const audit = JSON.stringify(await h.store.auditFor('account_request', r.id));
    expect(audit).toContain(HEAD);
    expect(audit).not.toContain('too many accounts');
  });
});

describe('refusals field by field', () => {
  beforeEach(() => given());

  it('a personal linked address, one administrator, or a leaver as supervisor: each named, nothing written', async () => {
    const before = await snapshot();
    const result = await submit({ ...FORM, linked_email: 'jo.smith.pe@gmail.com', admins: 'a.one@oakfield.sch.uk', main_supervisor: LEAVER });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((e) => e.field)).toEqual(['main_supervisor', 'linked_email', 'admins']);
    expect(result.errors.find((e) => e.field === 'linked_email')!.message).toMatch(/not an official address: use one on Oakfield Academy's domains \(oakfield\.sch\.uk\), never a personal one/);
    expect(result.errors.find((e) => e.field === 'admins')!.message).toMatch(/at least two administrators \(only one is named\)/);
    expect(result.errors.find((e) => e.field === 'main_supervisor')!.message).toBe(`${LEAVER} is not an active member of staff (they are leaving)`);
    expect(await snapshot()).toBe(before);
  });

  it('every missing answer is named, and a planned end date or an exit plan is asked for', async () => {
    const result = await submit({ _csrf: 'x' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((e) => e.field)).toEqual([
      'school', 'platform', 'handle', 'published_name', 'purpose', 'aims', 'why_not_existing', 'content', 'audience', 'main_supervisor', 'reserve_supervisor',
      'monitoring_frequency', 'holiday_monitoring_frequency', 'responsible', 'linked_email', 'admins', 'planned_end_date', 'success_measures',
    ]);
    expect(await h.store.listRequests()).toEqual([]);
  });

  it('a handle already in the register, or already requested, is refused', async () => {
    await submitted();
    const again = await submit({ ...FORM, handle: 'oakfield_pe' });
    expect(again.ok).toBe(false);
    if (!again.ok) expect(again.errors).toEqual([{ field: 'handle', message: expect.stringMatching(/^Instagram @oakfield_pe has already been requested \(request r\w+, pending\)$/) }]);
  });
});

describe('fallbacks to the trust IT contact', () => {
  it('an unknown headteacher: the trust IT contact is asked in their place, and the request and the email say so', async () => {
    await given({ headteacher: false });
    const r = await submitted();
    expect(r.steps[1]).toMatchObject({ step: 'headteacher', approvers: [TRUST_IT], fallbackReason: 'no headteacher is recorded for Oakfield Academy' });
    await decideFromEmail(MANAGER, r.steps[0]!.taskId!, { action: 'approve' });

    const email = lastMailTo(TRUST_IT);
    expect(email.text.replace(/\s+/g, ' ')).toContain("You are asked as the trust's IT contact, in place of the headteacher of Oakfield Academy, because no headteacher is recorded for Oakfield Academy.");
    expect(email.html).toContain('no headteacher is recorded for Oakfield Academy');
    await decideFromEmail(TRUST_IT, (await request(r.id)).steps[1]!.taskId!, { action: 'approve' });
    expect((await request(r.id)).steps[1]!.decision).toMatchObject({ outcome: 'approved', by: TRUST_IT });
    const progress = await requestFor(h.deps, viewer(REQUESTER), r.id);
    expect(progress.steps[1]).toMatchObject({ state: 'approved', fallbackReason: 'no headteacher is recorded for Oakfield Academy', decidedBy: TRUST_IT });
  });

  it('an unknown line manager, no trust approvers set up: each step says why', async () => {
    await given({ lineManager: false });
    h.deps.config.trustApprovers = [];
    const r = await submitted();
    expect(r.steps.map((s) => [s.approvers, s.fallbackReason])).toEqual([
      [[TRUST_IT], "the requester's line manager is not known to Custodian (from HR or the directory)"],
      [[HEAD], undefined],
      [[TRUST_IT], 'no trust approvers are set up (the trustApprovers setting)'],
    ]);
    expect(mailTo(TRUST_IT)).toHaveLength(1);
  });

  it('nobody approves their own request: a headteacher asking is replaced by the trust IT contact', async () => {
    await given();
    const result = await submitRequest(h.deps, { email: HEAD }, FORM);
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(result.request.steps[1]).toMatchObject({ approvers: [TRUST_IT], fallbackReason: expect.stringContaining('made the request') });
  });

  it('the chain follows the approvalSteps setting', async () => {
    await given();
    h.deps.config.approvalSteps = ['headteacher'];
    const r = await submitted();
    expect(r.steps.map((s) => s.step)).toEqual(['headteacher']);
    await decideFromEmail(HEAD, r.steps[0]!.taskId!, { action: 'approve' });
    expect(await request(r.id)).toMatchObject({ status: 'approved' });
  });
});

describe('who may decide', () => {
  let r: AccountRequest;
  beforeEach(async () => {
    await given();
    r = await submitted();
  });

  it('someone the step does not ask cannot approve it, by link or in the console; nothing changes', async () => {
    const stepTask = await task(r.steps[0]!.taskId!);
    const before = await snapshot();
    // The headteacher's own name on the decision, on the line manager's step.
    const asHead = await refusal(resolveTask(h.deps, { taskId: stepTask.id, decision: { action: 'approve' }, actor: { by: HEAD, source: 'console' } }));
    expect((asHead as ResolveError).code).toBe('refused');
    // A link made for someone else.
    const asOther = await refusal(resolveTask(h.deps, { taskId: stepTask.id, decision: { action: 'approve' }, actor: { by: HEAD, source: 'email-action' }, link: { recipient: HEAD, generation: 1 } }));
    expect((asOther as ResolveError).code).toBe('refused');
    // The school's IT manager (who may decide other tasks of the school) may not approve on the line manager's behalf.
    expect(await refusal(decideTask(h.deps, viewer(IT, { itManagerOf: ['oakfield'] }), stepTask.id, { action: 'approve' }))).toBeInstanceOf(Forbidden);
    expect(await refusal(decideTask(h.deps, viewer('admin@trust.example.org', { trustAdmin: true }), stepTask.id, { action: 'approve' }))).toBeInstanceOf(Forbidden);
    expect(await snapshot()).toBe(before);
  });

  it('the line manager may approve in the console, as themself', async () => {
    h.clock.advance(60_000);
    await decideTask(h.deps, viewer(MANAGER), r.steps[0]!.taskId!, { action: 'approve' });
    expect((await request(r.id)).steps[0]!.decision).toMatchObject({ by: MANAGER });
    expect((await h.store.auditFor('account_request', r.id)).at(-1)).toMatchObject({ by: MANAGER, source: 'console' });
  });

  it('the set-up form is checked: the approved handle and linked email, two administrators, a web address, the login details stored', async () => {
    await decideFromEmail(MANAGER, r.steps[0]!.taskId!, { action: 'approve' });
    await decideFromEmail(HEAD, (await request(r.id)).steps[1]!.taskId!, { action: 'approve' });
    await decideFromEmail(TRUST_APPROVER, (await request(r.id)).steps[2]!.taskId!, { action: 'approve' });
    const before = await snapshot();
    const err = await refusal(resolveTask(h.deps, {
      taskId: (await request(r.id)).setUpTaskId!, actor: { by: IT, source: 'console' },
      decision: { action: 'set_up', handle: 'oakfield_sport', url: 'instagram', linkedEmail: 'someone@gmail.com', admins: 'a.one@oakfield.sch.uk', loginStored: false },
    }));
    expect((err as ResolveError).code).toBe('invalid');
    for (const field of ['handle:', 'url:', 'linked_email:', 'admins:', 'login_stored:']) expect(err.message).toContain(field);
    expect(await snapshot()).toBe(before);
  });
});

describe('reminders and escalation of an approve_request task, by the sweep', () => {
  it('reminds the approver on working days before and after the due date, and escalates to the trust IT contact, who may then decide', async () => {
    await given();
    const r = await submitted();
    const id = r.steps[0]!.taskId!;
    const seen = new Map<string, string[]>();
    for (const day of ['2026-12-03', '2026-12-04', '2026-12-07', '2026-12-08', '2026-12-09', '2026-12-10', '2026-12-11', '2026-12-14']) {
      const from = h.mailer.sent.length;
      h.clock.set(`${day}T07:00:00Z`);
      await runSweep(h.deps, { escalateAfterWorkingDays: 3 });
      seen.set(day, h.mailer.sent.slice(from).filter((m) => !m.subject.startsWith('Custodian weekly')).map((m) => `${m.to.join(',')}: ${m.subject}`));
    }
    expect(seen.get('2026-12-03')).toEqual([]);
    expect(seen.get('2026-12-07')).toEqual([`${MANAGER}: Reminder 1: action needed by Wed 9 Dec 2026: Approve or reject a new account: Instagram @Oakfield_PE`]);
    expect(seen.get('2026-12-09')).toEqual([`${MANAGER}: Reminder 2: action needed by Wed 9 Dec 2026: Approve or reject a new account: Instagram @Oakfield_PE`]);
    expect(seen.get('2026-12-11')![0]).toMatch(/^d\.okafor@oakfield\.sch\.uk: Overdue, was due by Wed 9 Dec 2026 \(reminder 3\)/);
    expect(seen.get('2026-12-14')!.some((s) => s.startsWith(`${TRUST_IT}: Escalated: Approve or reject a new account`))).toBe(true);
    const reminder = h.mailer.sent.find((m) => m.subject.startsWith('Reminder 1'))!;
    expect(reminder.text.replace(/\s+/g, ' ')).toContain('asks for a new official Instagram @Oakfield_PE account for Oakfield Academy');
    expect(reminder.text).not.toContain('custodian tasks');

    expect((await task(id)).assignees).toEqual([MANAGER, TRUST_IT]);
    await decideFromEmail(TRUST_IT, id, { action: 'approve' });
    expect((await request(r.id)).steps[0]!.decision).toMatchObject({ by: TRUST_IT });
  });

  it('leaves an approved account alone until it is set up, then treats it like any other', async () => {
    await given();
    h.deps.config.approvalSteps = ['headteacher'];
    const r = await submitted();
    await decideFromEmail(HEAD, r.steps[0]!.taskId!, { action: 'approve' });
    for (let d = 3; d <= 31; d++) {
      h.clock.set(`2026-12-${String(d).padStart(2, '0')}T07:00:00Z`);
      await runSweep(h.deps, { escalateAfterWorkingDays: 3 });
    }
    const tasks = await h.store.listTasks();
    expect(tasks.filter((t) => t.accountId === 'instagram:oakfield_pe').map((t) => t.type)).toEqual(['set_up_account']);
    expect((await h.store.getAccount('instagram:oakfield_pe'))!.status).toBe('approved');
  });
});

describe('who may see a request and its progress', () => {
  let r: AccountRequest;
  beforeEach(async () => {
    await given();
    r = await submitted();
    await decideFromEmail(MANAGER, r.steps[0]!.taskId!, { action: 'approve' });
  });

  it('the requester follows their request: each step, who, decided or waiting', async () => {
    const progress = await requestFor(h.deps, viewer(REQUESTER), r.id);
    expect(progress.roles).toEqual(['requester']);
    expect(progress.schoolName).toBe('Oakfield Academy');
    expect(progress.steps.map((s) => [s.label, s.approvers, s.state, s.decidedBy])).toEqual([
      ['line manager', [MANAGER], 'approved', MANAGER],
      ['headteacher', [HEAD], 'waiting', undefined],
      ['trust approver', [TRUST_APPROVER], 'not_reached', undefined],
    ]);
    expect(progress.steps[1]!.dueDate).toBe('2026-12-09');
    expect(progress.taskToDecide).toBeUndefined();
    expect(await listRequestsFor(h.deps, viewer(REQUESTER))).toEqual([expect.objectContaining({ id: r.id, status: 'pending', waitingFor: '2 of 3: headteacher' })]);
  });

  it('approvers see those they are asked about, IT managers their school\'s, trust administrators all; anyone else is refused', async () => {
    expect((await requestFor(h.deps, viewer(HEAD), r.id)).taskToDecide).toBe((await request(r.id)).steps[1]!.taskId);
    expect((await listRequestsFor(h.deps, viewer(MANAGER))).map((x) => x.id)).toEqual([r.id]);
    expect((await listRequestsFor(h.deps, viewer(HEAD))).map((x) => x.id)).toEqual([r.id]);
    expect((await listRequestsFor(h.deps, viewer(IT, { itManagerOf: ['oakfield'] }))).map((x) => x.id)).toEqual([r.id]);
    expect(await listRequestsFor(h.deps, viewer('it@riverside.sch.uk', { itManagerOf: ['riverside'] }))).toEqual([]);
    expect((await listRequestsFor(h.deps, viewer('admin@trust.example.org', { trustAdmin: true }))).map((x) => x.id)).toEqual([r.id]);
    expect(await listRequestsFor(h.deps, viewer('someone@oakfield.sch.uk'))).toEqual([]);
    expect(await refusal(requestFor(h.deps, viewer('someone@oakfield.sch.uk'), r.id))).toBeInstanceOf(Forbidden);
    expect(await refusal(requestFor(h.deps, viewer('it@riverside.sch.uk', { itManagerOf: ['riverside'] }), r.id))).toBeInstanceOf(Forbidden);
    expect(await refusal(requestFor(h.deps, viewer('someone@oakfield.sch.uk'), 'r-missing'))).toBeInstanceOf(Forbidden);
    expect((await refusal(requestFor(h.deps, viewer('admin@trust.example.org', { trustAdmin: true }), 'r-missing'))).name).toBe('NotFound');
  });
});
