/**
 * Dependencies for a dry run: the real use case, against a store that keeps its changes (DryRunStore) and a mailer
 * and publisher that keep what they would send. Nothing is written, sent or published; links are signed with a
 * throwaway key, since no email carrying them goes anywhere.
 */
import type { Deps } from '../usecases/deps.ts';
import { DryRunStore } from './dry-run-store.ts';
import { RecordingMailer, RecordingPublisher } from './recording.ts';

export interface DryRunDeps extends Deps {
  store: DryRunStore;
  mailer: RecordingMailer;
  publisher: RecordingPublisher;
}

export function dryRunDeps(real: Deps): DryRunDeps {
  return {
    store: new DryRunStore(real.store, real.clock),
    mailer: new RecordingMailer(),
    publisher: new RecordingPublisher(),
    clock: real.clock,
    config: { ...real.config, linkSecret: async () => 'dry-run: no link leaves this process' },
  };
}
