/**
 * The daily sweep (contracts section 1; runs at 07:00 Europe/London, or `custodian sweep --at`): reminders and
 * escalations for open tasks, attestation and neglect checks, planned ends, accounts short of administrators,
 * policy reviews, and the weekly digest. It reads only what is due, through the sparse due index, and reads the
 * open tasks once. Each item is claimed with a versioned write before its email is sent, so two sweeps at the same
 * time send nothing twice; each claimed item moves to its next date, so a sweep stopped halfway resumes where it
 * stopped. Nothing is sent on weekends and bank holidays: the items simply stay due until the next working day.
 */
import { logger, safeError } from '../adapters/logger.ts';
import { isDigestDay } from '../domain/schedule.ts';
import { isWorkingDay, londonDate } from '../domain/working-days.ts';
import type { Deps } from './deps.ts';
import { ConflictError } from './ports.ts';
import { sweepAccount } from './sweep/accounts.ts';
import { sendDigests } from './sweep/digest.ts';
import { sweepPolicy } from './sweep/policies.ts';
import { addOpenTask, type SweepOptions, type SweepResult, type SweepRun } from './sweep/run.ts';
import { sweepTasks } from './sweep/tasks.ts';
import { leaverKeys } from './task-emails.ts';
import { isLeaverTask } from '../domain/emails.ts';
import type { DueItem } from '../domain/changes.ts';

export type { SweepOptions, SweepResult } from './sweep/run.ts';

/** Stop with this much time left, so the run ends cleanly and the scheduler's retry resumes it. */
const STOP_WHEN_LESS_THAN_MS = 20_000;

export async function runSweep(deps: Deps, options: SweepOptions): Promise<SweepResult> {
  const now = deps.clock();
  const today = londonDate(now);
  const result: SweepResult = { date: today, workingDay: isWorkingDay(today), due: 0, processed: 0, reminders: 0, escalations: 0, tasksCreated: 0, neglected: 0, digests: 0, complete: true, failures: 0 };
  if (!result.workingDay) {
    logger.info('sweep: not a working day; nothing sent', { date: today });
    return result;
  }
  const run = await startRun(deps, options, now, result);
  await sweepDueItems(run);
  if (result.complete && isDigestDay(today)) await sweepDigest(run);
  logger.info('sweep finished', { ...result });
  return result;
}

/** Reads once what every step needs: the open tasks (by account) and the schools. */
async function startRun(deps: Deps, options: SweepOptions, now: Date, result: SweepResult): Promise<SweepRun> {
  const [openTasks, schools] = await Promise.all([deps.store.listTasks('open'), deps.store.listSchools()]);
  const run: SweepRun = {
    deps, options, now, today: result.date, openTasks, openByAccount: new Map(), schools: new Map(schools.map((s) => [s.id, s])),
    email: { trustName: deps.config.trustName, trustItContact: deps.config.trustItContact }, result,
  };
  for (const t of openTasks) addOpenTask(run, t);
  return run;
}

/**
 * Every item due today or earlier, oldest first; one that fails stays due for the next run. A leaver's tasks are
 * taken together (where the first of them falls), so each recipient gets one follow-up about that leaver.
 */
async function sweepDueItems(run: SweepRun): Promise<void> {
  const due = await run.deps.store.dueOnOrBefore(run.today);
  run.result.due = due.length;
  for (const batch of await batches(run, due)) {
    if (run.options.remainingMs && run.options.remainingMs() < STOP_WHEN_LESS_THAN_MS) {
      run.result.complete = false;
      return;
    }
    const item = batch[0]!;
    try {
      if (item.kind === 'task') await sweepTasks(run, batch.map((i) => i.id));
      else if (item.kind === 'account') await sweepAccount(run, item.id);
      else await sweepPolicy(run, item.id);
      run.result.processed += batch.length;
    } catch (err) {
      if (err instanceof ConflictError) continue; // another sweep took it
      run.result.failures++;
      logger.error('sweep item failed; it stays due', { kind: item.kind, id: item.id, error: safeError(err) });
    }
  }
}

async function batches(run: SweepRun, due: DueItem[]): Promise<DueItem[][]> {
  const open = new Map(run.openTasks.map((t) => [t.id, t]));
  const leaverOf = await leaverKeys(run.deps, due.flatMap((i) => (i.kind === 'task' && open.has(i.id) ? [open.get(i.id)!] : [])));
  const out: DueItem[][] = [];
  const byLeaver = new Map<string, DueItem[]>();
  for (const item of due) {
    const task = item.kind === 'task' ? open.get(item.id) : undefined;
    if (!task || !isLeaverTask(task)) {
      out.push([item]);
      continue;
    }
    const key = leaverOf(task);
    const batch = byLeaver.get(key);
    if (batch) batch.push(item);
    else {
      byLeaver.set(key, [item]);
      out.push(byLeaver.get(key)!);
    }
  }
  return out;
}

async function sweepDigest(run: SweepRun): Promise<void> {
  try {
    const { sent, failures } = await sendDigests(run);
    run.result.digests = sent;
    run.result.failures += failures;
  } catch (err) {
    run.result.failures++;
    logger.error('weekly digest failed', { error: safeError(err) });
  }
}
