import { createHash } from 'node:crypto';
import { normaliseEmail } from '../../events/values.ts';

/**
 * The register's vocabulary. Pure types and normalisers: no AWS, no I/O, no clock reads.
 * Every other layer (CSV, store, CLI, emails) speaks in these terms.
 */

export const PLATFORMS = [
  'facebook', 'instagram', 'x', 'youtube', 'tiktok', 'linkedin', 'threads', 'bluesky',
  'snapchat', 'whatsapp', 'flickr', 'pinterest', 'blog', 'website', 'other',
] as const;
export type Platform = (typeof PLATFORMS)[number];

/** Names people type that mean a platform we know. */
const PLATFORM_ALIASES: Record<string, Platform> = { twitter: 'x' };

/**
 * `approved`: approved through the site creation approval form (contracts section 9) and waiting for the school's IT
 * managers to set it up; the sweep leaves it alone until then (no attestation, no review, no planned end).
 */
export const ACCOUNT_STATUSES = ['approved', 'active', 'transfer_pending', 'closure_pending', 'closed'] as const;
export type AccountStatus = (typeof ACCOUNT_STATUSES)[number];

export const MONITORING_FREQUENCIES = ['daily', 'weekly', 'fortnightly', 'monthly'] as const;
export type MonitoringFrequency = (typeof MONITORING_FREQUENCIES)[number];

export const TASK_TYPES = [
  'transfer_or_close', 'replace_admin', 'replace_supervisor', 'attest_account',
  'planned_end', 'policy_review', 'acknowledge_policy', 'approve_request', 'set_up_account',
] as const;
export type TaskType = (typeof TASK_TYPES)[number];

export const TASK_STATUSES = ['open', 'done', 'cancelled'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

/** A calendar date, `YYYY-MM-DD`. */
export type IsoDate = string;

/** A school holiday: `start` to `end`, both days included. */
export interface HolidayRange {
  start: IsoDate;
  end: IsoDate;
  /** What the school's calendar calls it ("October half term"), when it says. */
  name?: string;
}

export interface School {
  id: string;
  name: string;
  itManagers: string[];
  domains: string[];
  /** The headteacher's address (lower case, on one of `domains`): approves new accounts (contracts section 9). */
  headteacher?: string;
  /**
   * The school's holidays (`custodian schools holidays`), sorted, none overlapping or touching another: during them
   * an account is asked to attest at its holidayMonitoringFrequency (cadence.ts).
   */
  holidays?: HolidayRange[];
}

/** The fields a register row (CSV or CLI) supplies. */
export interface AccountFields {
  platform: Platform;
  handle: string;
  school: string;
  url?: string;
  linkedEmail: string;
  admins: string[];
  mainSupervisor: string;
  reserveSupervisor?: string;
  purpose?: string;
  audience?: string;
  publishedName?: string;
  monitoringFrequency: MonitoringFrequency;
  /** How often during the school's holidays; undefined means as in term time (`monitoringFrequency`). */
  holidayMonitoringFrequency?: MonitoringFrequency;
  plannedEndDate?: IsoDate;
  nextReviewDate?: IsoDate;
  lastActivityDate?: IsoDate;
}

export interface Account extends AccountFields {
  /** `platform:handle`, lower case, no leading `@`: stable across re-imports. */
  id: string;
  status: AccountStatus;
  closedOn?: IsoDate;
  /** Administrators taken off because they left; restored if the leaver is cancelled. */
  removedAdmins?: Array<{ email: string; removedOn: IsoDate }>;
  /** When the main supervisor last confirmed the account is in use and monitored. */
  lastAttestedOn?: IsoDate;
  /** Set by the sweep when neither attestation nor activity has been seen for twice the monitoring period. */
  neglectedSince?: IsoDate;
  /** The next date the sweep must look at this account (attestation, planned end, review date, admin check). */
  nextCheckOn?: IsoDate;
  /** How the account was approved, when it entered the register through the approval form (contracts section 9). */
  approval?: AccountApproval;
  createdAt: string;
  updatedAt: string;
  /** Optimistic-concurrency counter; every write checks and bumps it. */
  version: number;
}

/**
 * What the site creation approval form said beyond the register's own fields, kept with the account it created: the
 * request, who asked, when the last approval came, and the answers an IT manager or auditor will want to read again
 * (policy A.1.6 exit plan, A.1.8 how success is judged). Custodian's, like the status: an import never changes it.
 */
export interface AccountApproval {
  requestId: string;
  requestedBy: string;
  approvedOn: IsoDate;
  aims: string;
  whyNotExisting: string;
  content: string;
  responsible: string;
  exitPlan?: string;
  successMeasures: string;
  /** When the school's IT manager recorded it as set up, and who. */
  setUpOn?: IsoDate;
  setUpBy?: string;
}

export type PersonStatus = 'active' | 'leaving' | 'left';

/** A member of staff as Custodian knows them, from HR events and (when connected) the directory. */
export interface Person {
  /** Stable key: `dir:<directory object id>` when the directory knows them, else `hr:<first address seen>`. */
  key: string;
  primaryEmail: string;
  /** Every known address, lower case, the primary one included. */
  addresses: string[];
  displayName?: string;
  employeeId?: string;
  school?: string;
  /** From HR events. */
  lineManagerEmail?: string;
  /** From the directory's /manager. */
  directoryManagerEmail?: string;
  /** From the directory; undefined when the directory has not reported the person. */
  accountEnabled?: boolean;
  /** The directory's employeeLeaveDateTime (date part), and whether the directory has deleted the user. */
  directoryLeaveDate?: IsoDate;
  directoryDeleted?: boolean;
  status: PersonStatus;
  leaveDate?: IsoDate;
  startDate?: IsoDate;
  /** Time of the newest leaver report, and of the newest cancellation, to order late and duplicate events. */
  leaverReportedAt?: string;
  cancelledAt?: string;
  policyAcknowledgedAt?: string;
  /**
   * Unix seconds when this record (and its address items) expire through DynamoDB TTL: set a retention period
   * after a leaver leaves, once none of their tasks is open; cleared if they stay or return.
   */
  personalDataExpiresAt?: number;
  createdAt: string;
  updatedAt: string;
  version: number;
}

/** The key of a person known only from HR: a hash, so no address appears in keys or audit entries. */
export function hrPersonKey(email: string): string {
  return `hr:${createHash('sha256').update(normaliseEmail(email)).digest('hex').slice(0, 20)}`;
}

/**
 * When a person's record should expire: `retentionDays` after they left (or today, if later), once no task of
 * theirs is open; never while they are active.
 */
export function personalDataExpiry(person: Pick<Person, 'status' | 'leaveDate'>, openTasks: number, today: IsoDate, retentionDays: number): number | undefined {
  if (person.status === 'active' || openTasks > 0) return undefined;
  const from = person.leaveDate && person.leaveDate > today ? person.leaveDate : today;
  return Math.floor(Date.parse(`${from}T00:00:00Z`) / 1000) + retentionDays * 86_400;
}

/** A policy in the policy register (contracts section 5), reviewed at least annually. */
export interface Policy {
  id: string;
  title: string;
  owner: string;
  /** A school id, or undefined for a trust-wide policy. */
  school?: string;
  nextReviewDate: IsoDate;
  lastReviewedOn?: IsoDate;
  /** The next date the sweep must look at this policy (its review reminders). */
  nextCheckOn?: IsoDate;
  createdAt: string;
  updatedAt: string;
  version: number;
}

export type FindingCode = 'fewer_than_two_admins' | 'linked_email_off_domain' | 'unknown_school' | 'linked_email_not_in_directory' | 'neglected';

export interface Finding {
  code: FindingCode;
  message: string;
}

/** Who or what made a change, for the audit. */
export interface Actor {
  /** An email address for a person, or `system:<component>`. */
  by: string;
  /** Where the change came from: `csv:<file>`, `cli`, `event:<id>`, `email-action:<task>`, `sweep`, `directory`. */
  source: string;
}

export interface AuditEntry {
  id: string;
  at: string;
  by: string;
  source: string;
  action: string;
  entityType: 'account' | 'school' | 'task' | 'person' | 'policy' | 'account_request';
  entityId: string;
  /** Only the fields that changed, before and after. */
  before?: Record<string, unknown>;
  after?: Record<string, unknown>;
}

/** Addresses and dates are checked the same way in the event contracts, so the helpers live with them. */
export { isEmail, mailboxOf, normaliseEmail, parseDate } from '../../events/values.ts';

export function emailDomain(email: string): string {
  return normaliseEmail(email).split('@')[1] ?? '';
}

export function parsePlatform(value: string): Platform | undefined {
  const v = value.trim().toLowerCase();
  if ((PLATFORMS as readonly string[]).includes(v)) return v as Platform;
  return PLATFORM_ALIASES[v];
}

/** Handles are compared case-insensitively and without a leading `@`. The stored handle keeps the author's case. */
export function cleanHandle(handle: string): string {
  return handle.trim().replace(/^@+/, '').trim();
}

export function accountId(platform: Platform, handle: string): string {
  return `${platform}:${cleanHandle(handle).toLowerCase()}`;
}

/**
 * The register's own view of risk: accepted rows that a person should look at. `directory`, when the directory is
 * connected, says whether an address belongs to an enabled account there.
 */
export function findingsFor(account: AccountFields, school: School | undefined, directory?: (email: string) => boolean): Finding[] {
  const findings: Finding[] = [];
  if (account.admins.length < 2) {
    findings.push({
      code: 'fewer_than_two_admins',
      message: `has ${account.admins.length} administrator${account.admins.length === 1 ? '' : 's'}; policy asks for at least two`,
    });
  }
  if (!school) {
    findings.push({ code: 'unknown_school', message: `school "${account.school}" is not set up (custodian schools set)` });
  } else if (school.domains.length > 0 && !school.domains.includes(emailDomain(account.linkedEmail))) {
    findings.push({
      code: 'linked_email_off_domain',
      message: `linked email is not on ${school.name}'s domains (${school.domains.join(', ')})`,
    });
  }
  if (directory && !directory(normaliseEmail(account.linkedEmail))) {
    findings.push({
      code: 'linked_email_not_in_directory',
      message: 'linked email is not an enabled account in the directory (renamed, deleted or never existed)',
    });
  }
  return findings;
}
