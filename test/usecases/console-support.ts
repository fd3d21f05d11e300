/**
 * The console tests' world, built once and seeded into a fresh in-memory store per test: the sample register, a
 * Hillcrest account whose linked email, administrator, main and reserve supervisor are four different people (one of
 * them known by an alias, one by a `+tag` address), Rachel Hughes (Oakfield) and Gemma Jones (Riverside) leaving, a
 * joiner asked to acknowledge the policy, and a trust-wide and an Oakfield policy. And the people who look at it.
 */
import { expect } from 'vitest';
import type { SeedRecords } from '../../functions/adapters/memory-store.ts';
import { personChange } from '../../functions/domain/changes.ts';
import type { Person } from '../../functions/domain/model.ts';
import type { Task } from '../../functions/domain/tasks.ts';
import { Forbidden, viewerFor, type Claims, type Viewer } from '../../functions/usecases/console/index.ts';
import { processJoiner, processLeaver } from '../../functions/usecases/leavers.ts';
import { addPolicy } from '../../functions/usecases/policies.ts';
import { importRegister } from '../../functions/usecases/register.ts';
import { harness, hrEvent, seedSampleRegister, type Harness } from './support.ts';

export const NOW = '2026-12-03T10:00:00Z';

/** Accounts by school. */
export const OAK = 'facebook:oakfieldacademy';
export const OAK_PE = 'instagram:oakfield_pe';
export const OAK_ART = 'instagram:oakfield_art';
export const RIV = 'facebook:riversideprimary';
export const ROLES_ACCOUNT = 'facebook:hillcrestroles';
export const ALIAS_ACCOUNT = 'instagram:hillcrestalias';

/** Who signs in. */
export const PEOPLE = {
  adminByRole: 'director.it@trust.example.org',
  adminBySetting: 'v.thompson@hillcrest.sch.uk',
  itOakfield: 'it@oakfield.sch.uk',
  linked: 'linked.only@hillcrest.sch.uk',
  admin: 'admin.only@hillcrest.sch.uk',
  main: 'main.only@hillcrest.sch.uk',
  reserve: 'reserve.only@hillcrest.sch.uk',
  /** Known to the directory as mo@ and mo.aliased@; the account names the alias. */
  alias: 'mo@hillcrest.sch.uk',
  /** The account names pat+social@. */
  tagged: 'pat@hillcrest.sch.uk',
  /** Rachel Hughes's line manager: assigned her tasks, tied to no account. */
  lineManager: 'd.okafor@oakfield.sch.uk',
  joiner: 'new.starter@oakfield.sch.uk',
  untied: 'nobody@riverside.sch.uk',
  outsider: 'someone@gmail.com',
} as const;

export const LEAVER = 'r.hughes@oakfield.sch.uk';
export const RIV_LEAVER = 'g.jones@riverside.sch.uk';
export const TRUST_POLICY = 'social-media-policy';
export const OAK_POLICY = 'oakfield-acceptable-use';

const HILLCREST_ROWS = [
  'platform,handle,school,linked_email,admins,main_supervisor,reserve_supervisor,published_name',
  `facebook,HillcrestRoles,hillcrest,${PEOPLE.linked},${PEOPLE.admin};w.chen@hillcrest.sch.uk,${PEOPLE.main},${PEOPLE.reserve},Hillcrest Roles`,
  'instagram,hillcrestalias,hillcrest,pat+social@hillcrest.sch.uk,w.chen@hillcrest.sch.uk;f.ali@hillcrest.sch.uk,i.reid@hillcrest.sch.uk,mo.aliased@hillcrest.sch.uk,Hillcrest Alias',
].join('\n');

let world: SeedRecords | undefined;

async function buildWorld(): Promise<SeedRecords> {
  const b = harness('2026-12-02T09:00:00Z');
  await seedSampleRegister(b);
  const it = { by: PEOPLE.itOakfield, source: 'test' };
  const imported = await importRegister(b.store, HILLCREST_ROWS, { actor: it, now: b.clock.now() });
  if (!imported.ok) throw new Error(JSON.stringify(imported.errors));
  const nowIso = b.clock.now().toISOString();
  const mo: Person = {
    key: 'dir:mo', primaryEmail: PEOPLE.alias, addresses: [PEOPLE.alias, 'mo.aliased@hillcrest.sch.uk'], displayName: 'Mo Aliased',
    status: 'active', accountEnabled: true, createdAt: nowIso, updatedAt: nowIso, version: 1,
  };
  const gone: Person = { key: 'dir:gone', primaryEmail: 'gone@oakfield.sch.uk', addresses: ['gone@oakfield.sch.uk'], status: 'active', accountEnabled: false, createdAt: nowIso, updatedAt: nowIso, version: 1 };
  await b.store.commit([personChange(undefined, mo, 'person.created'), personChange(undefined, gone, 'person.created')], { by: 'system:directory', source: 'directory' });
  await processLeaver(b.deps, { email: LEAVER, leaveDate: '2027-01-29', displayName: 'Rachel Hughes', lineManagerEmail: PEOPLE.lineManager }, hrEvent(b));
  await processLeaver(b.deps, { email: RIV_LEAVER, leaveDate: '2027-01-29', displayName: 'Gemma Jones', lineManagerEmail: 's.ahmed@riverside.sch.uk' }, hrEvent(b));
  await processJoiner(b.deps, { email: PEOPLE.joiner, startDate: '2026-12-07', displayName: 'New Starter', school: 'oakfield' }, hrEvent(b));
  await addPolicy(b.deps, { title: 'Social Media Policy', nextReview: '2027-05-01', owner: 'ceo@trust.example.org' }, it);
  await addPolicy(b.deps, { title: 'Acceptable Use', nextReview: '2027-03-01', owner: 'head@oakfield.sch.uk', school: 'oakfield' }, it);
  return {
    schools: await b.store.listSchools(), accounts: await b.store.listAccounts(), tasks: await b.store.listTasks(),
    people: await b.store.listPeople(), policies: await b.store.listPolicies(),
  };
}

/** A fresh store holding the world, the next morning; v.thompson is a trust administrator by the setting. */
export async function givenWorld(): Promise<Harness> {
  world ??= await buildWorld();
  const h = harness(NOW);
  h.store.seed(world);
  h.deps.config.trustAdmins = [PEOPLE.adminBySetting];
  return h;
}

export async function viewer(h: Harness, email: string, claims: Partial<Claims> = {}): Promise<Viewer> {
  return viewerFor(h.deps, { email, ...(email === PEOPLE.adminByRole ? { roles: ['Custodian.Admin'] } : {}), ...claims });
}

/** Every viewer the tests try, by name. */
export async function viewers(h: Harness): Promise<Record<Exclude<keyof typeof PEOPLE, 'outsider'>, Viewer>> {
  const entries = await Promise.all(Object.entries(PEOPLE).filter(([k]) => k !== 'outsider').map(async ([k, email]) => [k, await viewer(h, email)] as const));
  return Object.fromEntries(entries) as Record<Exclude<keyof typeof PEOPLE, 'outsider'>, Viewer>;
}

/** `work` is refused as outside the viewer's role, and nothing is written, sent or published. */
export async function forbidden(h: Harness, work: () => Promise<unknown>): Promise<Forbidden> {
  const before = { commits: h.store.commits.length, sent: h.mailer.sent.length, events: h.publisher.events.length };
  const err = await work().then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(Forbidden);
  expect({ commits: h.store.commits.length, sent: h.mailer.sent.length, events: h.publisher.events.length }).toEqual(before);
  return err as Forbidden;
}

/** Nothing new is written, whether `work` returns or throws (what it threw is thrown on). */
export async function writesNothing<T>(h: Harness, work: () => Promise<T>): Promise<T> {
  const before = h.store.commits.length;
  try {
    return await work();
  } finally {
    expect(h.store.commits.length).toBe(before);
  }
}

export async function taskOf(h: Harness, pred: (t: Task) => boolean): Promise<Task> {
  const t = (await h.store.listTasks()).find(pred);
  if (!t) throw new Error('no such task in the world');
  return t;
}
