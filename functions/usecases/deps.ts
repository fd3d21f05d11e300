/** What the use cases need from the outside world, built once per Lambda container (or per CLI run). */
import { BusPublisher, type Publisher } from '../adapters/publisher.ts';
import { env, envInt } from '../adapters/env.ts';
import { SesMailer, type Mailer } from '../adapters/mailer.ts';
import { secretString } from '../adapters/secrets.ts';
import { Store } from '../adapters/store.ts';

export interface AppConfig {
  trustName: string;
  trustItContact: string;
  publicBaseUrl: string;
  linkExpiryDays: number;
  escalateAfterWorkingDays: number;
  /** Days a leaver's personal data is kept once none of their tasks is open. */
  personRetentionDays: number;
  /** The HMAC key for action links (fetched lazily: not every path signs or checks links). */
  linkSecret: () => Promise<string>;
}

export interface Deps {
  store: Store;
  mailer: Mailer;
  publisher: Publisher;
  clock: () => Date;
  config: AppConfig;
}

/** Dependencies from a function's environment (see infra/functions.ts for which function gets which variable). */
export function depsFromEnv(clock: () => Date = () => new Date()): Deps {
  return {
    store: new Store(env('TABLE_NAME'), undefined, clock),
    mailer: new SesMailer(env('SENDER_ADDRESS'), `${env('TRUST_NAME')} (Custodian)`),
    publisher: new BusPublisher(env('EVENT_BUS_NAME')),
    clock,
    config: {
      trustName: env('TRUST_NAME'),
      trustItContact: env('TRUST_IT_CONTACT'),
      publicBaseUrl: env('PUBLIC_BASE_URL').replace(/\/+$/, ''),
      linkExpiryDays: envInt('LINK_EXPIRY_DAYS'),
      escalateAfterWorkingDays: envInt('ESCALATE_AFTER_WORKING_DAYS'),
      personRetentionDays: envInt('PERSON_RETENTION_DAYS'),
      linkSecret: () => secretString(env('LINK_SECRET_ID')),
    },
  };
}
