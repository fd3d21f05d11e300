/** What one sweep run shares between its steps: today, what it read once, and what it has done so far. */
import { taskChange } from '../../domain/changes.ts';
import type { Actor, IsoDate, School } from '../../domain/model.ts';
import type { Task } from '../../domain/tasks.ts';
import type { Deps } from '../deps.ts';
import { sendTaskOpened, type TaskContext } from '../task-emails.ts';

export interface SweepResult {
  date: IsoDate;
  workingDay: boolean;
  due: number;
  processed: number;
  reminders: number;
  escalations: number;
  tasksCreated: number;
  neglected: number;
  digests: number;
  complete: boolean;
  failures: number;
}

export interface SweepOptions {
  escalateAfterWorkingDays: number;
  /** Milliseconds left before the function must stop (Lambda's getRemainingTimeInMillis). */
  remainingMs?: () => number;
}

export interface SweepRun {
  deps: Deps;
  options: SweepOptions;
  now: Date;
  today: IsoDate;
  /** The open tasks, read once at the start; tasks the sweep creates are added as it goes. */
  openTasks: Task[];
  openByAccount: Map<string, Task[]>;
  schools: Map<string, School>;
  email: { trustName: string; trustItContact: string };
  result: SweepResult;
}

export const SWEEP_ACTOR: Actor = { by: 'system:sweep', source: 'sweep' };

export function addOpenTask(run: SweepRun, task: Task): void {
  if (task.accountId) run.openByAccount.set(task.accountId, [...(run.openByAccount.get(task.accountId) ?? []), task]);
}

/** Who hears about a school's accounts: its IT managers, or the trust IT contact when it has none. */
export function schoolContacts(run: SweepRun, school: School | undefined): string[] {
  return school?.itManagers.length ? school.itManagers : [run.deps.config.trustItContact];
}

/**
 * Emails the people the sweep's new tasks ask to act. The tasks were written as sent (the usual case needs no
 * further write); one whose email fails is put back as pending and due today, so the next run delivers it.
 */
export async function sendOpened(run: SweepRun, tasks: Task[], context: TaskContext): Promise<void> {
  let failure: unknown;
  for (const task of tasks) {
    const sentTo: string[] = [];
    try {
      await sendTaskOpened(run.deps, task, context, { sent: (email) => sentTo.push(email) });
    } catch (err) {
      failure ??= err;
      // Those already sent theirs are not sent it again by the delivery that retries it.
      const pending: Task = { ...task, delivery: { kind: 'created', state: 'pending', sentTo }, nextActionOn: run.today, updatedAt: run.deps.clock().toISOString(), version: task.version + 1 };
      await run.deps.store.commit([taskChange(task, pending, 'task.delivery_failed')], SWEEP_ACTOR).catch(() => undefined);
    }
  }
  if (failure) throw failure;
}
