/**
 * Changes to records the sweep looks at: every write of an account or a policy carries its next check date.
 * Apart from changes.ts so that code which only commits other changes (the HR webhook's request claims) does not
 * load the calendar (schedule.ts and its bank holidays).
 */
import type { Change } from './changes.ts';
import type { Account, IsoDate, Policy } from './model.ts';
import { nextAccountCheckOn, nextPolicyCheckOn } from './schedule.ts';

/**
 * Every write of an account sets when the sweep should next look at it: none once closed, and none while it is
 * approved but not yet set up (nothing to attest, review or end until it exists; its set-up task is chased instead).
 */
export function accountChange(before: Account | undefined, changed: Account, action: string, today: IsoDate): Extract<Change, { kind: 'account' }> {
  const next = changed.status === 'closed' || changed.status === 'approved' ? undefined : nextAccountCheckOn(changed, today);
  const after: Account = { ...changed, nextCheckOn: next };
  if (!next) delete after.nextCheckOn;
  return { kind: 'account', action, ...(before ? { before } : {}), after };
}

/** Every write of a policy sets when the sweep should next look at it, unless the change chose the date itself. */
export function policyChange(before: Policy | undefined, changed: Policy, action: string, today: IsoDate): Extract<Change, { kind: 'policy' }> {
  return { kind: 'policy', action, ...(before ? { before } : {}), after: { ...changed, nextCheckOn: changed.nextCheckOn ?? nextPolicyCheckOn(changed, today) } };
}
