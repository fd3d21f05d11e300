/**
 * The register's use cases on the in-memory store: `importRegister` (all or nothing, re-imports, updates, dry runs),
 * `exportRegister`, `listRegister` (findings) and `recordActivity`. Given / when / then.
 */
import { readFileSync } from 'node:fs';
import { beforeEach, describe, expect, it } from 'vitest';
import { DryRunStore } from '../../functions/adapters/dry-run-store.ts';
import { personChange, type Change } from '../../functions/domain/changes.ts';
import { accountChange } from '../../functions/domain/scheduled-changes.ts';
import type { Account, Person } from '../../functions/domain/model.ts';
import { recordActivity } from '../../functions/usecases/activity.ts';
import { processLeaver } from '../../functions/usecases/leavers.ts';
import type { Store } from '../../functions/usecases/ports.ts';
import { exportRegister, importRegister, listRegister } from '../../functions/usecases/register.ts';
import { putSchool } from '../../functions/usecases/schools.ts';
import { harness, hrEvent, SAMPLE_REGISTER, SCHOOLS, seedSampleRegister, type Harness } from './support.ts';

const IT = { by: 'it@oakfield.sch.uk', source: 'csv:register.csv' };
const SAMPLE = readFileSync(SAMPLE_REGISTER, 'utf8');
const HEADER = 'platform,handle,school,linked_email,admins,main_supervisor';

let h: Harness;
const importCsv = (csv: string, store: Store = h.store) => importRegister(store, csv, { actor: IT, now: h.clock.now() });
const auditSize = async () => (await h.store.auditSince('2020-01-01')).length;
/** The sample with one line's text replaced (lines numbered as in the file; the header is line 1). */
const sampleWith = (line: number, from: string, to: string) => SAMPLE.split('\n').map((l, i) => (i === line - 1 ? l.replace(from, to) : l)).join('\n');
const ids = (accounts: Array<{ id: string }>) => accounts.map((a) => a.id).sort();

async function snapshot(): Promise<string> {
  return JSON.stringify({ accounts: await h.store.listAccounts(), audit: await auditSize(), commits: h.store.commits.length });
}

async function givenSchools(): Promise<void> {
  h = harness('2026-12-02T09:00:00Z');
  for (const s of SCHOOLS) await putSchool(h.store, s, { by: 'it@oakfield.sch.uk', source: 'cli' });
}

async function givenSample(): Promise<void> {
  h = harness('2026-12-02T09:00:00Z');
  await seedSampleRegister(h);
  h.clock.set('2026-12-03T10:00:00Z');
}

/** Directly as a sweep or a supervisor would leave it: bookkeeping on an account already in the register. */
async function update(id: string, fields: Partial<Account>): Promise<void> {
  const a = (await h.store.getAccount(id))!;
  await h.store.commit([accountChange(a, { ...a, ...fields, version: a.version + 1 }, 'account.checked', '2026-12-03')], { by: 'system:sweep', source: 'sweep' });
}

describe('importing the register', () => {
  beforeEach(givenSchools);

  it('creates an active account for every row, normalised, each with its own audit entry', async () => {
    const result = await importCsv(`\uFEFF${SAMPLE}`);
    expect(result).toMatchObject({ ok: true, created: 24, updated: 0, unchanged: 0 });
    if (!result.ok) return;
    expect(result.changes.map((c) => c.line)).toEqual(Array.from({ length: 24 }, (_, i) => i + 2));
    expect(result.changes.every((c) => c.kind === 'created')).toBe(true);
    const accounts = await h.store.listAccounts();
    expect(accounts).toHaveLength(24);
    expect(accounts.every((a) => a.status === 'active' && a.linkedEmail === a.linkedEmail.toLowerCase())).toBe(true);
    const byId = new Map(accounts.map((a) => [a.id, a]));
    expect(byId.get('x:oakfieldsport')!.platform).toBe('x'); // written "twitter"
    expect(byId.get('x:riversidesports')!.handle).toBe('RiversideSports'); // written "@RiversideSports"
    expect(byId.get('youtube:oakfieldmusic')!.linkedEmail).toBe('r.hughes@oakfield.sch.uk');
    expect(byId.get('whatsapp:riverside-y6-residential')!.plannedEndDate).toBe('2026-07-31'); // written 31/07/2026
    expect(byId.get('bluesky:riversideprimary.bsky.social')!.monitoringFrequency).toBe('weekly'); // left empty
    expect(byId.get('tiktok:oakfieldsixthform')!.publishedName).toBe('Oakfield Academy, Sixth Form');
    expect(await h.store.auditFor('account', 'x:oakfieldsport')).toEqual([expect.objectContaining({ action: 'account.created', by: IT.by, source: IT.source })]);
    expect(await auditSize()).toBe(3 + 24);
  });

  it('a file with any bad row writes nothing, and names each bad row\'s line and reason', async () => {
    const good = 'facebook,newpage,oakfield,a.b@oakfield.sch.uk,a.b@oakfield.sch.uk;c.d@oakfield.sch.uk,a.b@oakfield.sch.uk';
    const csv = [`${HEADER},planned_end_date`, `${good},`, 'facebook,,oakfield,a.b@oakfield.sch.uk,a.b@oakfield.sch.uk,a.b@oakfield.sch.uk,',
      'facebook,x1,oakfield,someone@,a.b@oakfield.sch.uk,a.b@oakfield.sch.uk,', 'myspace,x2,oakfield,a.b@oakfield.sch.uk,a.b@oakfield.sch.uk,a.b@oakfield.sch.uk,',
      `${good.replace('newpage', 'x3')},31/02/2027`].join('\n');
    const before = await snapshot();
    const result = await importCsv(csv);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((e) => e.line)).toEqual([3, 4, 5, 6]);
    expect(result.errors.map((e) => e.reason)).toEqual([expect.stringMatching(/^handle/), expect.stringMatching(/^linked_email/), expect.stringMatching(/^platform/), expect.stringMatching(/^planned_end_date/)]);
    expect(await snapshot()).toBe(before);
  });

  it('a row for a school that is not set up is refused with its line, and nothing is written', async () => {
    const csv = [HEADER, 'facebook,page1,oakfield,a@oakfield.sch.uk,a@oakfield.sch.uk;b@oakfield.sch.uk,a@oakfield.sch.uk', 'facebook,page2,oakfeld,a@oakfield.sch.uk,a@oakfield.sch.uk;b@oakfield.sch.uk,a@oakfield.sch.uk'].join('\n');
    const before = await snapshot();
    expect(await importCsv(csv)).toEqual({ ok: false, errors: [{ line: 3, reason: 'school: "oakfeld" is not set up (add it first with: custodian schools set oakfeld ...)' }] });
    expect(await snapshot()).toBe(before);
  });
});

describe('a last activity date in the future', () => {
  beforeEach(givenSchools);

  it('is refused with its line, and nothing is written: it would hide neglect until then', async () => {
    const row = 'facebook,newpage,oakfield,a.b@oakfield.sch.uk,a.b@oakfield.sch.uk;c.d@oakfield.sch.uk,a.b@oakfield.sch.uk';
    const before = await snapshot();
    const result = await importCsv([`${HEADER},last_activity_date`, `${row},2026-12-01`, `${row.replace('newpage', 'other')},2099-01-01`].join('\n'));
    expect(result).toEqual({ ok: false, errors: [{ line: 3, reason: expect.stringMatching(/^last_activity_date: 2099-01-01 is in the future/) }] });
    expect(await snapshot()).toBe(before);
  });
});

describe('re-importing', () => {
  beforeEach(givenSample);

  it('the same file changes nothing and adds no audit entries', async () => {
    const before = await snapshot();
    const result = await importCsv(SAMPLE);
    expect(result).toMatchObject({ ok: true, created: 0, updated: 0, unchanged: 24 });
    if (result.ok) expect(result.changes.every((c) => c.kind === 'unchanged' && c.fields.length === 0)).toBe(true);
    expect(await snapshot()).toBe(before);
  });

  it('a changed row updates only the fields that changed, audited as just those; other accounts are not written', async () => {
    const others = (await h.store.listAccounts()).filter((a) => a.id !== 'instagram:oakfield_pe');
    const csv = sampleWith(3, 'PE fixtures and results,Students and parents,Oakfield PE,weekly', 'PE news,Students and parents,Oakfield PE,daily');
    const result = await importCsv(csv);
    expect(result).toMatchObject({ ok: true, created: 0, updated: 1, unchanged: 23 });
    if (result.ok) expect(result.changes.find((c) => c.kind === 'updated')).toEqual({ line: 3, accountId: 'instagram:oakfield_pe', kind: 'updated', fields: ['purpose', 'monitoringFrequency'] });
    expect(await h.store.getAccount('instagram:oakfield_pe')).toMatchObject({ purpose: 'PE news', monitoringFrequency: 'daily', version: 2, createdAt: '2026-12-02T09:00:00.000Z' });
    expect((await h.store.auditFor('account', 'instagram:oakfield_pe')).at(-1)).toMatchObject({
      action: 'account.updated', by: IT.by, before: { purpose: 'PE fixtures and results', monitoringFrequency: 'weekly' }, after: { purpose: 'PE news', monitoringFrequency: 'daily' },
    });
    expect((await h.store.listAccounts()).filter((a) => a.id !== 'instagram:oakfield_pe')).toEqual(others);
  });

  it('an optional column left empty clears that field', async () => {
    const result = await importCsv(sampleWith(3, ',d.fraser@oakfield.sch.uk,PE fixtures', ',,PE fixtures'));
    if (result.ok) expect(result.changes.find((c) => c.kind === 'updated')?.fields).toEqual(['reserveSupervisor']);
    expect((await h.store.getAccount('instagram:oakfield_pe'))!.reserveSupervisor).toBeUndefined();
  });

  it('keeps what belongs to Custodian: status and removed administrators', async () => {
    // Given Rachel Hughes leaving: her linked account awaits transfer; she is taken off three accounts' administrators
    await processLeaver(h.deps, { email: 'r.hughes@oakfield.sch.uk', leaveDate: '2027-01-29' }, hrEvent(h));
    const removed = (await h.store.getAccount('facebook:oakfieldacademy'))!.removedAdmins;
    expect(removed).toEqual([{ email: 'r.hughes@oakfield.sch.uk', removedOn: '2026-12-03' }]);
    // When the register as it now is comes back with both accounts' purposes edited
    const csv = (await exportRegister(h.store)).replace('PE fixtures and results', 'PE news').replace('School news and events,Parents and the local community,Oakfield Academy', 'News,Parents and the local community,Oakfield Academy');
    expect(await importCsv(csv)).toMatchObject({ ok: true, updated: 2 });
    // Then
    expect(await h.store.getAccount('instagram:oakfield_pe')).toMatchObject({ purpose: 'PE news', status: 'transfer_pending' });
    expect(await h.store.getAccount('facebook:oakfieldacademy')).toMatchObject({ purpose: 'News', removedAdmins: removed });
  });

  it('keeps what belongs to Custodian: the last attestation and the neglect mark', async () => {
    await update('instagram:oakfield_pe', { lastAttestedOn: '2026-11-30', neglectedSince: '2026-11-20' });
    await importCsv(sampleWith(3, 'PE fixtures and results', 'PE news'));
    expect(await h.store.getAccount('instagram:oakfield_pe')).toMatchObject({ purpose: 'PE news', lastAttestedOn: '2026-11-30', neglectedSince: '2026-11-20' });
  });

  // Contracts section 4: a row may not make a leaver an administrator (it would undo the leaver's removal).
  it('refuses a row that makes a leaver an administrator again, naming its line', async () => {
    await processLeaver(h.deps, { email: 'r.hughes@oakfield.sch.uk', leaveDate: '2027-01-29' }, hrEvent(h));
    const result = await importCsv(SAMPLE);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors.map((e) => e.line)).toContain(2);
    expect((await h.store.getAccount('facebook:oakfieldacademy'))!.admins).not.toContain('r.hughes@oakfield.sch.uk');
  });
});

describe('exporting the register', () => {
  beforeEach(givenSample);

  it('writes the import\'s columns, a row per account by school; importing the export changes nothing', async () => {
    const csv = await exportRegister(h.store);
    const lines = csv.trimEnd().split('\n');
    expect(lines[0]).toBe(`${HEADER},url,reserve_supervisor,purpose,audience,published_name,monitoring_frequency,planned_end_date,next_review_date,last_activity_date,holiday_monitoring_frequency`);
    expect(lines).toHaveLength(25);
    expect(lines[1]).toMatch(/^facebook,HillcrestSchool,hillcrest,/);
    const before = await snapshot();
    expect(await importCsv(csv)).toMatchObject({ ok: true, created: 0, updated: 0, unchanged: 24 });
    expect(await snapshot()).toBe(before);
  });
});

describe('a handle a spreadsheet would read as a formula', () => {
  beforeEach(givenSchools);

  it('=HYPERLINK("x") as a handle exports as text and round-trips through export and import unchanged', async () => {
    // Written in the spreadsheet as text (Excel's leading '), so the import stores the handle itself.
    const row = `instagram,"'=HYPERLINK(""x"")",oakfield,office@oakfield.sch.uk,a.one@oakfield.sch.uk;b.two@oakfield.sch.uk,k.williams@oakfield.sch.uk,"+44 7700 900123"`;
    expect(await importCsv(`${HEADER},purpose\n${row}\n`)).toMatchObject({ ok: true, created: 1 });
    const [account] = await h.store.listAccounts();
    expect(account).toMatchObject({ id: 'instagram:=hyperlink("x")', handle: '=HYPERLINK("x")', purpose: '+44 7700 900123' });

    const csv = await exportRegister(h.store);
    const line = csv.split('\n')[1]!;
    expect(line.startsWith(`instagram,"'=HYPERLINK(""x"")",oakfield,`)).toBe(true); // a string to a spreadsheet, not a formula
    expect(line).toContain(`,'+44 7700 900123,`);
    expect(line).not.toMatch(/(^|,)"?[=+\-@]/);

    const before = await snapshot();
    expect(await importCsv(csv)).toMatchObject({ ok: true, created: 0, updated: 0, unchanged: 1 });
    expect(await snapshot()).toBe(before);
    expect((await h.store.getAccount('instagram:=hyperlink("x")'))!.handle).toBe('=HYPERLINK("x")');
  });
});

describe('listing the register', () => {
  beforeEach(givenSample);
  const withFinding = async (code: string) => ids((await listRegister(h.store)).filter((a) => a.findings.some((f) => f.code === code)));

  it('shows accounts with fewer than two administrators and linked emails off the school\'s domains', async () => {
    expect(await withFinding('fewer_than_two_admins')).toEqual(['flickr:riversidephotos', 'instagram:oakfield_art']);
    expect(await withFinding('linked_email_off_domain')).toEqual(['facebook:riversidepta']);
    const pta = (await listRegister(h.store)).find((a) => a.id === 'facebook:riversidepta')!;
    expect(pta.findings).toEqual([{ code: 'linked_email_off_domain', message: "linked email is not on Riverside Primary's domains (riverside.sch.uk)" }]);
  });

  it('once the directory has synced, shows linked emails that are not enabled accounts in it', async () => {
    // Given the directory knows every linked email but two, and has one disabled
    const linked = [...new Set((await h.store.listAccounts()).map((a) => a.linkedEmail))];
    const missing = ['sport@oakfield.sch.uk', 'gemmajones84@gmail.com'];
    const nowIso = h.clock.now().toISOString();
    const person = (email: string, accountEnabled: boolean): Person => ({ key: `dir:${email}`, primaryEmail: email, addresses: [email], accountEnabled, status: 'active', createdAt: nowIso, updatedAt: nowIso, version: 1 });
    const changes: Change[] = linked.filter((e) => !missing.includes(e)).map((e) => personChange(undefined, person(e, e !== 'hr@oakfield.sch.uk'), 'person.created'));
    await h.store.commit(changes, { by: 'system:directory', source: 'directory' });
    // When only a subscription exists, nothing is said yet
    await h.store.commit([{ kind: 'directory_state', after: { subscriptionId: 'sub-1' } }], { by: 'system:directory', source: 'directory' });
    expect(await withFinding('linked_email_not_in_directory')).toEqual([]);
    // Then after the first sync
    await h.store.commit([{ kind: 'directory_state', after: { subscriptionId: 'sub-1', lastSyncAt: nowIso } }], { by: 'system:directory', source: 'directory' });
    expect(await withFinding('linked_email_not_in_directory')).toEqual(['facebook:riversidepta', 'linkedin:oakfield-academy', 'x:oakfieldsport']);
  });

  it('filters by school and by status, ordered by school then id', async () => {
    const riverside = await listRegister(h.store, { school: 'riverside' });
    expect(riverside).toHaveLength(8);
    expect(riverside.map((a) => a.id)).toEqual(ids(riverside));
    expect(riverside.every((a) => a.school === 'riverside')).toBe(true);
    expect(await listRegister(h.store, { status: 'transfer_pending' })).toEqual([]);
    await processLeaver(h.deps, { email: 'r.hughes@oakfield.sch.uk', leaveDate: '2027-01-29' }, hrEvent(h));
    expect(ids(await listRegister(h.store, { status: 'transfer_pending' }))).toEqual(['instagram:oakfield_pe', 'youtube:oakfieldmusic']);
    const all = await listRegister(h.store);
    expect(all.map((a) => `${a.school} ${a.id}`)).toEqual(all.map((a) => `${a.school} ${a.id}`).sort());
  });
});

describe('a dry run of an import', () => {
  it('returns the same result and commits exactly what the real import then writes; the store is untouched until then', async () => {
    await givenSchools();
    const changed = sampleWith(3, 'PE fixtures and results', 'PE news') + 'facebook,OakfieldPTA,oakfield,pta@oakfield.sch.uk,a.one@oakfield.sch.uk;a.two@oakfield.sch.uk,k.williams@oakfield.sch.uk,,,,,,,,,\n';
    for (const csv of [SAMPLE, changed]) {
      const before = await snapshot();
      const dry = new DryRunStore(h.store, h.clock.now);
      const preview = await importCsv(csv, dry);
      expect(await snapshot(), 'the dry run wrote to the store').toBe(before);
      const from = h.store.commits.length;
      const real = await importCsv(csv);
      expect(preview).toEqual(real);
      const written = (commits: ReadonlyArray<{ applied: Change[] }>) => commits.flatMap((c) => c.applied).map((c) => {
        if (c.kind !== 'account') return { kind: c.kind };
        const { updatedAt: _u, createdAt: _c, ...after } = c.after;
        return { kind: c.kind, id: c.after.id, action: c.action, after };
      }).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
      expect(written(dry.commits)).toEqual(written(h.store.commits.slice(from)));
      expect(written(dry.commits).length).toBeGreaterThan(0);
      h.clock.advance(3_600_000);
    }
  });
});

describe('recording activity on an account', () => {
  beforeEach(givenSample);
  const ACTIVITY = { by: 'system:activity', source: 'event:act-1' };

  it('records the day it happened and clears neglect, audited', async () => {
    await update('facebook:oakfieldacademy', { neglectedSince: '2026-11-20' });
    expect(await recordActivity(h.deps, { platform: 'Facebook', handle: '@OakfieldAcademy', at: '2026-12-02T18:30:00Z' }, ACTIVITY)).toBeUndefined();
    const account = (await h.store.getAccount('facebook:oakfieldacademy'))!;
    expect(account.lastActivityDate).toBe('2026-12-02');
    expect(account.neglectedSince).toBeUndefined();
    expect((await h.store.auditFor('account', 'facebook:oakfieldacademy')).filter((e) => e.action === 'account.activity')).toEqual([
      expect.objectContaining({ by: ACTIVITY.by, source: ACTIVITY.source, after: { lastActivityDate: '2026-12-02' } }),
    ]);
    expect((await listRegister(h.store)).find((a) => a.id === 'facebook:oakfieldacademy')!.neglectedSince).toBeUndefined();
  });

  it('without a time, is recorded for today', async () => {
    await recordActivity(h.deps, { platform: 'twitter', handle: 'OakfieldSport' }, ACTIVITY);
    expect((await h.store.getAccount('x:oakfieldsport'))!.lastActivityDate).toBe('2026-12-03');
  });

  it('never moves the last activity date backwards, and repeating it writes nothing', async () => {
    await recordActivity(h.deps, { platform: 'facebook', handle: 'OakfieldAcademy', at: '2026-12-02T18:30:00Z' }, ACTIVITY);
    const before = await snapshot();
    await recordActivity(h.deps, { platform: 'facebook', handle: 'OakfieldAcademy', at: '2026-11-01T08:00:00Z' }, ACTIVITY);
    await recordActivity(h.deps, { platform: 'facebook', handle: 'OakfieldAcademy', at: '2026-12-02T20:00:00Z' }, ACTIVITY);
    expect(await snapshot()).toBe(before);
    // Even when an older report clears neglect, the date stays the newest
    await update('facebook:oakfieldacademy', { neglectedSince: '2026-12-03' });
    await recordActivity(h.deps, { platform: 'facebook', handle: 'OakfieldAcademy', at: '2026-11-01T08:00:00Z' }, ACTIVITY);
    expect((await h.store.getAccount('facebook:oakfieldacademy'))!.lastActivityDate).toBe('2026-12-02');
  });

  it('on an unknown platform or account, says why and writes nothing', async () => {
    const before = await snapshot();
    expect(await recordActivity(h.deps, { platform: 'myspace', handle: 'oakfield' }, ACTIVITY)).toBe('platform: "myspace" is not a known platform');
    expect(await recordActivity(h.deps, { platform: 'facebook', handle: '@nobody' }, ACTIVITY)).toBe('no account facebook:nobody in the register');
    expect(await snapshot()).toBe(before);
  });
});
