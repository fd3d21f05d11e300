/** The sweep's step for policies: the review task opens 60 days ahead; the policy moves on to its next check. */
import { taskChange, type Change } from '../../domain/changes.ts';
import { policyChange } from '../../domain/scheduled-changes.ts';
import type { Policy } from '../../domain/model.ts';
import { nextPolicyCheckOn, nextTaskActionOn, policyReviewTaskDueToOpen } from '../../domain/schedule.ts';
import { taskId, type Task } from '../../domain/tasks.ts';
import { longDate } from '../../domain/working-days.ts';
import { sendOpened, SWEEP_ACTOR, type SweepRun } from './run.ts';

export async function sweepPolicy(run: SweepRun, id: string): Promise<void> {
  const policy = await run.deps.store.getPolicy(id);
  if (!policy) return;
  const nowIso = run.deps.clock().toISOString();
  const changes: Change[] = [policyChange(policy, { ...policy, nextCheckOn: nextPolicyCheckOn(policy, run.today), updatedAt: nowIso, version: policy.version + 1 }, 'policy.checked', run.today)];
  const hasOpen = run.openTasks.some((t) => t.type === 'policy_review' && t.policyId === id);
  const task = !hasOpen && policyReviewTaskDueToOpen(policy, run.today) ? reviewTask(run, policy, nowIso) : undefined;
  if (task) changes.push(taskChange(undefined, task, 'task.created'));
  await run.deps.store.commit(changes, SWEEP_ACTOR);
  if (!task) return;
  run.result.tasksCreated++;
  const school = policy.school ? run.schools.get(policy.school) : undefined;
  await sendOpened(run, [task], { policy, ...(school ? { school } : {}) });
}

function reviewTask(run: SweepRun, policy: Policy, nowIso: string): Task {
  const task: Task = {
    id: taskId('policy_review', `${policy.id}#${policy.nextReviewDate}`, policy.owner),
    type: 'policy_review', status: 'open', subjectEmail: policy.owner, ...(policy.school ? { school: policy.school } : {}), policyId: policy.id,
    dueDate: policy.nextReviewDate, assignees: [policy.owner], reason: `${policy.title} is due for review on ${longDate(policy.nextReviewDate)}`,
    sourceEvent: `sweep:${run.today}`, sourceTime: nowIso, createdAt: nowIso, updatedAt: nowIso, version: 1,
    delivery: { kind: 'created', state: 'sent', sentAt: nowIso }, remindersSent: 0, lastReminderOn: run.today,
  };
  return { ...task, nextActionOn: nextTaskActionOn(task, run.today, run.options.escalateAfterWorkingDays) };
}
