/**
 * Who the signed-in person is to the console (`viewerFor`) and their home page (`homeFor`): trust administrators by
 * the Entra role or the setting, IT managers, addresses compared by mailbox across aliases and `+tag`s, and everyone
 * off the trust (or gone from it) refused. Given / when / then.
 */
import { describe, expect, it, vi } from 'vitest';
import { personChange } from '../../functions/domain/changes.ts';
import type { Person } from '../../functions/domain/model.ts';
import { Forbidden, homeFor, viewerFor } from '../../functions/usecases/console/index.ts';
import { importRegister } from '../../functions/usecases/register.ts';
import { ALIAS_ACCOUNT, givenWorld, LEAVER, PEOPLE, ROLES_ACCOUNT, viewer } from './console-support.ts';

async function refused(work: Promise<unknown>): Promise<string> {
  const err = await work.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(Forbidden);
  return (err as Error).message;
}

describe('signing in', () => {
  it('a trust administrator by the Custodian.Admin role, on the trust IT contact\'s domain', async () => {
    const h = await givenWorld();
    expect(await viewerFor(h.deps, { email: ' Director.IT@Trust.Example.org ', name: 'Dee Rector', roles: ['Other', 'Custodian.Admin'] }))
      .toEqual({ email: PEOPLE.adminByRole, name: 'Dee Rector', trustAdmin: true, itManagerOf: [], addresses: [PEOPLE.adminByRole] });
    expect((await viewerFor(h.deps, { email: PEOPLE.adminByRole, roles: ['Custodian.Reader'] })).trustAdmin).toBe(false);
  });

  it('a trust administrator by the trustAdmins setting, matched by mailbox, even off the schools\' domains', async () => {
    const h = await givenWorld();
    expect((await viewer(h, 'V.Thompson+console@hillcrest.sch.uk')).trustAdmin).toBe(true);
    h.deps.config.trustAdmins = ['auditor@partner.example.com'];
    expect(await viewerFor(h.deps, { email: 'auditor@partner.example.com' })).toMatchObject({ trustAdmin: true });
    expect((await viewer(h, PEOPLE.adminBySetting)).trustAdmin).toBe(false);
  });

  it('a school\'s IT manager, from schools set, is the IT manager of that school only', async () => {
    const h = await givenWorld();
    expect(await viewer(h, 'IT@oakfield.sch.uk')).toMatchObject({ email: PEOPLE.itOakfield, trustAdmin: false, itManagerOf: ['oakfield'] });
    expect(await viewer(h, PEOPLE.untied)).toMatchObject({ trustAdmin: false, itManagerOf: [] });
  });

  it('knows a person by every address of their record, and by their mailbox without a +tag', async () => {
    const h = await givenWorld();
    expect((await viewer(h, PEOPLE.alias)).addresses).toEqual([PEOPLE.alias, 'mo.aliased@hillcrest.sch.uk']);
    expect((await viewer(h, 'Mo.Aliased@hillcrest.sch.uk')).addresses).toEqual(['mo.aliased@hillcrest.sch.uk', PEOPLE.alias]);
    expect((await viewer(h, 'pat+phone@hillcrest.sch.uk')).addresses).toEqual(['pat+phone@hillcrest.sch.uk', PEOPLE.tagged]);
    expect((await viewer(h, PEOPLE.alias)).name).toBe('Mo Aliased'); // from the directory when the token has none
  });

  it.each([
    ['an address off the trust\'s domains', PEOPLE.outsider, 'someone@gmail.com is not on a trust domain'],
    ['a look-alike domain', 'it@oakfie1d.sch.uk', 'not on a trust domain'],
    ['an address with an invisible character', 'it\u200b@oakfield.sch.uk', 'not signed in with an email address'],
    ['no address at all', '', 'not signed in with an email address'],
    ['someone the directory has disabled', 'gone@oakfield.sch.uk', 'disabled in the directory'],
  ])('refuses %s, even with the administrator role', async (_what, email, reason) => {
    const h = await givenWorld();
    expect(await refused(viewerFor(h.deps, { email, roles: ['Custodian.Admin'] }))).toContain(reason);
  });

  it('refuses someone Custodian knows has left; someone still leaving signs in', async () => {
    const h = await givenWorld();
    expect(await viewer(h, LEAVER)).toMatchObject({ email: LEAVER });
    h.clock.set('2027-02-01T09:00:00Z');
    const rachel = (await h.store.findPerson([LEAVER]))!;
    await h.store.commit([{ kind: 'person', action: 'person.left', before: rachel, after: { ...rachel, status: 'left', version: rachel.version + 1 } }], { by: 'system:test', source: 'test' });
    expect(await refused(viewer(h, LEAVER))).toContain('has left');
  });
});

describe('the home page', () => {
  it.each([
    ['linked', ROLES_ACCOUNT, ['linked_email']],
    ['admin', ROLES_ACCOUNT, ['admin']],
    ['main', ROLES_ACCOUNT, ['main_supervisor']],
    ['reserve', ROLES_ACCOUNT, ['reserve_supervisor']],
    ['alias', ALIAS_ACCOUNT, ['reserve_supervisor']],
    ['tagged', ALIAS_ACCOUNT, ['linked_email']],
  ] as const)('shows %s the account tied to them and how', async (who, account, roles) => {
    const h = await givenWorld();
    const home = await homeFor(h.deps, await viewer(h, PEOPLE[who]));
    expect(home.accounts.map((a) => [a.account.id, a.roles])).toEqual([[account, roles]]);
    expect(home.accounts[0]!.account.findings).toEqual([]);
    expect(home.tasks).toEqual([]);
  });

  it('shows every account tied to someone in several roles, whatever else they may see', async () => {
    const h = await givenWorld();
    const home = await homeFor(h.deps, await viewer(h, PEOPLE.adminBySetting));
    expect(home.accounts.map((a) => `${a.account.id} ${a.roles.join('+')}`)).toEqual([
      'facebook:hillcrestschool admin+main_supervisor', 'instagram:hillcrest_drama reserve_supervisor', 'linkedin:hillcrest-school admin+main_supervisor',
      'threads:hillcrest_school main_supervisor', 'x:hillcresthead linked_email+admin', 'youtube:hillcrestschooltv reserve_supervisor',
    ]);
  });

  it('shows a line manager the open tasks assigned to them, as tasks list --json rows, and a joiner their acknowledgement', async () => {
    const h = await givenWorld();
    const home = await homeFor(h.deps, await viewer(h, PEOPLE.lineManager));
    expect(home.accounts).toEqual([]);
    expect(home.tasks.map((t) => `${t.type} ${t.accountId}`).sort()).toEqual([
      'replace_admin x:oakfieldsport', 'replace_supervisor blog:oakfield-library', 'transfer_or_close instagram:oakfield_pe', 'transfer_or_close youtube:oakfieldmusic',
    ]);
    expect(Object.keys(home.tasks[0]!)).toEqual(['id', 'type', 'status', 'accountId', 'platform', 'handle', 'subjectEmail', 'dueDate', 'assignees']);
    expect((await homeFor(h.deps, await viewer(h, PEOPLE.joiner))).tasks).toEqual([expect.objectContaining({ type: 'acknowledge_policy', subjectEmail: PEOPLE.joiner })]);
  });

  it('shows nothing to someone tied to nothing', async () => {
    const h = await givenWorld();
    expect(await homeFor(h.deps, await viewer(h, PEOPLE.untied))).toEqual({ tasks: [], accounts: [] });
  });

  it('finds the accounts tied through a +tag address and through an alias without listing the register, in its order', async () => {
    const h = await givenWorld();
    // Given Sam, known to the directory as sam@ and s.lee@, tied to one account as sam+social@ and to another as s.lee@.
    const nowIso = h.clock.now().toISOString();
    const sam: Person = {
      key: 'dir:sam', primaryEmail: 'sam@hillcrest.sch.uk', addresses: ['sam@hillcrest.sch.uk', 's.lee@hillcrest.sch.uk'], displayName: 'Sam Lee',
      status: 'active', accountEnabled: true, createdAt: nowIso, updatedAt: nowIso, version: 1,
    };
    await h.store.commit([personChange(undefined, sam, 'person.created')], { by: 'system:directory', source: 'directory' });
    const rows = [
      'platform,handle,school,linked_email,admins,main_supervisor,reserve_supervisor,published_name',
      'x,hillcrest_sam,hillcrest,Sam+Social@hillcrest.sch.uk,w.chen@hillcrest.sch.uk;f.ali@hillcrest.sch.uk,i.reid@hillcrest.sch.uk,f.ali@hillcrest.sch.uk,Sam Tagged',
      'tiktok,hillcrest_lee,hillcrest,office@hillcrest.sch.uk,s.lee@hillcrest.sch.uk;w.chen@hillcrest.sch.uk,i.reid@hillcrest.sch.uk,s.lee@hillcrest.sch.uk,Lee Aliased',
    ].join('\n');
    expect((await importRegister(h.store, rows, { actor: { by: PEOPLE.itOakfield, source: 'test' }, now: h.clock.now() })).ok).toBe(true);
    // When Sam looks at their home page, with listing the accounts (what listRegister reads) made to fail:
    const listAccounts = vi.spyOn(h.store, 'listAccounts').mockRejectedValue(new Error('the home page must not list the register'));
    const home = await homeFor(h.deps, await viewer(h, 'sam@hillcrest.sch.uk'));
    // Then both accounts are there, by school then id as the register lists them, each with every way it is tied.
    expect(home.accounts.map((a) => `${a.account.id} ${a.roles.join('+')}`)).toEqual(['tiktok:hillcrest_lee admin+reserve_supervisor', 'x:hillcrest_sam linked_email']);
    expect(home.accounts.map((a) => a.account.findings)).toEqual([[], []]);
    expect(listAccounts).not.toHaveBeenCalled();
  });
});
