/**
 * The register as an IT manager uses it: `custodian schools set`, `register import|list|export` and `audit`,
 * run as real commands against Amazon DynamoDB Local.
 */
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DynamoStore as Store } from '../../functions/adapters/dynamo-store.ts';
import { cli, outputsFile } from '../support/cli.ts';
import { freshStore } from '../support/env.ts';
import { inject } from 'vitest';

const SAMPLE = path.resolve(import.meta.dirname, '../../samples/register.csv');
const dir = mkdtempSync(path.join(tmpdir(), 'custodian-register-'));
let store: Store;
let outputs: string;

async function auditCount(): Promise<number> {
  const r = await cli(outputs, ['audit', '--json']);
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as unknown[]).length;
}

beforeAll(async () => {
  store = await freshStore();
  outputs = outputsFile({ tableName: store.tableName, endpoints: { dynamodb: inject('dynamoEndpoint'), ses: '', aws: '', http: '', graph: '' } });
  for (const [id, name] of [['oakfield', 'Oakfield Academy'], ['riverside', 'Riverside Primary'], ['hillcrest', 'Hillcrest School']]) {
    const r = await cli(outputs, ['schools', 'set', id!, '--name', name!, '--it-manager', `IT@${id}.sch.uk`, '--domain', `${id}.sch.uk`]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`school ${id} created`);
  }
}, 120_000);

describe('schools', () => {
  it('lists the schools with their IT managers in lower case', async () => {
    const r = await cli(outputs, ['schools', 'list', '--json']);
    const schools = JSON.parse(r.stdout) as Array<{ id: string; itManagers: string[]; domains: string[] }>;
    expect(schools.map((s) => s.id)).toEqual(['hillcrest', 'oakfield', 'riverside']);
    expect(schools.find((s) => s.id === 'oakfield')).toMatchObject({ itManagers: ['it@oakfield.sch.uk'], domains: ['oakfield.sch.uk'] });
  });

  it('refuses a malformed IT manager address with a one-line reason', async () => {
    const r = await cli(outputs, ['schools', 'set', 'oakfield', '--name', 'X', '--it-manager', 'not-an-email', '--domain', 'oakfield.sch.uk']);
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('"not-an-email" is not an email address');
  });
});

describe('register import', () => {
  it('imports a register with a BOM, mixed-case emails, UK dates, quoted commas and @handles, and lists every account', async () => {
    const file = path.join(dir, 'register.csv');
    writeFileSync(file, `\uFEFF${readFileSync(SAMPLE, 'utf8')}`);
    const r = await cli(outputs, ['register', 'import', file]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('created 24, updated 0, unchanged 0');

    const list = await cli(outputs, ['register', 'list', '--json']);
    const accounts = JSON.parse(list.stdout) as Array<Record<string, any>>;
    expect(accounts).toHaveLength(24);
    for (const a of accounts) {
      expect(a).toHaveProperty('platform');
      expect(a).toHaveProperty('handle');
      expect(a).toHaveProperty('school');
      expect(a.linkedEmail).toBe(a.linkedEmail.toLowerCase());
      expect(a.status).toBe('active');
    }
    const sports = accounts.find((a) => a.id === 'instagram:riversidesports' || a.handle === 'RiversideSports');
    expect(sports?.handle).toBe('RiversideSports');
    expect(accounts.some((a) => a.publishedName === 'Oakfield Academy, Sixth Form')).toBe(true);
    expect(accounts.some((a) => a.plannedEndDate === '2026-07-31')).toBe(true);
    // The risky rows are accepted and carry findings.
    const short = accounts.filter((a) => a.findings.some((f: { code: string }) => f.code === 'fewer_than_two_admins'));
    expect(short.map((a) => a.id).sort()).toEqual(['flickr:riversidephotos', 'instagram:oakfield_art'].sort());
    const offDomain = accounts.filter((a) => a.findings.some((f: { code: string }) => f.code === 'linked_email_off_domain'));
    expect(offDomain.map((a) => a.linkedEmail)).toEqual(['gemmajones84@gmail.com']);
  });

  it('filters by school and status, and shows findings in the table', async () => {
    const r = await cli(outputs, ['register', 'list', '--school', 'riverside', '--json']);
    const rows = JSON.parse(r.stdout) as Array<{ school: string }>;
    expect(rows.length).toBe(8);
    expect(rows.every((a) => a.school === 'riverside')).toBe(true);
    const closed = await cli(outputs, ['register', 'list', '--status', 'closed', '--json']);
    expect(JSON.parse(closed.stdout)).toEqual([]);
    const human = await cli(outputs, ['register', 'list', '--school', 'riverside']);
    expect(human.stdout).toContain('FINDINGS');
    expect(human.stdout).toMatch(/administrator/);
  });

  it('re-importing the same file changes nothing and adds no audit entries', async () => {
    const before = await auditCount();
    expect(before).toBe(27); // 3 schools + 24 accounts
    const r = await cli(outputs, ['register', 'import', SAMPLE]);
    expect(r.stdout).toContain('created 0, updated 0, unchanged 24');
    expect(await auditCount()).toBe(before);
  });

  it('export then import is a no-op', async () => {
    const before = await auditCount();
    const file = path.join(dir, 'export.csv');
    const ex = await cli(outputs, ['register', 'export', '--out', file]);
    expect(ex.code, ex.stderr).toBe(0);
    const r = await cli(outputs, ['register', 'import', file]);
    expect(r.stdout).toContain('created 0, updated 0, unchanged 24');
    expect(await auditCount()).toBe(before);
    const list = JSON.parse((await cli(outputs, ['register', 'list', '--json'])).stdout) as unknown[];
    expect(list).toHaveLength(24);
  });

  it('a file with one bad row of each kind writes nothing and names each line', async () => {
    const lines = readFileSync(SAMPLE, 'utf8').trimEnd().split('\n');
    const header = lines[0]!;
    const cols = header.split(',');
    const row = (values: Record<string, string>) => cols.map((c) => values[c] ?? '').join(',');
    const good = { platform: 'facebook', handle: 'newpage', school: 'oakfield', linked_email: 'a.b@oakfield.sch.uk', admins: 'a.b@oakfield.sch.uk;c.d@oakfield.sch.uk', main_supervisor: 'a.b@oakfield.sch.uk' };
    const file = path.join(dir, 'bad.csv');
    writeFileSync(file, [
      header,
      row(good),
      row({ ...good, handle: '' }),
      row({ ...good, handle: 'x1', linked_email: 'someone@' }),
      row({ ...good, handle: 'x2', platform: 'myspace' }),
      row({ ...good, handle: 'x3', planned_end_date: '31/02/2027' }),
    ].join('\n'));
    const before = await auditCount();
    const r = await cli(outputs, ['register', 'import', file]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/line 3: .*handle/);
    expect(r.stderr).toMatch(/line 4: .*linked_email/);
    expect(r.stderr).toMatch(/line 5: .*platform/);
    expect(r.stderr).toMatch(/line 6: .*planned_end_date/);
    expect(r.stderr).not.toMatch(/line 2:/);
    const list = JSON.parse((await cli(outputs, ['register', 'list', '--json'])).stdout) as Array<{ handle: string }>;
    expect(list).toHaveLength(24);
    expect(list.some((a) => a.handle === 'newpage')).toBe(false);
    expect(await auditCount()).toBe(before);
  });

  it('refuses rows for a school that is not set up, naming the line', async () => {
    const file = path.join(dir, 'unknown-school.csv');
    writeFileSync(file, 'platform,handle,school,linked_email,admins,main_supervisor\nfacebook,page1,oakfeld,a@oakfield.sch.uk,a@oakfield.sch.uk;b@oakfield.sch.uk,a@oakfield.sch.uk\n');
    const r = await cli(outputs, ['register', 'import', file]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/line 2: school: "oakfeld" is not set up/);
  });

  it('--dry-run reports the change and writes nothing; the real run writes it with an audit entry', async () => {
    const text = readFileSync(SAMPLE, 'utf8').replace('weekly', 'daily');
    const changedLine = readFileSync(SAMPLE, 'utf8').split('\n').findIndex((l) => l.includes('weekly')) + 1;
    const file = path.join(dir, 'changed.csv');
    writeFileSync(file, text);
    const before = await auditCount();
    const dry = await cli(outputs, ['register', 'import', file, '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain(`line ${changedLine}: would update`);
    expect(dry.stdout).toContain('monitoringFrequency');
    expect(dry.stdout).toContain('would update 1');
    expect(await auditCount()).toBe(before);

    const real = await cli(outputs, ['register', 'import', file]);
    expect(real.stdout).toContain('updated 1');
    expect(await auditCount()).toBe(before + 1);
    const id = dry.stdout.match(/would update (\S+)/)![1]!;
    const history = JSON.parse((await cli(outputs, ['audit', '--account', id, '--json'])).stdout) as Array<Record<string, any>>;
    const last = history.at(-1)!;
    expect(last).toMatchObject({ action: 'account.updated', by: 'it@oakfield.sch.uk', source: 'csv:changed.csv' });
    expect(last.before).toEqual({ monitoringFrequency: 'weekly' });
    expect(last.after).toEqual({ monitoringFrequency: 'daily' });
  });

  it('a missing file and an unreachable stack give one-line errors', async () => {
    const r = await cli(outputs, ['register', 'import', path.join(dir, 'nope.csv')]);
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim()).toMatch(/^custodian: cannot read .*nope\.csv: no such file$/);
    const down = outputsFile({ tableName: 'x', endpoints: { dynamodb: 'http://127.0.0.1:9', ses: '', aws: '', http: '', graph: '' } });
    const r2 = await cli(down, ['schools', 'list']);
    expect(r2.code).not.toBe(0);
    expect(r2.stderr.trim().split('\n')).toHaveLength(1);
    expect(r2.stderr).toContain('not running');
  });
});

describe('holidays and headteachers (issue 13)', () => {
  const TERM_DATES = path.resolve(import.meta.dirname, '../fixtures/oakfield-term-dates.ics');
  type SchoolRow = { id: string; headteacher?: string; holidays?: Array<{ start: string; end: string; name?: string }>; holidayRanges: number };
  const oakfield = async () => (JSON.parse((await cli(outputs, ['schools', 'list', '--json'])).stdout) as SchoolRow[]).find((s) => s.id === 'oakfield')!;

  it('schools holidays loads a school\'s holidays from its published term dates (.ics), audited as the operator\'s', async () => {
    const r = await cli(outputs, ['schools', 'holidays', 'oakfield', TERM_DATES]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('school oakfield: 7 holiday ranges loaded from oakfield-term-dates.ics, replacing 0');
    expect(r.stdout).toContain('ignored 1 event that names neither a term nor a holiday: INSET day');
    expect(r.stdout).toContain('2026-10-24 to 2026-11-01');
    const school = await oakfield();
    expect(school.holidayRanges).toBe(7);
    expect(school.holidays![0]).toEqual({ start: '2026-10-24', end: '2026-11-01', name: 'between "Autumn Term 1" and "Autumn Term 2"' });
    const table = await cli(outputs, ['schools', 'list']);
    expect(table.stdout).toMatch(/HEADTEACHER\s+HOLIDAYS/);
    expect(table.stdout).toContain('7 ranges, to 2027-09-01');
    const audit = JSON.parse((await cli(outputs, ['audit', '--json'])).stdout) as Array<Record<string, any>>;
    expect(audit.filter((e) => e.action === 'school.holidays_set').map((e) => [e.entityId, e.by, e.source])).toEqual([['oakfield', 'it@oakfield.sch.uk', 'holidays:oakfield-term-dates.ics']]);
  });

  it('a file with a bad line loads nothing and names the line; date ranges replace the holidays wholesale', async () => {
    const bad = path.join(dir, 'holidays-bad.txt');
    writeFileSync(bad, '# riverside\n2026-10-26,2026-10-30\n2026-12-21,2026-12-32\n');
    const r = await cli(outputs, ['schools', 'holidays', 'oakfield', bad]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('line 3: "2026-12-32" is not a date');
    expect(r.stderr.trim().split('\n').at(-1)).toBe('custodian: 1 problem in ' + bad);
    expect((await oakfield()).holidayRanges).toBe(7);

    const good = path.join(dir, 'holidays.txt');
    writeFileSync(good, '# Oakfield 2026-27\n2026-10-26,2026-10-30,October half term\n2026-12-21,2027-01-01\n');
    const ok = await cli(outputs, ['schools', 'holidays', 'oakfield', good]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('2 holiday ranges loaded from holidays.txt, replacing 7');
    expect((await oakfield()).holidays).toEqual([{ start: '2026-10-26', end: '2026-10-30', name: 'October half term' }, { start: '2026-12-21', end: '2027-01-01' }]);

    const unknown = await cli(outputs, ['schools', 'holidays', 'oakfeld', good]);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr.trim()).toBe('custodian: school "oakfeld" is not set up (add it first with: custodian schools set oakfeld ...)');
  });

  it('schools set --head sets the headteacher (lower case, on the school\'s domains) and keeps the holidays', async () => {
    const set = ['schools', 'set', 'oakfield', '--name', 'Oakfield Academy', '--it-manager', 'it@oakfield.sch.uk', '--domain', 'oakfield.sch.uk'];
    const r = await cli(outputs, [...set, '--head', 'J.Patel@Oakfield.sch.uk']);
    expect(r.code, r.stderr).toBe(0);
    expect(await oakfield()).toMatchObject({ headteacher: 'j.patel@oakfield.sch.uk', holidayRanges: 2 });
    expect((await cli(outputs, ['schools', 'list'])).stdout).toContain('j.patel@oakfield.sch.uk');
    // Setting the school again without --head keeps the headteacher.
    expect((await cli(outputs, set)).code).toBe(0);
    expect((await oakfield()).headteacher).toBe('j.patel@oakfield.sch.uk');

    const personal = await cli(outputs, [...set, '--head', 'head@gmail.com']);
    expect(personal.code).not.toBe(0);
    expect(personal.stderr.trim()).toBe('custodian: --head: head@gmail.com is not on the school\'s domain (oakfield.sch.uk)');
    expect((await oakfield()).headteacher).toBe('j.patel@oakfield.sch.uk');
  });

  it('holiday_monitoring_frequency is imported, listed and exported', async () => {
    const file = path.join(dir, 'holiday-frequency.csv');
    writeFileSync(file, [
      'platform,handle,school,linked_email,admins,main_supervisor,monitoring_frequency,holiday_monitoring_frequency',
      'instagram,oakfield_holidays,oakfield,office@oakfield.sch.uk,a.one@oakfield.sch.uk;a.two@oakfield.sch.uk,k.williams@oakfield.sch.uk,weekly,monthly',
      'instagram,oakfield_bad,oakfield,office@oakfield.sch.uk,a.one@oakfield.sch.uk;a.two@oakfield.sch.uk,k.williams@oakfield.sch.uk,weekly,termly',
    ].join('\n'));
    const bad = await cli(outputs, ['register', 'import', file]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('line 3: holiday_monitoring_frequency: "termly" is not one of daily, weekly, fortnightly, monthly');
    writeFileSync(file, readFileSync(file, 'utf8').split('\n').slice(0, 2).join('\n'));
    expect((await cli(outputs, ['register', 'import', file])).stdout).toContain('created 1');
    const list = JSON.parse((await cli(outputs, ['register', 'list', '--school', 'oakfield', '--json'])).stdout) as Array<Record<string, any>>;
    expect(list.find((a) => a.id === 'instagram:oakfield_holidays')).toMatchObject({ monitoringFrequency: 'weekly', holidayMonitoringFrequency: 'monthly' });
    const csv = (await cli(outputs, ['register', 'export'])).stdout;
    expect(csv.split('\n')[0]!.endsWith(',last_activity_date,holiday_monitoring_frequency')).toBe(true);
    expect(csv).toMatch(/\ninstagram,oakfield_holidays,.*,weekly,,,,monthly\n/);
  });
});
