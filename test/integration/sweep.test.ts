/**
 * The daily sweep driven through a term with the clock injected (`sweep` with `{ at }`, as `custodian sweep --at`
 * does), against DynamoDB Local and the SES emulator.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Account } from '../../functions/domain/model.ts';
import { addDays } from '../../functions/domain/working-days.ts';
import { actionLinksIn, actionUrlIn, createAccount, inbox, putEvent, SCHOOLS, startTestStack, type StoredEmail, type TestStack } from '../support/stack.ts';
import { putSchool } from '../../functions/usecases/schools.ts';

let stack: TestStack;
const actor = { by: 'it@oakfield.sch.uk', source: 'test' };
const sweep = (date: string) => stack.runtime.invoke('sweep', { at: `${date}T07:00:00Z` }) as Promise<{ due: number; reminders: number; escalations: number; tasksCreated: number; neglected: number; digests: number; workingDay: boolean }>;

function account(over: Partial<Account>): Account {
  const now = '2026-11-01T09:00:00.000Z';
  return {
    id: 'x', platform: 'instagram', handle: 'x', school: 'oakfield', linkedEmail: 'office@oakfield.sch.uk',
    admins: ['a.one@oakfield.sch.uk', 'a.two@oakfield.sch.uk'], mainSupervisor: 'k.williams@oakfield.sch.uk',
    monitoringFrequency: 'monthly', lastActivityDate: '2026-11-20', status: 'active', createdAt: now, updatedAt: now, version: 1, ...over,
  };
}

beforeAll(async () => {
  stack = await startTestStack();
  for (const s of SCHOOLS) await putSchool(stack.store, s, actor);
}, 120_000);
afterAll(async () => stack?.stop());

const mailsSince = async (n: number) => (await inbox(stack)).slice(n);

describe('reminders and escalation for a leaver task, through December 2026', () => {
  let taskId: string;
  const byDay = new Map<string, StoredEmail[]>();

  beforeAll(async () => {
    await createAccount(stack.store, account({ id: 'instagram:oakfield_pe', handle: 'oakfield_pe', linkedEmail: 'r.hughes@oakfield.sch.uk' }), actor);
    await putEvent(stack, 'Staff Leaver', { email: 'r.hughes@oakfield.sch.uk', leaveDate: '2026-12-18', displayName: 'Rachel Hughes', lineManagerEmail: 'd.okafor@oakfield.sch.uk' });
    await stack.idle();
    const tasks = await stack.store.tasksForSubjects(['r.hughes@oakfield.sch.uk']);
    expect(tasks).toHaveLength(1);
    taskId = tasks[0]!.id;
    for (let day = '2026-11-24'; day <= '2027-01-06'; day = addDays(day, 1)) {
      const before = (await inbox(stack)).length;
      await sweep(day);
      const again = (await inbox(stack)).length;
      // A second sweep at the same time sends nothing.
      await sweep(day);
      expect((await inbox(stack)).length, `second sweep on ${day}`).toBe(again);
      // The task's own emails (the Monday digest also lists it, and is checked elsewhere).
      byDay.set(day, (await mailsSince(before)).filter((e) => e.body.text?.includes(taskId) && !/weekly/i.test(e.subject)));
    }
  }, 180_000);

  it('reminds 7 and 2 working days before, on the due date, then every 2 working days, never on weekends or bank holidays', () => {
    const reminderDays = [...byDay].filter(([, mails]) => mails.some((m) => !/escalat/i.test(m.subject))).map(([d]) => d);
    expect(reminderDays.slice(0, 6)).toEqual(['2026-12-09', '2026-12-16', '2026-12-18', '2026-12-22', '2026-12-24', '2026-12-30']);
    for (const d of ['2026-12-19', '2026-12-20', '2026-12-25', '2026-12-26', '2026-12-27', '2026-12-28', '2027-01-01']) {
      expect(byDay.get(d), d).toEqual([]);
    }
    // At most one email a day to each person, each their own.
    for (const [d, mails] of byDay) {
      const to = mails.flatMap((m) => m.destination.to);
      expect(new Set(to).size, `one email at most per person on ${d}`).toBe(to.length);
      for (const m of mails) expect(m.destination.to, d).toHaveLength(1);
    }
  });

  it('escalates to the trust IT contact 3 working days after the due date, once, saying how many reminders went before', () => {
    const escalations = [...byDay].filter(([, mails]) => mails.some((m) => /escalat/i.test(m.subject)));
    expect(escalations.map(([d]) => d)).toEqual(['2026-12-23']);
    const [, mails] = escalations[0] as [string, StoredEmail[]];
    const mail = mails.find((m) => m.destination.to[0] === 'it-services@example-trust.org.uk')!;
    expect(mail.body.text).toMatch(/4 reminders/);
    // The trust IT contact's copy carries a link made for them.
    expect(actionLinksIn(mail).map((l) => l.recipient)).toEqual(['it-services@example-trust.org.uk']);
  });

  it('each reminder says how many went before', () => {
    const third = byDay.get('2026-12-18')![0]!;
    expect(third.body.text).toMatch(/reminder 3|third reminder/i);
  });
});

describe('neglected accounts', () => {
  it('a weekly-monitored account without attestation for two weeks is reported as neglected; confirming from the email clears it', async () => {
    await createAccount(stack.store, account({
      id: 'facebook:oakfield_news', platform: 'facebook', handle: 'oakfield_news', monitoringFrequency: 'weekly', lastActivityDate: undefined,
      createdAt: '2027-01-04T09:00:00.000Z', updatedAt: '2027-01-04T09:00:00.000Z',
    }), actor);
    let sent = (await inbox(stack)).length;
    const attest: StoredEmail[] = [];
    let neglectedOn: string | undefined;
    for (let day = '2027-01-05'; day <= '2027-01-22'; day = addDays(day, 1)) {
      const result = await sweep(day);
      const mails = (await mailsSince(sent)).filter((e) => e.body.text?.includes('oakfield_news'));
      sent = (await inbox(stack)).length;
      attest.push(...mails.filter((m) => /in use|monitored/i.test(m.subject)));
      if (result.neglected && !neglectedOn) {
        neglectedOn = day;
        const notice = mails.find((m) => /neglect/i.test(m.subject))!;
        expect(notice.destination.to).toEqual(['it@oakfield.sch.uk']);
      }
    }
    expect(attest.length).toBeGreaterThanOrEqual(1);
    expect(neglectedOn).toBe('2027-01-18');
    expect((await stack.store.getAccount('facebook:oakfield_news'))!.neglectedSince).toBe('2027-01-18');

    // The supervisor confirms from the attestation email.
    const url = actionUrlIn(attest[0]!);
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ action: 'confirm' }).toString() });
    expect(res.status).toBe(200);
    const after = (await stack.store.getAccount('facebook:oakfield_news'))!;
    expect(after.neglectedSince).toBeUndefined();
    expect(after.lastAttestedOn).toBeTruthy();
  });
});

describe('policies', () => {
  it('a policy due in 7 days reminds its owner; reviewing it moves the date a year on', async () => {
    const { addPolicy, markPolicyReviewed } = await import('../../functions/usecases/policies.ts');
    const { depsFromEnv } = await import('../../functions/adapters/deps.ts');
    const at = new Date('2027-02-01T07:00:00Z');
    const deps = depsFromEnv(() => at);
    const policy = await addPolicy(deps, { title: 'Social Media Policy', nextReview: '2027-02-08', owner: 'Head@Oakfield.sch.uk' }, actor);
    const sent = (await inbox(stack)).length;
    await sweep('2027-02-01');
    const mails = (await mailsSince(sent)).filter((m) => m.destination.to.includes('head@oakfield.sch.uk'));
    expect(mails).toHaveLength(1);
    expect(mails[0]!.body.text).toContain('Social Media Policy');
    expect(mails[0]!.body.text).toMatch(/8 February 2027/);
    const reviewed = await markPolicyReviewed(deps, policy.id, undefined, actor);
    expect(reviewed.nextReviewDate).toBe('2028-02-08');
    expect((await stack.store.listTasks('open')).filter((t) => t.policyId === policy.id)).toEqual([]);
  });
});
