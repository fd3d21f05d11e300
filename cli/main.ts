/**
 * `npx custodian <command>`: contracts section 5. Every list command takes --json (a JSON array on stdout and
 * nothing else); errors are one line on stderr with a non-zero exit code.
 */
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { Command, CommanderError, Option } from 'commander';
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eventBridgeClient } from '../functions/adapters/aws.ts';
import { Store } from '../functions/adapters/store.ts';
import { formatRowErrors } from '../functions/domain/register-csv.ts';
import { ACCOUNT_STATUSES, isEmail, normaliseEmail, TASK_STATUSES, type AccountStatus, type Actor, type TaskStatus } from '../functions/domain/model.ts';
import { depsFromEnv } from '../functions/usecases/deps.ts';
import { planLeaverReport } from '../functions/usecases/leavers.ts';
import { addPolicy, markPolicyReviewed, PolicyError } from '../functions/usecases/policies.ts';
import { runSweep } from '../functions/usecases/sweep.ts';
import { listDeadLetters, redrive } from '../functions/usecases/dead-letters.ts';
import { resolveTask, ResolveError, type Decision } from '../functions/usecases/resolve.ts';
import { exportRegister, importRegister, listRegister } from '../functions/usecases/register.ts';
import { describeIssues, HrEvent, parsePutEventFile } from '../events/schemas.ts';
import { table } from './format.ts';
import { CliError, resolveTarget, type Target } from './target.ts';

const program = new Command('custodian')
  .description('Custodian: the register of official social media accounts, and what happens when staff leave')
  .option('--aws', 'talk to the deployed stack (default: the local stack from `npm start`)', process.env.CUSTODIAN_TARGET === 'aws')
  .option('--stack <name>', 'deployed stack name, with --aws', process.env.CUSTODIAN_STACK ?? 'Custodian')
  .option('--by <email>', 'who is making the change, for the audit (default: $CUSTODIAN_OPERATOR or your login name)')
  .showHelpAfterError(false)
  .exitOverride();

let target: Target | undefined;
async function connect(): Promise<{ target: Target; store: Store }> {
  const opts = program.opts<{ aws: boolean; stack: string }>();
  target ??= await resolveTarget(opts.aws, opts.stack);
  return { target, store: new Store(target.tableName) };
}

function actor(source: string): Actor {
  const by = program.opts<{ by?: string }>().by ?? process.env.CUSTODIAN_OPERATOR ?? `cli:${os.userInfo().username}`;
  return { by, source };
}

function out(json: boolean, rows: Array<Record<string, unknown>>, columns: Array<[string, string]>) {
  process.stdout.write(json ? `${JSON.stringify(rows, null, 2)}\n` : `${table(rows, columns)}\n`);
}

function emails(value: string, what: string): string[] {
  const list = value.split(',').map((v) => v.trim()).filter(Boolean);
  const bad = list.filter((e) => !isEmail(e));
  if (bad.length) throw new CliError(`${what}: "${bad[0]}" is not an email address`);
  return [...new Set(list.map(normaliseEmail))];
}

// ---------- schools ----------
const schools = program.command('schools').description('the schools of the trust and their IT managers');
schools
  .command('set <id>')
  .description('add or update a school')
  .requiredOption('--name <name>', 'the school\'s name')
  .requiredOption('--it-manager <emails>', 'IT manager email(s), comma-separated')
  .requiredOption('--domain <domains>', 'email domain(s) of its staff, comma-separated')
  .action(async (id: string, o: { name: string; itManager: string; domain: string }) => {
    if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(id)) throw new CliError(`school id "${id}" must be lower-case letters, digits and hyphens`);
    const domains = o.domain.split(',').map((d) => d.trim().toLowerCase().replace(/^@/, '')).filter(Boolean);
    const badDomain = domains.find((d) => !/^[a-z0-9.-]+\.[a-z]{2,}$/.test(d));
    if (badDomain || domains.length === 0) throw new CliError(`--domain: "${badDomain ?? ''}" is not a domain name`);
    const { store } = await connect();
    const result = await store.putSchool({ id, name: o.name.trim(), itManagers: emails(o.itManager, '--it-manager'), domains }, actor('cli'));
    process.stdout.write(`school ${id} ${result}\n`);
  });
schools
  .command('list')
  .option('--json', 'JSON array on stdout')
  .action(async (o: { json?: boolean }) => {
    const { store } = await connect();
    const rows = (await store.listSchools()).sort((a, b) => a.id.localeCompare(b.id));
    out(!!o.json, rows as never, [['id', 'ID'], ['name', 'NAME'], ['itManagers', 'IT MANAGERS'], ['domains', 'DOMAINS']]);
  });

// ---------- register ----------
const register = program.command('register').description('the account register');
register
  .command('import <file>')
  .description('import a register CSV (all or nothing; re-importing updates, never duplicates)')
  .option('--dry-run', 'report what would change and write nothing')
  .action(async (file: string, o: { dryRun?: boolean }) => {
    let text: Buffer;
    try {
      text = readFileSync(file);
    } catch (err) {
      throw new CliError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
    }
    const { store } = await connect();
    const tty = process.stderr.isTTY;
    const result = await importRegister(store, text, {
      dryRun: !!o.dryRun,
      actor: actor(`csv:${path.basename(file)}`),
      onProgress: tty ? (done, total) => process.stderr.write(`\rimporting ${done}/${total}`) : undefined,
    });
    if (tty && !o.dryRun) process.stderr.write('\r\x1b[K');
    if (!result.ok) {
      process.stderr.write(`${file}: nothing was imported; fix these rows and try again:\n${formatRowErrors(result.errors)}\n`);
      throw new CliError(`${result.errors.length} invalid row${result.errors.length === 1 ? '' : 's'} in ${file}`);
    }
    if (o.dryRun) {
      for (const c of result.changes.filter((c) => c.kind !== 'unchanged')) {
        process.stdout.write(`line ${c.line}: would ${c.kind === 'created' ? 'create' : 'update'} ${c.accountId}${c.kind === 'updated' ? ` (${c.fields.join(', ')})` : ''}\n`);
      }
    }
    const verb = o.dryRun ? 'would create' : 'created';
    process.stdout.write(`${verb} ${result.created}, ${o.dryRun ? 'would update' : 'updated'} ${result.updated}, unchanged ${result.unchanged}${o.dryRun ? ' (dry run: nothing written)' : ''}\n`);
  });
register
  .command('list')
  .option('--school <id>', 'only this school')
  .addOption(new Option('--status <status>', 'only this status').choices([...ACCOUNT_STATUSES]))
  .option('--json', 'JSON array on stdout')
  .action(async (o: { school?: string; status?: AccountStatus; json?: boolean }) => {
    const { store } = await connect();
    const rows = await listRegister(store, { school: o.school, status: o.status });
    if (o.json) return out(true, rows as never, []);
    out(false, rows.map((r) => ({ ...r, findings: r.findings.map((f) => f.message) })) as never, [
      ['platform', 'PLATFORM'], ['handle', 'HANDLE'], ['school', 'SCHOOL'], ['linkedEmail', 'LINKED EMAIL'],
      ['admins', 'ADMINS'], ['mainSupervisor', 'MAIN SUPERVISOR'], ['status', 'STATUS'], ['findings', 'FINDINGS'],
    ]);
  });
register
  .command('export')
  .option('--out <file>', 'write to this file instead of stdout')
  .action(async (o: { out?: string }) => {
    const { store } = await connect();
    const csv = await exportRegister(store);
    if (o.out) writeFileSync(o.out, csv);
    else process.stdout.write(csv);
  });

// ---------- tasks ----------
const tasksCmd = program.command('tasks').description('what people have been asked to do');
tasksCmd
  .command('list')
  .addOption(new Option('--status <status>', 'only this status').choices([...TASK_STATUSES]))
  .option('--json', 'JSON array on stdout')
  .action(async (o: { status?: TaskStatus; json?: boolean }) => {
    const { store } = await connect();
    const tasks = (await store.listTasks(o.status)).sort((a, b) => a.dueDate.localeCompare(b.dueDate) || a.id.localeCompare(b.id));
    const rows = tasks.map((t) => ({
      id: t.id, type: t.type, status: t.status, accountId: t.accountId ?? null, platform: t.platform ?? null, handle: t.handle ?? null,
      subjectEmail: t.subjectEmail, dueDate: t.dueDate, assignees: t.assignees, ...(t.resolution ? { resolution: t.resolution } : {}),
    }));
    out(!!o.json, rows, [['id', 'ID'], ['type', 'TYPE'], ['status', 'STATUS'], ['accountId', 'ACCOUNT'], ['subjectEmail', 'ABOUT'], ['dueDate', 'DUE'], ['assignees', 'ASSIGNEES']]);
  });
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
  .action(async (id: string, o: { transferTo?: string; close?: boolean; keep?: boolean; reason?: string; acknowledge?: boolean; confirm?: boolean; requestClosure?: boolean; extendTo?: string; reviewed?: boolean; nextReview?: string }) => {
    const chosen = [o.transferTo !== undefined, !!o.close, !!o.keep, !!o.acknowledge, !!o.confirm, !!o.requestClosure, o.extendTo !== undefined, !!o.reviewed].filter(Boolean).length;
    if (chosen !== 1) throw new CliError('choose exactly one of --transfer-to <email>, --close, --keep --reason <text>, --acknowledge, --confirm, --request-closure, --extend-to <date>, --reviewed');
    const by = program.opts<{ by?: string }>().by;
    if (!by || !isEmail(by)) throw new CliError('--by <email> is required: who is making this decision, for the audit');
    if (o.keep && !o.reason?.trim()) throw new CliError('--keep needs --reason <text>: why it should stay as it is');
    const decision: Decision = o.transferTo !== undefined ? { action: 'transfer', to: o.transferTo }
      : o.close ? { action: 'close' } : o.keep ? { action: 'keep', reason: o.reason! }
      : o.confirm ? { action: 'confirm' } : o.requestClosure ? { action: 'request_closure', ...(o.reason ? { reason: o.reason } : {}) }
      : o.extendTo !== undefined ? { action: 'extend', to: o.extendTo }
      : o.reviewed ? { action: 'reviewed', ...(o.nextReview ? { nextReview: o.nextReview } : {}) } : { action: 'acknowledge' };
    await connect();
    try {
      const done = await resolveTask(depsFromEnv(), { taskId: id, decision, actor: { by: normaliseEmail(by), source: 'cli' } });
      process.stdout.write(`task ${done.id} resolved: ${done.resolution?.action}\n`);
    } catch (err) {
      if (err instanceof ResolveError) throw new CliError(err.message);
      throw err;
    }
  });

// ---------- sweep ----------
program
  .command('sweep')
  .description('run the scheduled sweep now: reminders, escalations, attestations, planned ends, policy reviews, digest')
  .option('--at <iso>', 'run as if the clock read this ISO date-time (e.g. 2026-12-21T07:00:00Z)')
  .option('--json', 'print the result as JSON')
  .action(async (o: { at?: string; json?: boolean }) => {
    const at = o.at ? new Date(o.at) : undefined;
    if (at && Number.isNaN(at.getTime())) throw new CliError(`--at: "${o.at}" is not an ISO date-time`);
    await connect();
    const deps = depsFromEnv(at ? () => at : undefined);
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

// ---------- policies ----------
const policiesCmd = program.command('policies').description('the policy register and its review dates');
policiesCmd
  .command('add')
  .requiredOption('--title <title>', 'the policy title')
  .requiredOption('--next-review <date>', 'next review date, YYYY-MM-DD')
  .requiredOption('--owner <email>', 'who reviews it')
  .option('--school <id>', 'a school (default: trust-wide)')
  .action(async (o: { title: string; nextReview: string; owner: string; school?: string }) => {
    await connect();
    try {
      const p = await addPolicy(depsFromEnv(), o, actor('cli'));
      process.stdout.write(`policy ${p.id} added; next review ${p.nextReviewDate}\n`);
    } catch (err) {
      if (err instanceof PolicyError) throw new CliError(err.message);
      throw err;
    }
  });
policiesCmd
  .command('list')
  .option('--json', 'JSON array on stdout')
  .action(async (o: { json?: boolean }) => {
    const { store } = await connect();
    const rows = (await store.listPolicies()).map(({ nextCheckOn: _n, ...p }) => p).sort((a, b) => a.nextReviewDate.localeCompare(b.nextReviewDate));
    out(!!o.json, rows as never, [['id', 'ID'], ['title', 'TITLE'], ['school', 'SCHOOL'], ['owner', 'OWNER'], ['nextReviewDate', 'NEXT REVIEW'], ['lastReviewedOn', 'LAST REVIEWED']]);
  });
policiesCmd
  .command('reviewed <id>')
  .option('--next-review <date>', 'next review date (default: 12 months on)')
  .action(async (id: string, o: { nextReview?: string }) => {
    await connect();
    try {
      const p = await markPolicyReviewed(depsFromEnv(), id, o.nextReview, actor('cli'));
      process.stdout.write(`policy ${p.id} reviewed; next review ${p.nextReviewDate}\n`);
    } catch (err) {
      if (err instanceof PolicyError) throw new CliError(err.message);
      throw err;
    }
  });

// ---------- dead letters ----------
const dlq = program.command('dlq').description('the dead-letter queues: what failed or was refused, and replaying it');
async function letters(which: 'events' | 'graph' | 'all') {
  const { target } = await connect();
  const queues: Array<['events' | 'graph', string | undefined]> = [['events', target.deadLetterQueueUrl], ['graph', process.env.GRAPH_CHANGES_DLQ_URL]];
  const out = [];
  for (const [name, url] of queues) if ((which === 'all' || which === name) && url) out.push(...(await listDeadLetters(url, name)).map((l) => ({ ...l, queueUrl: url })));
  return { target, letters: out };
}
dlq
  .command('list')
  .addOption(new Option('--queue <queue>', 'which queue').choices(['events', 'graph', 'all']).default('all'))
  .option('--json', 'JSON array on stdout')
  .action(async (o: { queue: 'events' | 'graph' | 'all'; json?: boolean }) => {
    const { letters: found } = await letters(o.queue);
    const rows = found.map(({ receiptHandle: _r, replayMessage: _m, queueUrl: _u, ...l }) => l);
    out(!!o.json, rows as never, [['messageId', 'ID'], ['queue', 'QUEUE'], ['sentAt', 'SENT'], ['origin', 'FROM'], ['reason', 'REASON'], ['replay', 'REPLAY']]);
  });
dlq
  .command('redrive')
  .description('replay dead letters (handlers are idempotent, so a replay changes nothing that was already done)')
  .option('--id <messageId>', 'only this message')
  .addOption(new Option('--queue <queue>', 'which queue').choices(['events', 'graph', 'all']).default('all'))
  .action(async (o: { id?: string; queue: 'events' | 'graph' | 'all' }) => {
    const { target, letters: found } = await letters(o.queue);
    const chosen = o.id ? found.filter((l) => l.messageId === o.id) : found;
    if (o.id && chosen.length === 0) throw new CliError(`no dead letter ${o.id}`);
    let replayed = 0;
    for (const l of chosen) {
      if (await redrive(l, { queueUrl: l.queueUrl, busName: target.eventBusName, ...(process.env.GRAPH_QUEUE_URL ? { graphQueueUrl: process.env.GRAPH_QUEUE_URL } : {}) })) replayed++;
      else process.stderr.write(`${l.messageId}: nothing to replay (${l.replay})\n`);
    }
    process.stdout.write(`replayed ${replayed} of ${chosen.length}\n`);
  });

// ---------- events ----------
const eventsCmd = program.command('events').description('events on the bus');
eventsCmd
  .command('send <file>')
  .description('PutEvents one entry {Source, DetailType, Detail} or an array of them onto the bus')
  .option('--dry-run', 'print the tasks each event would create, and write nothing')
  .action(async (file: string, o: { dryRun?: boolean }) => {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      throw new CliError(`cannot read ${file}: ${(err as Error).message}`);
    }
    const parsed = parsePutEventFile(raw);
    if (!parsed.ok) throw new CliError(`${file}: ${parsed.reason}`);
    const { entries } = parsed;
    const { target } = await connect();
    if (o.dryRun) {
      for (const [i, e] of entries.entries()) process.stdout.write(`${await describeDryRun(i + 1, e)}\n`);
      return;
    }
    let failed = 0;
    for (let i = 0; i < entries.length; i += 10) {
      const batch = entries.slice(i, i + 10).map((e) => ({
        EventBusName: target.eventBusName,
        Source: e.Source,
        DetailType: e.DetailType,
        Detail: typeof e.Detail === 'string' ? e.Detail : JSON.stringify(e.Detail),
      }));
      const res = await eventBridgeClient().send(new PutEventsCommand({ Entries: batch }));
      (res.Entries ?? []).forEach((r, j) => {
        if (r.EventId) process.stdout.write(`${r.EventId}\n`);
        else {
          failed++;
          process.stderr.write(`entry ${i + j + 1}: ${r.ErrorCode}: ${r.ErrorMessage}\n`);
        }
      });
    }
    if (failed) throw new CliError(`${failed} of ${entries.length} events were rejected by the bus`);
  });

// ---------- audit ----------
program
  .command('audit')
  .description('the append-only history: who did what, when, from which event')
  .option('--account <id>', 'only this account (its whole history)')
  .option('--since <date>', 'entries from this date (YYYY-MM-DD); default 90 days ago')
  .option('--json', 'JSON array on stdout')
  .action(async (o: { account?: string; since?: string; json?: boolean }) => {
    const { store } = await connect();
    if (o.since && !/^\d{4}-\d{2}-\d{2}$/.test(o.since)) throw new CliError('--since must be YYYY-MM-DD');
    const since = o.since ?? new Date(Date.now() - 90 * 86_400_000).toISOString().slice(0, 10);
    const entries = o.account ? await store.auditFor('account', o.account.toLowerCase()) : await store.auditSince(since);
    entries.sort((a, b) => a.at.localeCompare(b.at) || a.id.localeCompare(b.id));
    if (o.json) return out(true, entries as never, []);
    out(false, entries.map((e) => ({ ...e, entity: `${e.entityType} ${e.entityId}`, change: describeChange(e.before, e.after) })) as never, [
      ['at', 'WHEN'], ['by', 'BY'], ['action', 'WHAT'], ['entity', 'ON'], ['source', 'SOURCE'], ['change', 'CHANGE'],
    ]);
  });

async function describeDryRun(n: number, e: { Source: string; DetailType: string; Detail: string | Record<string, unknown> }): Promise<string> {
  const head = `event ${n} (${e.DetailType}):`;
  const sources = (process.env.HR_SOURCES ?? 'hr').split(',');
  if (!sources.includes(e.Source)) return `${head} source "${e.Source}" is not an HR source; no HR rule would take it`;
  let detail: unknown = e.Detail;
  if (typeof detail === 'string') {
    try { detail = JSON.parse(detail); } catch { return `${head} would go to the dead-letter queue: Detail is not JSON`; }
  }
  const valid = HrEvent.safeParse({ detailType: e.DetailType, detail });
  if (!valid.success) return `${head} would go to the dead-letter queue: ${describeIssues(valid.error)}`;
  const deps = depsFromEnv();
  const meta = { id: 'dry-run', time: new Date().toISOString(), origin: 'hr' as const };
  const ev = valid.data;
  if (ev.detailType === 'Staff Leaver') {
    const { plans, skipped } = await planLeaverReport(deps, ev.detail, meta);
    if (skipped) return `${head} nothing: ${skipped}`;
    const lines = plans.flatMap((p) => [
      ...p.tasks.map((t) => `  would ${t.before ? 'reopen' : 'create'} ${t.after.type} task ${t.after.id} for ${p.after.id}, due ${t.after.dueDate}, to ${t.after.assignees.join(', ')}`),
      ...(p.before.admins.length !== p.after.admins.length ? [`  would remove ${ev.detail.email} from the administrators of ${p.after.id} (${p.after.admins.length} left)`] : []),
      ...(p.before.status !== p.after.status ? [`  would mark ${p.after.id} ${p.after.status}`] : []),
    ]);
    return lines.length ? `${head}\n${lines.join('\n')}` : `${head} no account is tied to ${ev.detail.email}; nothing would change`;
  }
  if (ev.detailType === 'Staff Leaver Cancelled') {
    const person = await deps.store.findPerson([ev.detail.email]);
    const open = (await deps.store.tasksForSubjects([...new Set([ev.detail.email, ...(person?.addresses ?? [])])])).filter((t) => t.status === 'open' && t.type !== 'acknowledge_policy');
    return open.length ? `${head}\n${open.map((t) => `  would cancel ${t.type} task ${t.id} for ${t.accountId}`).join('\n')}` : `${head} no open task to cancel`;
  }
  const person = await deps.store.findPerson([ev.detail.email]);
  return person?.policyAcknowledgedAt
    ? `${head} would record the joiner; the policy is already acknowledged`
    : `${head} would record the joiner and create an acknowledge_policy task`;
}

function describeChange(before?: Record<string, unknown>, after?: Record<string, unknown>): string {
  const keys = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])];
  return keys.map((k) => (before && k in before ? `${k}: ${JSON.stringify(before[k])} -> ${JSON.stringify(after?.[k])}` : `${k}: ${JSON.stringify(after?.[k])}`)).join('; ');
}

export async function main(argv: string[]): Promise<number> {
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Commander has already printed its message (or help); keep its exit code.
      return err.exitCode;
    }
    const e = err as NodeJS.ErrnoException & { cause?: { code?: string } };
    const refused = e.code === 'ECONNREFUSED' || e.cause?.code === 'ECONNREFUSED' || /ECONNREFUSED/.test(String(e.message));
    const message = refused
      ? 'the local stack is not running (connection refused): start it with `npm start`'
      : err instanceof CliError ? err.message : `${e.name ?? 'Error'}: ${e.message}`;
    process.stderr.write(`custodian: ${message.split('\n')[0]}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
