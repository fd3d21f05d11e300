/**
 * Who the signed-in person is to the console (`viewerFor`) and their home page (`homeFor`): trust administrators by
 * the Entra role or the setting, IT managers, addresses compared by mailbox across aliases and `+tag`s, and everyone
 * off the trust (or gone from it) refused. Given / when / then.
 */
import { describe, expect, it } from 'vitest';
import { Forbidden, homeFor, viewerFor } from '../../functions/usecases/console/index.ts';
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
});
