/**
 * The history (`auditFor`, `auditCsv`: the entries of `custodian audit --json` the viewer may see) and the policy
 * register (`policiesFor`, `recordPolicyReview`) in the console. Given / when / then.
 */
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { personChange } from '../../functions/domain/changes.ts';
import {
  auditCsv, auditFor, decideTask, editAccount, Forbidden, Invalid, policiesFor, policyRows, readAudit, recordPolicyReview,
} from '../../functions/usecases/console/index.ts';
import { PolicyError } from '../../functions/usecases/policies.ts';
import {
  givenWorld, OAK, OAK_POLICY, OAK_PE, PEOPLE, RIV, ROLES_ACCOUNT, taskOf, TRUST_POLICY, viewer, writesNothing,
} from './console-support.ts';
import type { Harness } from './support.ts';

/** A day of changes: Oakfield, Riverside and Hillcrest accounts edited, a task decided, a person's record changed. */
async function givenHistory(): Promise<Harness> {
  const h = await givenWorld();
  const version = async (id: string) => (await h.store.getAccount(id))!.version;
  const admin = await viewer(h, PEOPLE.adminByRole);
  const it = await viewer(h, PEOPLE.itOakfield);
  const later = () => h.clock.advance(60_000);
  await editAccount(h.deps, it, OAK, { purpose: 'School news' }, await version(OAK));
  later();
  await editAccount(h.deps, admin, RIV, { purpose: 'School news' }, await version(RIV));
  later();
  await editAccount(h.deps, admin, ROLES_ACCOUNT, { purpose: 'Roles' }, await version(ROLES_ACCOUNT));
  later();
  await decideTask(h.deps, await viewer(h, PEOPLE.lineManager), (await taskOf(h, (t) => t.accountId === OAK_PE)).id, { action: 'keep', reason: 'stays as a volunteer' });
  later();
  const mo = (await h.store.findPerson([PEOPLE.alias]))!;
  await h.store.commit([personChange(mo, { ...mo, displayName: 'Mo A.', version: mo.version + 1 }, 'person.updated')], { by: 'system:directory', source: 'directory' });
  later();
  return h;
}

/** What each entry is about, sorted (entries of one commit share their time). */
const about = (entries: Array<{ entityType: string; entityId: string; action: string }>) => entries.map((e) => `${e.entityType} ${e.entityId} ${e.action}`).sort();

describe('the history', () => {
  it('gives a trust administrator every entry, as custodian audit --json does', async () => {
    const h = await givenHistory();
    const entries = await auditFor(h.deps, await viewer(h, PEOPLE.adminBySetting));
    expect(entries).toEqual(await readAudit(h.store, {}, h.clock.now()));
    expect(entries.map((e) => e.entityType)).toContain('person');
  });

  it('gives an IT manager their schools\' accounts and tasks, a member of staff their accounts, a line manager their tasks', async () => {
    const h = await givenHistory();
    expect(about(await auditFor(h.deps, await viewer(h, PEOPLE.itOakfield)))).toEqual([
      `account ${OAK} account.updated`, `account ${OAK_PE} account.kept`, expect.stringMatching(/^task \w+ task.resolved$/),
    ]);
    expect(about(await auditFor(h.deps, await viewer(h, PEOPLE.reserve)))).toEqual([`account ${ROLES_ACCOUNT} account.updated`]);
    expect(about(await auditFor(h.deps, await viewer(h, PEOPLE.lineManager)))).toEqual([expect.stringMatching(/^task \w+ task.resolved$/)]);
    expect(await auditFor(h.deps, await viewer(h, PEOPLE.untied))).toEqual([]);
  });

  it('gives one account\'s whole history to whoever may see the account, and refuses everyone else', async () => {
    const h = await givenHistory();
    expect(about(await auditFor(h.deps, await viewer(h, PEOPLE.main), { account: 'Facebook:@HillcrestRoles' }))).toEqual([`account ${ROLES_ACCOUNT} account.updated`]);
    await expect(writesNothing(h, async () => auditFor(h.deps, await viewer(h, PEOPLE.itOakfield), { account: RIV }))).rejects.toBeInstanceOf(Forbidden);
    await expect(auditFor(h.deps, await viewer(h, PEOPLE.main), { account: OAK })).rejects.toBeInstanceOf(Forbidden);
    await expect(auditFor(h.deps, await viewer(h, PEOPLE.main), { account: 'facebook:nosuchpage' })).rejects.toBeInstanceOf(Forbidden);
    expect(await auditFor(h.deps, await viewer(h, PEOPLE.adminByRole), { account: 'facebook:nosuchpage' })).toEqual([]);
  });

  it('takes a start date, and refuses one that is not a date', async () => {
    const h = await givenHistory();
    const admin = await viewer(h, PEOPLE.adminByRole);
    expect(await auditFor(h.deps, admin, { since: '2026-12-04' })).toEqual([]);
    expect(await auditFor(h.deps, admin, { since: '2026-12-03' })).toHaveLength(6);
    for (const since of ['03/12/2026', '2026-02-30', 'yesterday']) await expect(auditFor(h.deps, admin, { since })).rejects.toBeInstanceOf(Invalid);
  });

  it('downloads as CSV that a spreadsheet cannot run: a cell that would start a formula starts with \'', async () => {
    const h = await givenHistory();
    await h.store.commit([personChange(undefined, {
      key: 'hr:x', primaryEmail: 'x@oakfield.sch.uk', addresses: ['x@oakfield.sch.uk'], status: 'active', createdAt: '2026-12-03T10:00:00.000Z', updatedAt: '2026-12-03T10:00:00.000Z', version: 1,
    }, 'person.created')], { by: '=HYPERLINK("https://evil.example")', source: '@SUM(1)' });
    const csv = await auditCsv(h.deps, await viewer(h, PEOPLE.adminByRole));
    expect(csv.startsWith('\uFEFFat,by,source,action,entity_type,entity_id,before,after\r\n')).toBe(true);
    const rows = parse(csv, { bom: true, columns: true }) as Array<Record<string, string>>;
    expect(rows).toHaveLength(7);
    expect(rows.at(-1)).toMatchObject({ by: '\'=HYPERLINK("https://evil.example")', source: '\'@SUM(1)', action: 'person.created', entity_type: 'person' });
    expect(JSON.parse(rows.find((r) => r.entity_id === OAK)!.after!)).toEqual({ purpose: 'School news' });
    // Limited as the page is
    expect(parse(await auditCsv(h.deps, await viewer(h, PEOPLE.reserve)), { bom: true, columns: true })).toEqual([expect.objectContaining({ entity_id: ROLES_ACCOUNT })]);
  });
});

describe('the policies', () => {
  it('lists every policy to everyone on the trust, as policies list --json does', async () => {
    const h = await givenWorld();
    const rows = policyRows(await h.store.listPolicies());
    expect(rows.map((p) => p.id)).toEqual([OAK_POLICY, TRUST_POLICY]);
    for (const who of [PEOPLE.adminByRole, PEOPLE.itOakfield, PEOPLE.untied]) expect(await policiesFor(h.deps, await viewer(h, who))).toEqual(rows);
  });

  it('records a school\'s policy\'s review by its IT manager, audited as theirs from the console', async () => {
    const h = await givenWorld();
    const policy = await recordPolicyReview(h.deps, await viewer(h, PEOPLE.itOakfield), OAK_POLICY, '2027-11-30');
    expect(policy).toMatchObject({ id: OAK_POLICY, nextReviewDate: '2027-11-30', lastReviewedOn: '2026-12-03' });
    expect(await h.store.auditFor('policy', OAK_POLICY)).toEqual([expect.objectContaining({ action: 'policy.reviewed', by: PEOPLE.itOakfield, source: 'console' })]);
  });

  it('refuses a review by anyone else, or of a policy that does not exist, or with a bad date, writing nothing', async () => {
    const h = await givenWorld();
    await expect(writesNothing(h, async () => recordPolicyReview(h.deps, await viewer(h, PEOPLE.itOakfield), TRUST_POLICY))).rejects.toBeInstanceOf(Forbidden);
    await expect(writesNothing(h, async () => recordPolicyReview(h.deps, await viewer(h, 'it@riverside.sch.uk'), OAK_POLICY))).rejects.toBeInstanceOf(Forbidden);
    await expect(writesNothing(h, async () => recordPolicyReview(h.deps, await viewer(h, PEOPLE.adminByRole), 'nosuchpolicy'))).rejects.toThrow('no policy nosuchpolicy');
    await expect(writesNothing(h, async () => recordPolicyReview(h.deps, await viewer(h, PEOPLE.adminByRole), TRUST_POLICY, 'soon'))).rejects.toBeInstanceOf(PolicyError);
  });
});
