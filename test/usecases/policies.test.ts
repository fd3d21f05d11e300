/**
 * The policy register's use cases (`addPolicy`, `markPolicyReviewed`, `policyReviewChange`) on the in-memory store:
 * what is refused and why, ids, review dates rolling on, and the review task they open and close. Given / when / then.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { addPolicy, markPolicyReviewed, PolicyError, policyReviewChange } from '../../functions/usecases/policies.ts';
import { putSchool } from '../../functions/usecases/schools.ts';
import { runSweep } from '../../functions/usecases/sweep.ts';
import { harness, SCHOOLS, type Harness } from './support.ts';

const ACTOR = { by: 'it@oakfield.sch.uk', source: 'cli' };
const OWNER = 'head@oakfield.sch.uk';
const TODAY = '2026-12-03';

let h: Harness;
beforeEach(async () => {
  h = harness(`${TODAY}T10:00:00Z`);
  for (const s of SCHOOLS) await putSchool(h.store, s, ACTOR);
});

async function refused(promise: Promise<unknown>): Promise<string> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(PolicyError);
  return (err as Error).message;
}

/** The store's policies and policy audit, to show a refusal wrote nothing. */
async function snapshot(): Promise<string> {
  return JSON.stringify({ policies: await h.store.listPolicies(), tasks: await h.store.listTasks(), audit: (await h.store.auditSince('2020-01-01')).filter((e) => e.entityType !== 'school') });
}

async function sweepOn(day: string) {
  h.clock.set(`${day}T07:00:00Z`);
  return runSweep(h.deps, { escalateAfterWorkingDays: 3 });
}

const addSocialMediaPolicy = (nextReview = '2027-05-01') => addPolicy(h.deps, { title: 'Social Media Policy', nextReview, owner: OWNER }, ACTOR);

describe('adding a policy', () => {
  it('records it under an id made from its title, with its owner and next review date, audited', async () => {
    const policy = await addPolicy(h.deps, { title: '  Social Media Policy ', nextReview: '01/05/2027', owner: ' Head@Oakfield.sch.uk' }, ACTOR);
    expect(policy).toMatchObject({ id: 'social-media-policy', title: 'Social Media Policy', owner: OWNER, nextReviewDate: '2027-05-01', version: 1 });
    expect(policy.school).toBeUndefined();
    expect(await h.store.getPolicy('social-media-policy')).toMatchObject({ title: 'Social Media Policy', owner: OWNER, nextReviewDate: '2027-05-01' });
    expect(await h.store.auditFor('policy', 'social-media-policy')).toEqual([
      expect.objectContaining({ action: 'policy.created', by: ACTOR.by, source: 'cli', after: expect.objectContaining({ nextReviewDate: '2027-05-01', owner: OWNER }) }),
    ]);
  });

  it('gives a school\'s policy an id that starts with the school, in lower case with hyphens', async () => {
    const school = await addPolicy(h.deps, { title: 'Acceptable Use (Staff) — 2026', nextReview: '2027-05-01', owner: OWNER, school: 'oakfield' }, ACTOR);
    expect(school).toMatchObject({ id: 'oakfield-acceptable-use-staff-2026', school: 'oakfield' });
  });

  it('spells an accented title\'s id without the accents', async () => {
    // The id is made from the title decomposed (NFKD): "é" is "e" and a combining accent, which should be dropped
    expect((await addPolicy(h.deps, { title: 'Politique générale', nextReview: '2027-05-01', owner: OWNER }, ACTOR)).id).toBe('politique-generale');
  });

  it.each([
    ['a title too short to name it', { title: ' ab ' }, '--title must name the policy'],
    ['a review date that is not a real date', { nextReview: '2027-02-30' }, '--next-review: "2027-02-30" is not a date (YYYY-MM-DD)'],
    ['an owner who is not an email address', { owner: 'head at oakfield' }, '--owner: "head at oakfield" is not an email address'],
    ['a school that is not set up', { school: 'nowhere' }, '--school: "nowhere" is not set up'],
  ])('refuses %s, and records nothing', async (_, over, message) => {
    const before = await snapshot();
    expect(await refused(addPolicy(h.deps, { title: 'Social Media Policy', nextReview: '2027-05-01', owner: OWNER, ...over }, ACTOR))).toBe(message);
    expect(await snapshot()).toBe(before);
  });

  it('refuses a second policy with the same id, pointing to `policies reviewed`; the first is unchanged', async () => {
    await addSocialMediaPolicy();
    const before = await snapshot();
    expect(await refused(addPolicy(h.deps, { title: 'social media POLICY', nextReview: '2028-01-01', owner: 'someone@oakfield.sch.uk' }, ACTOR)))
      .toBe('a policy "social-media-policy" already exists; use `custodian policies reviewed social-media-policy` to move its review date');
    expect(await snapshot()).toBe(before);
    // The same title for one school is another policy
    expect((await addPolicy(h.deps, { title: 'Social Media Policy', nextReview: '2027-05-01', owner: OWNER, school: 'riverside' }, ACTOR)).id).toBe('riverside-social-media-policy');
  });

  it('is first looked at by the sweep when its reminders begin, 60 days before the review (the working day on or before)', async () => {
    // 60 days before Wednesday 30 June 2027 is Saturday 1 May: the review task opens on Friday 30 April
    await addSocialMediaPolicy('2027-06-30');
    expect((await sweepOn('2027-04-29')).tasksCreated).toBe(0);
    expect((await sweepOn('2027-04-30')).tasksCreated).toBe(1);
    expect(h.mailer.sent.filter((e) => e.to.includes(OWNER)).map((e) => e.subject)).toEqual([expect.stringContaining('Social Media Policy is due for review on')]);
  });

  it('added already within 60 days of its review, is picked up by that day\'s sweep', async () => {
    await addSocialMediaPolicy('2026-12-14');
    const result = await sweepOn(TODAY);
    expect(result.tasksCreated).toBe(1);
    expect((await h.store.listTasks('open')).map((t) => ({ type: t.type, policyId: t.policyId, dueDate: t.dueDate, assignees: t.assignees }))).toEqual([
      { type: 'policy_review', policyId: 'social-media-policy', dueDate: '2026-12-14', assignees: [OWNER] },
    ]);
  });
});

describe('marking a policy reviewed', () => {
  it('moves the next review 12 months on from the date it was due, and records who reviewed it and when', async () => {
    await addSocialMediaPolicy('2027-01-15');
    h.clock.set('2026-12-10T10:00:00Z');
    const after = await markPolicyReviewed(h.deps, 'social-media-policy', undefined, ACTOR);
    expect(after).toMatchObject({ nextReviewDate: '2028-01-15', lastReviewedOn: '2026-12-10', version: 2 });
    expect(await h.store.getPolicy('social-media-policy')).toMatchObject({ nextReviewDate: '2028-01-15', lastReviewedOn: '2026-12-10' });
    const reviewed = (await h.store.auditFor('policy', 'social-media-policy')).find((e) => e.action === 'policy.reviewed');
    expect(reviewed).toMatchObject({ by: ACTOR.by, before: { nextReviewDate: '2027-01-15' }, after: { nextReviewDate: '2028-01-15', lastReviewedOn: '2026-12-10' } });
  });

  it('moves it to the date given instead (YYYY-MM-DD or DD/MM/YYYY); an empty date means 12 months', async () => {
    await addSocialMediaPolicy('2027-01-15');
    expect((await markPolicyReviewed(h.deps, 'social-media-policy', '01/09/2027', ACTOR)).nextReviewDate).toBe('2027-09-01');
    expect((await markPolicyReviewed(h.deps, 'social-media-policy', '', ACTOR)).nextReviewDate).toBe('2028-09-01');
  });

  it('a year or more overdue, moves it 12 months on from today', async () => {
    await addSocialMediaPolicy('2025-11-01');
    expect((await markPolicyReviewed(h.deps, 'social-media-policy', undefined, ACTOR)).nextReviewDate).toBe('2027-12-03');
  });

  it('due on 29 February, moves it to 28 February the next year', async () => {
    h.clock.set('2028-01-10T10:00:00Z');
    await addSocialMediaPolicy('2028-02-29');
    expect((await markPolicyReviewed(h.deps, 'social-media-policy', undefined, ACTOR)).nextReviewDate).toBe('2029-02-28');
  });

  it.each([
    ['a next review date of today', 'social-media-policy', TODAY, `the next review date ${TODAY} must be after today`],
    ['a next review date in the past', 'social-media-policy', '2026-06-01', 'the next review date 2026-06-01 must be after today'],
    ['a next review date that is not a date', 'social-media-policy', 'next year', 'the next review date "next year" is not a date (YYYY-MM-DD)'],
    ['a policy that does not exist', 'nope', undefined, 'no policy "nope" (see custodian policies list)'],
  ])('refuses %s, and changes nothing', async (_, id, given, message) => {
    await addSocialMediaPolicy('2027-01-15');
    const before = await snapshot();
    expect(await refused(markPolicyReviewed(h.deps, id, given, ACTOR))).toBe(message);
    expect(await snapshot()).toBe(before);
  });

  it('closes the open review task, and no reminder about it follows', async () => {
    // Given a policy whose review task is open
    await addSocialMediaPolicy('2026-12-14');
    await sweepOn(TODAY);
    const [task] = await h.store.listTasks('open');
    // When the owner marks it reviewed
    h.clock.set(`${TODAY}T15:00:00Z`);
    await markPolicyReviewed(h.deps, 'social-media-policy', undefined, { by: OWNER, source: 'cli' });
    // Then the task is done, as a review by them
    expect(await h.store.getTask(task!.id)).toMatchObject({ status: 'done', resolution: { action: 'reviewed', nextReview: '2027-12-14', by: OWNER, at: `${TODAY}T15:00:00.000Z` } });
    expect((await h.store.auditFor('task', task!.id)).find((e) => e.action === 'task.resolved')).toMatchObject({ by: OWNER });
    // And the sweep has nothing to say until the next review's reminders begin
    const sent = h.mailer.sent.length;
    for (const day of ['2026-12-08', '2026-12-14', '2026-12-16', '2026-12-18']) await sweepOn(day);
    expect(h.mailer.sent.slice(sent).filter((e) => e.to.includes(OWNER))).toEqual([]);
    expect(await h.store.listTasks('open')).toEqual([]);
  });
});

describe('policyReviewChange', () => {
  it('is the change a review makes, written by nobody until committed', async () => {
    await addSocialMediaPolicy('2027-01-15');
    const stored = (await h.store.getPolicy('social-media-policy'))!;
    const before = await snapshot();
    const { after, change } = await policyReviewChange(h.deps, 'social-media-policy', undefined);
    expect(after).toMatchObject({ id: 'social-media-policy', nextReviewDate: '2028-01-15', lastReviewedOn: TODAY, version: stored.version + 1 });
    expect(change).toMatchObject({ kind: 'policy', action: 'policy.reviewed', before: stored, after: { nextReviewDate: '2028-01-15' } });
    expect(await snapshot()).toBe(before);
    await h.store.commit([change], ACTOR);
    expect((await h.store.getPolicy('social-media-policy'))!.nextReviewDate).toBe('2028-01-15');
  });
});
