/**
 * The Store contract (test/contract/store-contract.ts) on DynamoDB Local, each test on a fresh table; and what only
 * DynamoDB has: a limit on what one transaction holds.
 */
import { TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoStore } from '../../functions/adapters/dynamo-store.ts';
import type { Change } from '../../functions/domain/changes.ts';
import { CommitTooLargeError } from '../../functions/usecases/ports.ts';
import { account, Clock, describeStoreContract, task } from '../contract/store-contract.ts';
import { freshStore } from '../support/env.ts';

describeStoreContract('DynamoStore', (clock) => freshStore(clock));

describe('DynamoStore: a commit too large for one transaction', () => {
  const actor = { by: 'it@oakfield.sch.uk', source: 'test' };
  let store: DynamoStore;
  beforeEach(async () => {
    store = await freshStore(new Clock().now);
  });

  /** Each new task is two items of the transaction: the record and its audit entry. */
  const newTasks = (n: number): Change[] => Array.from({ length: n }, (_, i) => ({ kind: 'task', action: 'task.created', after: task(`t${String(i).padStart(3, '0')}`, { nextActionOn: '2026-12-05' }) }));

  it('is refused with CommitTooLargeError, and nothing of it is written', async () => {
    const changes = [...newTasks(48), { kind: 'account', action: 'account.created', after: account('x:oak') } as Change];
    // 48 × 2 + the account, its four links and its audit entry = 102 items.
    await expect(store.commit(changes, actor)).rejects.toBeInstanceOf(CommitTooLargeError);
    expect(await store.listTasks()).toEqual([]);
    expect(await store.getAccount('x:oak')).toBeUndefined();
    expect(await store.linksForEmails(['office@oakfield.sch.uk'])).toEqual([]);
    expect(await store.dueOnOrBefore('2099-12-31')).toEqual([]);
    expect(await store.auditSince('2026-12-01')).toEqual([]);
    expect(store.capacity.write).toBe(0);
  });

  it('holds exactly a hundred items', async () => {
    await store.commit(newTasks(50), actor);
    expect(await store.listTasks()).toHaveLength(50);
    expect(await store.auditSince('2026-12-01')).toHaveLength(50);
    // Changes that write nothing new take no room.
    const unchanged = (await store.listTasks()).map((t): Change => ({ kind: 'task', action: 'task.updated', before: t, after: t }));
    const fresh: Change = { kind: 'task', action: 'task.created', after: task('t999') };
    expect((await store.commit([...unchanged, fresh], actor)).applied).toEqual([fresh]);
  });
});

describe('DynamoStore: an audit entry is only ever created', () => {
  it('its put is conditional on no item with its key, so the same put again cannot overwrite it', async () => {
    const clock = new Clock();
    const base = await freshStore(clock.now);
    const client = (base as unknown as { client: DynamoDBDocumentClient }).client;
    const sent: TransactWriteCommand[] = [];
    const watching = { send: (command: unknown) => { if (command instanceof TransactWriteCommand) sent.push(command); return client.send(command as TransactWriteCommand); } };
    const store = new DynamoStore(base.tableName, watching as unknown as DynamoDBDocumentClient, clock.now);
    const actor = { by: 'it@oakfield.sch.uk', source: 'test' };
    await store.commit([{ kind: 'account', action: 'account.created', after: account('x:oak') }], actor);

    const puts = sent.flatMap((c) => c.input.TransactItems ?? []).flatMap((i) => (i.Put?.Item?.entity === 'audit' ? [i.Put] : []));
    expect(puts).toHaveLength(1);
    expect(puts[0]!.ConditionExpression).toBe('attribute_not_exists(pk)');
    // Someone with the table's PutItem tries to rewrite history: refused, and the entry stands.
    const rewrite = { Put: { ...puts[0]!, Item: { ...puts[0]!.Item, by: 'someone.else@oakfield.sch.uk' } } };
    await expect(client.send(new TransactWriteCommand({ TransactItems: [rewrite] }))).rejects.toMatchObject({ name: 'TransactionCanceledException' });
    expect((await store.auditFor('account', 'x:oak')).map((e) => e.by)).toEqual([actor.by]);
  });
});
