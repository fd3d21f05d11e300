/** Users: fixture validation and the Graph view of a user. */
import { z } from 'zod';
import type { EmulatorUser } from './types.ts';

export const userSchema = z.object({
  id: z.string().min(1),
  displayName: z.string().min(1),
  givenName: z.string().optional(),
  surname: z.string().optional(),
  mail: z.string().nullable(),
  userPrincipalName: z.string().min(3),
  proxyAddresses: z.array(z.string()),
  accountEnabled: z.boolean(),
  employeeLeaveDateTime: z.string().nullable(),
  employeeId: z.string().nullable().optional(),
  jobTitle: z.string().nullable().optional(),
  department: z.string().nullable().optional(),
  managerId: z.string().nullable().optional(),
  // An app-role assignment in Entra, not a user property: graphView() below leaves it out on purpose.
  appRoles: z.array(z.string().min(1)).optional(),
});
export const patchSchema = userSchema.omit({ id: true }).partial().strict();

/** The properties a user resource has here; anything else in $select is a 400, as in Graph. */
const USER_PROPERTIES = [
  'id', 'displayName', 'givenName', 'surname', 'mail', 'userPrincipalName', 'proxyAddresses',
  'accountEnabled', 'employeeLeaveDateTime', 'employeeId', 'jobTitle', 'department', 'businessPhones',
  'mobilePhone', 'officeLocation', 'preferredLanguage',
] as const;
/**
 * What Graph returns for a user without $select. accountEnabled, proxyAddresses and
 * employeeLeaveDateTime are deliberately absent, so an adapter that forgets $select fails here too.
 */
const DEFAULT_PROPERTIES = [
  'businessPhones', 'displayName', 'givenName', 'jobTitle', 'mail', 'mobilePhone',
  'officeLocation', 'preferredLanguage', 'surname', 'userPrincipalName', 'id',
];
export const PROPERTY_BY_LOWER = new Map<string, string>(USER_PROPERTIES.map((p) => [p.toLowerCase(), p]));

export function graphView(u: EmulatorUser): Record<string, unknown> {
  return {
    id: u.id,
    displayName: u.displayName,
    givenName: u.givenName ?? null,
    surname: u.surname ?? null,
    mail: u.mail,
    userPrincipalName: u.userPrincipalName,
    proxyAddresses: [...u.proxyAddresses],
    accountEnabled: u.accountEnabled,
    employeeLeaveDateTime: u.employeeLeaveDateTime,
    employeeId: u.employeeId ?? null,
    jobTitle: u.jobTitle ?? null,
    department: u.department ?? null,
    businessPhones: [],
    mobilePhone: null,
    officeLocation: null,
    preferredLanguage: null,
  };
}

export function project(u: EmulatorUser, select: string[] | null, opts: { forceId?: boolean } = {}): Record<string, unknown> {
  const view = graphView(u);
  const out: Record<string, unknown> = {};
  for (const p of select ?? DEFAULT_PROPERTIES) {
    if (p === 'manager') {
      // Delta reports the manager link as an annotation, not a property (user: delta docs).
      if (u.managerId) out['manager@delta'] = [{ '@odata.type': '#microsoft.graph.user', id: u.managerId }];
    } else {
      out[p] = view[p];
    }
  }
  if (opts.forceId) out.id = u.id;
  return out;
}

export const clone = (u: EmulatorUser): EmulatorUser => structuredClone(u);

/** "SMTP:a@b" / "smtp:a@b" / "a@b" → "a@b", lower case. */
export const bareAddress = (s: string): string => s.replace(/^smtp:/i, '').trim().toLowerCase();
