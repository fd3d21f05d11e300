/** What one sweep run shares between its steps: today, what it read once, and what it has done so far. */
import type { Actor, IsoDate, School } from '../../domain/model.ts';
import type { Task } from '../../domain/tasks.ts';
import type { Deps } from '../deps.ts';

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
