/**
 * The daily sweep, scheduled at 07:00 Europe/London by EventBridge Scheduler. `{ "at": "<ISO date-time>" }` in the
 * event runs it as if the clock read that (what `custodian sweep --at` does locally). A sweep that runs out of
 * time stops cleanly and throws, so the scheduler's retry resumes it where it stopped.
 */
import type { Context } from 'aws-lambda';
import { envInt } from '../adapters/env.ts';
import { depsFromEnv } from '../adapters/deps.ts';
import { runSweep, type SweepResult } from '../usecases/sweep.ts';

export async function handler(event: { at?: string } | undefined, context?: Context): Promise<SweepResult> {
  const at = event?.at ? new Date(event.at) : undefined;
  if (at && Number.isNaN(at.getTime())) throw new Error('"at" must be an ISO date-time');
  const deps = depsFromEnv(at ? () => at : undefined);
  const result = await runSweep(deps, {
    escalateAfterWorkingDays: envInt('ESCALATE_AFTER_WORKING_DAYS'),
    ...(context ? { remainingMs: () => context.getRemainingTimeInMillis() } : {}),
  });
  if (!result.complete || result.failures > 0) {
    throw new Error(`sweep incomplete: ${result.processed} of ${result.due} items done, ${result.failures} failed; a retry resumes it`);
  }
  return result;
}
