/**
 * Importing a register CSV from the console: the preview is the real import on a store that writes nothing; the
 * confirmation imports exactly the previewed file, all or nothing, as the viewer; IT managers import only their own
 * schools' accounts. Given / when / then.
 */
import { describe, expect, it } from 'vitest';
import { exportRegister } from '../../functions/usecases/register.ts';
import { confirmImport, editAccount, Forbidden, previewImport, Stale } from '../../functions/usecases/console/index.ts';
import { givenWorld, LEAVER, OAK, OAK_ART, PEOPLE, viewer, writesNothing } from './console-support.ts';
import type { Harness } from './support.ts';

const HEADER = 'platform,handle,school,linked_email,admins,main_supervisor,published_name';
const ART = 'instagram,oakfield_art,oakfield,s.okafor@oakfield.sch.uk,s.okafor@oakfield.sch.uk;t.evans@oakfield.sch.uk,m.clarke@oakfield.sch.uk,Oakfield Art';
const NEW = 'tiktok,oakfield_drama,oakfield,drama@oakfield.sch.uk,m.clarke@oakfield.sch.uk;t.evans@oakfield.sch.uk,m.clarke@oakfield.sch.uk,Oakfield Drama';
const GOOD = [HEADER, ART, NEW].join('\n');

const state = async (h: Harness) => JSON.stringify({ accounts: await h.store.listAccounts(), audit: await h.store.auditSince('2020-01-01') });

describe('previewing an import', () => {
  it('shows every change with its line, and writes nothing', async () => {
    const h = await givenWorld();
    const before = await state(h);
    const preview = await writesNothing(h, async () => previewImport(h.deps, await viewer(h, PEOPLE.itOakfield), GOOD));
    expect(preview).toEqual({
      ok: true, created: 1, updated: 1, unchanged: 0, digest: expect.any(String),
      changes: [
        // A column the file leaves out clears the field, as with `custodian register import`.
        { line: 2, accountId: OAK_ART, kind: 'updated', fields: ['url', 'admins', 'purpose', 'audience', 'nextReviewDate', 'lastActivityDate'] },
        { line: 3, accountId: 'tiktok:oakfield_drama', kind: 'created', fields: expect.arrayContaining(['platform', 'handle', 'linkedEmail']) },
      ],
    });
    expect(await state(h)).toBe(before);
  });

  it('reports a bad row\'s line and reason, and writes nothing', async () => {
    const h = await givenWorld();
    const csv = [HEADER, ART, NEW.replace('drama@', 'drama@@'), ART.replace('oakfield_art', 'oakfield_art2').replace('s.okafor@oakfield.sch.uk;', `${LEAVER};`)].join('\n');
    const it = await viewer(h, PEOPLE.itOakfield);
    expect(await writesNothing(h, () => previewImport(h.deps, it, csv))).toEqual({ ok: false, errors: [
      { line: 3, reason: 'linked_email: "drama@@oakfield.sch.uk" is not an email address' },
    ] });
    expect(await writesNothing(h, () => previewImport(h.deps, it, [HEADER, ART, csv.split('\n')[3]].join('\n')))).toEqual({ ok: false, errors: [
      { line: 3, reason: `admins: ${LEAVER} is leaving or has left; name a continuing member of staff` },
    ] });
    expect(await writesNothing(h, () => confirmImport(h.deps, it, csv, 'whatever'))).toMatchObject({ ok: false, errors: [{ line: 3 }] });
  });

  it('refuses, line by line, rows about a school the IT manager does not manage or an account that belongs to one', async () => {
    const h = await givenWorld();
    const csv = [HEADER, ART, 'x,RiversideSports,oakfield,sport@oakfield.sch.uk,a.b@oakfield.sch.uk;c.d@oakfield.sch.uk,a.b@oakfield.sch.uk,',
      'x,NewRiverside,riverside,new@riverside.sch.uk,a.b@riverside.sch.uk;c.d@riverside.sch.uk,a.b@riverside.sch.uk,'].join('\n');
    const it = await viewer(h, PEOPLE.itOakfield);
    const expected = { ok: false, errors: [
      { line: 3, reason: 'x:riversidesports belongs to riverside, which you are not an IT manager of' },
      { line: 4, reason: 'school: you are not an IT manager of "riverside"; only its IT managers or a trust administrator may import its accounts' },
    ] };
    expect(await writesNothing(h, () => previewImport(h.deps, it, csv))).toEqual(expected);
    expect(await writesNothing(h, () => confirmImport(h.deps, it, csv, 'whatever'))).toEqual(expected);
    // A trust administrator may import any school's accounts.
    expect(await previewImport(h.deps, await viewer(h, PEOPLE.adminByRole), csv)).toMatchObject({ ok: true, created: 1, updated: 2 });
  });

  it.each(['linked', 'lineManager', 'untied'] as const)('is not for %s, who manages no school', async (who) => {
    const h = await givenWorld();
    const v = await viewer(h, PEOPLE[who]);
    await expect(previewImport(h.deps, v, GOOD)).rejects.toBeInstanceOf(Forbidden);
    await expect(confirmImport(h.deps, v, GOOD, 'x')).rejects.toBeInstanceOf(Forbidden);
    expect(h.store.commits).toEqual([]);
  });
});

describe('confirming an import', () => {
  it('imports the previewed file, all of it, as the viewer from the console', async () => {
    const h = await givenWorld();
    const it = await viewer(h, PEOPLE.itOakfield);
    const preview = await previewImport(h.deps, it, GOOD);
    if (!preview.ok) throw new Error('preview failed');
    const result = await confirmImport(h.deps, it, Buffer.from(GOOD), preview.digest);
    expect(result).toEqual({ ok: true, created: 1, updated: 1, unchanged: 0, changes: preview.changes });
    expect((await h.store.getAccount(OAK_ART))!.admins).toEqual(['s.okafor@oakfield.sch.uk', 't.evans@oakfield.sch.uk']);
    expect(await h.store.getAccount('tiktok:oakfield_drama')).toMatchObject({ status: 'active', school: 'oakfield' });
    const audit = (await h.store.auditSince('2020-01-01')).filter((e) => e.entityType === 'account');
    expect(audit.map((e) => [e.entityId, e.action, e.by, e.source]).sort()).toEqual([
      [OAK_ART, 'account.updated', PEOPLE.itOakfield, 'console'], ['tiktok:oakfield_drama', 'account.created', PEOPLE.itOakfield, 'console'],
    ]);
  });

  it('refuses a file changed since its preview, or an account it changes that someone changed meanwhile, writing nothing', async () => {
    const h = await givenWorld();
    const it = await viewer(h, PEOPLE.itOakfield);
    const preview = await previewImport(h.deps, it, GOOD);
    if (!preview.ok) throw new Error('preview failed');
    await expect(writesNothing(h, () => confirmImport(h.deps, it, GOOD.replace('Oakfield Drama', 'Oakfield Theatre'), preview.digest))).rejects.toBeInstanceOf(Stale);
    const admin = await viewer(h, PEOPLE.adminByRole); // another person's preview is not theirs
    await expect(writesNothing(h, () => confirmImport(h.deps, admin, GOOD, preview.digest))).rejects.toBeInstanceOf(Stale);
    await editAccount(h.deps, it, OAK_ART, { purpose: 'Student art' }, (await h.store.getAccount(OAK_ART))!.version);
    const before = await state(h);
    await expect(confirmImport(h.deps, it, GOOD, preview.digest)).rejects.toThrow('changed since the preview; preview it again');
    expect(await state(h)).toBe(before);
  });

  it('round-trips the whole register for a trust administrator: nothing changes', async () => {
    const h = await givenWorld();
    const admin = await viewer(h, PEOPLE.adminBySetting);
    const csv = await exportRegister(h.store);
    const preview = await previewImport(h.deps, admin, csv);
    expect(preview).toMatchObject({ ok: true, created: 0, updated: 0 });
    if (!preview.ok) return;
    expect(await writesNothing(h, () => confirmImport(h.deps, admin, csv, preview.digest))).toMatchObject({ ok: true, unchanged: preview.unchanged });
    expect(await h.store.getAccount(OAK)).toBeDefined();
  });
});
