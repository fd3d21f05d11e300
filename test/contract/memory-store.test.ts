/**
 * The Store contract (store-contract.ts) on the in-memory adapter: no database, no Java (part of `npm run test:fast`).
 * test/integration/dynamo-store.test.ts runs the same suite on DynamoDB Local.
 */
import { MemoryStore } from '../../functions/adapters/memory-store.ts';
import { describeStoreContract } from './store-contract.ts';

describeStoreContract('MemoryStore', async (clock) => new MemoryStore(clock));
