/**
 * Deployment settings, read from cdk.json context key `custodian` (overridable with `-c custodian.<key>=...`)
 * and validated at synth time. A bad setting stops the synth with a message naming it.
 */
import { z } from 'zod';
import { isEmail } from '../functions/domain/model.ts';

const email = z.string().refine(isEmail, { message: 'must be an email address' });

export const DeploymentSettings = z.object({
  /** Shown in every email and page. */
  trustName: z.string().min(2).max(120),
  /** The From address of every email; an SES identity is created for it. */
  senderAddress: email,
  /** Verify the whole domain (DKIM) instead of the single address. */
  senderDomain: z.string().regex(/^[a-z0-9.-]+\.[a-z]{2,}$/i, 'must be a domain name').optional(),
  /** EventBridge `source` values accepted as HR events. */
  hrSources: z.array(z.string().min(1).max(256)).min(1).default(['hr']),
  /**
   * EventBridge `source` values accepted for `Account Activity` events: the account-activity rule matches only these,
   * and the function dead-letters any other. Listed one by one, so that a recorded activity names who reported it.
   */
  activitySources: z.array(z.string().min(1).max(256).regex(/^[^,\s]+$/, 'must have no commas or spaces')).min(1).default(['activity']),
  /** Public https base URL for action links (a custom domain); defaults to the HTTP API's own URL. */
  publicBaseUrl: z.url({ protocol: /^https$/ }).optional(),
  /** Trust-level IT contact: assignee when a school's IT manager is unknown, and escalation target. */
  trustItContact: email,
  /** Where alarms are emailed (SNS subscription). */
  alarmEmail: email.optional(),
  linkExpiryDays: z.number().int().min(1).max(90).default(30),
  escalateAfterWorkingDays: z.number().int().min(1).max(30).default(3),
  /** Days after a person leaves (with no open task) before their personal fields expire. */
  personDataRetentionDays: z.number().int().min(30).max(3650).default(365),
  deletionProtection: z.boolean().default(true),
  /** RETAIN the table on stack deletion (the default) or DESTROY it (test stacks only). */
  retainData: z.boolean().default(true),
  /** HTTP API throttling on every route: steady-state requests per second, and the burst above it. */
  apiThrottleRateLimit: z.number().positive().max(10_000).default(20),
  apiThrottleBurstLimit: z.number().int().min(1).max(5_000).default(40),
  /** ARN of a customer-managed KMS key for the table; AWS-owned encryption when absent. */
  tableKmsKeyArn: z.string().regex(/^arn:aws[a-z-]*:kms:/, 'must be a KMS key ARN').optional(),
});
export type DeploymentSettings = z.infer<typeof DeploymentSettings>;

export class SettingsError extends Error {}

export function parseSettings(raw: unknown): DeploymentSettings {
  if (raw === undefined || raw === null || typeof raw !== 'object') {
    throw new SettingsError('cdk.json context "custodian" is missing: it must hold the deployment settings (see README, Configuration)');
  }
  const result = DeploymentSettings.safeParse(raw);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  custodian.${i.path.join('.')}: ${i.message}`);
    throw new SettingsError(`Invalid deployment settings in cdk.json context:\n${lines.join('\n')}`);
  }
  return result.data;
}
