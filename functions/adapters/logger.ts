/**
 * Structured JSON logs (Powertools). Personal data stays out: log ids, counts and reasons, never names or
 * addresses. test/integration/log-privacy.test.ts checks that for a whole leaver scenario.
 */
import { Logger } from '@aws-lambda-powertools/logger';

export const logger = new Logger({ serviceName: 'custodian' });
