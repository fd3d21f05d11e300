/**
 * The policy register (contracts section 5): every policy carries its next review date; the sweep reminds the
 * owner before it and escalates after it; `reviewed` rolls the date on (12 months unless given).
 */
import { taskChange, type Change } from '../domain/changes.ts';
import { policyChange } from '../domain/scheduled-changes.ts';
import { isEmail, normaliseEmail, parseDate, type Actor, type IsoDate, type Policy } from '../domain/model.ts';
import { nextPolicyCheckOn, policyReviewTaskDueToOpen, rollReviewDate } from '../domain/schedule.ts';
import type { Task } from '../domain/tasks.ts';
import { londonDate } from '../domain/working-days.ts';
import type { Deps } from './deps.ts';
import { ConflictError } from './ports.ts';

export class PolicyError extends Error {}

function slug(text: string): string {
  return text.toLowerCase().normalize('NFKD').replace(/[\u0300-\u036f]/g, '').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'policy';
}

export async function addPolicy(deps: Deps, input: { title: string; nextReview: string; owner: string; school?: string }, actor: Actor): Promise<Policy> {
  const title = input.title.trim();
  if (title.length < 3) throw new PolicyError('--title must name the policy');
  const nextReviewDate = parseDate(input.nextReview);
  if (!nextReviewDate) throw new PolicyError(`--next-review: "${input.nextReview}" is not a date (YYYY-MM-DD)`);
  if (!isEmail(input.owner)) throw new PolicyError(`--owner: "${input.owner}" is not an email address`);
  if (input.school && !(await deps.store.getSchool(input.school))) throw new PolicyError(`--school: "${input.school}" is not set up`);
  const id = input.school ? `${input.school}-${slug(title)}` : slug(title);
  if (await deps.store.getPolicy(id)) throw new PolicyError(`a policy "${id}" already exists; use \`custodian policies reviewed ${id}\` to move its review date`);
  const now = deps.clock();
  const policy: Policy = {
    id, title, owner: normaliseEmail(input.owner), ...(input.school ? { school: input.school } : {}), nextReviewDate,
    createdAt: now.toISOString(), updatedAt: now.toISOString(), version: 1,
  };
  // Already within the reminder window: today's (or the next) sweep looks at it.
  const today = londonDate(now);
  const nextCheckOn = policyReviewTaskDueToOpen(policy, today) ? today : nextPolicyCheckOn(policy, today);
  try {
    await deps.store.commit([policyChange(undefined, { ...policy, nextCheckOn }, 'policy.created', today)], actor);
  } catch (err) {
    if (err instanceof ConflictError) throw new PolicyError(`a policy "${id}" already exists`);
    throw err;
  }
  return policy;
}

/** The change a review makes to a policy: the next review date 12 months on (or as given). */
export async function policyReviewChange(deps: Deps, id: string, given: string | undefined): Promise<{ after: Policy; change: Change }> {
  const policy = await deps.store.getPolicy(id);
  if (!policy) throw new PolicyError(`no policy "${id}" (see custodian policies list)`);
  let givenDate: IsoDate | undefined;
  if (given !== undefined && given !== '') {
    givenDate = parseDate(given);
    if (!givenDate) throw new PolicyError(`the next review date "${given}" is not a date (YYYY-MM-DD)`);
  }
  const now = deps.clock();
  const today = londonDate(now);
  const nextReviewDate = rollReviewDate(policy.nextReviewDate, today, givenDate);
  if (nextReviewDate <= today) throw new PolicyError(`the next review date ${nextReviewDate} must be after today`);
  const after: Policy = { ...policy, nextReviewDate, lastReviewedOn: today, updatedAt: now.toISOString(), version: policy.version + 1 };
  after.nextCheckOn = nextPolicyCheckOn(after, today);
  return { after, change: policyChange(policy, after, 'policy.reviewed', today) };
}

/** `custodian policies reviewed`: records the review and closes the policy's open review task, if any. */
export async function markPolicyReviewed(deps: Deps, id: string, given: string | undefined, actor: Actor): Promise<Policy> {
  const { after, change } = await policyReviewChange(deps, id, given);
  const changes: Change[] = [change];
  const nowIso = deps.clock().toISOString();
  for (const t of (await deps.store.listTasks('open')).filter((t) => t.type === 'policy_review' && t.policyId === id)) {
    const done: Task = { ...t, status: 'done', resolution: { action: 'reviewed', nextReview: after.nextReviewDate, by: actor.by, at: nowIso }, updatedAt: nowIso, version: t.version + 1 };
    changes.push(taskChange(t, done, 'task.resolved'));
  }
  try {
    await deps.store.commit(changes, actor);
  } catch (err) {
    if (err instanceof ConflictError) throw new PolicyError('the policy changed meanwhile; try again');
    throw err;
  }
  return after;
}
