/**
 * Printing what a dry run recorded: every change the real command would commit, in order, and the emails it would
 * send. With --json, a JSON array of the changes (kind, id, action, after-state), the same changes the audit shows
 * after the real run.
 */
import { diffFields } from '../functions/domain/audit.ts';
import { changeTarget, type Change } from '../functions/domain/changes.ts';
import type { CommitResult, OutgoingEmail } from '../functions/usecases/ports.ts';
import type { Actor } from '../functions/domain/model.ts';

export interface PlannedChange {
  kind: Change['kind'];
  id: string;
  action: string;
  by: string;
  /** Whether the change has an audit entry (bookkeeping, such as a next check date, has none). */
  audited: boolean;
  after?: unknown;
}

export function plannedChanges(commits: ReadonlyArray<CommitResult & { actor: Actor }>): PlannedChange[] {
  return commits.flatMap((c) => c.applied.map((change) => {
    const id = changeTarget(change).slice(change.kind.length + 1);
    const action = 'action' in change ? change.action : change.kind;
    const type = change.kind === 'person_removed' ? 'person' : change.kind;
    return {
      kind: change.kind,
      id,
      action,
      by: c.actor.by,
      audited: c.audit.some((e) => e.entityType === type && e.entityId === id && e.action === action),
      ...('after' in change ? { after: change.after } : {}),
    };
  }));
}

/** Delivery bookkeeping (claiming and marking a task's email) shows as the emails themselves. */
const DELIVERY = new Set(['task.delivery_claimed', 'task.notified', 'task.cancellation_notified', 'task.delivery_failed']);

export function describeChanges(commits: ReadonlyArray<CommitResult & { actor: Actor }>, sent: OutgoingEmail[]): string[] {
  const lines: string[] = [];
  for (const { applied } of commits) {
    for (const change of applied) {
      if ('action' in change && DELIVERY.has(change.action)) continue;
      lines.push(describe(change));
    }
  }
  for (const email of sent) lines.push(`email to ${email.to.join(', ')}: "${email.subject}"`);
  return lines;
}

function describe(change: Change): string {
  switch (change.kind) {
    case 'task': {
      const t = change.after;
      const about = t.accountId ?? (t.policyId ? `policy ${t.policyId}` : t.subjectEmail);
      const verb = TASK_VERBS[change.action] ?? change.action;
      return `${verb} ${t.type} task ${t.id} for ${about}, due ${t.dueDate}, to ${t.assignees.join(', ')}`;
    }
    case 'account':
    case 'policy':
    case 'school':
    case 'account_request':
      return `${change.before ? 'update' : 'create'} ${change.kind} ${change.after.id} (${change.action})${fields(change.before, change.after)}`;
    case 'person':
      return `${change.before ? 'update' : 'record'} a person (${change.action}): ${Object.keys(diffFields(change.before, change.after).after ?? {}).join(', ')}`;
    case 'person_removed':
      return `merge a person's HR record into the directory's (${change.action})`;
    case 'link_used':
      return `use the link once for task ${change.taskId}`;
    case 'digest_sent':
      return `mark the ${change.week} digest of ${change.school} sent`;
    case 'digest_released':
      return `give back the ${change.week} digest of ${change.school}`;
    case 'request_seen':
      return 'accept the signed HR webhook request once';
    case 'request_released':
      return 'give back the claim on a signed HR webhook request';
    case 'directory_state':
      return 'update the directory connection';
  }
}

const TASK_VERBS: Record<string, string> = {
  'task.created': 'create', 'task.reopened': 'reopen', 'task.cancelled': 'cancel', 'task.resolved': 'resolve',
  'task.acknowledged': 'acknowledge', 'task.reminded': 'remind about', 'task.escalated': 'escalate', 'task.rescheduled': 'reschedule',
};

/** What changed, field by field; lists as what was added (+) and removed (-). */
function fields(before: object | undefined, after: object): string {
  if (!before) return '';
  const diff = diffFields(before, after);
  const show = (v: unknown) => (v === undefined ? '(none)' : JSON.stringify(v));
  const list = (v: unknown) => (Array.isArray(v) ? v.map((x) => (typeof x === 'string' ? x : typeof x?.email === 'string' ? x.email : JSON.stringify(x))) : undefined);
  return `: ${diff.changed.map((k) => {
    const [was, now] = [list(diff.before?.[k]) ?? (diff.before?.[k] === undefined ? [] : undefined), list(diff.after?.[k]) ?? (diff.after?.[k] === undefined ? [] : undefined)];
    if (!was || !now) return `${k} ${show(diff.before?.[k])} -> ${show(diff.after?.[k])}`;
    const moves = [...now.filter((x) => !was.includes(x)).map((x) => `+${x}`), ...was.filter((x) => !now.includes(x)).map((x) => `-${x}`)];
    return `${k} ${moves.join(' ')} (${now.length} left)`;
  }).join('; ')}`;
}
