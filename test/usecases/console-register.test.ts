/**
 * The register in the console: the list (`registerFor`: the rows of `register list --json` the viewer may see, and its
 * filters), one account (`accountFor`), and editing it (`editAccount`): the import's own validation and refusals,
 * Custodian's own fields kept, stale versions refused, and the change audited as the viewer's; one account's page
 * reads that account, not its school's register. Given / when / then.
 */
import { describe, expect, it } from 'vitest';
import { accountFor, editAccount, registerFor, taskFor } from '../../functions/usecases/console/index.ts';
import { personChange } from '../../functions/domain/changes.ts';
import type { Person } from '../../functions/domain/model.ts';
import { listRegister } from '../../functions/usecases/register.ts';
import { writesNothing, givenWorld, LEAVER, OAK, OAK_ART, OAK_PE, PEOPLE, ROLES_ACCOUNT, viewer } from './console-support.ts';

const ids = (rows: Array<{ id: string }>) => rows.map((r) => r.id);

describe('the register list', () => {
  it('gives a trust administrator every row of register list --json, findings and all', async () => {
    const h = await givenWorld();
    expect(await registerFor(h.deps, await viewer(h, PEOPLE.adminByRole), {})).toEqual(await listRegister(h.store));
  });

  it('gives an IT manager their schools\' rows, and staff the rows tied to them, whatever school they filter on', async () => {
    const h = await givenWorld();
    const it = await viewer(h, PEOPLE.itOakfield);
    expect(ids(await registerFor(h.deps, it))).toEqual(ids(await listRegister(h.store, { school: 'oakfield' })));
    expect(await registerFor(h.deps, it, { school: 'riverside' })).toEqual([]);
    const linked = await viewer(h, PEOPLE.linked);
    expect(ids(await registerFor(h.deps, linked))).toEqual([ROLES_ACCOUNT]);
    expect(ids(await registerFor(h.deps, linked, { school: 'hillcrest' }))).toEqual([ROLES_ACCOUNT]);
    expect(await registerFor(h.deps, await viewer(h, PEOPLE.untied))).toEqual([]);
  });

  it('filters by status, by finding and by text in the handle, published name, school or linked email, in any case', async () => {
    const h = await givenWorld();
    const it = await viewer(h, PEOPLE.itOakfield);
    expect(ids(await registerFor(h.deps, it, { status: 'transfer_pending' }))).toEqual(['instagram:oakfield_pe', 'youtube:oakfieldmusic']);
    expect(ids(await registerFor(h.deps, it, { finding: 'fewer_than_two_admins' }))).toEqual([OAK_ART, 'x:oakfieldsport']); // Rachel's admin role removed
    expect(ids(await registerFor(h.deps, await viewer(h, PEOPLE.adminByRole), { finding: 'linked_email_off_domain' }))).toEqual(['facebook:riversidepta']);
    expect(ids(await registerFor(h.deps, it, { q: 'SIXTH' }))).toEqual(['tiktok:oakfieldsixthform']); // handle and published name
    expect(ids(await registerFor(h.deps, it, { q: 'Library@' }))).toEqual(['blog:oakfield-library']); // linked email
    expect(ids(await registerFor(h.deps, it, { q: 'oakfield academy' }))).toHaveLength(9); // the school's name
    expect(await registerFor(h.deps, it, { q: 'riverside' })).toEqual([]);
  });
});

describe('one account', () => {
  it('shows the account with its school, findings, the open tasks the viewer may see and its history, newest first', async () => {
    const h = await givenWorld();
    const it = await viewer(h, PEOPLE.itOakfield);
    const { version } = (await h.store.getAccount(OAK_PE))!;
    await editAccount(h.deps, it, OAK_PE, { purpose: 'PE fixtures' }, version);
    h.clock.advance(60_000);
    await editAccount(h.deps, it, OAK_PE, { purpose: 'PE fixtures and results' }, version + 1);
    const view = await accountFor(h.deps, it, 'Instagram:@Oakfield_PE');
    expect(view.account).toEqual((await listRegister(h.store, { school: 'oakfield' })).find((a) => a.id === OAK_PE));
    expect(view.school?.name).toBe('Oakfield Academy');
    expect(view.findings).toEqual([]);
    expect(view.openTasks).toEqual([expect.objectContaining({ type: 'transfer_or_close', subjectEmail: LEAVER, accountId: OAK_PE })]);
    expect(view.history.map((e) => [e.action, e.after])).toEqual([['account.updated', { purpose: 'PE fixtures and results' }], ['account.updated', { purpose: 'PE fixtures' }]]);
    expect(view.canChange).toBe(true);
  });

  it('shows a member of staff the account tied to them, but not its tasks, and not as theirs to change', async () => {
    const h = await givenWorld();
    await editAccount(h.deps, await viewer(h, PEOPLE.itOakfield), OAK_PE, { purpose: 'PE fixtures' }, (await h.store.getAccount(OAK_PE))!.version);
    const view = await accountFor(h.deps, await viewer(h, 'm.clarke@oakfield.sch.uk'), OAK_PE); // its administrator and main supervisor
    expect(view.openTasks).toEqual([]);
    expect(view.canChange).toBe(false);
    expect(view.history).toEqual([expect.objectContaining({ action: 'account.updated', by: PEOPLE.itOakfield, source: 'console' })]);
  });
});

describe('editing an account', () => {
  it('changes the fields the form names, keeps the others, recomputes findings, and audits it as the viewer from the console', async () => {
    const h = await givenWorld();
    const it = await viewer(h, PEOPLE.itOakfield);
    const before = (await h.store.getAccount(OAK_ART))!;
    const result = await editAccount(h.deps, it, OAK_ART, { _csrf: 'x', admins: 'S.Okafor@oakfield.sch.uk; T.Evans@oakfield.sch.uk', published_name: ' Oakfield Art Gallery ' }, before.version);
    expect(result).toMatchObject({ ok: true, changed: ['admins', 'published_name'] });
    if (!result.ok) return;
    expect(result.account).toMatchObject({ id: OAK_ART, admins: ['s.okafor@oakfield.sch.uk', 't.evans@oakfield.sch.uk'], publishedName: 'Oakfield Art Gallery', findings: [] });
    expect(result.account).toMatchObject({ purpose: before.purpose, url: before.url, linkedEmail: before.linkedEmail, version: before.version + 1 });
    expect(h.store.commits).toHaveLength(1);
    expect(await h.store.auditFor('account', OAK_ART)).toContainEqual(expect.objectContaining({
      action: 'account.updated', by: PEOPLE.itOakfield, source: 'console',
      before: { admins: ['s.okafor@oakfield.sch.uk'], publishedName: 'Oakfield Art' }, after: { admins: ['s.okafor@oakfield.sch.uk', 't.evans@oakfield.sch.uk'], publishedName: 'Oakfield Art Gallery' },
    }));
  });

  it('reports each bad field with the import\'s message, and writes nothing', async () => {
    const h = await givenWorld();
    const it = await viewer(h, PEOPLE.itOakfield);
    const { version } = (await h.store.getAccount(OAK))!;
    const result = await writesNothing(h, () => editAccount(h.deps, it, OAK, {
      admins: 'k.williams@oakfield.sch.uk, d.fraser@oakfield.sch.uk', monitoring_frequency: 'hourly', planned_end_date: '31/02/2027', main_supervisor: '',
    }, version));
    expect(result).toEqual({ ok: false, errors: [
      { field: 'admins', message: '"k.williams@oakfield.sch.uk, d.fraser@oakfield.sch.uk" is not an email address (separate administrators with ;)' },
      { field: 'main_supervisor', message: 'required but empty' },
      { field: 'monitoring_frequency', message: '"hourly" is not one of daily, weekly, fortnightly, monthly' },
      { field: 'planned_end_date', message: '"31/02/2027" is not a real date' },
    ] });
  });

  it.each([
    ['a leaver as an administrator', { admins: `s.okafor@oakfield.sch.uk;${LEAVER}` }, 'admins', `${LEAVER} is leaving or has left; name a continuing member of staff`],
    ['a leaver (by another spelling) as the linked email', { linked_email: 'R.Hughes+art@Oakfield.sch.uk' }, 'linked_email', 'is leaving or has left'],
    ['activity in the future', { last_activity_date: '2027-01-01' }, 'last_activity_date', '2027-01-01 is in the future'],
    ['a school that is not set up, by a trust administrator', { school: 'westfield' }, 'school', '"westfield" is not set up'],
    ['a new handle (another account)', { handle: 'oakfield_artwork' }, 'handle', 'cannot be changed here'],
    ['a new platform (another account)', { platform: 'tiktok' }, 'platform', 'cannot be changed here'],
    ['a control character', { purpose: 'Art\u0007work' }, 'purpose', 'contains a control character'],
  ])('refuses %s as the import does, and writes nothing', async (_what, form, field, message) => {
    const h = await givenWorld();
    const admin = await viewer(h, PEOPLE.adminByRole);
    const { version } = (await h.store.getAccount(OAK_ART))!;
    const result = await writesNothing(h, () => editAccount(h.deps, admin, OAK_ART, form, version));
    expect(result).toEqual({ ok: false, errors: [{ field, message: expect.stringContaining(message) }] });
  });

  it('lets an IT manager move an account only to a school they manage', async () => {
    const h = await givenWorld();
    const it = await viewer(h, PEOPLE.itOakfield);
    expect(await writesNothing(h, () => editAccount(h.deps, it, OAK_ART, { school: 'riverside' }, 1))).toEqual({ ok: false, errors: [{ field: 'school', message: expect.stringContaining('you are not an IT manager of "riverside"') }] });
    const admin = await viewer(h, PEOPLE.adminByRole);
    expect(await editAccount(h.deps, admin, OAK_ART, { school: 'riverside' }, 1)).toMatchObject({ ok: true, changed: ['school'], account: { school: 'riverside', findings: expect.arrayContaining([expect.objectContaining({ code: 'linked_email_off_domain' })]) } });
  });

  it('never changes Custodian\'s own fields, whatever the form says', async () => {
    const h = await givenWorld();
    const before = (await h.store.getAccount(OAK_PE))!;
    expect(before.status).toBe('transfer_pending');
    const result = await editAccount(h.deps, await viewer(h, PEOPLE.itOakfield), OAK_PE, { status: 'active', neglected_since: '', last_attested_on: '2026-12-01', version: '99', purpose: 'PE fixtures, results and clubs' }, before.version);
    expect(result).toMatchObject({ ok: true, changed: ['purpose'], account: { status: 'transfer_pending' } });
    const after = (await h.store.getAccount(OAK_PE))!;
    expect({ ...after, purpose: before.purpose, version: before.version, updatedAt: before.updatedAt, nextCheckOn: before.nextCheckOn }).toEqual(before);
  });

  it('refuses a stale version with a clear error and writes nothing; an unchanged form writes nothing either', async () => {
    const h = await givenWorld();
    const it = await viewer(h, PEOPLE.itOakfield);
    const { version } = (await h.store.getAccount(OAK))!;
    expect(await editAccount(h.deps, it, OAK, { purpose: 'News' }, version)).toMatchObject({ ok: true });
    const stale = await writesNothing(h, () => editAccount(h.deps, it, OAK, { purpose: 'Events' }, version));
    expect(stale).toEqual({ ok: false, errors: [{ field: 'version', message: `${OAK} was changed by someone else after you opened it; reload it and make your change again` }] });
    expect(await writesNothing(h, () => editAccount(h.deps, it, OAK, { purpose: 'News' }, version + 1))).toMatchObject({ ok: true, changed: [] });
  });

  it('keeps a value that starts like a formula exactly as typed', async () => {
    const h = await givenWorld();
    const it = await viewer(h, PEOPLE.itOakfield);
    const { version } = (await h.store.getAccount(OAK))!;
    expect(await editAccount(h.deps, it, OAK, { purpose: '=1+1', audience: "'@everyone" }, version)).toMatchObject({ ok: true, account: { purpose: '=1+1', audience: "'@everyone" } });
    expect(await writesNothing(h, () => editAccount(h.deps, it, OAK, { published_name: 'Oakfield Academy' }, version + 1))).toMatchObject({ ok: true, changed: [], account: { purpose: '=1+1', audience: "'@everyone" } });
  });
});

describe('one account\'s page', () => {
  it('shows the account as the register lists it, findings and all, without listing the register (account and task pages)', async () => {
    const h = await givenWorld();
    const it = await viewer(h, PEOPLE.itOakfield);
    const expected = new Map((await listRegister(h.store, { school: 'oakfield' })).map((r) => [r.id, r]));
    const task = (await h.store.listTasks('open')).find((t) => t.accountId && expected.has(t.accountId))!;
    expect(task).toBeDefined();
    // When listing the accounts (what listRegister reads) fails:
    h.store.listAccounts = async () => { throw new Error('one account\'s page must not list the register'); };
    // Then the account page and the task page still show the account as the register does.
    for (const id of [OAK, OAK_PE, OAK_ART]) expect((await accountFor(h.deps, it, id)).account, id).toEqual(expected.get(id));
    expect((await taskFor(h.deps, it, task.id)).account).toEqual(expected.get(task.accountId!));
  });

  it('once the directory has synced, finds linked emails with no enabled account as the register does, reading only those people', async () => {
    const h = await givenWorld();
    const it = await viewer(h, PEOPLE.itOakfield);
    // Given the directory has synced: one oakfield linked email unknown to it, one a disabled account, the rest enabled.
    const oakfield = await h.store.listAccounts({ school: 'oakfield' });
    const linked = [...new Set(oakfield.map((a) => a.linkedEmail))];
    expect(linked.length).toBeGreaterThanOrEqual(3);
    const [unknown, disabled] = [linked[0]!, linked[1]!];
    const nowIso = h.clock.now().toISOString();
    const changes = [];
    for (const email of linked.filter((e) => e !== unknown)) {
      const existing = await h.store.findPerson([email]);
      const after: Person = existing
        ? { ...existing, accountEnabled: email !== disabled, updatedAt: nowIso, version: existing.version + 1 }
        : { key: `dir:${email}`, primaryEmail: email, addresses: [email], accountEnabled: email !== disabled, status: 'active', createdAt: nowIso, updatedAt: nowIso, version: 1 };
      changes.push(personChange(existing, after, existing ? 'person.updated' : 'person.created'));
    }
    await h.store.commit([...changes, { kind: 'directory_state', after: { lastSyncAt: nowIso } }], { by: 'system:directory', source: 'directory' });
    const expected = new Map((await listRegister(h.store, { school: 'oakfield' })).map((r) => [r.id, r]));
    expect([...expected.values()].filter((r) => r.findings.some((f) => f.code === 'linked_email_not_in_directory')).map((r) => r.linkedEmail).sort())
      .toEqual(oakfield.filter((a) => a.linkedEmail === unknown || a.linkedEmail === disabled).map((a) => a.linkedEmail).sort());
    // When reading every person fails, each account's page still says the same.
    h.store.listPeople = async () => { throw new Error('one account\'s page must not read every person'); };
    for (const account of oakfield) expect((await accountFor(h.deps, it, account.id)).account, account.id).toEqual(expected.get(account.id));
  });
});
