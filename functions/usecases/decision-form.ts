/**
 * A decision as a posted form asks for it: the action page (functions/actions) and the console's task page post the
 * same fields, so both read them here and a decision means the same thing wherever it is made.
 *
 * Fields: `action`, and by decision: `newOwner` (transfer), `reason` (keep, request_closure, reject), `newDate`
 * (extend), `nextReview` (reviewed), and for set_up the set-up form: `handle`, `url`, `linked_email`, `admins`
 * (`;`-, comma- or line-separated) and the checkbox `login_stored` (any value means ticked).
 */
import type { Decision } from './resolve.ts';

export interface DecisionForm {
  newOwner?: string;
  reason?: string;
  newDate?: string;
  nextReview?: string;
  handle?: string;
  url?: string;
  linked_email?: string;
  admins?: string;
  login_stored?: string;
}

/** Every field a decision form may carry, to read them from a posted body. */
export const DECISION_FIELDS = ['newOwner', 'reason', 'newDate', 'nextReview', 'handle', 'url', 'linked_email', 'admins', 'login_stored'] as const satisfies ReadonlyArray<keyof DecisionForm>;

/** The decision the form asks for, or undefined for an action no task offers. */
export function decisionFromForm(action: string, v: DecisionForm): Decision | undefined {
  switch (action) {
    case 'transfer': return { action, to: (v.newOwner ?? '').trim() };
    case 'close': return { action };
    case 'keep': return { action, reason: v.reason ?? '' };
    case 'acknowledge': return { action };
    case 'confirm': return { action };
    case 'request_closure': return { action, reason: v.reason ?? '' };
    case 'extend': return { action, to: (v.newDate ?? '').trim() };
    case 'reviewed': return { action, ...(v.nextReview?.trim() ? { nextReview: v.nextReview.trim() } : {}) };
    case 'approve': return { action };
    case 'reject': return { action, reason: v.reason ?? '' };
    case 'set_up': return {
      action, handle: (v.handle ?? '').trim(), url: (v.url ?? '').trim(), linkedEmail: (v.linked_email ?? '').trim(), admins: v.admins ?? '',
      loginStored: (v.login_stored ?? '') !== '',
    };
    default: return undefined;
  }
}
