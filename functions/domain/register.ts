/** Register rules: how an imported row becomes an account, and what a listing shows. Pure. */
import { accountId, findingsFor, type Account, type AccountFields, type Finding, type School } from './model.ts';

const FIELD_KEYS: Array<keyof AccountFields> = [
  'platform', 'handle', 'school', 'url', 'linkedEmail', 'admins', 'mainSupervisor', 'reserveSupervisor', 'purpose',
  'audience', 'publishedName', 'monitoringFrequency', 'holidayMonitoringFrequency', 'plannedEndDate', 'nextReviewDate',
  'lastActivityDate',
];

/** The register's own fields of an account, with absent optional fields left out. */
export function fieldsOf(a: AccountFields): AccountFields {
  const out: Record<string, unknown> = {};
  for (const k of FIELD_KEYS) if (a[k] !== undefined && a[k] !== '') out[k] = a[k];
  return out as unknown as AccountFields;
}

/**
 * The account a register row describes. The spreadsheet is the source of truth for the fields it holds
 * (an optional column left empty clears the field); the lifecycle status is Custodian's and is kept.
 */
export function applyRow(existing: Account | undefined, row: AccountFields, nowIso: string): Account {
  const fields = fieldsOf(row);
  if (!existing) {
    return { ...fields, id: accountId(row.platform, row.handle), status: 'active', createdAt: nowIso, updatedAt: nowIso, version: 1 };
  }
  // Custodian's own fields (the lifecycle, attestations, neglect, administrators removed as leavers) are never a row's to change.
  const keep = {
    id: existing.id,
    status: existing.status,
    ...(existing.closedOn ? { closedOn: existing.closedOn } : {}),
    ...(existing.removedAdmins ? { removedAdmins: existing.removedAdmins } : {}),
    ...(existing.lastAttestedOn ? { lastAttestedOn: existing.lastAttestedOn } : {}),
    ...(existing.neglectedSince ? { neglectedSince: existing.neglectedSince } : {}),
    ...(existing.approval ? { approval: existing.approval } : {}),
    createdAt: existing.createdAt,
  };
  return { ...fields, ...keep, updatedAt: nowIso, version: existing.version + 1 };
}

/** Field names that differ between two accounts' register fields. */
export function changedFields(before: AccountFields, after: AccountFields): string[] {
  const a = fieldsOf(before) as unknown as Record<string, unknown>;
  const b = fieldsOf(after) as unknown as Record<string, unknown>;
  return FIELD_KEYS.filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]));
}

export interface RegisterEntry extends Account {
  findings: Finding[];
}

export function withFindings(accounts: Account[], schools: School[], directory?: (email: string) => boolean): RegisterEntry[] {
  const byId = new Map(schools.map((s) => [s.id, s]));
  return accounts.map((a) => ({ ...a, findings: findingsFor(a, byId.get(a.school), directory) }));
}
