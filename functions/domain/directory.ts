/**
 * The directory's view of a person (Microsoft Graph `user`), and what a change to it means. Pure.
 */
import { normaliseEmail, type IsoDate } from './model.ts';

/** The user fields Custodian selects from Graph. */
export const GRAPH_USER_FIELDS = [
  'id', 'displayName', 'mail', 'userPrincipalName', 'proxyAddresses', 'accountEnabled', 'employeeLeaveDateTime', 'employeeId', 'jobTitle',
] as const;

export interface DirectoryUser {
  id: string;
  displayName?: string | null;
  mail?: string | null;
  userPrincipalName?: string | null;
  proxyAddresses?: string[] | null;
  accountEnabled?: boolean | null;
  employeeLeaveDateTime?: string | null;
  employeeId?: string | null;
  jobTitle?: string | null;
}

/** A delta entry: a changed user, or one removed (`@removed`, soft-deleted or gone). */
export type DeltaEntry = { kind: 'user'; user: DirectoryUser } | { kind: 'removed'; id: string; reason: string };

/** mail, userPrincipalName and each `smtp:`/`SMTP:` proxy address, lower case, primary first. */
export function addressesOf(user: DirectoryUser): string[] {
  const proxies = (user.proxyAddresses ?? [])
    .filter((p) => /^smtp:/i.test(p))
    .sort((a, b) => Number(b.startsWith('SMTP:')) - Number(a.startsWith('SMTP:')))
    .map((p) => p.slice(5));
  const all = [user.mail, ...proxies, user.userPrincipalName].filter((a): a is string => !!a && a.includes('@')).map(normaliseEmail);
  return [...new Set(all)];
}

export function leaveDateOf(user: DirectoryUser): IsoDate | undefined {
  return user.employeeLeaveDateTime ? user.employeeLeaveDateTime.slice(0, 10) : undefined;
}

/** A user is a leaver when their account is disabled or a leave date is set. (Deletion is reported separately.) */
export function isLeaver(user: DirectoryUser): boolean {
  return user.accountEnabled === false || !!user.employeeLeaveDateTime;
}
