/**
 * Leavers, cancellations and joiners (README "How Custodian behaves"; contracts sections 2 and 6) through the real
 * use cases on the in-memory store: what the register, the tasks, the inboxes, the bus and the audit show afterwards.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { HrEvent } from '../../events/schemas.ts';
import { taskChange } from '../../functions/domain/changes.ts';
import type { Task } from '../../functions/domain/tasks.ts';
import { processHrEvent } from '../../functions/usecases/hr-events.ts';
import { CommitTooLargeError } from '../../functions/usecases/ports.ts';
import { processAddressesGone, processCancellation, processJoiner, processLeaver, refreshPersonExpiry, type LeaverInput } from '../../functions/usecases/leavers.ts';
import { harness, hrEvent, seedSampleRegister, TRUST_IT, type Harness } from './support.ts';

const LEAVER = 'r.hughes@oakfield.sch.uk';
const ALIAS = 'rachel.hughes@oakfield.sch.uk';
const MANAGER = 'd.okafor@oakfield.sch.uk';
const OAK_IT = 'it@oakfield.sch.uk';
const HER_ACCOUNTS = ['instagram:oakfield_pe', 'youtube:oakfieldmusic', 'facebook:oakfieldacademy', 'x:oakfieldsport', 'tiktok:oakfieldsixthform', 'blog:oakfield-library'];
const EXPECTED_TASKS = [
  'replace_admin x:oakfieldsport',
  'replace_supervisor blog:oakfield-library main_supervisor',
  'transfer_or_close instagram:oakfield_pe',
  'transfer_or_close youtube:oakfieldmusic',
];

let h: Harness;
beforeEach(async () => {
  h = harness(); // Wednesday 2 December 2026, 09:00
  await seedSampleRegister(h);
});

const rachel = (over: Partial<LeaverInput> = {}): LeaverInput => ({
  email: LEAVER, leaveDate: '2027-01-29', displayName: 'Rachel Hughes', lineManagerEmail: MANAGER, school: 'oakfield', ...over,
});
const tasksOf = (email = LEAVER) => h.store.tasksForSubjects([email]);
const summary = (tasks: Task[]) => tasks.map((t) => `${t.type}${t.accountId ? ` ${t.accountId}` : ''}${t.role ? ` ${t.role}` : ''}`).sort();
const withStatus = async (status: Task['status'], email = LEAVER) => (await tasksOf(email)).filter((t) => t.status === status);
const account = async (id: string) => (await h.store.getAccount(id))!;
const flagged = () => h.publisher.events.filter((e) => e.detailType === 'Account Flagged');
const sorted = (list: string[]) => [...list].sort();
/** The action links in an email, with what each one's signed payload says (task, recipient, generation). */
const linksIn = (text: string) => [...text.matchAll(/\/actions\/([A-Za-z0-9_-]+)\.[A-Za-z0-9_-]+/g)]
  .map((m) => JSON.parse(Buffer.from(m[1]!, 'base64url').toString('utf8')) as { t: string; r: string; g: number })
  .filter((l, i, all) => all.findIndex((o) => o.t === l.t && o.r === l.r) === i);
const later = (hours: number) => {
  h.clock.advance(hours * 3_600_000);
  return hrEvent(h);
};

describe('a leaver reported by HR', () => {
  it('gets exactly the tasks the register calls for, with her removed as administrator', async () => {
    const outcome = await processLeaver(h.deps, rachel(), hrEvent(h));

    expect(summary(await tasksOf())).toEqual(EXPECTED_TASKS);
    expect(outcome.emailsSent).toBe(4);
    for (const t of await tasksOf()) expect(t).toMatchObject({ status: 'open', subjectName: 'Rachel Hughes', eventDate: '2027-01-29' });

    expect((await account('instagram:oakfield_pe')).status).toBe('transfer_pending');
    expect((await account('youtube:oakfieldmusic')).status).toBe('transfer_pending');
    for (const id of ['facebook:oakfieldacademy', 'x:oakfieldsport', 'tiktok:oakfieldsixthform']) {
      const a = await account(id);
      expect(a.status).toBe('active');
      expect(a.admins).not.toContain(LEAVER);
      expect(a.removedAdmins).toEqual([{ email: LEAVER, removedOn: '2026-12-02' }]);
    }
    // Only x:oakfieldsport is left short: one administrator. The others keep two or more and get no task.
    expect((await account('x:oakfieldsport')).admins).toEqual(['s.okafor@oakfield.sch.uk']);
    expect((await account('facebook:oakfieldacademy')).admins).toHaveLength(3);
    expect((await account('tiktok:oakfieldsixthform')).admins).toHaveLength(2);
    expect((await account('blog:oakfield-library')).status).toBe('active');
    // Accounts that have nothing to do with her are untouched.
    expect((await account('linkedin:oakfield-academy')).version).toBe(1);
  });

  it('sends each recipient one email listing every account that needs them, each with a link of their own, and one Account Flagged event per task', async () => {
    await processLeaver(h.deps, rachel(), hrEvent(h));
    const tasks = await tasksOf();

    // Six accounts in three roles: one email to the line manager, one to the school IT manager, never six.
    expect(h.mailer.sent.map((e) => e.to)).toEqual([[MANAGER], [OAK_IT]]);
    for (const email of h.mailer.sent) {
      const [recipient] = email.to;
      expect(email.subject).toBe('Action needed by Fri 29 Jan 2027: 4 accounts tied to Rachel Hughes, who is leaving');
      for (const part of [email.text, email.html]) {
        expect(part).toContain('Rachel Hughes');
        expect(part).toContain('29 January 2027');
        for (const handle of ['oakfield_pe', 'OakfieldMusic', 'OakfieldSport', 'oakfield-library']) expect(part).toContain(handle);
      }
      // Every account that needs them, each with its own link, made for this recipient and no one else.
      const links = linksIn(email.text);
      expect(links.map((l) => l.t).sort()).toEqual(tasks.map((t) => t.id).sort());
      for (const l of links) expect(l).toMatchObject({ r: recipient, g: 1 });
      // For information: the accounts where she was only removed as an administrator.
      expect(email.text).toContain('For information: nothing to decide');
      const info = email.text.slice(email.text.indexOf('For information'));
      expect(info).toContain('Facebook @OakfieldAcademy');
      expect(info).toContain('TikTok @oakfieldsixthform');
    }
    // Emails speak to their readers: no terminal commands for a line manager; the IT manager gets them.
    expect(h.mailer.sent[0]!.text).not.toContain('custodian ');
    expect(h.mailer.sent[1]!.text).toContain('custodian tasks resolve');

    expect(sorted(flagged().map((e) => e.detail.taskId as string))).toEqual(sorted(tasks.map((t) => t.id)));
    expect(flagged()[0]!.detail).toMatchObject({ subjectEmail: LEAVER, dueDate: '2027-01-29', assignees: expect.arrayContaining([MANAGER, OAK_IT]) });
    for (const t of tasks) expect(t.delivery.state).toBe('sent');
  });

  it('matches her address case-insensitively when the event comes through the HR event path', async () => {
    const event = HrEvent.parse({ detailType: 'Staff Leaver', detail: { email: 'R.Hughes@OAKFIELD.sch.uk', leaveDate: '2027-01-29', lineManagerEmail: 'D.Okafor@oakfield.sch.uk' } });
    await processHrEvent(h.deps, event, hrEvent(h));
    expect(summary(await tasksOf())).toEqual(EXPECTED_TASKS);
    for (const t of await tasksOf()) expect(sorted(t.assignees)).toEqual(sorted([MANAGER, OAK_IT]));
  });

  it('writes each change with its audit entry: who (system:hr), from which event, what changed', async () => {
    const event = hrEvent(h);
    await processLeaver(h.deps, rachel(), event);
    const source = `event:${event.id}`;

    const flaggedEntry = async (id: string) => (await h.store.auditFor('account', id)).find((e) => e.action === 'account.leaver_flagged');
    expect(await flaggedEntry('instagram:oakfield_pe')).toMatchObject({ by: 'system:hr', source, before: { status: 'active' }, after: { status: 'transfer_pending' } });
    const sport = (await flaggedEntry('x:oakfieldsport'))!;
    expect(sport).toMatchObject({ by: 'system:hr', source, after: { removedAdmins: [{ email: LEAVER, removedOn: '2026-12-02' }] } });
    expect(sport.before!.admins).toContain(LEAVER);
    expect(sport.after!.admins).not.toContain(LEAVER);
    for (const t of await tasksOf()) {
      const history = await h.store.auditFor('task', t.id);
      expect(history.find((e) => e.action === 'task.created')).toMatchObject({ by: 'system:hr', source });
      expect(history.map((e) => e.action)).toContain('task.notified');
    }
    const person = (await h.store.findPerson([LEAVER]))!;
    expect((await h.store.auditFor('person', person.key)).find((e) => e.action === 'person.created')).toMatchObject({ by: 'system:hr', source });
  });

  it('records the person as leaving (or left, once the date has passed)', async () => {
    await processLeaver(h.deps, rachel(), hrEvent(h));
    expect(await h.store.findPerson([LEAVER])).toMatchObject({ status: 'leaving', leaveDate: '2027-01-29', displayName: 'Rachel Hughes', lineManagerEmail: MANAGER });
    await processLeaver(h.deps, { email: 'm.clarke@oakfield.sch.uk', leaveDate: '2026-11-30' }, hrEvent(h));
    expect(await h.store.findPerson(['m.clarke@oakfield.sch.uk'])).toMatchObject({ status: 'left', leaveDate: '2026-11-30' });
  });
});

describe('who is asked', () => {
  const assigneesOf = async () => [...new Set((await tasksOf()).map((t) => sorted(t.assignees).join(',')))];

  it('the trust IT contact stands in when the line manager is unknown', async () => {
    await processLeaver(h.deps, rachel({ lineManagerEmail: undefined }), hrEvent(h));
    expect(await assigneesOf()).toEqual([sorted([OAK_IT, TRUST_IT]).join(',')]);
  });

  it('the trust IT contact stands in when the school has no IT manager', async () => {
    await h.store.commit([{ kind: 'school', action: 'school.updated', before: (await h.store.getSchool('oakfield'))!, after: { ...(await h.store.getSchool('oakfield'))!, itManagers: [] } }], { by: 'test', source: 'test' });
    await processLeaver(h.deps, rachel(), hrEvent(h));
    expect(await assigneesOf()).toEqual([sorted([MANAGER, TRUST_IT]).join(',')]);
  });

  it('the leaver is never an assignee, even as the school IT manager or named as her own line manager', async () => {
    const school = (await h.store.getSchool('oakfield'))!;
    await h.store.commit([{ kind: 'school', action: 'school.updated', before: school, after: { ...school, itManagers: [LEAVER, OAK_IT] } }], { by: 'test', source: 'test' });
    await processLeaver(h.deps, rachel({ lineManagerEmail: LEAVER }), hrEvent(h));
    expect(await assigneesOf()).toEqual([sorted([OAK_IT, TRUST_IT]).join(',')]);
    for (const email of h.mailer.sent) expect(email.to).not.toContain(LEAVER);
  });
});

describe('due dates', () => {
  const dueDates = async () => [...new Set((await tasksOf()).map((t) => t.dueDate))];

  it('are the leave date when it is a working day', async () => {
    await processLeaver(h.deps, rachel({ leaveDate: '2027-01-29' }), hrEvent(h)); // a Friday
    expect(await dueDates()).toEqual(['2027-01-29']);
  });

  it('are the working day before a leave date on a weekend', async () => {
    await processLeaver(h.deps, rachel({ leaveDate: '2027-01-31' }), hrEvent(h)); // a Sunday
    expect(await dueDates()).toEqual(['2027-01-29']);
  });

  it('are the working day before a leave date on a bank holiday (and the weekend and Christmas before it)', async () => {
    await processLeaver(h.deps, rachel({ leaveDate: '2026-12-28' }), hrEvent(h)); // Boxing Day's substitute, a Monday
    expect(await dueDates()).toEqual(['2026-12-24']);
  });

  it('are two working days from today after late notice', async () => {
    h.clock.set('2026-12-03T09:00:00Z'); // a Thursday
    await processLeaver(h.deps, rachel({ leaveDate: '2026-11-20' }), hrEvent(h));
    expect(await dueDates()).toEqual(['2026-12-07']); // Friday, then Monday
    expect(h.mailer.sent[0]!.subject).toMatch(/^Urgent/);
  });

  it('a newer report brings them forward, but never pushes them back', async () => {
    await processLeaver(h.deps, rachel({ leaveDate: '2027-01-29' }), hrEvent(h));
    await processLeaver(h.deps, rachel({ leaveDate: '2027-01-15' }), later(1));
    expect(await dueDates()).toEqual(['2027-01-15']);
    await processLeaver(h.deps, rachel({ leaveDate: '2027-03-31' }), later(1));
    expect(await dueDates()).toEqual(['2027-01-15']);
    expect(summary(await tasksOf())).toEqual(EXPECTED_TASKS);
    expect(h.mailer.sent).toHaveLength(2);
  });

  it('an older report arriving late does not move them', async () => {
    const first = hrEvent(h, '2026-12-02T08:00:00Z');
    await processLeaver(h.deps, rachel({ leaveDate: '2027-01-29' }), first);
    await processLeaver(h.deps, rachel({ leaveDate: '2027-01-08' }), hrEvent(h, '2026-12-01T08:00:00Z'));
    expect(await dueDates()).toEqual(['2027-01-29']);
  });
});

describe('the same leaver reported again', () => {
  it('the same event replayed creates nothing, changes nothing and sends nothing', async () => {
    const event = hrEvent(h);
    await processLeaver(h.deps, rachel(), event);
    const before = { tasks: (await tasksOf()).map((t) => `${t.id}:${t.version}`), audit: (await h.store.auditSince('2026-12-01')).length, events: h.publisher.events.length };
    h.clock.advance(60_000);
    for (let i = 0; i < 3; i++) {
      const outcome = await processLeaver(h.deps, rachel(), event);
      expect(outcome).toMatchObject({ plans: [], emailsSent: 0 });
    }
    expect((await tasksOf()).map((t) => `${t.id}:${t.version}`)).toEqual(before.tasks);
    expect((await h.store.auditSince('2026-12-01')).length).toBe(before.audit);
    expect(h.mailer.sent).toHaveLength(2);
    expect(h.publisher.events).toHaveLength(before.events);
  });

  it('HR and the directory reporting the same person make one set of tasks and one email per recipient', async () => {
    await processLeaver(h.deps, rachel(), hrEvent(h));
    h.clock.advance(3_600_000);
    await processLeaver(h.deps, rachel({ lineManagerEmail: undefined }), { id: 'directory:abc:disabled:', time: h.clock.now().toISOString(), origin: 'directory' });
    expect(summary(await tasksOf())).toEqual(EXPECTED_TASKS);
    expect(h.mailer.sent).toHaveLength(2);
    expect(flagged()).toHaveLength(4);
  });

  it('a report through one of her known aliases reaches every account tied to any of her addresses', async () => {
    const now = h.clock.now().toISOString();
    h.store.seed({ people: [{ key: 'dir:rachel', primaryEmail: LEAVER, addresses: [LEAVER, ALIAS], status: 'active', accountEnabled: true, createdAt: now, updatedAt: now, version: 1 }] });
    const ig = await account('instagram:oakfield_art');
    await h.store.commit([{ kind: 'account', action: 'account.updated', before: ig, after: { ...ig, admins: [ALIAS, 'm.clarke@oakfield.sch.uk'], version: ig.version + 1 } }], { by: 'test', source: 'test' });

    await processLeaver(h.deps, rachel({ email: ALIAS }), hrEvent(h));

    expect(summary([...await tasksOf(LEAVER), ...await tasksOf(ALIAS)])).toEqual(sorted([...EXPECTED_TASKS, 'replace_admin instagram:oakfield_art']));
    expect((await account('instagram:oakfield_art')).admins).toEqual(['m.clarke@oakfield.sch.uk']);
    for (const t of await tasksOf(LEAVER)) expect(t.assignees).not.toContain(ALIAS);
    expect((await h.store.listPeople()).map((p) => p.key)).toEqual(['dir:rachel']);
  });
});

describe('a leaver\'s +tag addresses', () => {
  it('are hers: an account registered to r.hughes+pe@ is flagged when r.hughes@ leaves, and cancelled with her', async () => {
    const ig = await account('instagram:oakfield_art');
    const tagged = 'r.hughes+art@oakfield.sch.uk';
    await h.store.commit([{ kind: 'account', action: 'account.updated', before: ig, after: { ...ig, linkedEmail: tagged, admins: ['r.hughes+admin@oakfield.sch.uk', 'm.clarke@oakfield.sch.uk', 's.ahmed@oakfield.sch.uk'], version: ig.version + 1 } }], { by: 'test', source: 'test' });

    await processLeaver(h.deps, rachel(), hrEvent(h));
    const art = (await tasksOf()).filter((t) => t.accountId === 'instagram:oakfield_art');
    expect(summary(art)).toEqual(['transfer_or_close instagram:oakfield_art']);
    expect(art[0]).toMatchObject({ subjectEmail: tagged, status: 'open' });
    expect((await account('instagram:oakfield_art')).admins).toEqual(['m.clarke@oakfield.sch.uk', 's.ahmed@oakfield.sch.uk']);
    // Found by her plain address, and by the tagged one.
    expect((await h.store.tasksForSubjects([tagged])).map((t) => t.id)).toContain(art[0]!.id);

    await processCancellation(h.deps, { email: LEAVER, reason: 'HR cancelled the leaver record' }, later(1));
    expect((await h.store.getTask(art[0]!.id))!.status).toBe('cancelled');
    expect((await account('instagram:oakfield_art')).admins).toContain('r.hughes+admin@oakfield.sch.uk');
  });

  it('never make her an assignee of her own leaving', async () => {
    const school = (await h.store.getSchool('oakfield'))!;
    await h.store.commit([{ kind: 'school', action: 'school.updated', before: school, after: { ...school, itManagers: ['r.hughes+it@oakfield.sch.uk', OAK_IT] } }], { by: 'test', source: 'test' });
    await processLeaver(h.deps, rachel({ lineManagerEmail: 'r.hughes+boss@oakfield.sch.uk' }), hrEvent(h));
    for (const t of await tasksOf()) expect(t.assignees.filter((a) => a.startsWith('r.hughes'))).toEqual([]);
  });
});

describe('a delivery that fails', () => {
  it('leaves the tasks pending and rethrows; a retry of the event sends each recipient their email once', async () => {
    h.mailer.failFor.add(OAK_IT);
    const event = hrEvent(h);
    await expect(processLeaver(h.deps, rachel(), event)).rejects.toThrow('Email address is not verified');
    expect(summary(await tasksOf())).toEqual(EXPECTED_TASKS);
    // The line manager's email went before the IT manager's failed: it is recorded, so it is not sent again.
    expect(h.mailer.sent.map((e) => e.to)).toEqual([[MANAGER]]);
    for (const t of await tasksOf()) expect(t.delivery).toMatchObject({ state: 'pending', sentTo: [MANAGER] });

    h.mailer.failFor.clear();
    h.clock.advance(60_000);
    expect((await processLeaver(h.deps, rachel(), event)).emailsSent).toBe(4);
    expect(h.mailer.sent.map((e) => e.to)).toEqual([[MANAGER], [OAK_IT]]);
    for (const t of await tasksOf()) expect(t.delivery.state).toBe('sent');

    expect((await processLeaver(h.deps, rachel(), event)).emailsSent).toBe(0);
    expect(h.mailer.sent).toHaveLength(2);
  });
});

describe('delivering her tasks\' news: claims and marks', () => {
  it('writes her tasks already claimed, so nothing is written to claim them, and marks them sent together', async () => {
    await processLeaver(h.deps, rachel(), hrEvent(h));
    const actions = h.store.commits.map((c) => c.applied.map((ch) => ('action' in ch ? ch.action : ch.kind)));
    expect(actions.flat()).not.toContain('task.delivery_claimed');
    // The last commit marks all four sent, each with its audit entry; before it, the person and the accounts.
    expect(actions.at(-1)).toEqual(['task.notified', 'task.notified', 'task.notified', 'task.notified']);
    expect(h.store.commits.at(-1)!.audit).toHaveLength(4);
    for (const t of await tasksOf()) {
      expect(t.delivery.state).toBe('sent');
      // The claim is a lock, not a change: the task's history is its creation and its email.
      expect((await h.store.auditFor('task', t.id)).map((e) => e.action).sort()).toEqual(['task.created', 'task.notified']);
    }
  });

  it('records her person change in her first account\'s commit: one commit per account, then one marking the news sent', async () => {
    const from = h.store.commits.length; // the register's import
    const outcome = await processLeaver(h.deps, rachel(), hrEvent(h));
    const commits = h.store.commits.slice(from);
    const actions = commits.map((c) => c.applied.map((ch) => ('action' in ch ? ch.action : ch.kind)));
    expect(actions).toHaveLength(outcome.plans.length + 1);
    expect(actions[0]![0]).toBe('person.created');
    expect(actions[0]!.length).toBeGreaterThan(1);
    expect(actions.flat().filter((a) => a.startsWith('person.'))).toEqual(['person.created']);
    // Every change still has its audit entry, written in the same commit.
    for (const c of commits) expect(c.audit).toHaveLength(c.applied.length);
    expect((await h.store.auditFor('person', (await h.store.findPerson([LEAVER]))!.key)).map((e) => e.action)).toEqual(['person.created']);

    // A replay writes nothing at all: no person, account or task change, no audit entry, no email.
    const before = { commits: h.store.commits.length, audit: (await h.store.auditSince('2026-12-01')).length, sent: h.mailer.sent.length };
    h.clock.advance(60_000);
    await processLeaver(h.deps, rachel(), hrEvent(h, '2026-12-02T09:00:00Z'));
    expect({ commits: h.store.commits.length, audit: (await h.store.auditSince('2026-12-01')).length, sent: h.mailer.sent.length }).toEqual(before);
  });

  it('a leaver tied to no account is recorded on her own', async () => {
    const from = h.store.commits.length;
    const outcome = await processLeaver(h.deps, rachel({ email: 'nobody@oakfield.sch.uk' }), hrEvent(h));
    expect(outcome).toMatchObject({ plans: [], emailsSent: 0 });
    // Her record, then (no task being open) its retention period: refreshPersonExpiry's own audited change.
    expect(h.store.commits.slice(from).map((c) => c.applied.map((ch) => ('action' in ch ? ch.action : ch.kind)))).toEqual([['person.created'], ['person.retention']]);
    expect((await h.store.findPerson(['nobody@oakfield.sch.uk']))?.status).toBe('leaving');
  });

  it('when her person change and her first account\'s are too much for one commit, each is committed on its own', async () => {
    const from = h.store.commits.length;
    const commit = h.store.commit.bind(h.store);
    let refused = 0;
    h.store.commit = async (changes, actor) => {
      if (changes.some((c) => c.kind === 'person') && changes.length > 1) {
        refused++;
        throw new CommitTooLargeError('too large');
      }
      return commit(changes, actor);
    };
    const outcome = await processLeaver(h.deps, rachel(), hrEvent(h));
    expect(refused).toBe(1);
    expect(outcome.emailsSent).toBe(4);
    expect(summary(await tasksOf())).toEqual(EXPECTED_TASKS);
    expect((await h.store.findPerson([LEAVER]))?.status).toBe('leaving');
    expect(h.store.commits[from]!.applied.map((ch) => ('action' in ch ? ch.action : ch.kind))).toEqual(['person.created']);
  });

  it('a failure after her tasks were written gives their claims back, so the retry of the event sends them at once', async () => {
    const commit = h.store.commit.bind(h.store);
    let commits = 0;
    // The third commit (her third account; the person rides in the first's) fails as a database outage would: the
    // first accounts' tasks are written, claimed.
    h.store.commit = async (changes, actor) => {
      if (++commits === 3) throw new Error('ProvisionedThroughputExceededException');
      return commit(changes, actor);
    };
    const event = hrEvent(h);
    await expect(processLeaver(h.deps, rachel(), event)).rejects.toThrow('ProvisionedThroughputExceededException');
    const written = await tasksOf();
    expect(written.length).toBeGreaterThan(0);
    for (const t of written) expect(t.delivery).toMatchObject({ state: 'pending' });
    expect(h.mailer.sent).toEqual([]);

    // Lambda's retry, a minute later (well inside a claim's lease): every task is written and emailed, once.
    h.clock.advance(60_000);
    expect((await processLeaver(h.deps, rachel(), event)).emailsSent).toBe(4);
    expect(summary(await tasksOf())).toEqual(EXPECTED_TASKS);
    for (const t of await tasksOf()) expect(t.delivery.state).toBe('sent');
    expect(h.mailer.sent.map((e) => e.to)).toEqual([[MANAGER], [OAK_IT]]);
  });

  it('a task changed while its email went is still marked sent, from its new version, and the others with it', async () => {
    const send = h.mailer.send.bind(h.mailer);
    let changed: string | undefined;
    h.mailer.send = async (email) => {
      const id = await send(email);
      if (!changed) {
        // Someone reassigns one of the tasks between the email and its mark.
        const t = (await tasksOf()).find((x) => x.type === 'replace_admin')!;
        await h.store.commit([taskChange(t, { ...t, assignees: [OAK_IT], version: t.version + 1 }, 'task.reassigned')], { by: OAK_IT, source: 'test' });
        changed = t.id;
      }
      return id;
    };
    expect((await processLeaver(h.deps, rachel(), hrEvent(h))).emailsSent).toBe(4);
    for (const t of await tasksOf()) {
      expect(t.delivery.state, t.type).toBe('sent');
      expect((await h.store.auditFor('task', t.id)).filter((e) => e.action === 'task.notified'), t.type).toHaveLength(1);
    }
    expect((await h.store.getTask(changed!))!.assignees).toEqual([OAK_IT]);
  });
});

describe('a cancelled leaver', () => {
  let leaverEvent: ReturnType<typeof hrEvent>;
  beforeEach(async () => {
    leaverEvent = hrEvent(h);
    await processLeaver(h.deps, rachel(), leaverEvent);
    h.mailer.sent.length = 0;
  });

  it('has her leaver tasks cancelled, is restored as administrator, and her accounts return to active', async () => {
    const cancel = later(2);
    const result = await processCancellation(h.deps, { email: LEAVER, reason: 'HR cancelled the leaver record' }, cancel);

    expect(result).toEqual({ cancelled: 4 });
    expect(await withStatus('open')).toEqual([]);
    for (const t of await withStatus('cancelled')) {
      expect(t.resolution).toMatchObject({ action: 'cancelled', reason: 'HR cancelled the leaver record', by: 'system:hr' });
    }
    for (const id of ['facebook:oakfieldacademy', 'x:oakfieldsport', 'tiktok:oakfieldsixthform']) {
      const a = await account(id);
      expect(a.admins).toContain(LEAVER);
      expect(a.removedAdmins).toBeUndefined();
    }
    for (const id of HER_ACCOUNTS) expect((await account(id)).status).toBe('active');
    expect(await h.store.findPerson([LEAVER])).toMatchObject({ status: 'active', cancelledAt: cancel.time });
    expect((await h.store.findPerson([LEAVER]))!.leaveDate).toBeUndefined();

    const audit = await h.store.auditFor('account', 'x:oakfieldsport');
    expect(audit.find((e) => e.action === 'account.leaver_cancelled')).toMatchObject({ by: 'system:hr', source: `event:${cancel.id}` });
    expect((await h.store.auditFor('person', (await h.store.findPerson([LEAVER]))!.key)).map((e) => e.action)).toContain('person.leaver_cancelled');
    for (const t of await tasksOf()) expect((await h.store.auditFor('task', t.id)).map((e) => e.action)).toContain('task.cancelled');
  });

  it('tells each task\'s assignees once, and a replayed cancellation tells nobody again', async () => {
    const cancel = later(2);
    await processCancellation(h.deps, { email: LEAVER, reason: 'HR cancelled the leaver record' }, cancel);
    expect(h.mailer.sent).toHaveLength(4);
    for (const email of h.mailer.sent) {
      expect(email.subject).toMatch(/^Cancelled, no action needed/);
      expect(sorted(email.to)).toEqual(sorted([MANAGER, OAK_IT]));
    }
    expect(await processCancellation(h.deps, { email: LEAVER, reason: 'HR cancelled the leaver record' }, cancel)).toEqual({ cancelled: 0 });
    expect(h.mailer.sent).toHaveLength(4);
  });

  it('found through HR\'s event path, with the address in any case', async () => {
    h.clock.advance(3_600_000);
    await processHrEvent(h.deps, HrEvent.parse({ detailType: 'Staff Leaver Cancelled', detail: { email: 'R.HUGHES@oakfield.sch.uk' } }), hrEvent(h));
    expect(await withStatus('open')).toEqual([]);
  });

  it('a cancellation older than the newest leaver report is skipped', async () => {
    const result = await processCancellation(h.deps, { email: LEAVER, reason: 'stale' }, hrEvent(h, '2026-12-01T09:00:00Z'));
    expect(result).toMatchObject({ skipped: expect.stringContaining('older than the newest leaver report'), cancelled: 0 });
    expect(await withStatus('open')).toHaveLength(4);
    expect((await account('instagram:oakfield_pe')).status).toBe('transfer_pending');
    expect((await account('x:oakfieldsport')).admins).not.toContain(LEAVER);
    expect(h.mailer.sent).toHaveLength(0);
  });

  it('a leaver report older than the cancellation, arriving late, revives nothing', async () => {
    await processCancellation(h.deps, { email: LEAVER, reason: 'HR cancelled the leaver record' }, later(2));
    h.mailer.sent.length = 0;
    const lateReport = hrEvent(h, '2026-12-02T10:00:00Z'); // after the first report, before the cancellation
    const outcome = await processLeaver(h.deps, rachel({ leaveDate: '2027-01-08' }), lateReport);
    expect(outcome.skipped).toContain('older than the cancellation');
    expect(await withStatus('open')).toEqual([]);
    expect((await account('x:oakfieldsport')).admins).toContain(LEAVER);
    expect(await h.store.findPerson([LEAVER])).toMatchObject({ status: 'active' });
    expect(h.mailer.sent).toHaveLength(0);
  });

  it('a newer leaver report after the cancellation reopens her tasks and tells the assignees again', async () => {
    await processCancellation(h.deps, { email: LEAVER, reason: 'HR cancelled the leaver record' }, later(2));
    h.mailer.sent.length = 0;
    await processLeaver(h.deps, rachel({ leaveDate: '2027-02-26' }), later(24));
    expect(summary(await withStatus('open'))).toEqual(EXPECTED_TASKS);
    for (const t of await withStatus('open')) expect(t).toMatchObject({ dueDate: '2027-02-26', delivery: { kind: 'created', state: 'sent' } });
    expect((await account('instagram:oakfield_pe')).status).toBe('transfer_pending');
    expect((await account('x:oakfieldsport')).admins).not.toContain(LEAVER);
    expect(h.mailer.sent).toHaveLength(2);
    // The reopened tasks are a new generation: links from before the cancellation no longer act on them.
    for (const l of linksIn(h.mailer.sent[0]!.text)) expect(l.g).toBe(2);
  });
});

describe('a cancellation of someone who had joined before', () => {
  it('cancels only the three leaver task types: their policy acknowledgement stays open', async () => {
    await processJoiner(h.deps, { email: LEAVER, startDate: '2026-12-07' }, hrEvent(h));
    const ack = (await tasksOf()).find((t) => t.type === 'acknowledge_policy')!;
    await processLeaver(h.deps, rachel(), later(1));
    expect((await tasksOf()).filter((t) => t.status === 'open')).toHaveLength(5);
    await processCancellation(h.deps, { email: LEAVER, reason: 'HR cancelled the leaver record' }, later(1));
    expect(summary(await withStatus('cancelled'))).toEqual(EXPECTED_TASKS);
    expect((await h.store.getTask(ack.id))!.status).toBe('open');
  });
});

describe('a cancellation tells only those who were told', () => {
  it('no cancellation email for a task whose first email never went, and only to those it reached', async () => {
    // The second email (the IT manager's) fails: the line manager was told about the four tasks, the IT manager never was.
    const real = h.mailer.send.bind(h.mailer);
    let calls = 0;
    h.mailer.send = async (email) => (++calls === 2 ? Promise.reject(new Error('SES is down')) : real(email));
    await expect(processLeaver(h.deps, rachel(), hrEvent(h))).rejects.toThrow('SES is down');
    for (const t of await tasksOf()) expect(t.delivery).toMatchObject({ state: 'pending', sentTo: [MANAGER] });
    h.mailer.sent.length = 0;

    await processCancellation(h.deps, { email: LEAVER, reason: 'HR cancelled the leaver record' }, later(1));
    expect(await withStatus('cancelled')).toHaveLength(4);
    expect(h.mailer.sent).toHaveLength(4);
    for (const email of h.mailer.sent) expect(email.to).toEqual([MANAGER]);
    for (const t of await tasksOf()) expect(t.delivery.state).toBe('sent');
  });

  it('no cancellation email at all when nobody was told', async () => {
    h.mailer.failFor.add(MANAGER);
    await expect(processLeaver(h.deps, rachel(), hrEvent(h))).rejects.toThrow();
    h.mailer.failFor.clear();
    h.mailer.sent.length = 0;
    await processCancellation(h.deps, { email: LEAVER, reason: 'HR cancelled the leaver record' }, later(1));
    expect(h.mailer.sent).toHaveLength(0);
    for (const t of await tasksOf()) expect(t.delivery.state).toBe('skipped');
  });
});

describe('a joiner', () => {
  const JOINER = 't.nowak@riverside.sch.uk';
  const joiner = { email: JOINER, startDate: '2027-01-04', displayName: 'Tomasz Nowak', school: 'riverside', lineManagerEmail: 's.bennett@riverside.sch.uk' };

  it('gets an acknowledge_policy task and one email, to them; a replay sends nothing more', async () => {
    const event = hrEvent(h);
    const { task, cancelled } = await processJoiner(h.deps, joiner, event);

    expect(cancelled).toBe(0);
    expect(task).toMatchObject({ type: 'acknowledge_policy', status: 'open', subjectEmail: JOINER, assignees: [JOINER], dueDate: '2027-01-11' });
    expect(h.mailer.sent).toHaveLength(1);
    expect(h.mailer.sent[0]!.to).toEqual([JOINER]);
    expect(h.mailer.sent[0]!.text).toContain('social media');
    expect(flagged()).toHaveLength(0);
    expect(await h.store.findPerson([JOINER])).toMatchObject({ status: 'active', startDate: '2027-01-04', school: 'riverside', displayName: 'Tomasz Nowak' });
    expect((await h.store.auditFor('task', task!.id)).find((e) => e.action === 'task.created')).toMatchObject({ by: 'system:hr', source: `event:${event.id}` });

    await processJoiner(h.deps, joiner, event);
    await processHrEvent(h.deps, HrEvent.parse({ detailType: 'Staff Joiner', detail: { ...joiner, email: 'T.Nowak@Riverside.sch.uk' } }), later(1));
    expect(await tasksOf(JOINER)).toHaveLength(1);
    expect(h.mailer.sent).toHaveLength(1);
  });

  it('a leaver who joins again has their leaver tasks cancelled and is asked to acknowledge the policy', async () => {
    await processLeaver(h.deps, rachel(), hrEvent(h));
    h.mailer.sent.length = 0;
    const result = await processJoiner(h.deps, { email: LEAVER, startDate: '2027-02-01', displayName: 'Rachel Hughes' }, later(24));

    expect(result.cancelled).toBe(4);
    expect(summary(await withStatus('cancelled'))).toEqual(EXPECTED_TASKS);
    expect((await withStatus('cancelled'))[0]!.resolution).toMatchObject({ action: 'cancelled', reason: 'Rachel Hughes has joined again' });
    expect((await withStatus('open')).map((t) => t.type)).toEqual(['acknowledge_policy']);
    expect((await account('x:oakfieldsport')).admins).toContain(LEAVER);
    expect((await account('instagram:oakfield_pe')).status).toBe('active');
    expect(await h.store.findPerson([LEAVER])).toMatchObject({ status: 'active', startDate: '2027-02-01' });
    // Four cancellation emails to the assignees, one policy email to her.
    expect(h.mailer.sent.filter((e) => e.subject.startsWith('Cancelled'))).toHaveLength(4);
    expect(h.mailer.sent.filter((e) => e.to.includes(LEAVER))).toHaveLength(1);
  });
});

describe('a joiner event replayed after the person was reported leaving', () => {
  it('changes nothing: they are still leaving, and their leaver tasks stay open', async () => {
    const joined = hrEvent(h, '2026-09-01T08:00:00Z');
    await processJoiner(h.deps, { email: LEAVER, startDate: '2026-09-01' }, joined);
    await processLeaver(h.deps, rachel(), hrEvent(h));
    // The joiner event again (a dead-letter redrive keeps its original time): older than the leaver report.
    const result = await processJoiner(h.deps, { email: LEAVER, startDate: '2026-09-01' }, joined);

    expect(result.cancelled).toBe(0);
    expect(summary(await withStatus('open'))).toEqual(sorted([...EXPECTED_TASKS, 'acknowledge_policy']));
    expect(await h.store.findPerson([LEAVER])).toMatchObject({ status: 'leaving', leaveDate: '2027-01-29' });
  });
});

describe('addresses gone from the directory', () => {
  it('accounts registered to them get a transfer_or_close task; administrator roles are left alone', async () => {
    const n = await processAddressesGone(h.deps, { addresses: [LEAVER], eventId: 'directory:abc:gone', eventTime: h.clock.now().toISOString() });
    expect(n).toBe(2);
    const tasks = await tasksOf();
    expect(summary(tasks)).toEqual(['transfer_or_close instagram:oakfield_pe', 'transfer_or_close youtube:oakfieldmusic']);
    expect(tasks[0]!.reason).toContain('no longer exists in the directory');
    expect(tasks[0]!.dueDate).toBe('2026-12-02');
    expect(sorted(tasks[0]!.assignees)).toEqual(sorted([OAK_IT, TRUST_IT]));
    expect((await account('instagram:oakfield_pe')).status).toBe('transfer_pending');
    expect((await account('x:oakfieldsport')).admins).toContain(LEAVER);
    // One email per task and recipient: an address that is gone is not a leaver, so its tasks are not grouped.
    expect(h.mailer.sent.map((e) => e.to.join()).sort()).toEqual(sorted([OAK_IT, OAK_IT, TRUST_IT, TRUST_IT]));
    expect((await h.store.auditFor('account', 'instagram:oakfield_pe')).find((e) => e.action === 'account.address_gone')).toMatchObject({ by: 'system:directory', source: 'event:directory:abc:gone', after: { status: 'transfer_pending' } });
  });
});

describe('personal data retention', () => {
  const expiry = (date: string) => Date.parse(`${date}T00:00:00Z`) / 1000 + 365 * 86_400;

  it('a leaver with no open task expires a year after leaving; one with open tasks does not yet', async () => {
    await processLeaver(h.deps, { email: 'p.sharma@hillcrest.sch.uk', leaveDate: '2027-03-31' }, hrEvent(h));
    expect((await h.store.findPerson(['p.sharma@hillcrest.sch.uk']))!.personalDataExpiresAt).toBe(expiry('2027-03-31'));
    await processLeaver(h.deps, rachel(), hrEvent(h));
    expect((await h.store.findPerson([LEAVER]))!.personalDataExpiresAt).toBeUndefined();
  });

  it('is set once her last task is closed, from today when she has already left', async () => {
    await processLeaver(h.deps, rachel({ leaveDate: '2026-11-27' }), hrEvent(h));
    for (const t of await tasksOf()) {
      await h.store.commit([taskChange(t, { ...t, status: 'done', version: t.version + 1 }, 'task.resolved')], { by: OAK_IT, source: 'test' });
      await refreshPersonExpiry(h.deps, LEAVER);
    }
    expect((await h.store.findPerson([LEAVER]))!.personalDataExpiresAt).toBe(expiry('2026-12-02'));
  });

  it('is cleared when she stays after all, or joins again', async () => {
    await processLeaver(h.deps, { email: 'p.sharma@hillcrest.sch.uk', leaveDate: '2027-03-31' }, hrEvent(h));
    await processCancellation(h.deps, { email: 'p.sharma@hillcrest.sch.uk', reason: 'stays' }, later(1));
    expect((await h.store.findPerson(['p.sharma@hillcrest.sch.uk']))!.personalDataExpiresAt).toBeUndefined();

    await processLeaver(h.deps, { email: 'o.bennett@hillcrest.sch.uk', leaveDate: '2026-11-30' }, later(1));
    for (const t of await tasksOf('o.bennett@hillcrest.sch.uk')) {
      await h.store.commit([taskChange(t, { ...t, status: 'done', version: t.version + 1 }, 'task.resolved')], { by: 'it@hillcrest.sch.uk', source: 'test' });
    }
    await refreshPersonExpiry(h.deps, 'o.bennett@hillcrest.sch.uk');
    expect((await h.store.findPerson(['o.bennett@hillcrest.sch.uk']))!.personalDataExpiresAt).toBe(expiry('2026-12-02'));
    await processJoiner(h.deps, { email: 'o.bennett@hillcrest.sch.uk', startDate: '2027-01-04' }, later(1));
    expect((await h.store.findPerson(['o.bennett@hillcrest.sch.uk']))!.personalDataExpiresAt).toBeUndefined();
  });
});
