/**
 * The signed HR webhook's use case (README "HR webhook"; contracts section 2) on the in-memory store: each signed
 * request is accepted once, put on the bus with the time it was signed, and a second delivery has no effect.
 */
import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../functions/adapters/memory-store.ts';
import { signBody, verifySignature } from '../../functions/domain/signature.ts';
import { acceptSignedHrRequest, REQUEST_CLAIM_SECONDS, type SignedHrRequest } from '../../functions/usecases/hr-webhook.ts';
import type { Bus, BusEvent } from '../../functions/usecases/ports.ts';
import { TestClock } from './support.ts';

const SECRET = 'hr-webhook-secret-for-tests';
const SIGNED_AT = 1_796_202_000; // 2026-12-02T09:00:00Z

class FakeBus implements Bus {
  readonly events: BusEvent[] = [];
  refuse = false;
  async put(event: BusEvent): Promise<string> {
    if (this.refuse) throw new Error('the bus refused the event: ThrottlingException');
    this.events.push(event);
    return `event-${this.events.length}`;
  }
}

function signed(body: string, t = SIGNED_AT, header = signBody(SECRET, body, t)): SignedHrRequest {
  const check = verifySignature(SECRET, body, header, t + 10);
  if (!check.ok) throw new Error(check.reason);
  const parsed = JSON.parse(body) as { detailType: string; detail: Record<string, unknown> };
  return { requestKey: check.requestKey, signedAt: check.signedAt, source: 'hr', detailType: parsed.detailType, detail: parsed.detail };
}

function setup() {
  const clock = new TestClock('2026-12-02T09:00:10Z');
  const store = new MemoryStore(clock.now);
  const bus = new FakeBus();
  return { store, bus, deps: { store, bus, clock: clock.now } };
}

const BODY = JSON.stringify({ detailType: 'Staff Leaver', detail: { email: 'r.hughes@oakfield.sch.uk', leaveDate: '2027-01-29' } });

describe('a signed HR webhook request', () => {
  it('is put on the bus once, with the time it was signed; the same request again is a duplicate and puts nothing', async () => {
    const { bus, store, deps } = setup();
    expect(await acceptSignedHrRequest(deps, signed(BODY))).toEqual({ outcome: 'accepted', eventId: 'event-1' });
    expect(bus.events).toEqual([{ source: 'hr', detailType: 'Staff Leaver', detail: JSON.parse(BODY).detail, time: '2026-12-02T09:00:00.000Z' }]);

    // The captured request replayed, even with its header written differently.
    const mac = signBody(SECRET, BODY, SIGNED_AT).split('v1=')[1]!;
    expect(await acceptSignedHrRequest(deps, signed(BODY))).toEqual({ outcome: 'duplicate' });
    expect(await acceptSignedHrRequest(deps, signed(BODY, SIGNED_AT, `v1=${'0'.repeat(64)}, t=${SIGNED_AT}, v1=${mac.toUpperCase()}`))).toEqual({ outcome: 'duplicate' });
    expect(bus.events).toHaveLength(1);

    // The claim is kept past the signature's window, holds no body, and is not audited.
    const claim = store.commits.flatMap((c) => c.applied);
    expect(claim).toEqual([{ kind: 'request_seen', key: expect.stringMatching(/^[0-9a-f]{64}$/), expiresAt: SIGNED_AT + REQUEST_CLAIM_SECONDS, at: '2026-12-02T09:00:10.000Z' }]);
    expect(REQUEST_CLAIM_SECONDS).toBeGreaterThan(300);
    expect(JSON.stringify(claim)).not.toContain('hughes');
    expect(store.commits.flatMap((c) => c.audit)).toEqual([]);
  });

  it('the same event signed again (a new timestamp) is a new request: HR sending it again on purpose is not refused', async () => {
    const { bus, deps } = setup();
    await acceptSignedHrRequest(deps, signed(BODY));
    expect(await acceptSignedHrRequest(deps, signed(BODY, SIGNED_AT + 1))).toMatchObject({ outcome: 'accepted' });
    expect(bus.events.map((e) => e.time)).toEqual(['2026-12-02T09:00:00.000Z', '2026-12-02T09:00:01.000Z']);
  });

  it('refused by the bus: the claim is given back, so the sender\'s retry of the same request is accepted', async () => {
    const { bus, deps } = setup();
    bus.refuse = true;
    await expect(acceptSignedHrRequest(deps, signed(BODY))).rejects.toThrow(/refused/);
    expect(bus.events).toEqual([]);
    bus.refuse = false;
    expect(await acceptSignedHrRequest(deps, signed(BODY))).toEqual({ outcome: 'accepted', eventId: 'event-1' });
    expect(await acceptSignedHrRequest(deps, signed(BODY))).toEqual({ outcome: 'duplicate' });
    expect(bus.events).toHaveLength(1);
  });
});
