/** `custodian tasks …`: what people have been asked to do, and deciding a task from the command line. */
import { Option } from 'commander';
import { isEmail, normaliseEmail, TASK_STATUSES, type TaskStatus } from '../../functions/domain/model.ts';
import { taskRow } from '../../functions/usecases/console/rows.ts';
import { resolveTask, ResolveError, type Decision } from '../../functions/usecases/resolve.ts';
import { CliError, connect, connectDeps, out, program } from '../context.ts';

const tasksCmd = program.command('tasks').description('what people have been asked to do');
tasksCmd
  .command('list')
  .addOption(new Option('--status <status>', 'only this status').choices([...TASK_STATUSES]))
  .option('--json', 'JSON array on stdout')
  .action(async (o: { status?: TaskStatus; json?: boolean }) => {
    const { store } = await connect();
    const rows = (await store.listTasks(o.status)).map(taskRow);
    out(!!o.json, rows, [['id', 'ID'], ['type', 'TYPE'], ['status', 'STATUS'], ['accountId', 'ACCOUNT'], ['subjectEmail', 'ABOUT'], ['dueDate', 'DUE'], ['assignees', 'ASSIGNEES']]);
  });

interface ResolveOptions {
  transferTo?: string; close?: boolean; keep?: boolean; reason?: string; acknowledge?: boolean; confirm?: boolean;
  requestClosure?: boolean; extendTo?: string; reviewed?: boolean; nextReview?: string;
}

function decisionOf(o: ResolveOptions): Decision {
  const chosen = [o.transferTo !== undefined, !!o.close, !!o.keep, !!o.acknowledge, !!o.confirm, !!o.requestClosure, o.extendTo !== undefined, !!o.reviewed].filter(Boolean).length;
  if (chosen !== 1) throw new CliError('choose exactly one of --transfer-to <email>, --close, --keep --reason <text>, --acknowledge, --confirm, --request-closure, --extend-to <date>, --reviewed');
  if (o.keep && !o.reason?.trim()) throw new CliError('--keep needs --reason <text>: why it should stay as it is');
  if (o.transferTo !== undefined) return { action: 'transfer', to: o.transferTo };
  if (o.close) return { action: 'close' };
  if (o.keep) return { action: 'keep', reason: o.reason! };
  if (o.confirm) return { action: 'confirm' };
  if (o.requestClosure) return { action: 'request_closure', ...(o.reason ? { reason: o.reason } : {}) };
  if (o.extendTo !== undefined) return { action: 'extend', to: o.extendTo };
  if (o.reviewed) return { action: 'reviewed', ...(o.nextReview ? { nextReview: o.nextReview } : {}) };
  return { action: 'acknowledge' };
}

tasksCmd
  .command('resolve <id>')
  .description('resolve a task, with the same effect as acting from its email (needs --by <email>)')
  .option('--transfer-to <email>', 'transfer to (or, for admin/supervisor tasks, appoint) this continuing member of staff')
  .option('--close', 'the account is closed')
  .option('--keep', 'keep it as it is (needs --reason)')
  .option('--reason <text>', 'why it is kept as it is')
  .option('--acknowledge', 'the policy has been read and accepted (acknowledge_policy tasks)')
  .option('--confirm', 'the account is in use and monitored (attest_account tasks)')
  .option('--request-closure', 'ask for the account to be closed (attest_account tasks)')
  .option('--extend-to <date>', 'a new planned end date (planned_end tasks)')
  .option('--reviewed', 'the policy has been reviewed (policy_review tasks; --next-review to set the date)')
  .option('--next-review <date>', 'with --reviewed: the next review date (default 12 months on)')
  .action(async (id: string, o: ResolveOptions) => {
    const decision = decisionOf(o);
    const by = program.opts<{ by?: string }>().by;
    if (!by || !isEmail(by)) throw new CliError('--by <email> is required: who is making this decision, for the audit');
    const { deps } = await connectDeps();
    try {
      const done = await resolveTask(deps, { taskId: id, decision, actor: { by: normaliseEmail(by), source: 'cli' } });
      process.stdout.write(`task ${done.id} resolved: ${done.resolution?.action}\n`);
    } catch (err) {
      if (err instanceof ResolveError) throw new CliError(err.message);
      throw err;
    }
  });
