/** The use cases' dependencies from a function's environment (see infra/functions.ts for which function gets which variable). */
import type { Deps } from '../usecases/deps.ts';
import { DynamoStore } from './dynamo-store.ts';
import { approvalSettingsFromEnv, env, envEmails, envInt } from './env.ts';
import { SesMailer } from './mailer.ts';
import { BusPublisher } from './publisher.ts';
import { secretString } from './secrets.ts';

/** Built once per Lambda container (or per CLI run). */
export function depsFromEnv(clock: () => Date = () => new Date()): Deps {
  return {
    store: new DynamoStore(env('TABLE_NAME'), undefined, clock),
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
      trustAdmins: envEmails('TRUST_ADMINS'),
      ...approvalSettingsFromEnv(),
      linkSecret: () => secretString(env('LINK_SECRET_ID')),
    },
  };
}
