import { randomBytes } from 'node:crypto';

/** Time-ordered unique ids (ms timestamp + randomness), so audit entries sort by time within a partition. */
export function timeOrderedId(now: Date): string {
  return `${now.getTime().toString(36).padStart(9, '0')}${randomBytes(6).toString('hex')}`;
}
