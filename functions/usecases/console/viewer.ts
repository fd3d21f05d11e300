/**
 * Who is looking (contracts section 8): the signed-in person as the console's use cases see them, and what their role
 * lets them see and change. Every console use case starts from a Viewer and checks it here, so a page or change outside
 * someone's role is refused below the HTTP layer, whatever id the request names.
 *
 * Roles come from data Custodian already has:
 * - a trust administrator carries the Entra app role `Custodian.Admin`, or is listed in the `trustAdmins` setting;
 * - a school's IT managers are those `custodian schools set` named;
 * - anyone else on a trust domain sees the accounts tied to them and the tasks assigned to them.
 * Addresses are compared by mailbox (lower case, `+tag` ignored), across the aliases of the person's record.
 */
import { emailDomain, isEmail, mailboxOf, normaliseEmail, type Account, type Policy } from '../../domain/model.ts';
import type { Task } from '../../domain/tasks.ts';
import type { Deps } from '../deps.ts';

export interface Viewer {
  /** The signed-in address, canonical (lower case). The actor of every change they make. */
  email: string;
  name?: string;
  trustAdmin: boolean;
  /** Ids of the schools whose IT manager they are. */
  itManagerOf: string[];
  /** Every address that is theirs: the signed-in one, its mailbox without a `+tag`, and their person record's aliases. */
  addresses: string[];
}

/** Outside the viewer's role: the handler answers 403. Nothing was changed. */
export class Forbidden extends Error {
  constructor(message = 'you do not have access to this') {
    super(message);
    this.name = 'Forbidden';
  }
}

/** No such record, said only to someone who could see it if it existed (others get Forbidden): 404. */
export class NotFound extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotFound';
  }
}

/** A malformed filter or argument (a date that is not one): 400. Nothing was changed. */
export class Invalid extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Invalid';
  }
}

/** The thing was changed since the viewer looked at it (an import file or account since its preview): 409. */
export class Stale extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Stale';
  }
}

export const ADMIN_ROLE = 'Custodian.Admin';

export interface Claims {
  email: string;
  name?: string;
  /** The ID token's `roles` claim (Entra app roles). */
  roles?: string[];
}

/**
 * The viewer a signed-in person is. Refused (Forbidden) when the address is not one (or not printable ASCII), is not
 * on a trust domain (a school's domain, or the trust IT contact's) unless listed in `trustAdmins`, or belongs to
 * someone Custodian knows has left or whose directory account is disabled.
 */
export async function viewerFor(deps: Deps, claims: Claims): Promise<Viewer> {
  const raw = typeof claims.email === 'string' ? claims.email : '';
  if (!isEmail(raw)) throw new Forbidden('you are not signed in with an email address Custodian can use');
  const email = normaliseEmail(raw);
  const schools = await deps.store.listSchools();
  const listed = new Set(deps.config.trustAdmins.map(mailboxOf)).has(mailboxOf(email));
  const trustDomains = new Set([...schools.flatMap((s) => s.domains), emailDomain(deps.config.trustItContact)]);
  if (!listed && !trustDomains.has(emailDomain(email))) throw new Forbidden(`${email} is not on a trust domain`);

  const person = await deps.store.findPerson([...new Set([email, mailboxOf(email)])]);
  if (person && (person.status === 'left' || person.accountEnabled === false)) {
    throw new Forbidden(`${email} ${person.accountEnabled === false ? 'is disabled in the directory' : 'belongs to someone who has left'}`);
  }
  const addresses = [...new Set([email, ...(person?.addresses ?? [])].flatMap((a) => [normaliseEmail(a), mailboxOf(a)]))];
  const mine = new Set(addresses.map(mailboxOf));
  const name = claims.name?.trim() || person?.displayName;
  return {
    email,
    ...(name ? { name } : {}),
    trustAdmin: listed || (Array.isArray(claims.roles) && claims.roles.includes(ADMIN_ROLE)),
    itManagerOf: schools.filter((s) => s.itManagers.some((m) => mine.has(mailboxOf(m)))).map((s) => s.id),
    addresses,
  };
}

/** Whether an address is one of the viewer's (by mailbox). */
export function isViewer(viewer: Viewer, address: string | undefined): boolean {
  if (!address) return false;
  const box = mailboxOf(address);
  return viewer.addresses.some((a) => mailboxOf(a) === box);
}

export type TieRole = 'linked_email' | 'admin' | 'main_supervisor' | 'reserve_supervisor';

/** How an account is tied to the viewer: as its linked email, an administrator, or a supervisor. */
export function tiesOf(viewer: Viewer, account: Pick<Account, 'linkedEmail' | 'admins' | 'mainSupervisor' | 'reserveSupervisor'>): TieRole[] {
  const roles: TieRole[] = [];
  if (isViewer(viewer, account.linkedEmail)) roles.push('linked_email');
  if (account.admins.some((a) => isViewer(viewer, a))) roles.push('admin');
  if (isViewer(viewer, account.mainSupervisor)) roles.push('main_supervisor');
  if (isViewer(viewer, account.reserveSupervisor)) roles.push('reserve_supervisor');
  return roles;
}

export function managesSchool(viewer: Viewer, school: string | undefined): boolean {
  return viewer.trustAdmin || (!!school && viewer.itManagerOf.includes(school));
}

export function canSeeAccount(viewer: Viewer, account: Account): boolean {
  return managesSchool(viewer, account.school) || tiesOf(viewer, account).length > 0;
}

/** Changing an account's register fields is the IT managers' (of its school) and the trust administrators'. */
export function canChangeAccount(viewer: Viewer, account: Account): boolean {
  return managesSchool(viewer, account.school);
}

export function canSeeTask(viewer: Viewer, task: Task): boolean {
  return managesSchool(viewer, task.school) || task.assignees.some((a) => isViewer(viewer, a))
    || (task.type === 'acknowledge_policy' && isViewer(viewer, task.subjectEmail));
}

/** The tasks a leaver's accounts need: the leaver does not decide them, whatever their role. */
const LEAVER_TASKS: ReadonlySet<string> = new Set(['transfer_or_close', 'replace_admin', 'replace_supervisor']);

/**
 * A task's assignee, the IT manager of its school, or a trust administrator; an `acknowledge_policy` task only the
 * joiner themself, an `approve_request` task only the approvers it asks. Nobody decides what happens to an account
 * because they are leaving.
 */
export function canDecideTask(viewer: Viewer, task: Task): boolean {
  if (task.type === 'acknowledge_policy') return isViewer(viewer, task.subjectEmail);
  // An approval is personal (contracts section 9): only the people the step asks decide it, not an IT manager or an
  // administrator on their behalf.
  if (task.type === 'approve_request') return task.assignees.some((a) => isViewer(viewer, a));
  if (LEAVER_TASKS.has(task.type) && isViewer(viewer, task.subjectEmail)) return false;
  return managesSchool(viewer, task.school) || task.assignees.some((a) => isViewer(viewer, a));
}

/** Recording a policy's review: trust administrators, and a school's IT managers for that school's policy. */
export function canReviewPolicy(viewer: Viewer, policy: Pick<Policy, 'school'>): boolean {
  return viewer.trustAdmin || (!!policy.school && viewer.itManagerOf.includes(policy.school));
}

/**
 * Forbidden, or NotFound for a missing record when the viewer could see it had it existed (only trust administrators
 * can see anything by id): whether a record exists is not told to someone who may not see it.
 */
export function refuse(viewer: Viewer, found: boolean, what: string): Error {
  return !found && viewer.trustAdmin ? new NotFound(`no ${what}`) : new Forbidden(`you do not have access to ${what}`);
}
