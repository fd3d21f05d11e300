/**
 * Why a task can no longer be decided, in words for the person who tried: pure, and a module of its own so that the
 * action page can say so on a GET without loading the decision path (usecases/resolve.ts re-exports both).
 */
import { generationOf, mayActOn, type Task } from './tasks.ts';
import { longDate } from './working-days.ts';

/** Why a link made for `recipient` at `generation` may no longer act on the task, or undefined when it may. */
export function linkRefusal(task: Task, link: { recipient: string; generation: number }): string | undefined {
  if (link.generation !== generationOf(task)) return 'this task has been reopened since this link was sent, so the link no longer works; use the newest email about it';
  if (!mayActOn(task, link.recipient)) return `this link was sent to ${link.recipient}, who is no longer asked to do this task`;
  return undefined;
}

export function describeClosed(task: Task): string {
  const r = task.resolution;
  if (task.status === 'cancelled') return `this task was cancelled${r?.action === 'cancelled' ? `: ${r.reason}` : ''}`;
  if (!r) return 'this task is already resolved';
  const when = longDate(r.at.slice(0, 10));
  switch (r.action) {
    case 'transfer': return `this task was already resolved on ${when} by ${r.by}: transferred to ${r.to}`;
    case 'close': return `this task was already resolved on ${when} by ${r.by}: the account was closed`;
    case 'keep': return `this task was already resolved on ${when} by ${r.by}: kept as it is`;
    case 'acknowledge': return `the policy was already acknowledged on ${when}`;
    case 'confirm': return `this was already confirmed on ${when} by ${r.by}`;
    case 'request_closure': return `closure was already requested on ${when} by ${r.by}`;
    case 'extend': return `the planned end was already moved to ${longDate(r.to)} on ${when} by ${r.by}`;
    case 'reviewed': return `the policy was already marked reviewed on ${when} by ${r.by}`;
    case 'approve': return `this step was already approved on ${when} by ${r.by}`;
    case 'reject': return `the request was already rejected on ${when} by ${r.by}`;
    case 'set_up': return `the account was already recorded as set up on ${when} by ${r.by}`;
    default: return 'this task is already resolved';
  }
}
