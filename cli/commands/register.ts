/** `custodian schools …` and `custodian register …`: the schools and the account register. */
import { Option } from 'commander';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DryRunStore } from '../../functions/adapters/dry-run-store.ts';
import { formatRowErrors } from '../../functions/domain/register-csv.ts';
import { ACCOUNT_STATUSES, type AccountStatus, type HolidayRange } from '../../functions/domain/model.ts';
import { exportRegister, importRegister, listRegister } from '../../functions/usecases/register.ts';
import { headteacherProblem, SchoolError, setSchool, setSchoolHolidays } from '../../functions/usecases/schools.ts';
import { actor, CliError, connect, emails, out, program } from '../context.ts';
import { plannedChanges } from '../dry-run.ts';

const schools = program.command('schools').description('the schools of the trust, their IT managers, headteachers and holidays');
schools
  .command('set <id>')
  .description('add or update a school (its holidays, and its headteacher unless --head is given, are kept)')
  .requiredOption('--name <name>', 'the school\'s name')
  .requiredOption('--it-manager <emails>', 'IT manager email(s), comma-separated')
  .requiredOption('--domain <domains>', 'email domain(s) of its staff, comma-separated')
  .option('--head <email>', 'the headteacher (approves new accounts): an address on one of the school\'s domains')
  .action(async (id: string, o: { name: string; itManager: string; domain: string; head?: string }) => {
    if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(id)) throw new CliError(`school id "${id}" must be lower-case letters, digits and hyphens`);
    const domains = o.domain.split(',').map((d) => d.trim().toLowerCase().replace(/^@/, '')).filter(Boolean);
    const badDomain = domains.find((d) => !/^[a-z0-9.-]+\.[a-z]{2,}$/.test(d));
    if (badDomain || domains.length === 0) throw new CliError(`--domain: "${badDomain ?? ''}" is not a domain name`);
    const head = o.head === undefined ? undefined : o.head.trim();
    if (head !== undefined) {
      const problem = headteacherProblem(head, domains);
      if (problem) throw new CliError(`--head: ${problem}`);
    }
    const { store } = await connect();
    const settings = { id, name: o.name.trim(), itManagers: emails(o.itManager, '--it-manager'), domains, ...(head !== undefined ? { headteacher: head } : {}) };
    const result = await setSchool(store, settings, actor('cli')).catch(schoolRefused);
    process.stdout.write(`school ${id} ${result}\n`);
  });
schools
  .command('holidays <id> <file>')
  .description('replace the school\'s holidays with those in an iCalendar file (.ics) or a file of YYYY-MM-DD,YYYY-MM-DD lines')
  .action(async (id: string, file: string) => {
    let content: Buffer;
    try {
      content = readFileSync(file);
    } catch (err) {
      throw new CliError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
    }
    // Loaded here, not with the CLI: ical.js is needed by this command only.
    const { parseHolidaysFile } = await import('../../functions/domain/holidays.ts');
    const parsed = parseHolidaysFile(content, file);
    if (!parsed.ok) {
      process.stderr.write(`${file}: nothing was loaded; fix these and try again:\n${parsed.errors.join('\n')}\n`);
      throw new CliError(`${parsed.errors.length} problem${parsed.errors.length === 1 ? '' : 's'} in ${file}`);
    }
    const { store } = await connect();
    const { result, before, school } = await setSchoolHolidays(store, id, parsed.holidays, actor(`holidays:${path.basename(file)}`)).catch(schoolRefused);
    const holidays = school.holidays ?? [];
    for (const note of parsed.notes) process.stdout.write(`${note}\n`);
    for (const h of holidays) process.stdout.write(`  ${h.start} to ${h.end}${h.name ? `  ${h.name}` : ''}\n`);
    process.stdout.write(result === 'unchanged'
      ? `school ${id}: holidays unchanged (${holidays.length} range${holidays.length === 1 ? '' : 's'})\n`
      : `school ${id}: ${holidays.length} holiday range${holidays.length === 1 ? '' : 's'} loaded from ${path.basename(file)}, replacing ${before}\n`);
  });
schools
  .command('list')
  .option('--json', 'JSON array on stdout')
  .action(async (o: { json?: boolean }) => {
    const { store } = await connect();
    const rows = (await store.listSchools()).map((s) => ({ ...s, holidayRanges: s.holidays?.length ?? 0 }));
    if (o.json) return out(true, rows as never, []);
    out(false, rows.map((s) => ({ ...s, holidays: holidaySummary(s.holidays) })) as never, [
      ['id', 'ID'], ['name', 'NAME'], ['itManagers', 'IT MANAGERS'], ['domains', 'DOMAINS'], ['headteacher', 'HEADTEACHER'], ['holidays', 'HOLIDAYS'],
    ]);
  });

/** "6 ranges, to 2027-07-31": how many are loaded, and until when (they are reloaded each school year). */
function holidaySummary(holidays: HolidayRange[] | undefined): string {
  if (!holidays?.length) return 'none';
  return `${holidays.length} range${holidays.length === 1 ? '' : 's'}, to ${holidays.at(-1)!.end}`;
}

function schoolRefused(err: unknown): never {
  if (err instanceof SchoolError) throw new CliError(err.message);
  throw err;
}

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
