/**
 * `custodian events send`: PutEvents onto the stack's bus. `--dry-run` runs, here, the very use case the
 * hr-events function would run for each event, against a store that keeps its changes and a mailer that keeps
 * its emails, and prints them: what it shows is what the real send then does.
 */
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { eventBridgeClient } from '../../functions/adapters/aws.ts';
import { dryRunDeps } from '../../functions/adapters/dry-run.ts';
import { processHrEvent } from '../../functions/usecases/hr-events.ts';
import { parseHrBusEvent, parsePutEventFile, type PutEventEntry } from '../../events/schemas.ts';
import { CliError, connect, connectDeps, program } from '../context.ts';
import { describeChanges, plannedChanges, type PlannedChange } from '../dry-run.ts';

const eventsCmd = program.command('events').description('events on the bus');
eventsCmd
  .command('send <file>')
  .description('PutEvents one entry {Source, DetailType, Detail[, Time]} or an array of them onto the bus')
  .option('--dry-run', 'run what each event would do without writing or sending anything, and print the changes')
  .option('--json', 'with --dry-run: the changes as a JSON array on stdout')
  .action(async (file: string, o: { dryRun?: boolean; json?: boolean }) => {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      throw new CliError(`cannot read ${file}: ${(err as Error).message}`);
    }
    const parsed = parsePutEventFile(raw);
    if (!parsed.ok) throw new CliError(`${file}: ${parsed.reason}`);
    if (o.dryRun) await dryRun(parsed.entries, !!o.json);
    else await send(parsed.entries);
  });

async function send(entries: PutEventEntry[]): Promise<void> {
  const { target } = await connect();
  let failed = 0;
  for (let i = 0; i < entries.length; i += 10) {
    const batch = entries.slice(i, i + 10).map((e) => ({
      EventBusName: target.eventBusName,
      Source: e.Source,
      DetailType: e.DetailType,
      Detail: typeof e.Detail === 'string' ? e.Detail : JSON.stringify(e.Detail),
      ...(e.Time ? { Time: new Date(e.Time) } : {}),
    }));
    const res = await (await eventBridgeClient()).send(new PutEventsCommand({ Entries: batch }));
    (res.Entries ?? []).forEach((r, j) => {
      if (r.EventId) process.stdout.write(`${r.EventId}\n`);
      else {
        failed++;
        process.stderr.write(`entry ${i + j + 1}: ${r.ErrorCode}: ${r.ErrorMessage}\n`);
      }
    });
  }
  if (failed) throw new CliError(`${failed} of ${entries.length} events were rejected by the bus`);
}

/** Each event in turn through the same validation and use case as the hr-events function, on one dry-run store. */
async function dryRun(entries: PutEventEntry[], json: boolean): Promise<void> {
  const { deps: real } = await connectDeps();
  const deps = dryRunDeps(real);
  const sources = (process.env.HR_SOURCES ?? 'hr').split(',');
  const all: PlannedChange[] = [];
  for (const [i, e] of entries.entries()) {
    const head = `event ${i + 1} (${e.DetailType}):`;
    let detail: unknown = e.Detail;
    if (typeof detail === 'string') {
      try { detail = JSON.parse(detail); } catch { detail = undefined; }
    }
    const valid = detail === undefined
      ? { ok: false as const, reason: 'Detail is not JSON' }
      : parseHrBusEvent({ source: e.Source, detailType: e.DetailType, detail }, sources);
    if (!valid.ok) {
      if (!json) process.stdout.write(`${head} would go to the dead-letter queue: ${valid.reason}\n`);
      continue;
    }
    const before = { commits: deps.store.commits.length, emails: deps.mailer.sent.length };
    await processHrEvent(deps, valid.event, { id: `dry-run-${randomUUID()}`, time: e.Time ? new Date(e.Time).toISOString() : new Date().toISOString(), origin: 'hr' });
    const commits = deps.store.commits.slice(before.commits);
    all.push(...plannedChanges(commits));
    if (json) continue;
    const lines = describeChanges(commits, deps.mailer.sent.slice(before.emails));
    process.stdout.write(lines.length ? `${head}\n${lines.map((l) => `  would ${l}`).join('\n')}\n` : `${head} nothing would change\n`);
  }
  if (json) process.stdout.write(`${JSON.stringify(all, null, 2)}\n`);
  else process.stdout.write('(dry run: nothing written, sent or published)\n');
}
