/**
 * Contracts section 3 through the real local parts: the Graph directory emulator posts change notifications to
 * the local HTTP API, the webhook puts them on the bus, graph-changes applies them; the scheduled directory-sync keeps
 * the subscription and runs the delta query.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GRAPH_DETAIL_TYPE, GRAPH_SOURCE } from '../../events/graph.ts';
import { describeDeadLetter } from '../../functions/usecases/dead-letters.ts';
import type { Account } from '../../functions/domain/model.ts';
import { createAccount, inbox, putEvent, seedRegister, startTestStack, type TestStack } from '../support/stack.ts';

let stack: TestStack;
const sync = () => stack.runtime.invoke('directory-sync', {}) as Promise<{ outcome: string; subscription: string; entries: number; leavers: number }>;
/** Graph notifications the webhook has put on the bus so far. */
const graphEvents = () => stack.aws.recentEvents.filter((e) => e.source === GRAPH_SOURCE).length;
const taskSummary = async (email: string) => (await stack.store.tasksForSubjects([email])).map((t) => `${t.type} ${t.accountId} ${t.status}`).sort();

beforeAll(async () => {
  stack = await startTestStack();
  await seedRegister(stack.store);
}, 120_000);
afterAll(async () => stack?.stop());

describe('connecting the directory', () => {
  it('creates the /users subscription through the validation handshake and reads every user with the delta query', async () => {
    const result = await sync();
    expect(result).toMatchObject({ outcome: 'synchronised', subscription: 'created' });
    expect(result.entries).toBe(stack.graph.users().length);
    const [sub] = stack.graph.subscriptions();
    expect(sub).toMatchObject({ resource: '/users', changeType: 'updated,deleted', notificationUrl: `${stack.outputs.endpoints.http}/graph/notifications` });
    const minutes = (Date.parse(sub!.expirationDateTime) - Date.now()) / 60_000;
    expect(minutes).toBeGreaterThan(41_000);
    expect(minutes).toBeLessThanOrEqual(41_760);
    const rachel = await stack.store.findPerson(['rachel.hughes@oakfield.sch.uk']);
    expect(rachel).toMatchObject({ primaryEmail: 'r.hughes@oakfield.sch.uk', accountEnabled: true, displayName: 'Rachel Hughes' });
    expect(rachel!.addresses).toContain('rachel.hughes@oakfield.sch.uk');
    // A second run changes nothing and keeps the subscription.
    expect(await sync()).toMatchObject({ subscription: 'current', entries: 0, leavers: 0 });
  });

  it('answers the validation handshake with the token as text/plain', async () => {
    const res = await fetch(`${stack.outputs.endpoints.http}/graph/notifications?validationToken=${encodeURIComponent('Validation: Testing client application reachability for subscription Request-Id: 1')}`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await res.text()).toBe('Validation: Testing client application reachability for subscription Request-Id: 1');
  });
});

describe('a user disabled in the directory', () => {
  it('produces the same tasks and emails as the HR event would, through a change notification', async () => {
    await stack.graph.disableUser('r.hughes@oakfield.sch.uk');
    await stack.idle();
    expect(await taskSummary('r.hughes@oakfield.sch.uk')).toEqual([
      'replace_admin x:oakfieldsport open',
      'replace_supervisor blog:oakfield-library open',
      'transfer_or_close instagram:oakfield_pe open',
      'transfer_or_close youtube:oakfieldmusic open',
    ]);
    // One email per recipient, each listing the four accounts; the line manager comes from the directory's /manager.
    const emails = await inbox(stack);
    expect(emails.map((e) => e.destination.to.join()).sort()).toEqual(['d.okafor@oakfield.sch.uk', 'it@oakfield.sch.uk']);
    for (const e of emails) {
      expect(e.body.text).toContain('Rachel Hughes');
      expect(e.body.text).toContain('4 accounts tied to Rachel Hughes');
    }
  });

  it('the HR event arriving afterwards adds nothing', async () => {
    const before = await stack.store.tasksForSubjects(['r.hughes@oakfield.sch.uk']);
    await putEvent(stack, 'Staff Leaver', { email: 'R.Hughes@oakfield.sch.uk', leaveDate: '2027-01-29', lineManagerEmail: 'd.okafor@oakfield.sch.uk' });
    await stack.idle();
    const after = await stack.store.tasksForSubjects(['r.hughes@oakfield.sch.uk']);
    expect(after.map((t) => `${t.id} ${t.dueDate} ${t.status}`).sort()).toEqual(before.map((t) => `${t.id} ${t.dueDate} ${t.status}`).sort());
    expect(await inbox(stack)).toHaveLength(2);
  });
});

describe('with the webhook path dead', () => {
  it('the next delta sync still finds the leaver, through an alias that is the linked email of an account', async () => {
    stack.graph.setNotificationsEnabled(false);
    await stack.graph.disableUser('e.thompson@riverside.sch.uk');
    await stack.idle();
    // office@riverside.sch.uk is one of Emma Thompson's proxy addresses, and the linked email of two accounts.
    expect(await taskSummary('office@riverside.sch.uk')).toEqual([]);
    const result = await sync();
    expect(result.leavers).toBe(1);
    await stack.idle();
    expect(await taskSummary('office@riverside.sch.uk')).toEqual([
      'transfer_or_close bluesky:riversideprimary.bsky.social open',
      'transfer_or_close facebook:riversideprimary open',
    ]);
    const mails = (await inbox(stack)).filter((e) => e.body.text?.includes('RiversidePrimary'));
    expect(mails.map((m) => m.destination.to.join()).sort()).toEqual(['h.marsh@riverside.sch.uk', 'it@riverside.sch.uk']);
    stack.graph.setNotificationsEnabled(true);
  });

  it('an expired delta token leads to a full resync that adds no task and no email', async () => {
    const tasks = (await stack.store.listTasks()).length;
    const emails = (await inbox(stack)).length;
    stack.graph.expireDeltaTokens();
    const result = await sync();
    expect(result).toMatchObject({ outcome: 'synchronised', leavers: 0 });
    expect(result.entries).toBe(stack.graph.users().length);
    await stack.idle();
    expect((await stack.store.listTasks()).length).toBe(tasks);
    expect((await inbox(stack)).length).toBe(emails);
  });
});

describe('notifications that must change nothing', () => {
  afterAll(async () => {
    stack.graph.setNotificationsEnabled(true);
    await stack.graph.updateUser('l.oconnor@riverside.sch.uk', { accountEnabled: true });
    await stack.idle();
  });
  const post = (path: string, body: string, contentType = 'application/json') =>
    fetch(`${stack.outputs.endpoints.http}${path}`, { method: 'POST', headers: { 'content-type': contentType }, body });

  it('a notification with a wrong clientState is discarded', async () => {
    const user = stack.graph.users().find((u) => u.mail === 'l.oconnor@riverside.sch.uk')!;
    // Graph's own notification is held back; only the forged one below arrives.
    stack.graph.setNotificationsEnabled(false);
    await stack.graph.updateUser(user.id, { accountEnabled: false });
    const audit = (await stack.store.auditFor('person', `dir:${user.id}`)).length;
    const events = graphEvents();
    const body = JSON.stringify({ value: [{
      subscriptionId: stack.graph.subscriptions()[0]!.id, clientState: 'not-the-secret', changeType: 'updated',
      resource: `Users/${user.id}`, resourceData: { '@odata.type': '#Microsoft.Graph.User', '@odata.id': `Users/${user.id}`, id: user.id },
    }] });
    const res = await post('/graph/notifications', body);
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ accepted: 0, discarded: 1 });
    await stack.idle();
    expect(graphEvents()).toBe(events);
    expect((await stack.store.auditFor('person', `dir:${user.id}`)).length).toBe(audit);
    expect((await stack.store.getPerson(`dir:${user.id}`))!.accountEnabled).toBe(true);
  });

  it('junk, wrongly typed and oversized bodies get a 4xx', async () => {
    const events = graphEvents();
    expect((await post('/graph/notifications', 'not json')).status).toBe(400);
    expect((await post('/graph/notifications', JSON.stringify({ value: 'x' }))).status).toBe(400);
    expect((await post('/graph/notifications', JSON.stringify({ value: [{ changeType: 'updated' }] }))).status).toBe(400);
    expect((await post('/graph/notifications', '{"value":[]}', 'text/plain')).status).toBe(415);
    expect((await post('/graph/notifications', JSON.stringify({ value: [{ x: 'a'.repeat(1_100_000) }] }))).status).toBe(413);
    expect(graphEvents()).toBe(events);
  });
});

describe('subscription lifecycle', () => {
  it('reauthorizationRequired renews the subscription; subscriptionRemoved recreates it', async () => {
    const [sub] = stack.graph.subscriptions();
    const state = await stack.store.getDirectoryState();
    // Pretend it was made a while ago, so a renewal visibly moves the expiry.
    await fetch(`${stack.graph.url}/v1.0/subscriptions/${sub!.id}`, {
      method: 'PATCH', headers: { authorization: 'Bearer x', 'content-type': 'application/json' },
      body: JSON.stringify({ expirationDateTime: new Date(Date.now() + 86_400_000).toISOString() }),
    });
    expect(await stack.graph.triggerLifecycle(sub!.id, 'reauthorizationRequired')).toBe(true);
    await stack.idle();
    const renewed = stack.graph.subscriptions().find((s) => s.id === sub!.id)!;
    expect(Date.parse(renewed.expirationDateTime) - Date.now()).toBeGreaterThan(40_000 * 60_000);

    expect(await stack.graph.triggerLifecycle(sub!.id, 'subscriptionRemoved')).toBe(true);
    await stack.idle();
    const after = await stack.store.getDirectoryState();
    expect(after!.subscriptionId).not.toBe(state!.subscriptionId);
    expect(stack.graph.subscriptions().map((s) => s.id)).toContain(after!.subscriptionId);
  });
});

describe('addresses that are gone', () => {
  it('a renamed user: the account registered to the old address gets a transfer_or_close task', async () => {
    const now = new Date().toISOString();
    const account: Account = {
      id: 'instagram:hillcrest_comms', platform: 'instagram', handle: 'hillcrest_comms', school: 'hillcrest', linkedEmail: 'comms@hillcrest.sch.uk',
      admins: ['l.davies@hillcrest.sch.uk', 'f.macleod@hillcrest.sch.uk'], mainSupervisor: 'a.campbell@hillcrest.sch.uk', monitoringFrequency: 'weekly',
      status: 'active', createdAt: now, updatedAt: now, version: 1,
    };
    await createAccount(stack.store, account, { by: 'test', source: 'test' });
    await stack.graph.updateUser('l.davies@hillcrest.sch.uk', { proxyAddresses: ['SMTP:l.davies@hillcrest.sch.uk'] });
    await stack.idle();
    expect(await taskSummary('comms@hillcrest.sch.uk')).toEqual(['transfer_or_close instagram:hillcrest_comms open']);
    const [task] = await stack.store.tasksForSubjects(['comms@hillcrest.sch.uk']);
    expect(task!.reason).toContain('no longer exists in the directory');
    expect((await stack.store.getAccount('instagram:hillcrest_comms'))!.status).toBe('transfer_pending');
  });

  it('the register shows a finding for linked emails with no enabled account in the directory', async () => {
    const { listRegister } = await import('../../functions/usecases/register.ts');
    const entries = await listRegister(stack.store);
    const flagged = entries.filter((e) => e.findings.some((f) => f.code === 'linked_email_not_in_directory')).map((e) => e.linkedEmail);
    expect(flagged).toContain('gemmajones84@gmail.com');
    expect(flagged).toContain('r.hughes@oakfield.sch.uk'); // disabled
    expect(flagged).not.toContain('it@oakfield.sch.uk');
  });
});

describe('a notification that cannot be processed', () => {
  it('travels on the bus, is retried twice, then is kept in the dead-letter queue with the event to put back on the bus', async () => {
    const dlq = stack.queues.all().find((q) => q.spec.logicalId.startsWith('MessagingDeadLetter'))!;
    const before = dlq.messages.length;
    const logsBefore = stack.logs.length;
    // Only graph-webhook puts these (events/graph.ts); one it could never have built stands in for a failure.
    stack.aws.putEvents([{ EventBusName: stack.outputs.eventBusName, Source: GRAPH_SOURCE, DetailType: GRAPH_DETAIL_TYPE, Detail: JSON.stringify({ kind: 'change', userId: 'not/a/user' }) }]);
    await stack.idle();
    expect(stack.logs.slice(logsBefore).filter((l) => /^graph-changes: attempt \d failed/.test(l))).toHaveLength(3);
    const letters = dlq.messages.slice(before).map((m) => describeDeadLetter('events', m.MessageId, m.Body));
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({ replay: 'back on the bus', replayEvent: { source: GRAPH_SOURCE, detailType: GRAPH_DETAIL_TYPE } });
    expect(letters[0]!.origin).toContain('GraphChanges');
  });
});
