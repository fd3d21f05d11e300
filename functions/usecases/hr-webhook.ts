/**
 * A signed HR webhook request (`POST /hr/events`), its signature verified and its event validated by the handler:
 * claimed once by its signature, then put on the bus as HR sent it, with the time HR signed it. The same signed
 * request delivered again (a retry after a lost response, or a captured request replayed within the signature's
 * five minutes) finds the claim already made: it is acknowledged and has no effect.
 */
import { SIGNATURE_TOLERANCE_SECONDS } from '../domain/signature.ts';
import type { Actor } from '../domain/model.ts';
import { logger } from '../adapters/logger.ts';
import { ConflictError, type Bus, type Store } from './ports.ts';

export interface SignedHrRequest {
  /** A hash of the verified signature (domain/signature.ts): one per signed request, never the body. */
  requestKey: string;
  /** When HR signed it (the signature's `t`, unix seconds): the bus event's time. */
  signedAt: number;
  source: string;
  detailType: string;
  detail: Record<string, unknown>;
}

export type SignedHrOutcome = { outcome: 'accepted'; eventId: string } | { outcome: 'duplicate' };

/**
 * How long a claim is kept: past the window in which the signature check accepts the request (five minutes either
 * side of `t`), after which the request is refused as stale anyway and DynamoDB's TTL removes the claim.
 */
export const REQUEST_CLAIM_SECONDS = 2 * SIGNATURE_TOLERANCE_SECONDS;

const ACTOR: Actor = { by: 'system:hr-webhook', source: 'webhook' };

export async function acceptSignedHrRequest(deps: { store: Store; bus: Bus; clock: () => Date }, request: SignedHrRequest): Promise<SignedHrOutcome> {
  const { requestKey: key } = request;
  try {
    await deps.store.commit([{ kind: 'request_seen', key, expiresAt: request.signedAt + REQUEST_CLAIM_SECONDS, at: deps.clock().toISOString() }], ACTOR);
  } catch (err) {
    if (err instanceof ConflictError) return { outcome: 'duplicate' };
    throw err;
  }
  try {
    const eventId = await deps.bus.put({
      source: request.source,
      detailType: request.detailType,
      detail: request.detail,
      time: new Date(request.signedAt * 1000).toISOString(),
    });
    return { outcome: 'accepted', eventId };
  } catch (err) {
    // Nothing reached the bus: give the claim back, so the sender's retry of this very request is accepted.
    await deps.store.commit([{ kind: 'request_released', key }], ACTOR).catch((releaseErr: unknown) => {
      logger.error('could not release the HR webhook request claim', { reason: releaseErr instanceof Error ? releaseErr.name : 'unknown' });
    });
    throw err;
  }
}
