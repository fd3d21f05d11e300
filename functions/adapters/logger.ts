/**
 * Structured JSON logs (Powertools). Personal data stays out: log ids, counts and reasons, never names or
 * addresses. An error's message is logged only through `safeError`, which takes out anything that looks like an
 * email address (an SES rejection lists its recipients). test/integration/log-privacy.test.ts checks that for a
 * whole leaver scenario, an SES rejection included.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { redactAddresses, safeErrorMessage } from '../domain/redact.ts';

export const logger = new Logger({ serviceName: 'custodian' });

/** The message of a caught error, fit to log: every email address in it replaced with `<address>`. */
export function safeError(err: unknown): string {
  return safeErrorMessage(err);
}

export { redactAddresses };
