/**
 * The console's role rules (contracts section 8), every read and every change for every kind of person: trust
 * administrators (by the Entra role and by the setting), Oakfield's IT manager, members of staff tied to an account as
 * its linked email, administrator, main or reserve supervisor, by an alias and by a `+tag` address, a line manager
 * assigned tasks, a joiner, someone tied to nothing, and someone off the trust (a viewer built by hand, since
 * viewerFor refuses them). Outside the role: Forbidden, and nothing written, sent or published. Inside: the change is
 * the viewer's, from the console.
 */
import { describe, expect, it } from 'vitest';
import {
  accountFor, auditFor, decideTask, editAccount, NotFound, previewImport, recordPolicyReview, taskFor, type Viewer,
} from '../../functions/usecases/console/index.ts';
import type { Harness } from './support.ts';
import {
  ALIAS_ACCOUNT, forbidden, givenWorld, LEAVER, OAK, OAK_ART, OAK_POLICY, PEOPLE, RIV, RIV_LEAVER, ROLES_ACCOUNT, taskOf, TRUST_POLICY, viewer,
} from './console-support.ts';

type Who = keyof typeof PEOPLE;
const EVERYONE = Object.keys(PEOPLE) as Who[];
const ADMINS: Who[] = ['adminByRole', 'adminBySetting'];
const OAK_MANAGERS: Who[] = [...ADMINS, 'itOakfield'];

/** Everyone as viewerFor makes them; the outsider as a careless handler might, to show the rules hold even then. */
async function viewerOf(h: Harness, who: Who): Promise<Viewer> {
  if (who === 'outsider') return { email: PEOPLE.outsider, trustAdmin: false, itManagerOf: [], addresses: [PEOPLE.outsider] };
  return viewer(h, PEOPLE[who]);
}

const oakTask = (h: Harness) => taskOf(h, (t) => t.subjectEmail === LEAVER && t.accountId === 'instagram:oakfield_pe');
const rivTask = (h: Harness) => taskOf(h, (t) => t.subjectEmail === RIV_LEAVER);
const ackTask = (h: Harness) => taskOf(h, (t) => t.type === 'acknowledge_policy');
const version = async (h: Harness, id: string) => (await h.store.getAccount(id))!.version;
const ROW = 'platform,handle,school,linked_email,admins,main_supervisor\ninstagram,oakfield_art,oakfield,s.okafor@oakfield.sch.uk,s.okafor@oakfield.sch.uk;t.evans@oakfield.sch.uk,m.clarke@oakfield.sch.uk\n';

interface Case {
  name: string;
  allowed: Who[];
  change: boolean;
  run: (h: Harness, v: Viewer) => Promise<unknown>;
  /** Told NotFound rather than Forbidden (only those who could see the record if it existed). */
  notFound?: Who[];
  /** For an allowed run: what it returned. */
  check?: (result: unknown) => void;
}

const CASES: Case[] = [
  { name: 'read an Oakfield account', allowed: OAK_MANAGERS, change: false, run: (h, v) => accountFor(h.deps, v, OAK), check: (r) => expect(r).toMatchObject({ account: { id: OAK } }) },
  { name: 'read a Riverside account', allowed: ADMINS, change: false, run: (h, v) => accountFor(h.deps, v, RIV) },
  { name: 'read the account tied four ways', allowed: [...ADMINS, 'linked', 'admin', 'main', 'reserve'], change: false, run: (h, v) => accountFor(h.deps, v, ROLES_ACCOUNT) },
  { name: 'read the account tied by an alias and a +tag', allowed: [...ADMINS, 'alias', 'tagged'], change: false, run: (h, v) => accountFor(h.deps, v, ALIAS_ACCOUNT) },
  { name: 'read an account that does not exist', allowed: [], notFound: ADMINS, change: false, run: (h, v) => accountFor(h.deps, v, 'facebook:nosuchpage') },
  { name: 'read an Oakfield leaver task', allowed: [...OAK_MANAGERS, 'lineManager'], change: false, run: async (h, v) => taskFor(h.deps, v, (await oakTask(h)).id) },
  { name: 'read a Riverside leaver task', allowed: ADMINS, change: false, run: async (h, v) => taskFor(h.deps, v, (await rivTask(h)).id) },
  { name: 'read a joiner\'s policy acknowledgement', allowed: [...OAK_MANAGERS, 'joiner'], change: false, run: async (h, v) => taskFor(h.deps, v, (await ackTask(h)).id) },
  { name: 'read the history of an Oakfield account', allowed: OAK_MANAGERS, change: false, run: (h, v) => auditFor(h.deps, v, { account: OAK }) },
  { name: 'read the history of a Riverside account', allowed: ADMINS, change: false, run: (h, v) => auditFor(h.deps, v, { account: RIV }) },
  { name: 'read the history of the account tied four ways', allowed: [...ADMINS, 'linked', 'admin', 'main', 'reserve'], change: false, run: (h, v) => auditFor(h.deps, v, { account: ROLES_ACCOUNT }) },
  {
    name: 'edit an Oakfield account', allowed: OAK_MANAGERS, change: true,
    run: async (h, v) => editAccount(h.deps, v, OAK, { published_name: 'Oakfield Academy News' }, await version(h, OAK)),
    check: (r) => expect(r).toMatchObject({ ok: true, changed: ['published_name'] }),
  },
  { name: 'edit a Riverside account', allowed: ADMINS, change: true, run: async (h, v) => editAccount(h.deps, v, RIV, { published_name: 'Riverside News' }, await version(h, RIV)) },
  {
    name: 'edit the account tied four ways (seeing is not changing)', allowed: ADMINS, change: true,
    run: async (h, v) => editAccount(h.deps, v, ROLES_ACCOUNT, { published_name: 'Hillcrest News' }, await version(h, ROLES_ACCOUNT)),
  },
  {
    name: 'decide an Oakfield leaver task', allowed: [...OAK_MANAGERS, 'lineManager'], change: true,
    run: async (h, v) => decideTask(h.deps, v, (await oakTask(h)).id, { action: 'keep', reason: 'Rachel stays on as a volunteer' }),
    check: (r) => expect(r).toMatchObject({ status: 'done' }),
  },
  { name: 'decide a Riverside leaver task', allowed: ADMINS, change: true, run: async (h, v) => decideTask(h.deps, v, (await rivTask(h)).id, { action: 'keep', reason: 'Gemma stays on as a governor' }) },
  { name: 'acknowledge someone\'s policy', allowed: ['joiner'], change: true, run: async (h, v) => decideTask(h.deps, v, (await ackTask(h)).id, { action: 'acknowledge' }) },
  { name: 'preview an import of Oakfield accounts', allowed: OAK_MANAGERS, change: false, run: (h, v) => previewImport(h.deps, v, ROW), check: (r) => expect(r).toMatchObject({ ok: true }) },
  { name: 'record the trust-wide policy\'s review', allowed: ADMINS, change: true, run: (h, v) => recordPolicyReview(h.deps, v, TRUST_POLICY) },
  { name: 'record Oakfield\'s policy\'s review', allowed: OAK_MANAGERS, change: true, run: (h, v) => recordPolicyReview(h.deps, v, OAK_POLICY) },
];

describe.each(CASES)('$name', (c) => {
  it.each(EVERYONE)('%s', async (who) => {
    const h = await givenWorld();
    const v = await viewerOf(h, who);
    if (c.notFound?.includes(who)) {
      const err = await c.run(h, v).then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(NotFound);
      expect(h.store.commits).toEqual([]);
      return;
    }
    if (!c.allowed.includes(who)) {
      await forbidden(h, () => c.run(h, v));
      return;
    }
    const from = h.store.commits.length;
    const result = await c.run(h, v);
    c.check?.(result);
    const commits = h.store.commits.slice(from);
    if (!c.change) {
      expect(commits).toEqual([]);
      return;
    }
    expect(commits.length).toBeGreaterThan(0);
    for (const commit of commits) {
      expect(commit.actor).toEqual({ by: v.email, source: 'console' });
      expect(commit.audit.every((e) => e.by === v.email && e.source === 'console')).toBe(true);
    }
  });
});

