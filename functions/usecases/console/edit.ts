/**
 * `POST /register/{accountId}`: changing one account's register fields from a form whose fields are named as the CSV
 * columns (contracts section 4). The form is read as one row of the register file, over the account as the export
 * writes it (a field left out of the form keeps its value), and goes through the import itself: the same per-row
 * validation, the same refusals (a school not set up, a leaver as linked email, administrator or supervisor, activity
 * in the future), and the same account change, so Custodian's own fields (status, attestations, neglect, removed
 * administrators) are never a form's to change. The change and its audit entry are one commit, by the viewer.
 */
import { accountId, type Actor } from '../../domain/model.ts';
import type { RegisterEntry } from '../../domain/register.ts';
import { checkRecord, protectCell, REGISTER_COLUMNS, registerRecord, registerToCsv } from '../../domain/register-csv.ts';
import type { Deps } from '../deps.ts';
import { ConflictError } from '../ports.ts';
import { importRegister } from '../register.ts';
import { holdingCommits } from './preview.ts';
import { normaliseAccountId, withRegisterFindings } from './register.ts';
import { canChangeAccount, canSeeAccount, Forbidden, managesSchool, refuse, type Viewer } from './viewer.ts';

export interface FieldError {
  /** The form field (a CSV column), `version` for a stale edit, or '' for the row as a whole. */
  field: string;
  message: string;
}

export type EditResult =
  | { ok: true; account: RegisterEntry; changed: string[] }
  | { ok: false; errors: FieldError[] };

/** Every console change is the signed-in person's, from the console. */
export function consoleActor(viewer: Viewer): Actor {
  return { by: viewer.email, source: 'console' };
}

const COLUMNS: ReadonlySet<string> = new Set(REGISTER_COLUMNS);

/** A row problem (`admins: "x" is not an email address`) as the form field it is about and what is wrong. */
export function fieldErrors(reason: string): FieldError[] {
  return reason.split(/; (?=[a-z_]+: )/).map((p) => {
    const m = /^([a-z_]+): ([\s\S]*)$/.exec(p);
    return m && COLUMNS.has(m[1]!) ? { field: m[1]!, message: m[2]! } : { field: '', message: p };
  });
}

/**
 * Changes the account's register fields to the form's, if the viewer may change it and it is still at
 * `expectedVersion` (the version their form was made from). Form fields named otherwise (`_csrf`) are ignored.
 */
export async function editAccount(deps: Deps, viewer: Viewer, id: string, form: Readonly<Record<string, string | undefined>>, expectedVersion: number): Promise<EditResult> {
  const accountIdWanted = normaliseAccountId(id);
  const account = await deps.store.getAccount(accountIdWanted);
  if (!account || !canSeeAccount(viewer, account)) throw refuse(viewer, !!account, `account ${accountIdWanted}`);
  if (!canChangeAccount(viewer, account)) throw new Forbidden(`only ${account.school}'s IT managers or a trust administrator may change ${account.id}`);
  const stale = (): EditResult => ({
    ok: false,
    errors: [{ field: 'version', message: `${account.id} was changed by someone else after you opened it; reload it and make your change again` }],
  });
  if (expectedVersion !== account.version) return stale();

  // The row: each cell as the export writes it (a form value is the value itself, not a spreadsheet's spelling of it).
  const base = registerRecord(account) as Record<string, string>;
  const record: Record<string, string> = {};
  for (const c of REGISTER_COLUMNS) record[c] = protectCell(base[c] ?? '');
  for (const [key, value] of Object.entries(form)) {
    const c = key.trim().toLowerCase();
    if (COLUMNS.has(c) && typeof value === 'string') record[c] = protectCell(value.trim());
  }
  const check = checkRecord(record);
  const errors = check.problems.flatMap(fieldErrors);
  const fields = check.fields;
  if (fields) {
    if (accountId(fields.platform, fields.handle) !== account.id) {
      errors.push({ field: fields.platform !== account.platform ? 'platform' : 'handle', message: `the platform and handle identify the account (${account.id}) and cannot be changed here` });
    }
    if (fields.school !== account.school && !managesSchool(viewer, fields.school)) {
      errors.push({ field: 'school', message: `you are not an IT manager of "${fields.school}"; only its IT managers or a trust administrator may move an account there` });
    }
  }
  if (errors.length > 0 || !fields) return { ok: false, errors };

  // The import's own checks and change, on a store that keeps the change instead of writing it.
  const held = holdingCommits(deps.store);
  const actor = consoleActor(viewer);
  const result = await importRegister(held.store, registerToCsv([fields]), { now: deps.clock(), actor });
  if (!result.ok) return { ok: false, errors: result.errors.flatMap((e) => fieldErrors(e.reason)) };
  const planned = held.commits.flat().find((c) => c.kind === 'account' && c.after.id === account.id);
  let changed: string[] = [];
  if (planned?.kind === 'account') {
    if (planned.before?.version !== account.version) return stale();
    try {
      await deps.store.commit([planned], actor);
    } catch (err) {
      if (err instanceof ConflictError) return stale();
      throw err;
    }
    const after = registerRecord(planned.after) as Record<string, string>;
    changed = REGISTER_COLUMNS.filter((c) => base[c] !== after[c]);
  }
  const saved = await deps.store.getAccount(account.id);
  if (!saved) throw new Error(`${account.id} is not in the register after its edit`);
  const school = await deps.store.getSchool(saved.school);
  const entry = (await withRegisterFindings(deps, [saved], school ? [school] : []))[0]!;
  return { ok: true, account: entry, changed };
}
