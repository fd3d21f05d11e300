/**
 * Sending the first emails of a request's tasks straight after the change that opened them (a submission, an
 * approval). The change is written by then: a failed email must not make it look undone to the person who just
 * submitted or approved. The task stays pending, and is made due on the next working day, so the sweep sends it
 * then (sweep/tasks.ts delivers any task whose first email has not gone).
 */
import { logger, safeError } from '../adapters/logger.ts';
import { taskChange } from '../domain/changes.ts';
import type { Task } from '../domain/tasks.ts';
import { addWorkingDays, londonDate } from '../domain/working-days.ts';
import type { Deps } from './deps.ts';
import { deliverPending } from './notify.ts';

export async function deliverSoon(deps: Deps, tasks: Task[]): Promise<void> {
  if (tasks.length === 0) return;
  try {
    await deliverPending(deps, await deps.store.getTasks(tasks.map((t) => t.id)));
  } catch (err) {
    logger.error('a request task\'s first email failed; the sweep sends it on the next working day', { tasks: tasks.map((t) => t.id), error: safeError(err) });
    const tomorrow = addWorkingDays(londonDate(deps.clock()), 1);
    for (const task of await deps.store.getTasks(tasks.map((t) => t.id))) {
      if (task.status !== 'open' || task.delivery.state === 'sent' || (task.nextActionOn && task.nextActionOn <= tomorrow)) continue;
      const due: Task = { ...task, nextActionOn: tomorrow, updatedAt: deps.clock().toISOString(), version: task.version + 1 };
      await deps.store.commit([taskChange(task, due, 'task.delivery_failed')], { by: 'system:notify', source: 'delivery' }).catch(() => undefined);
    }
  }
}
