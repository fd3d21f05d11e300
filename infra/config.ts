/**
 * Deployment settings, read from cdk.json context key `custodian` (overridable with `-c custodian.<key>=...`)
 * and validated at synth time. A bad setting stops the synth with a message naming it.
 */
import { z } from 'zod';
import { APPROVAL_STEPS } from '../functions/domain/approval-steps.ts';
import { isEmail } from '../functions/domain/model.ts';

const email = z.string().refine(isEmail, { message: 'must be an email address' });
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

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
  /**
   * The web console's sign-in (contracts section 8): the trust's Microsoft Entra tenant (directory) id. Its ID tokens
   * must carry this `tid`; the issuer is `https://login.microsoftonline.com/<tenantId>/v2.0` unless `oidcIssuer` says otherwise.
   */
  tenantId: z.string().regex(GUID, 'must be a directory (tenant) id, a GUID').optional(),
  /** The Entra app registration's Application (client) id; its client secret goes into the console secret. */
  clientId: z.string().min(1).max(200).regex(/^[\x21-\x7e]+$/, 'must be printable with no spaces').optional(),
  /** Another OpenID Connect issuer for the console (an https URL); the local stack uses its own provider. */
  oidcIssuer: z.url({ protocol: /^https$/ }).optional(),
  /** Trust administrators: see and change everything in the console, as the `Custodian.Admin` app role does. */
  trustAdmins: z.array(email).default([]),
  /**
   * The approval chain for new official accounts (contracts section 9), in order: the requester's line manager, the
   * school's headteacher, the trust's approvers. Each step at most once.
   */
  approvalSteps: z.array(z.enum(APPROVAL_STEPS)).min(1).default([...APPROVAL_STEPS])
    .refine((steps) => new Set(steps).size === steps.length, { message: 'names a step more than once' }),
  /** The trust's approvers of new accounts (the Director of IT or of Marketing): any one of them decides that step. */
  trustApprovers: z.array(email).default([]),
  /** ARN of a customer-managed KMS key for the table; AWS-owned encryption when absent. */
  tableKmsKeyArn: z.string().regex(/^arn:aws[a-z-]*:kms:/, 'must be a KMS key ARN').optional(),
}).superRefine((s, ctx) => {
  // The console signs in with both or neither: an issuer (tenantId or oidcIssuer) and the app's client id.
  if ((s.tenantId || s.oidcIssuer) && !s.clientId) ctx.addIssue({ code: 'custom', path: ['clientId'], message: 'is required when tenantId or oidcIssuer is set (the Entra app registration\'s Application (client) id)' });
  if (s.clientId && !s.tenantId && !s.oidcIssuer) ctx.addIssue({ code: 'custom', path: ['tenantId'], message: 'is required when clientId is set (the trust\'s Entra directory (tenant) id)' });
  if (s.approvalSteps.includes('trust_approvers') && s.trustApprovers.length === 0) {
    ctx.addIssue({ code: 'custom', path: ['trustApprovers'], message: 'is required when approvalSteps includes trust_approvers (the Director of IT or of Marketing who approves new accounts), or leave trust_approvers out of approvalSteps' });
  }
});
export type DeploymentSettings = z.infer<typeof DeploymentSettings>;

/** The console's OpenID Connect issuer: the setting, else Entra ID's for the tenant, else none (sign-in not configured). */
export function consoleIssuer(settings: Pick<DeploymentSettings, 'oidcIssuer' | 'tenantId'>): string | undefined {
  if (settings.oidcIssuer) return settings.oidcIssuer.replace(/\/+$/, '');
  return settings.tenantId ? `https://login.microsoftonline.com/${settings.tenantId.toLowerCase()}/v2.0` : undefined;
}

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
