/** `custodian sweep`, `policies …`, `dlq …` and `audit`: running the sweep, the policy register, dead letters and history. */
import { EventBridgeBus, SqsQueue } from '../../functions/adapters/queues.ts';
import { policyRows, readAudit } from '../../functions/usecases/console/rows.ts';
import { listDeadLetters, redrive } from '../../functions/usecases/dead-letters.ts';
import { addPolicy, markPolicyReviewed, PolicyError } from '../../functions/usecases/policies.ts';
import { runSweep } from '../../functions/usecases/sweep.ts';
import { actor, CliError, connect, connectDeps, out, program } from '../context.ts';

program
  .command('sweep')
  .description('run the scheduled sweep now: reminders, escalations, attestations, planned ends, policy reviews, digest')
  .option('--at <iso>', 'run as if the clock read this ISO date-time (e.g. 2026-12-21T07:00:00Z)')
  .option('--json', 'print the result as JSON')
  .action(async (o: { at?: string; json?: boolean }) => {
    const at = o.at ? new Date(o.at) : undefined;
    if (at && Number.isNaN(at.getTime())) throw new CliError(`--at: "${o.at}" is not an ISO date-time`);
    const { deps } = await connectDeps(at ? () => at : undefined);
    const result = await runSweep(deps, { escalateAfterWorkingDays: deps.config.escalateAfterWorkingDays });
    if (o.json) {
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    } else if (!result.workingDay) {
      process.stdout.write(`${result.date} is not a working day: nothing sent (what is due stays due)\n`);
    } else {
      process.stdout.write(`sweep ${result.date}: ${result.due} due, ${result.reminders} reminders, ${result.escalations} escalations, ${result.tasksCreated} tasks created, ${result.neglected} neglected, ${result.digests} digests\n`);
    }
    if (result.failures) throw new CliError(`${result.failures} items failed and stay due (see the log)`);
  });

/** Runs a policy use case, turning its refusals into the CLI's one-line errors. */
async function policyCommand<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof PolicyError) throw new CliError(err.message);
    throw err;
  }
}

const policiesCmd = program.command('policies').description('the policy register and its review dates');
policiesCmd
  .command('add')
  .requiredOption('--title <title>', 'the policy title')
  .requiredOption('--next-review <date>', 'next review date, YYYY-MM-DD')
  .requiredOption('--owner <email>', 'who reviews it')
  .option('--school <id>', 'a school (default: trust-wide)')
  .action(async (o: { title: string; nextReview: string; owner: string; school?: string }) => {
    const { deps } = await connectDeps();
    const p = await policyCommand(() => addPolicy(deps, o, actor('cli')));
    process.stdout.write(`policy ${p.id} added; next review ${p.nextReviewDate}\n`);
  });
policiesCmd
  .command('list')
  .option('--json', 'JSON array on stdout')
  .action(async (o: { json?: boolean }) => {
    const { store } = await connect();
    const rows = policyRows(await store.listPolicies());
    out(!!o.json, rows as never, [['id', 'ID'], ['title', 'TITLE'], ['school', 'SCHOOL'], ['owner', 'OWNER'], ['nextReviewDate', 'NEXT REVIEW'], ['lastReviewedOn', 'LAST REVIEWED']]);
  });
policiesCmd
  .command('reviewed <id>')
  .option('--next-review <date>', 'next review date (default: 12 months on)')
  .action(async (id: string, o: { nextReview?: string }) => {
    const { deps } = await connectDeps();
    const p = await policyCommand(() => markPolicyReviewed(deps, id, o.nextReview, actor('cli')));
    process.stdout.write(`policy ${p.id} reviewed; next review ${p.nextReviewDate}\n`);
  });

const dlq = program.command('dlq').description('the dead-letter queue: what failed or was refused, and replaying it');
async function letters() {
  const { target } = await connect();
  const found = [];
  if (target.deadLetterQueueUrl) {
    const queue = new SqsQueue(target.deadLetterQueueUrl);
    found.push(...(await listDeadLetters(queue, 'events')).map((l) => ({ ...l, from: queue })));
  }
  return { target, letters: found };
}
dlq
  .command('list')
  .option('--json', 'JSON array on stdout')
  .action(async (o: { json?: boolean }) => {
    const { letters: found } = await letters();
    const rows = found.map(({ message: _m, from: _f, ...l }) => l);
    out(!!o.json, rows as never, [['messageId', 'ID'], ['queue', 'QUEUE'], ['sentAt', 'SENT'], ['origin', 'FROM'], ['reason', 'REASON'], ['replay', 'REPLAY']]);
  });
dlq
  .command('redrive')
  .description('replay dead letters (handlers are idempotent, so a replay changes nothing that was already done)')
  .option('--id <messageId>', 'only this message')
  .action(async (o: { id?: string }) => {
    const { target, letters: found } = await letters();
    const chosen = o.id ? found.filter((l) => l.messageId === o.id) : found;
    if (o.id && chosen.length === 0) throw new CliError(`no dead letter ${o.id}`);
    const bus = new EventBridgeBus(target.eventBusName);
    let replayed = 0;
    for (const l of chosen) {
      if (await redrive(l, { from: l.from, bus })) replayed++;
      else process.stderr.write(`${l.messageId}: nothing to replay (${l.replay})\n`);
    }
    process.stdout.write(`replayed ${replayed} of ${chosen.length}\n`);
  });

program
  .command('audit')
  .description('the append-only history: who did what, when, from which event')
  .option('--account <id>', 'only this account (its whole history)')
  .option('--since <date>', 'entries from this date (YYYY-MM-DD); default 90 days ago')
  .option('--json', 'JSON array on stdout')
  .action(async (o: { account?: string; since?: string; json?: boolean }) => {
    const { store } = await connect();
    if (o.since && !/^\d{4}-\d{2}-\d{2}$/.test(o.since)) throw new CliError('--since must be YYYY-MM-DD');
    const entries = await readAudit(store, { account: o.account, since: o.since }, new Date());
    if (o.json) return out(true, entries as never, []);
    out(false, entries.map((e) => ({ ...e, entity: `${e.entityType} ${e.entityId}`, change: describeChange(e.before, e.after) })) as never, [
      ['at', 'WHEN'], ['by', 'BY'], ['action', 'WHAT'], ['entity', 'ON'], ['source', 'SOURCE'], ['change', 'CHANGE'],
    ]);
  });

function describeChange(before?: Record<string, unknown>, after?: Record<string, unknown>): string {
  const keys = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])];
  return keys.map((k) => (before && k in before ? `${k}: ${JSON.stringify(before[k])} -> ${JSON.stringify(after?.[k])}` : `${k}: ${JSON.stringify(after?.[k])}`)).join('; ');
}
