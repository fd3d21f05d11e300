/**
 * The forms of a new-account request (policy 000 Appendix B, contracts section 9): the request form, its fields and
 * their validation field by field, and the set-up form the school's IT manager fills in once the account is created.
 * Pure: whatever the rules need from the store (who is active staff, which handles are taken) arrives as a lookup
 * the use case filled in beforehand (RequestContext).
 */
import {
  accountId, cleanHandle, emailDomain, isEmail, MONITORING_FREQUENCIES, normaliseEmail, parseDate, parsePlatform, PLATFORMS,
  type Account, type IsoDate, type MonitoringFrequency, type School,
} from './model.ts';
import type { RegisterColumn } from './register-csv.ts';
import { unsafeCharacterReason } from './register-csv/characters.ts';
import type { RequestFields } from './requests.ts';

// ---------------------------------------------------------------------------------------------------------------
// The request form

/** The form's fields, named as the CSV columns where one exists (contracts section 9), in the form's order. */
export const REQUEST_FORM_FIELDS = [
  'school', 'platform', 'handle', 'published_name', 'purpose', 'aims', 'why_not_existing', 'content', 'audience',
  'main_supervisor', 'reserve_supervisor', 'monitoring_frequency', 'holiday_monitoring_frequency', 'responsible',
  'linked_email', 'admins', 'planned_end_date', 'exit_plan', 'success_measures',
] as const;
export type RequestFormField = (typeof REQUEST_FORM_FIELDS)[number];

export interface FieldError {
  field: RequestFormField;
  message: string;
}

/** Free text that may span lines (a textarea), and the longest answer each field takes. */
const LONG_TEXT: ReadonlySet<RequestFormField> = new Set(['purpose', 'aims', 'why_not_existing', 'content', 'audience', 'responsible', 'exit_plan', 'success_measures']);
export const MAX_LENGTH: Record<RequestFormField, number> = {
  school: 100, platform: 40, handle: 100, published_name: 200, purpose: 2000, aims: 2000, why_not_existing: 2000, content: 2000,
  audience: 1000, main_supervisor: 254, reserve_supervisor: 254, monitoring_frequency: 40, holiday_monitoring_frequency: 40,
  responsible: 1000, linked_email: 254, admins: 2000, planned_end_date: 20, exit_plan: 2000, success_measures: 2000,
};
/** A handle as platforms allow them: letters, digits and `._-`, no spaces (a website or blog may be named by its address). */
const HANDLE = /^[\p{L}\p{N}._-]+$/u;

/**
 * Whether an address may be named as an administrator, a supervisor or the linked email, as the store knows it:
 * `active` staff, someone `leaving`/`left`, a `disabled` directory account, or `unknown` (no person record).
 */
export type StaffStanding = 'active' | 'leaving' | 'left' | 'disabled' | 'unknown';

export interface RequestContext {
  /** Every school, to find the one chosen and the trust's domains. */
  schools: School[];
  today: IsoDate;
  /** What Custodian knows of an address (looked up by the use case for every address on the form). */
  standing: (email: string) => StaffStanding;
  /** The same person (a record's key, or the mailbox), so that two aliases of one person count once. */
  personOf: (email: string) => string;
  /** Once the directory is connected every member of staff is known to it: an unknown address is then refused. */
  directoryConnected: boolean;
  /** Why `platform:handle` cannot be requested (already in the register, or already requested), or undefined. */
  handleTaken: (accountId: string) => string | undefined;
}

export type RequestValidation = { ok: true; fields: RequestFields } | { ok: false; errors: FieldError[] };

/**
 * The cell rules of the register CSV (register-csv/characters.ts) for a form field: free text like `purpose` (lines
 * and emoji allowed), the published name like `published_name`, anything else as strictly as an address.
 */
function characterProblem(field: RequestFormField, raw: string): string | undefined {
  // Administrators may be given one a line (a textarea), like the set-up form's.
  const column: RegisterColumn = LONG_TEXT.has(field) || field === 'admins' ? 'purpose' : field === 'published_name' ? 'published_name' : 'handle';
  const reason = unsafeCharacterReason(column, raw);
  if (!reason) return undefined;
  // The rule's words are about a CSV column; the form's field is named instead.
  return reason.replace(/^[a-z_]+: /, '').replace('(only purpose and audience may span lines)', '(only one line is allowed here)');
}

function show(value: string): string {
  return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
}

const STANDING_WORDS: Record<Exclude<StaffStanding, 'active' | 'unknown'>, string> = {
  leaving: 'they are leaving',
  left: 'they have left',
  disabled: 'their account is disabled',
};

/**
 * Why an address may not be an administrator or a supervisor of a new account, or undefined when it may: it must be
 * an address on a trust domain of a member of staff who is not leaving, has not left and is not disabled, and, once
 * the directory is connected, one the directory knows (as resolve.ts `refuseNewOwner` decides for a transfer).
 */
export function staffProblem(email: string, ctx: RequestContext, trustDomains: ReadonlySet<string>): string | undefined {
  if (!trustDomains.has(emailDomain(email))) return `${email} is not on a trust domain (${[...trustDomains].sort().join(', ')})`;
  const standing = ctx.standing(email);
  if (standing === 'unknown') return ctx.directoryConnected ? `${email} is not a member of staff known to the directory` : undefined;
  return standing === 'active' ? undefined : `${email} is not an active member of staff (${STANDING_WORDS[standing]})`;
}

/**
 * Validates the form (field → answer; other fields, such as `_csrf`, are ignored). Every problem is reported against
 * its field, in the form's order, in words the person filling it in can act on; a valid form becomes the request's
 * fields. Pure.
 */
export function validateRequestForm(form: Readonly<Record<string, string | undefined>>, ctx: RequestContext): RequestValidation {
  const errors: FieldError[] = [];
  const fail = (field: RequestFormField, message: string) => { errors.push({ field, message }); };
  const bad = new Set<RequestFormField>();
  const raw = (field: RequestFormField): string => {
    const v = form[field];
    return typeof v === 'string' ? v : '';
  };
  // Characters and lengths first: a field refused for them is read as empty, so it is not also reported as missing.
  for (const field of REQUEST_FORM_FIELDS) {
    const value = raw(field);
    const problem = characterProblem(field, value);
    if (problem) {
      fail(field, problem);
      bad.add(field);
    } else if (value.trim().length > MAX_LENGTH[field]) {
      fail(field, `is too long (at most ${MAX_LENGTH[field]} characters)`);
      bad.add(field);
    }
  }
  const get = (field: RequestFormField): string => (bad.has(field) ? '' : raw(field).replace(/\r\n?/g, '\n').trim());
  const required = (field: RequestFormField, what: string): string | undefined => {
    const v = get(field);
    if (v === '') {
      if (!bad.has(field)) fail(field, `${what} is required`);
      return undefined;
    }
    return v;
  };

  const trustDomains = new Set(ctx.schools.flatMap((s) => s.domains));

  // school
  const schoolText = required('school', 'the school');
  const school = schoolText === undefined ? undefined : ctx.schools.find((s) => s.id === schoolText || s.id === schoolText.toLowerCase());
  if (schoolText !== undefined && !school) fail('school', `${show(schoolText)} is not one of the trust's schools`);

  // platform and handle
  const platformText = required('platform', 'the platform');
  const platform = platformText === undefined ? undefined : parsePlatform(platformText);
  if (platformText !== undefined && !platform) fail('platform', `${show(platformText)} is not a platform Custodian knows (one of ${PLATFORMS.join(', ')})`);
  const handleText = required('handle', 'the proposed handle');
  let handle: string | undefined;
  if (handleText !== undefined) {
    handle = cleanHandle(handleText);
    if (handle === '') fail('handle', `${show(handleText)} has nothing after the @`);
    else if (!HANDLE.test(handle) && platform !== 'website' && platform !== 'blog') fail('handle', `${show(handleText)} is not a handle: use letters, digits, dots, dashes and underscores, without spaces`);
    else if (platform) {
      const taken = ctx.handleTaken(accountId(platform, handle));
      if (taken) fail('handle', taken);
    }
  }

  const publishedName = required('published_name', 'the published name');
  const purpose = required('purpose', 'the purpose of the site');
  const aims = required('aims', 'what the site aims to achieve');
  const whyNotExisting = required('why_not_existing', 'why existing accounts cannot serve (policy A.1.2)');
  const content = required('content', 'the proposed content');
  const audience = required('audience', 'the proposed audience');
  const responsible = required('responsible', 'who monitors and updates the site and responds to its users');
  const successMeasures = required('success_measures', 'how success will be judged (policy A.1.8)');

  // Addresses: well formed, in canonical form.
  const address = (field: RequestFormField, text: string): string | undefined => {
    const e = normaliseEmail(text);
    if (!isEmail(e)) {
      fail(field, `${show(text)} is not an email address`);
      return undefined;
    }
    return e;
  };

  // The linked email: an official address on the school's domains (policy A.1.7), never a personal one.
  const linkedText = required('linked_email', 'the email address to link to the account');
  let linkedEmail = linkedText === undefined ? undefined : address('linked_email', linkedText);
  if (linkedEmail) {
    const domains = school?.domains.length ? school.domains : [...trustDomains];
    const where = school?.domains.length ? `${school.name}'s domains` : "the trust's domains";
    const standing = ctx.standing(linkedEmail);
    if (!domains.includes(emailDomain(linkedEmail))) {
      fail('linked_email', `${linkedEmail} is not an official address: use one on ${where} (${domains.join(', ')}), never a personal one, so the school never loses access to the account`);
      linkedEmail = undefined;
    } else if (standing === 'leaving' || standing === 'left') {
      fail('linked_email', `${linkedEmail} belongs to someone who ${standing === 'left' ? 'has left' : 'is leaving'}: use an address that will stay with the school`);
      linkedEmail = undefined;
    }
  }

  // Administrators: at least two different people, each active staff (policy A.5.4).
  const adminsText = required('admins', 'the administrators');
  const admins: string[] = [];
  if (adminsText !== undefined) {
    const people = new Set<string>();
    let problem = false;
    for (const piece of adminsText.split(/[;,\s]+/).map((p) => p.trim()).filter(Boolean)) {
      const e = address('admins', piece);
      if (!e) { problem = true; continue; }
      const refusal = staffProblem(e, ctx, trustDomains);
      if (refusal) { fail('admins', refusal); problem = true; continue; }
      const who = ctx.personOf(e);
      if (people.has(who)) continue;
      people.add(who);
      admins.push(e);
    }
    if (!problem && admins.length < 2) {
      fail('admins', `name at least two administrators (${admins.length === 1 ? 'only one is named' : 'none is named'}): the policy asks for two, so the account is moderated through leave and absences (A.5.4)`);
    }
  }

  // Supervisors: a main and a reserve, different people, both active staff.
  const supervisor = (field: 'main_supervisor' | 'reserve_supervisor', what: string): string | undefined => {
    const text = required(field, what);
    const e = text === undefined ? undefined : address(field, text);
    if (!e) return undefined;
    const refusal = staffProblem(e, ctx, trustDomains);
    if (refusal) {
      fail(field, refusal);
      return undefined;
    }
    return e;
  };
  const mainSupervisor = supervisor('main_supervisor', 'the main supervisor');
  const reserveSupervisor = supervisor('reserve_supervisor', 'the reserve supervisor');
  if (mainSupervisor && reserveSupervisor && ctx.personOf(mainSupervisor) === ctx.personOf(reserveSupervisor)) {
    fail('reserve_supervisor', 'must be a different person from the main supervisor, so someone covers when they are away');
  }

  const frequency = (field: 'monitoring_frequency' | 'holiday_monitoring_frequency', what: string): MonitoringFrequency | undefined => {
    const text = required(field, what);
    if (text === undefined) return undefined;
    const f = text.toLowerCase();
    if ((MONITORING_FREQUENCIES as readonly string[]).includes(f)) return f as MonitoringFrequency;
    fail(field, `${show(text)} is not one of ${MONITORING_FREQUENCIES.join(', ')}`);
    return undefined;
  };
  const monitoringFrequency = frequency('monitoring_frequency', 'how often the site is monitored in term time');
  const holidayMonitoringFrequency = frequency('holiday_monitoring_frequency', 'how often the site is monitored in the holidays');

  // An exit strategy from the outset (policy A.1.6): a planned end date in the future, an exit plan, or both.
  const endText = get('planned_end_date');
  let plannedEndDate: IsoDate | undefined;
  if (endText !== '') {
    plannedEndDate = parseDate(endText);
    if (!plannedEndDate) fail('planned_end_date', `${show(endText)} is not a date (use YYYY-MM-DD or DD/MM/YYYY)`);
    else if (plannedEndDate <= ctx.today) {
      fail('planned_end_date', 'must be in the future');
      plannedEndDate = undefined;
    }
  }
  const exitPlan = get('exit_plan') || undefined;
  if (endText === '' && !exitPlan && !bad.has('planned_end_date') && !bad.has('exit_plan')) {
    fail('planned_end_date', 'give a planned end date or an exit plan (or both): the policy asks for a plan from the outset about how long the site will last (A.1.6)');
  }

  if (errors.length > 0) {
    const order = new Map(REQUEST_FORM_FIELDS.map((f, i) => [f, i]));
    return { ok: false, errors: errors.map((e, i) => ({ e, i })).sort((a, b) => order.get(a.e.field)! - order.get(b.e.field)! || a.i - b.i).map(({ e }) => e) };
  }
  return {
    ok: true,
    fields: {
      school: school!.id, platform: platform!, handle: handle!, publishedName: publishedName!, purpose: purpose!, aims: aims!,
      whyNotExisting: whyNotExisting!, content: content!, audience: audience!, linkedEmail: linkedEmail!, admins,
      mainSupervisor: mainSupervisor!, reserveSupervisor: reserveSupervisor!, monitoringFrequency: monitoringFrequency!,
      holidayMonitoringFrequency: holidayMonitoringFrequency!, responsible: responsible!,
      ...(plannedEndDate ? { plannedEndDate } : {}), ...(exitPlan ? { exitPlan } : {}), successMeasures: successMeasures!,
    },
  };
}

/** Every address on a form, so the use case can look each one up before validating. */
export function formAddresses(form: Readonly<Record<string, string | undefined>>): string[] {
  const fields = ['linked_email', 'main_supervisor', 'reserve_supervisor', 'admins'] as const;
  return [...new Set(fields.flatMap((f) => (form[f] ?? '').split(/[;,\s]+/)).map((p) => normaliseEmail(p)).filter(isEmail))];
}

// ---------------------------------------------------------------------------------------------------------------
// The set-up form

/** The set-up form (set_up_account), as posted. */
export interface SetUpInput {
  handle: string;
  url: string;
  linkedEmail: string;
  /** `;`, `,`, space or line separated, or a list. */
  admins: string | string[];
  /** The checkbox: the login details are stored as the trust requires. */
  loginStored: boolean;
}

export interface SetUpFields {
  handle: string;
  url: string;
  linkedEmail: string;
  admins: string[];
}

/**
 * Checks the set-up form against the approved account: the handle is the approved one (its case may be corrected),
 * the URL a web address, the linked email the approved one, at least two different administrators who are active
 * staff, and the login details stored. Every problem, each prefixed with its field. Pure.
 */
export function checkSetUp(account: Account, input: SetUpInput, ctx: Pick<RequestContext, 'schools' | 'standing' | 'personOf' | 'directoryConnected'>): { ok: true; fields: SetUpFields } | { ok: false; problems: string[] } {
  const problems: string[] = [];
  const handle = cleanHandle(input.handle ?? '');
  if (handle === '') problems.push(`handle: record the account's handle (the approved one is ${account.handle})`);
  else if (handle.toLowerCase() !== cleanHandle(account.handle).toLowerCase()) {
    problems.push(`handle: must be the approved handle, ${account.handle} (a different handle needs a new request)`);
  } else if (characterProblem('handle', handle)) problems.push(`handle: ${characterProblem('handle', handle)}`);
  const url = (input.url ?? '').trim();
  if (url === '') problems.push("url: record the account's address (URL)");
  else if (url.length > 500 || !isWebAddress(url)) problems.push(`url: ${show(url)} is not a web address (it starts https://)`);
  const linked = normaliseEmail(input.linkedEmail ?? '');
  if (linked !== normaliseEmail(account.linkedEmail)) {
    problems.push(`linked_email: the account must be created with the approved linked email, ${account.linkedEmail}${linked ? ` (not ${linked})` : ''}`);
  }
  const trustDomains = new Set(ctx.schools.flatMap((s) => s.domains));
  const pieces = (Array.isArray(input.admins) ? input.admins : String(input.admins ?? '').split(/[;,\s]+/)).map((p) => p.trim()).filter(Boolean);
  const admins: string[] = [];
  const people = new Set<string>();
  let adminProblem = false;
  for (const piece of pieces) {
    const e = normaliseEmail(piece);
    if (!isEmail(e)) { problems.push(`admins: ${show(piece)} is not an email address`); adminProblem = true; continue; }
    const refusal = staffProblem(e, { ...ctx, today: '', handleTaken: () => undefined }, trustDomains);
    if (refusal) { problems.push(`admins: ${refusal}`); adminProblem = true; continue; }
    if (people.has(ctx.personOf(e))) continue;
    people.add(ctx.personOf(e));
    admins.push(e);
  }
  if (!adminProblem && admins.length < 2) problems.push('admins: confirm at least two administrators, so the account is moderated through leave and absences (A.5.4)');
  if (input.loginStored !== true) problems.push('login_stored: confirm that the login details are stored as the trust requires, so access is never lost');
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, fields: { handle, url, linkedEmail: linked, admins } };
}

function isWebAddress(value: string): boolean {
  try {
    const u = new URL(value);
    return (u.protocol === 'https:' || u.protocol === 'http:') && u.hostname.includes('.') && !/\s/.test(value);
  } catch {
    return false;
  }
}
