/** The sweep's weekly digest: one email per school to its IT managers, claimed once per week. */
import { logger, safeError } from '../../adapters/logger.ts';
import { weeklyDigestEmail } from '../../domain/digest.ts';
import type { Policy } from '../../domain/model.ts';
import { lastSeenOn } from '../../domain/cadence.ts';
import { isoWeek } from '../../domain/schedule.ts';
import { addWorkingDays, longDate } from '../../domain/working-days.ts';
import { ConflictError } from '../ports.ts';
import { schoolContacts, SWEEP_ACTOR, type SweepRun } from './run.ts';

const DIGEST_CLAIM_DAYS = 60;

/** Sends each school's digest; a school whose digest fails is counted and logged, and the others still get theirs. */
export async function sendDigests(run: SweepRun): Promise<{ sent: number; failures: number }> {
  const { store } = run.deps;
  const { today } = run;
  const week = isoWeek(today);
  const accounts = await store.getAccounts([...run.openByAccount.keys()]);
  const policies = await store.listPolicies();
  let sent = 0;
  let failures = 0;
  for (const school of run.schools.values()) {
    const tasks = [...run.openByAccount.values()].flat().filter((t) => t.school === school.id);
    const schoolAccounts = accounts.filter((a) => a.school === school.id);
    const due: Policy[] = policies.filter((p) => (!p.school || p.school === school.id) && p.nextReviewDate <= addWorkingDays(today, 40));
    if (!(await claimDigest(run, school.id, week))) continue;
    try {
      const email = weeklyDigestEmail({
        trustName: run.deps.config.trustName,
        schoolName: school.name,
        today,
        weekLabel: `week of ${longDate(today)}`,
        openTasks: [...tasks, ...run.openTasks.filter((t) => !t.accountId && t.school === school.id)],
        neglected: schoolAccounts.filter((a) => a.neglectedSince).map((a) => ({ platform: a.platform, handle: a.handle, mainSupervisor: a.mainSupervisor, lastSeenOn: lastSeenOn(a) })),
        shortOfAdmins: schoolAccounts.filter((a) => a.status !== 'closed' && a.admins.length < 2).map((a) => ({ platform: a.platform, handle: a.handle, admins: a.admins })),
        policiesDue: due.map((p) => ({ title: p.title, owner: p.owner, nextReviewDate: p.nextReviewDate })),
      });
      await run.deps.mailer.send({ to: schoolContacts(run, school), ...email });
      sent++;
    } catch (err) {
      // One school's failure stops no other school's digest; its claim is given back for the next run.
      failures++;
      logger.error('weekly digest failed; it stays due', { school: school.id, error: safeError(err) });
      await run.deps.store.commit([{ kind: 'digest_released', school: school.id, week }], SWEEP_ACTOR).catch(() => undefined);
    }
  }
  return { sent, failures };
}

/** Marks a school's digest for this week as sent; false when it already was (a second sweep sends nothing twice). */
async function claimDigest(run: SweepRun, school: string, week: string): Promise<boolean> {
  const expiresAt = Math.floor(run.now.getTime() / 1000) + DIGEST_CLAIM_DAYS * 86_400;
  try {
    await run.deps.store.commit([{ kind: 'digest_sent', school, week, expiresAt, at: run.deps.clock().toISOString() }], SWEEP_ACTOR);
    return true;
  } catch (err) {
    if (err instanceof ConflictError) return false;
    throw err;
  }
}
