/**
 * The new-account request rules (functions/domain/requests.ts, request-forms.ts and request-tasks.ts), pure: the
 * form's validation field by field, the approval chain and its fallbacks, a step's decision, the tasks and the
 * account a request creates, and the set-up form's checks.
 */
import { describe, expect, it } from 'vitest';
import type { Account, School } from '../../functions/domain/model.ts';
import { checkSetUp, validateRequestForm, type RequestContext, type StaffStanding } from '../../functions/domain/request-forms.ts';
import { approvedAccount, aYearOn, openStep } from '../../functions/domain/request-tasks.ts';
import { approvalChain, decideStep, newRequestId, type AccountRequest, type RequestFields } from '../../functions/domain/requests.ts';

const SCHOOLS: School[] = [
  { id: 'oakfield', name: 'Oakfield Academy', itManagers: ['it@oakfield.sch.uk'], domains: ['oakfield.sch.uk'] },
  { id: 'riverside', name: 'Riverside Primary', itManagers: [], domains: ['riverside.sch.uk', 'riverside.org.uk'] },
];

const FORM: Record<string, string> = {
  school: 'oakfield', platform: 'Instagram', handle: '@oakfield_pe', published_name: 'Oakfield PE 🏃‍♀️', purpose: 'PE news\r\nand fixtures',
  aims: 'Families at fixtures', why_not_existing: 'Whole-school account only', content: 'Fixtures and results', audience: 'Parents',
  main_supervisor: 'K.Williams@oakfield.sch.uk', reserve_supervisor: 'm.reserve@oakfield.sch.uk', monitoring_frequency: 'Weekly',
  holiday_monitoring_frequency: 'monthly', responsible: 'PE department', linked_email: 'pe@oakfield.sch.uk',
  admins: 'a.one@oakfield.sch.uk, a.two@oakfield.sch.uk', planned_end_date: '31/07/2028', exit_plan: '', success_measures: 'Attendance',
};

const STANDING: Record<string, StaffStanding> = {
  'r.hughes@oakfield.sch.uk': 'leaving', 'gone@oakfield.sch.uk': 'left', 'off@oakfield.sch.uk': 'disabled',
};

function ctx(over: Partial<RequestContext> = {}): RequestContext {
  return {
    schools: SCHOOLS, today: '2026-12-02', standing: (e) => STANDING[e] ?? 'active',
    // Two addresses of one person.
    personOf: (e) => (e === 'ann@oakfield.sch.uk' || e === 'a.one@oakfield.sch.uk' ? 'dir:ann' : e),
    directoryConnected: false, handleTaken: () => undefined, ...over,
  };
}

/** The fields of a form that must be valid (a test fixture). */
function fieldsOf(form: Record<string, string>): RequestFields {
  const result = validateRequestForm(form, ctx());
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.fields;
}

const errorsOf = (form: Record<string, string>, c: RequestContext = ctx()) => {
  const result = validateRequestForm(form, c);
  return result.ok ? [] : result.errors;
};
const messageFor = (field: string, form: Record<string, string>, c?: RequestContext) => errorsOf(form, c).filter((e) => e.field === field).map((e) => e.message);

describe('validateRequestForm', () => {
  it('accepts a complete form, in canonical form', () => {
    const result = validateRequestForm({ ...FORM, _csrf: 'x', unknown: 'y' }, ctx());
    expect(result).toEqual({
      ok: true,
      fields: {
        school: 'oakfield', platform: 'instagram', handle: 'oakfield_pe', publishedName: 'Oakfield PE 🏃‍♀️', purpose: 'PE news\nand fixtures',
        aims: 'Families at fixtures', whyNotExisting: 'Whole-school account only', content: 'Fixtures and results', audience: 'Parents',
        linkedEmail: 'pe@oakfield.sch.uk', admins: ['a.one@oakfield.sch.uk', 'a.two@oakfield.sch.uk'], mainSupervisor: 'k.williams@oakfield.sch.uk',
        reserveSupervisor: 'm.reserve@oakfield.sch.uk', monitoringFrequency: 'weekly', holidayMonitoringFrequency: 'monthly', responsible: 'PE department',
        plannedEndDate: '2028-07-31', successMeasures: 'Attendance',
      },
    });
  });

  it('linked email: an official address on the school\'s own domains, never a personal one or a leaver\'s', () => {
    expect(messageFor('linked_email', { ...FORM, linked_email: 'jo@gmail.com' })[0]).toMatch(/^jo@gmail\.com is not an official address: use one on Oakfield Academy's domains \(oakfield\.sch\.uk\)/);
    // Another school's domain is not this school's.
    expect(messageFor('linked_email', { ...FORM, linked_email: 'pe@riverside.sch.uk' })).toHaveLength(1);
    expect(messageFor('linked_email', { ...FORM, school: 'riverside', linked_email: 'pe@riverside.org.uk', main_supervisor: 'a@riverside.sch.uk', reserve_supervisor: 'b@riverside.sch.uk', admins: 'c@riverside.sch.uk;d@riverside.sch.uk' })).toEqual([]);
    expect(messageFor('linked_email', { ...FORM, linked_email: 'r.hughes@oakfield.sch.uk' })[0]).toMatch(/belongs to someone who is leaving/);
    expect(messageFor('linked_email', { ...FORM, linked_email: 'not an address' })).toEqual(['"not an address" is not an email address']);
  });

  it('administrators: at least two different people, each active staff on a trust domain', () => {
    expect(messageFor('admins', { ...FORM, admins: 'a.one@oakfield.sch.uk' })[0]).toMatch(/^name at least two administrators \(only one is named\)/);
    // Two addresses of one person, or the same address twice, are one administrator.
    expect(messageFor('admins', { ...FORM, admins: 'a.one@oakfield.sch.uk; ann@oakfield.sch.uk; A.ONE@oakfield.sch.uk' })[0]).toMatch(/only one is named/);
    expect(messageFor('admins', { ...FORM, admins: 'a.one@oakfield.sch.uk\nr.hughes@oakfield.sch.uk' })).toEqual(['r.hughes@oakfield.sch.uk is not an active member of staff (they are leaving)']);
    expect(messageFor('admins', { ...FORM, admins: 'a.one@oakfield.sch.uk gone@oakfield.sch.uk off@oakfield.sch.uk' })).toEqual([
      'gone@oakfield.sch.uk is not an active member of staff (they have left)', 'off@oakfield.sch.uk is not an active member of staff (their account is disabled)',
    ]);
    expect(messageFor('admins', { ...FORM, admins: 'a.one@oakfield.sch.uk; friend@gmail.com' })).toEqual(['friend@gmail.com is not on a trust domain (oakfield.sch.uk, riverside.org.uk, riverside.sch.uk)']);
    // Once the directory is connected, an address it does not know is refused.
    const connected = ctx({ directoryConnected: true, standing: (e) => (e === 'a.one@oakfield.sch.uk' ? 'active' : e === 'a.two@oakfield.sch.uk' ? 'unknown' : 'active') });
    expect(messageFor('admins', FORM, connected)).toEqual(['a.two@oakfield.sch.uk is not a member of staff known to the directory']);
  });

  it('supervisors: a main and a reserve, different people, both active staff', () => {
    expect(messageFor('main_supervisor', { ...FORM, main_supervisor: 'r.hughes@oakfield.sch.uk' })).toEqual(['r.hughes@oakfield.sch.uk is not an active member of staff (they are leaving)']);
    expect(messageFor('reserve_supervisor', { ...FORM, reserve_supervisor: '' })).toEqual(['the reserve supervisor is required']);
    expect(messageFor('reserve_supervisor', { ...FORM, main_supervisor: 'ann@oakfield.sch.uk', reserve_supervisor: 'a.one@oakfield.sch.uk' })[0]).toMatch(/different person from the main supervisor/);
  });

  it('monitoring frequencies from the allowed list', () => {
    expect(messageFor('monitoring_frequency', { ...FORM, monitoring_frequency: 'hourly' })).toEqual(['"hourly" is not one of daily, weekly, fortnightly, monthly']);
    expect(messageFor('holiday_monitoring_frequency', { ...FORM, holiday_monitoring_frequency: '' })).toEqual(['how often the site is monitored in the holidays is required']);
  });

  it('an exit strategy: a planned end date in the future, an exit plan, or both', () => {
    expect(messageFor('planned_end_date', { ...FORM, planned_end_date: '', exit_plan: '' })[0]).toMatch(/give a planned end date or an exit plan/);
    expect(messageFor('planned_end_date', { ...FORM, planned_end_date: '', exit_plan: 'Close it when the club ends' })).toEqual([]);
    expect(messageFor('planned_end_date', { ...FORM, planned_end_date: '2026-12-02' })).toEqual(['must be in the future']);
    expect(messageFor('planned_end_date', { ...FORM, planned_end_date: '31/02/2028' })).toEqual(['"31/02/2028" is not a date (use YYYY-MM-DD or DD/MM/YYYY)']);
  });

  it('no control, text-direction or zero-width characters (the CSV cell rules), and length limits', () => {
    expect(messageFor('handle', { ...FORM, handle: 'oak\u202efield' })).toEqual(['contains a text-direction character (U+202E right-to-left override)']);
    expect(messageFor('published_name', { ...FORM, published_name: 'Oakfield\nPE' })).toEqual(['contains a line break (only one line is allowed here)']);
    expect(messageFor('aims', { ...FORM, aims: 'a\u200bb' })).toEqual(['contains an invisible zero-width character (U+200B zero-width space)']);
    expect(messageFor('purpose', { ...FORM, purpose: 'x'.repeat(2001) })).toEqual(['is too long (at most 2000 characters)']);
    expect(messageFor('handle', { ...FORM, handle: 'oak field' })[0]).toMatch(/is not a handle/);
  });

  it('the school, the platform and the handle: known, and not already in the register or requested', () => {
    expect(messageFor('school', { ...FORM, school: 'elmwood' })).toEqual(['"elmwood" is not one of the trust\'s schools']);
    expect(messageFor('platform', { ...FORM, platform: 'myspace' })[0]).toMatch(/^"myspace" is not a platform Custodian knows/);
    expect(messageFor('handle', { ...FORM, handle: '@' })).toEqual(['"@" has nothing after the @']);
    const taken = ctx({ handleTaken: (id) => (id === 'instagram:oakfield_pe' ? 'Instagram @oakfield_pe is already in the register (active)' : undefined) });
    expect(messageFor('handle', { ...FORM, handle: 'OAKFIELD_PE' }, taken)).toEqual(['Instagram @oakfield_pe is already in the register (active)']);
  });

  it('reports every problem in the form\'s order', () => {
    const errors = errorsOf({ ...FORM, success_measures: '', admins: 'a.one@oakfield.sch.uk', linked_email: 'x@gmail.com', platform: '' });
    expect(errors.map((e) => e.field)).toEqual(['platform', 'linked_email', 'admins', 'success_measures']);
  });
});

describe('the approval chain', () => {
  const people = (step: string) => ({
    line_manager: { approvers: ['D.Okafor@oakfield.sch.uk'] },
    headteacher: { approvers: [], missing: 'no headteacher is recorded for Oakfield Academy' },
    trust_approvers: { approvers: ['dir.it@trust.org', 'j.smith@oakfield.sch.uk', 'dir.mkt@trust.org'] },
  }[step]!);

  it('asks each step\'s people, without the requester; a step with nobody falls back to the trust IT contact, saying why', () => {
    expect(approvalChain(['line_manager', 'headteacher', 'trust_approvers'], people, 'J.Smith+x@oakfield.sch.uk', 'it@trust.org')).toEqual([
      { step: 'line_manager', approvers: ['d.okafor@oakfield.sch.uk'] },
      { step: 'headteacher', approvers: ['it@trust.org'], fallbackReason: 'no headteacher is recorded for Oakfield Academy' },
      { step: 'trust_approvers', approvers: ['dir.it@trust.org', 'dir.mkt@trust.org'] },
    ]);
    expect(approvalChain(['line_manager'], people, 'd.okafor@oakfield.sch.uk', 'it@trust.org')).toEqual([
      { step: 'line_manager', approvers: ['it@trust.org'], fallbackReason: 'the line manager is the person who made the request, who cannot approve it' },
    ]);
  });

  const request = (over: Partial<AccountRequest> = {}): AccountRequest => ({
    ...fieldsOf(FORM),
    id: 'r1', status: 'pending', requester: 'j.smith@oakfield.sch.uk', currentStep: 0, submittedAt: '2026-12-02T09:00:00.000Z',
    steps: approvalChain(['line_manager', 'headteacher', 'trust_approvers'], people, 'j.smith@oakfield.sch.uk', 'it@trust.org'),
    createdAt: '2026-12-02T09:00:00.000Z', updatedAt: '2026-12-02T09:00:00.000Z', version: 1, ...over,
  });

  it('an approval moves to the next step; the last approves the request; a rejection ends it where it is', () => {
    const at = '2026-12-03T10:00:00.000Z';
    const first = decideStep(request(), 0, { outcome: 'approved', by: 'd.okafor@oakfield.sch.uk', at }, at);
    expect(first).toMatchObject({ status: 'pending', currentStep: 1, version: 2 });
    expect(first.decidedAt).toBeUndefined();
    const last = decideStep(request({ currentStep: 2 }), 2, { outcome: 'approved', by: 'dir.it@trust.org', at }, at);
    expect(last).toMatchObject({ status: 'approved', currentStep: 3, decidedAt: at });
    const rejected = decideStep(first, 1, { outcome: 'rejected', by: 'it@trust.org', at, reason: 'No' }, at);
    expect(rejected).toMatchObject({ status: 'rejected', currentStep: 1, decidedAt: at });
    expect(rejected.steps.map((s) => s.decision?.outcome)).toEqual(['approved', 'rejected', undefined]);
  });

  it('a step\'s task: its people, due in five working days, about the request rather than a person', () => {
    const { request: opened, task } = openStep(request(), 1, { nowIso: '2026-12-18T09:00:00.000Z', today: '2026-12-18', escalateAfter: 3 }, 'Oakfield Academy');
    // Friday 18 December: five working days on skips the weekends, Christmas Day and the Boxing Day bank holiday (Monday 28).
    expect(task).toMatchObject({ type: 'approve_request', assignees: ['it@trust.org'], dueDate: '2026-12-29', subjectEmail: 'request:r1', requestStep: 1, school: 'oakfield' });
    expect(task.reason).toContain('in place of the headteacher, because no headteacher is recorded for Oakfield Academy');
    expect(opened.steps[1]).toMatchObject({ taskId: task.id, openedAt: '2026-12-18T09:00:00.000Z' });
    expect(task.nextActionOn! > '2026-12-18').toBe(true);
  });

  it('request ids start with the time, so lists by id are oldest first', () => {
    expect(newRequestId(new Date('2026-12-02T09:00:00Z'), 'AB12cd') < newRequestId(new Date('2026-12-02T09:00:01Z'), '000000')).toBe(true);
    expect(newRequestId(new Date('2026-12-02T09:00:00Z'), 'AB12cd')).toMatch(/^r[0-9a-z]+$/);
  });
});

describe('the approved account and its set-up', () => {
  const now = { nowIso: '2026-12-04T10:00:00.000Z', today: '2026-12-04' };
  const req = { ...fieldsOf(FORM), id: 'r1', requester: 'j.smith@oakfield.sch.uk' } as AccountRequest;
  const account: Account = approvedAccount(req, undefined, now);

  it('carries every field of the form, as approved', () => {
    expect(account).toMatchObject({
      id: 'instagram:oakfield_pe', status: 'approved', holidayMonitoringFrequency: 'monthly', plannedEndDate: '2028-07-31', version: 1,
      approval: { requestId: 'r1', requestedBy: 'j.smith@oakfield.sch.uk', approvedOn: '2026-12-04', aims: 'Families at fixtures', successMeasures: 'Attendance' },
    });
  });

  it('checks the set-up form against what was approved', () => {
    const staff = { schools: SCHOOLS, standing: (e: string) => STANDING[e] ?? 'active', personOf: (e: string) => e, directoryConnected: false };
    expect(checkSetUp(account, { handle: '@OakField_PE', url: 'https://instagram.com/oakfield_pe', linkedEmail: 'PE@oakfield.sch.uk', admins: ['a.one@oakfield.sch.uk', 'a.two@oakfield.sch.uk'], loginStored: true }, staff))
      .toEqual({ ok: true, fields: { handle: 'OakField_PE', url: 'https://instagram.com/oakfield_pe', linkedEmail: 'pe@oakfield.sch.uk', admins: ['a.one@oakfield.sch.uk', 'a.two@oakfield.sch.uk'] } });
    const bad = checkSetUp(account, { handle: 'other', url: 'javascript:alert(1)', linkedEmail: 'x@gmail.com', admins: 'a.one@oakfield.sch.uk r.hughes@oakfield.sch.uk', loginStored: false }, staff);
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.problems).toEqual([
        'handle: must be the approved handle, oakfield_pe (a different handle needs a new request)',
        'url: "javascript:alert(1)" is not a web address (it starts https://)',
        'linked_email: the account must be created with the approved linked email, pe@oakfield.sch.uk (not x@gmail.com)',
        'admins: r.hughes@oakfield.sch.uk is not an active member of staff (they are leaving)',
        'login_stored: confirm that the login details are stored as the trust requires, so access is never lost',
      ]);
    }
  });

  it('a year on, 29 February to 28 February', () => {
    expect(aYearOn('2026-12-07')).toBe('2027-12-07');
    expect(aYearOn('2028-02-29')).toBe('2029-02-28');
  });
});
