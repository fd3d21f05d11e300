/** The trust's schools: their names, IT managers, email domains, headteacher and holidays. */
import { emailDomain, isEmail, normaliseEmail, type Actor, type HolidayRange, type School } from '../domain/model.ts';
import { mergeHolidayRanges } from '../domain/cadence.ts';
import type { Store } from './ports.ts';

/** Adds or updates a school; says what happened. */
export async function putSchool(store: Store, school: School, actor: Actor): Promise<'created' | 'updated' | 'unchanged'> {
  const before = await store.getSchool(school.id);
  const { applied } = await store.commit([{ kind: 'school', action: before ? 'school.updated' : 'school.created', ...(before ? { before } : {}), after: school }], actor);
  if (applied.length === 0) return 'unchanged';
  return before ? 'updated' : 'created';
}

/** A school change refused, with the reason in words for the person who asked. */
export class SchoolError extends Error {}

/**
 * Why `email` cannot be the school's headteacher, or undefined when it can: an address on one of the school's
 * domains (the headteacher approves new accounts, and approvals go to official addresses only).
 */
export function headteacherProblem(email: string, domains: readonly string[]): string | undefined {
  if (!isEmail(email)) return `"${email}" is not an email address`;
  if (!domains.includes(emailDomain(email))) return `${normaliseEmail(email)} is not on the school's domain${domains.length === 1 ? '' : 's'} (${domains.join(', ')})`;
  return undefined;
}

export interface SchoolSettings {
  id: string;
  name: string;
  itManagers: string[];
  domains: string[];
  /** The headteacher's address; left out, the school keeps the one it has. */
  headteacher?: string;
}

/**
 * `schools set`: adds or updates a school's name, IT managers, domains and (when given) headteacher. What the command
 * does not set is kept: the headteacher when not given, the holidays (`schools holidays`) and anything else the
 * record holds. A headteacher must be
 * on one of the school's domains, including one kept from before when the domains change.
 */
export async function setSchool(store: Store, settings: SchoolSettings, actor: Actor): Promise<'created' | 'updated' | 'unchanged'> {
  const before = await store.getSchool(settings.id);
  const headteacher = settings.headteacher !== undefined ? normaliseEmail(settings.headteacher) : before?.headteacher;
  if (headteacher !== undefined) {
    const problem = headteacherProblem(headteacher, settings.domains);
    if (problem) {
      throw new SchoolError(settings.headteacher !== undefined
        ? `--head: ${problem}`
        : `the headteacher ${problem}; give the school's headteacher with --head`);
    }
  }
  // Whatever else the school record holds (its holidays) is kept as it is.
  const school: School = {
    ...before,
    id: settings.id,
    name: settings.name,
    itManagers: settings.itManagers,
    domains: settings.domains,
    ...(headteacher ? { headteacher } : {}),
  };
  return putSchool(store, school, actor);
}

/**
 * `schools holidays`: replaces the school's holidays wholesale (sorted and merged), audited as a school change by
 * `actor`. Says how many ranges it had before and whether anything changed.
 */
export async function setSchoolHolidays(store: Store, schoolId: string, holidays: readonly HolidayRange[], actor: Actor): Promise<{ result: 'updated' | 'unchanged'; before: number; school: School }> {
  const before = await store.getSchool(schoolId);
  if (!before) throw new SchoolError(`school "${schoolId}" is not set up (add it first with: custodian schools set ${schoolId} ...)`);
  const bad = holidays.find((h) => !/^\d{4}-\d{2}-\d{2}$/.test(h.start) || !/^\d{4}-\d{2}-\d{2}$/.test(h.end) || h.end < h.start);
  if (bad) throw new SchoolError(`${bad.start} to ${bad.end} is not a holiday range`);
  const school: School = { ...before, holidays: mergeHolidayRanges(holidays) };
  const { applied } = await store.commit([{ kind: 'school', action: 'school.holidays_set', before, after: school }], actor);
  return { result: applied.length === 0 ? 'unchanged' : 'updated', before: before.holidays?.length ?? 0, school };
}
