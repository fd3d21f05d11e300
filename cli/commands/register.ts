/** `custodian schools …` and `custodian register …`: the schools and the account register. */
import { Option } from 'commander';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DryRunStore } from '../../functions/adapters/dry-run-store.ts';
import { formatRowErrors } from '../../functions/domain/register-csv.ts';
import { ACCOUNT_STATUSES, type AccountStatus } from '../../functions/domain/model.ts';
import { exportRegister, importRegister, listRegister } from '../../functions/usecases/register.ts';
import { putSchool } from '../../functions/usecases/schools.ts';
import { actor, CliError, connect, emails, out, program } from '../context.ts';
import { plannedChanges } from '../dry-run.ts';

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
    const result = await putSchool(store, { id, name: o.name.trim(), itManagers: emails(o.itManager, '--it-manager'), domains }, actor('cli'));
    process.stdout.write(`school ${id} ${result}\n`);
  });
schools
  .command('list')
  .option('--json', 'JSON array on stdout')
  .action(async (o: { json?: boolean }) => {
    const { store } = await connect();
    const rows = await store.listSchools();
    out(!!o.json, rows as never, [['id', 'ID'], ['name', 'NAME'], ['itManagers', 'IT MANAGERS'], ['domains', 'DOMAINS']]);
  });

const register = program.command('register').description('the account register');
register
  .command('import <file>')
  .description('import a register CSV (all or nothing; re-importing updates, never duplicates)')
  .option('--dry-run', 'run the import without writing anything, and print every change it would make')
  .option('--json', 'with --dry-run: the changes as a JSON array on stdout')
  .action(async (file: string, o: { dryRun?: boolean; json?: boolean }) => {
    let text: Buffer;
    try {
      text = readFileSync(file);
    } catch (err) {
      throw new CliError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
    }
    const { store: real } = await connect();
    const dry = o.dryRun ? new DryRunStore(real) : undefined;
    const tty = process.stderr.isTTY && !o.dryRun;
    const result = await importRegister(dry ?? real, text, {
      now: new Date(),
      actor: actor(`csv:${path.basename(file)}`),
      onProgress: tty ? (done, total) => process.stderr.write(`\rimporting ${done}/${total}`) : undefined,
    });
    if (tty) process.stderr.write('\r\x1b[K');
    if (!result.ok) {
      process.stderr.write(`${file}: nothing was imported; fix these rows and try again:\n${formatRowErrors(result.errors)}\n`);
      throw new CliError(`${result.errors.length} invalid row${result.errors.length === 1 ? '' : 's'} in ${file}`);
    }
    if (!dry) {
      process.stdout.write(`created ${result.created}, updated ${result.updated}, unchanged ${result.unchanged}\n`);
      return;
    }
    const { commits } = dry;
    if (o.json) {
      process.stdout.write(`${JSON.stringify(plannedChanges(commits), null, 2)}\n`);
      return;
    }
    for (const c of result.changes.filter((c) => c.kind !== 'unchanged')) {
      process.stdout.write(`line ${c.line}: would ${c.kind === 'created' ? 'create' : 'update'} ${c.accountId}${c.kind === 'updated' ? ` (${c.fields.join(', ')})` : ''}\n`);
    }
    process.stdout.write(`would create ${result.created}, would update ${result.updated}, unchanged ${result.unchanged} (dry run: nothing written)\n`);
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
