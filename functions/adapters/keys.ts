/**
 * The single-table key scheme, in one place. Every item carries `entity`; listings go through the `byType` index,
 * lookups by address through `byEmail`, and the sweep through the sparse `due` index.
 */
import { accountLinks, dueOn, type LinkRole } from '../domain/changes.ts';
import { mailboxOf, type Account, type AuditEntry, type Person, type Policy, type School } from '../domain/model.ts';
import type { AccountRequest } from '../domain/requests.ts';
import type { Task } from '../domain/tasks.ts';

/**
 * Every audit entry's partition key starts with this, and nothing else's does: the functions' roles are denied
 * UpdateItem and DeleteItem on items whose partition key matches it (infra/stack.ts), so the audit is append-only.
 */
export const AUDIT_PREFIX = 'AUDIT#';

export const keys = {
  school: (id: string) => ({ pk: `SCHOOL#${id}`, sk: 'SCHOOL' }),
  account: (id: string) => ({ pk: `ACCOUNT#${id}`, sk: 'ACCOUNT' }),
  link: (accountId: string, role: LinkRole, email: string) => ({ pk: `ACCOUNT#${accountId}`, sk: `LINK#${role}#${email}` }),
  task: (id: string) => ({ pk: `TASK#${id}`, sk: 'TASK' }),
  person: (key: string) => ({ pk: `PERSON#${key}`, sk: 'PERSON' }),
  personAddress: (key: string, email: string) => ({ pk: `PERSON#${key}`, sk: `ADDR#${email}` }),
  usedToken: (nonce: string) => ({ pk: `TOKEN#${nonce}`, sk: 'TOKEN' }),
  subject: (email: string) => `SUBJECT#${email}`,
  directoryState: () => ({ pk: 'DIRECTORY', sk: 'STATE' }),
  policy: (id: string) => ({ pk: `POLICY#${id}`, sk: 'POLICY' }),
  digest: (school: string, week: string) => ({ pk: `DIGEST#${week}`, sk: `SCHOOL#${school}` }),
  /** A signed webhook request already accepted (by a hash of its signature), until its `expiresAt`. */
  request: (key: string) => ({ pk: `REQUEST#${key}`, sk: 'REQUEST' }),
  /** A request for a new official account (not to be confused with `request`, a signed webhook request seen). */
  accountRequest: (id: string) => ({ pk: `ACCOUNT_REQUEST#${id}`, sk: 'ACCOUNT_REQUEST' }),
  auditPartition: (entityType: string, entityId: string) => `${AUDIT_PREFIX}${entityType}#${entityId}`,
  auditDay: (day: string) => `AUDIT#${day}`,
  email: (email: string) => `EMAIL#${email}`,
};

export function schoolItem(s: School) {
  return { ...keys.school(s.id), entity: 'school', gsi2pk: 'SCHOOLS', gsi2sk: s.id, ...s };
}

/** The sparse `due` index: only items with a next action date are in it, so the sweep reads only what is due. */
export const DUE_PARTITION = 'DUE';
function due(date: string | undefined, kind: string, id: string) {
  return date ? { gsi3pk: DUE_PARTITION, gsi3sk: `${date}#${kind}#${id}` } : {};
}

export function accountItem(a: Account) {
  return { ...keys.account(a.id), entity: 'account', gsi2pk: 'ACCOUNTS', gsi2sk: `${a.school}#${a.id}`, ...due(dueOn('account', a), 'account', a.id), ...a };
}

export function policyItem(p: Policy) {
  return { ...keys.policy(p.id), entity: 'policy', gsi2pk: 'POLICIES', gsi2sk: p.id, ...due(dueOn('policy', p), 'policy', p.id), ...p };
}

/** One small item per (account, role, address): the byEmail index turns "which accounts is this person tied to?" into a Query. */
export function accountLinkItems(a: Account) {
  return accountLinks(a).map((link) => ({
    ...keys.link(a.id, link.role, link.email),
    entity: 'link',
    // By mailbox, so a leaver's `+tag` variants are found by their plain address (and the other way round).
    gsi1pk: keys.email(mailboxOf(link.email)),
    gsi1sk: `ACCOUNT#${a.id}#${link.role}`,
    ...link,
  }));
}

export function taskItem(t: Task) {
  return {
    ...keys.task(t.id),
    entity: 'task',
    gsi1pk: keys.subject(mailboxOf(t.subjectEmail)),
    gsi1sk: `TASK#${t.id}`,
    gsi2pk: `TASKS#${t.status}`,
    gsi2sk: `${t.dueDate}#${t.id}`,
    ...due(dueOn('task', t), 'task', t.id),
    ...t,
  };
}

/** All requests under one byType partition (by id, so oldest first); the requester's under their address in byEmail. */
export const REQUESTS_PARTITION = 'ACCOUNT_REQUESTS';
export const REQUEST_EMAIL_PREFIX = 'ACCOUNT_REQUEST#';
export function requestItem(r: AccountRequest) {
  return {
    ...keys.accountRequest(r.id),
    entity: 'account_request',
    gsi1pk: keys.email(mailboxOf(r.requester)),
    gsi1sk: `${REQUEST_EMAIL_PREFIX}${r.id}`,
    gsi2pk: REQUESTS_PARTITION,
    gsi2sk: r.id,
    ...r,
  };
}

export function personItem(p: Person) {
  return { ...keys.person(p.key), entity: 'person', gsi2pk: 'PEOPLE', gsi2sk: p.key, ...p, ...(p.personalDataExpiresAt ? { expiresAt: p.personalDataExpiresAt } : {}) };
}

/** One item per address, so "who is this address?" is a Query on byEmail. */
export function personAddresses(p: Pick<Person, 'key' | 'addresses' | 'personalDataExpiresAt'>) {
  return p.addresses.map((email) => ({
    ...keys.personAddress(p.key, email),
    entity: 'address',
    gsi1pk: keys.email(email),
    gsi1sk: `PERSON#${p.key}`,
    personKey: p.key,
    email,
    ...(p.personalDataExpiresAt ? { expiresAt: p.personalDataExpiresAt } : {}),
  }));
}

export function auditItem(e: AuditEntry) {
  return {
    pk: keys.auditPartition(e.entityType, e.entityId),
    sk: `${e.at}#${e.id}`,
    entity: 'audit',
    gsi2pk: keys.auditDay(e.at.slice(0, 10)),
    gsi2sk: `${e.at}#${e.id}`,
    ...e,
  };
}

const ITEM_KEYS = new Set(['pk', 'sk', 'entity', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'gsi3pk', 'gsi3sk', 'expiresAt']);

/** Strip the storage attributes, leaving the domain record. */
export function fromItem<T>(item: Record<string, unknown>): T {
  return Object.fromEntries(Object.entries(item).filter(([k]) => !ITEM_KEYS.has(k))) as T;
}
