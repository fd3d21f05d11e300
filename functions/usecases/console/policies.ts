/**
 * `GET /policies` and recording a review from the console. Everyone on the trust may list the policies (the rows of
 * `custodian policies list --json`); a review is recorded by a trust administrator, or by a school's IT manager for
 * that school's policy, with the same use case as `custodian policies reviewed`.
 */
import type { Policy } from '../../domain/model.ts';
import type { Deps } from '../deps.ts';
import { markPolicyReviewed } from '../policies.ts';
import { consoleActor } from './edit.ts';
import { policyRows, type PolicyRow } from './rows.ts';
import { canReviewPolicy, Forbidden, NotFound, type Viewer } from './viewer.ts';

export async function policiesFor(deps: Deps, _viewer: Viewer): Promise<PolicyRow[]> {
  return policyRows(await deps.store.listPolicies());
}

/**
 * Marks the policy reviewed (next review 12 months on, or `nextReview`) and closes its open review task, by the
 * viewer. Forbidden unless `canReviewPolicy`; PolicyError for a bad date, as from the CLI.
 */
export async function recordPolicyReview(deps: Deps, viewer: Viewer, policyId: string, nextReview?: string): Promise<Policy> {
  const policy = await deps.store.getPolicy(policyId);
  if (!policy) throw new NotFound(`no policy ${policyId}`);
  if (!canReviewPolicy(viewer, policy)) {
    throw new Forbidden(policy.school ? `only ${policy.school}'s IT managers or a trust administrator may record its review` : 'only a trust administrator may record the review of a trust-wide policy');
  }
  return markPolicyReviewed(deps, policy.id, nextReview, consoleActor(viewer));
}
