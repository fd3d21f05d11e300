/**
 * What Custodian knows of a member of staff, for the new-account workflow: whether an address is active staff (as
 * resolve.ts `refuseNewOwner` decides for a transfer), and whose it is, so two aliases of one person count once.
 */
import { mailboxOf, normaliseEmail, type Person } from '../domain/model.ts';
import type { StaffStanding } from '../domain/request-forms.ts';
import type { Deps } from './deps.ts';

export function standingOf(person: Person | undefined): StaffStanding {
  if (!person) return 'unknown';
  if (person.accountEnabled === false) return 'disabled';
  return person.status;
}

export async function personFor(deps: Deps, email: string): Promise<Person | undefined> {
  const e = normaliseEmail(email);
  return deps.store.findPerson([...new Set([e, mailboxOf(e)])]);
}

export interface StaffLookup {
  standing: (email: string) => StaffStanding;
  personOf: (email: string) => string;
  directoryConnected: boolean;
}

/** Looks up every address once, so the pure rules (domain/request-forms.ts) can ask about them synchronously. */
export async function lookUpStaff(deps: Deps, emails: string[]): Promise<StaffLookup> {
  const found = new Map<string, Person | undefined>();
  for (const email of new Set(emails.map(normaliseEmail))) found.set(email, await personFor(deps, email));
  const directoryConnected = (await deps.store.getDirectoryState()) !== undefined;
  const get = (email: string) => found.get(normaliseEmail(email));
  return {
    standing: (email) => standingOf(get(email)),
    personOf: (email) => get(email)?.key ?? mailboxOf(email),
    directoryConnected,
  };
}

/** Whether `by` is one of `assignees`, by mailbox and across the aliases of their person record. */
export async function isOneOf(deps: Deps, assignees: string[], by: string): Promise<boolean> {
  const asked = new Set(assignees.map(mailboxOf));
  if (asked.has(mailboxOf(by))) return true;
  const person = await personFor(deps, by);
  return !!person && person.addresses.some((a) => asked.has(mailboxOf(a)));
}
