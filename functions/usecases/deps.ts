/** What the use cases need from the outside world: ports only (functions/adapters/deps.ts builds them from a function's environment). */
import type { ApprovalStepName } from '../domain/approval-steps.ts';
import type { Mailer, Publisher, Store } from './ports.ts';

export interface AppConfig {
  trustName: string;
  trustItContact: string;
  publicBaseUrl: string;
  linkExpiryDays: number;
  escalateAfterWorkingDays: number;
  /** Days a leaver's personal data is kept once none of their tasks is open. */
  personRetentionDays: number;
  /**
   * Addresses (canonical, lower case) that are trust administrators in the web console, besides whoever carries the
   * Entra app role `Custodian.Admin` (contracts section 8). Empty unless set.
   */
  trustAdmins: string[];
  /**
   * The approval chain for new accounts (contracts section 9), in order; env `APPROVAL_STEPS`. Unset: line manager,
   * headteacher, trust approvers (usecases/requests.ts approvalStepsOf).
   */
  approvalSteps?: ApprovalStepName[];
  /** The trust's approvers (Director of IT, Director of Marketing), canonical addresses; env `TRUST_APPROVERS`. */
  trustApprovers?: string[];
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
