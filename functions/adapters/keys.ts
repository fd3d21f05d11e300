/**
 * The single-table key scheme, in one place. Every item carries `type`; listings go through the `byType` index,
 * lookups by address through `byEmail`, and the sweep through the sparse `due` index.
 */
import type { Account, AuditEntry, School } from '../domain/model.ts';

export const TABLE_INDEXES = { byEmail: 'byEmail', byType: 'byType', due: 'due' } as const;

export type LinkRole = 'linked' | 'admin' | 'main_supervisor' | 'reserve_supervisor';

export const keys = {
  school: (id: string) => ({ pk: `SCHOOL#${id}`, sk: 'SCHOOL' }),
  account: (id: string) => ({ pk: `ACCOUNT#${id}`, sk: 'ACCOUNT' }),
  link: (accountId: string, role: LinkRole, email: string) => ({ pk: `ACCOUNT#${accountId}`, sk: `LINK#${role}#${email}` }),
  auditPartition: (entityType: string, entityId: string) => `AUDIT#${entityType}#${entityId}`,
  auditDay: (day: string) => `AUDIT#${day}`,
  email: (email: string) => `EMAIL#${email}`,
};

export function schoolItem(s: School) {
  return { ...keys.school(s.id), type: 'school', gsi2pk: 'SCHOOLS', gsi2sk: s.id, ...s };
}

export function accountItem(a: Account) {
  return { ...keys.account(a.id), type: 'account', gsi2pk: 'ACCOUNTS', gsi2sk: `${a.school}#${a.id}`, ...a };
}

/** One small item per (account, role, address): the byEmail index turns "which accounts is this person tied to?" into a Query. */
export function accountLinks(a: Pick<Account, 'id' | 'linkedEmail' | 'admins' | 'mainSupervisor' | 'reserveSupervisor'>) {
  const pairs: Array<[LinkRole, string]> = [
    ['linked', a.linkedEmail],
    ...a.admins.map((e): [LinkRole, string] => ['admin', e]),
    ['main_supervisor', a.mainSupervisor],
    ...(a.reserveSupervisor ? [['reserve_supervisor', a.reserveSupervisor] as [LinkRole, string]] : []),
  ];
  return pairs.map(([role, email]) => ({
    ...keys.link(a.id, role, email),
    type: 'link',
    gsi1pk: keys.email(email),
    gsi1sk: `ACCOUNT#${a.id}#${role}`,
    accountId: a.id,
    role,
    email,
  }));
}

export function auditItem(e: AuditEntry) {
  return {
    pk: keys.auditPartition(e.entityType, e.entityId),
    sk: `${e.at}#${e.id}`,
    type: 'audit',
    gsi2pk: keys.auditDay(e.at.slice(0, 10)),
    gsi2sk: `${e.at}#${e.id}`,
    ...e,
  };
}

const ITEM_KEYS = new Set(['pk', 'sk', 'type', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'gsi3pk', 'gsi3sk', 'expiresAt']);

/** Strip the storage attributes, leaving the domain record. */
export function fromItem<T>(item: Record<string, unknown>): T {
  return Object.fromEntries(Object.entries(item).filter(([k]) => !ITEM_KEYS.has(k))) as T;
}
