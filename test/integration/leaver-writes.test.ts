/**
 * The benchmark's leaver scenario (bench/lib/scenario.ts: one leaver tied to 3 accounts) on DynamoDB Local: the write
 * units it consumes as DynamoDB Local reports them (issue 14: at most 62, from 124), the units DynamoDB would bill for the
 * items written (bench/lib/scenario.ts billedWrites: 101 before issue 14, 77 since), and a replay of the same event
 * writes nothing.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { billedWrites, seedScenario } from '../../bench/lib/scenario.ts';
import { DynamoStore } from '../../functions/adapters/dynamo-store.ts';
import { addWorkingDays } from '../../functions/domain/working-days.ts';
import type { Deps } from '../../functions/usecases/deps.ts';
import { processLeaver } from '../../functions/usecases/leavers.ts';
import { freshStore } from '../support/env.ts';

const DAY = '2026-03-11';
const AT = new Date(`${DAY}T09:00:00Z`);

describe('a leaver tied to 3 accounts, on DynamoDB', () => {
  it('writes at most 62 units as DynamoDB Local counts them and 77 as DynamoDB bills them, and its replay writes nothing', async () => {
    const base = await freshStore(() => AT);
    const client = (base as unknown as { client: DynamoDBDocumentClient }).client;
    const reg = await seedScenario(client, base.tableName, { accounts: 40, due: 5, leavers: 1, day: DAY });
    const sent: string[][] = [];
    const deps = (store: DynamoStore): Deps => ({
      store,
      mailer: { send: async (email) => { sent.push(email.to); return `m${sent.length}`; } },
      publisher: { publish: async () => undefined },
      clock: () => AT,
      config: {
        trustName: 'Bench Trust', trustItContact: 'it@trust.example.org', publicBaseUrl: 'https://custodian.example.org', linkExpiryDays: 30,
        escalateAfterWorkingDays: 3, personRetentionDays: 365, trustAdmins: [], linkSecret: async () => 'test-link-secret-0123456789abcdef',
      },
    });
    const input = { email: reg.leavers[0]!, leaveDate: addWorkingDays(DAY, 15), displayName: 'Bench Leaver', lineManagerEmail: 'line.manager@school01.sch.uk' };
    const meta = { id: 'bench-0', time: AT.toISOString(), origin: 'hr' as const };

    const billed = billedWrites(client);
    const first = new DynamoStore(base.tableName, billed.client, () => AT);
    const outcome = await processLeaver(deps(first), input, meta);
    expect(outcome.plans).toHaveLength(3);
    expect(outcome.emailsSent).toBe(3);
    expect(first.capacity.write).toBeLessThanOrEqual(62);
    expect(billed.units()).toBeLessThanOrEqual(77);

    const mails = sent.length;
    const replay = new DynamoStore(base.tableName, client, () => AT);
    expect(await processLeaver(deps(replay), input, meta)).toMatchObject({ plans: [], emailsSent: 0 });
    expect(replay.capacity.write).toBe(0);
    expect(sent).toHaveLength(mails);
  });
});
