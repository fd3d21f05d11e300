/** The Graph queue message contract (events/graph.ts): what graph-changes accepts, and the reason it gives otherwise. */
import { describe, expect, it } from 'vitest';
import { parseGraphQueueMessage } from '../../events/graph.ts';

describe('the Graph queue message', () => {
  it('accepts what the webhook enqueues: a change for a user, or a lifecycle event', () => {
    expect(parseGraphQueueMessage(JSON.stringify({ kind: 'change', userId: 'a1b2-c3', changeType: 'updated', subscriptionId: 's1' }))).toEqual({
      ok: true, message: { kind: 'change', userId: 'a1b2-c3', changeType: 'updated', subscriptionId: 's1' },
    });
    expect(parseGraphQueueMessage(JSON.stringify({ kind: 'lifecycle', lifecycleEvent: 'missed', subscriptionId: 's1' })).ok).toBe(true);
  });

  it('refuses anything else with a reason that does not repeat the body', () => {
    const notJson = parseGraphQueueMessage('{"kind": "change", "userId": "someone@school"');
    expect(notJson).toEqual({ ok: false, reason: 'body is not valid JSON' });
    const badUser = parseGraphQueueMessage(JSON.stringify({ kind: 'change', userId: '../users/x', changeType: 'updated', subscriptionId: 's1' }));
    expect(badUser.ok).toBe(false);
    expect(parseGraphQueueMessage(JSON.stringify({ kind: 'lifecycle', lifecycleEvent: 'whatever', subscriptionId: 's1' })).ok).toBe(false);
  });
});
