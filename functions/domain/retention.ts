/**
 * What a closed task keeps of the person it was about once that person's retention period has started. Pure.
 *
 * Why reduce the task rather than expire it with the person (DynamoDB TTL on the task item): the task is the
 * register's history. `custodian tasks list`, the console and the digest show which account needed what, who was
 * asked, what they decided and when; the leaver's address (`subjectEmail`) is the address the account was tied
 * to, a register fact kept like the account's own fields, and the task's id is what its audit entries are filed
 * under. Deleting the item would lose all of that to remove two fields. So the leaver's name is removed, the
 * reason is rewritten without it (it then reads as it would have had HR never sent a name), and the free text
 * people wrote when deciding is replaced by a marker: the decision itself (transfer to whom, close, keep, by whom,
 * when) stays.
 */
import type { Resolution, Task } from './tasks.ts';

/** What a decision's free-text reason becomes. */
export const REASON_NOT_KEPT = '(reason not kept)';

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `text` with every whole-word occurrence of each name (any case) replaced by `by`. */
export function withoutNames(text: string, names: Array<string | undefined>, by: string): string {
  const list = [...new Set(names.map((n) => n?.trim()).filter((n): n is string => !!n && n.length > 1))].sort((a, b) => b.length - a.length);
  return list.reduce((out, name) => out.replace(new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(name)}(?![\\p{L}\\p{N}])`, 'giu'), by), text);
}

function reducedResolution(r: Resolution, names: Array<string | undefined>, subject: string): Resolution {
  switch (r.action) {
    // Written by whoever decided: it may say anything about anyone, so none of it is kept.
    case 'keep':
      return { ...r, reason: REASON_NOT_KEPT };
    case 'request_closure':
      return r.reason === undefined ? r : { ...r, reason: REASON_NOT_KEPT };
    // Written by Custodian ("the account was closed", "<name> has joined again"): only the name goes.
    case 'cancelled':
      return { ...r, reason: withoutNames(r.reason, names, subject) };
    default:
      return r;
  }
}

/**
 * The closed task without its subject's personal data: no `subjectName`, the names (`names`: the task's own and
 * any other the person is known by) replaced by the task's address in its reason and in a cancellation's reason,
 * and a decision's free text replaced by REASON_NOT_KEPT. Undefined when the task is open (it is still being
 * worked on and its emails name the person) or there is nothing left to reduce. Version and time are the caller's.
 */
export function withoutPersonalData(task: Task, names: Array<string | undefined>): Task | undefined {
  if (task.status === 'open') return undefined;
  const all = [task.subjectName, ...names];
  const reason = withoutNames(task.reason, all, task.subjectEmail);
  const resolution = task.resolution && reducedResolution(task.resolution, all, task.subjectEmail);
  const resolutionChanged = JSON.stringify(resolution) !== JSON.stringify(task.resolution);
  if (task.subjectName === undefined && reason === task.reason && !resolutionChanged) return undefined;
  const reduced: Task = { ...task, reason, ...(resolution ? { resolution } : {}) };
  delete reduced.subjectName;
  return reduced;
}
