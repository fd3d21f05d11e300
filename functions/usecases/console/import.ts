/**
 * `POST /register/import`: a register CSV uploaded in the console. First a preview (the real import on a store that
 * keeps its changes instead of writing them, preview.ts: every change, with its line), then a confirmation that runs the same
 * import for real, with the same rules as `custodian register import`, by the viewer. Trust administrators may import
 * any school's accounts; IT managers only their schools' (a row naming another school, or an account that belongs to
 * one, is refused with its line); nobody else may import.
 */
import { createHash } from 'node:crypto';
import { accountId, type Account } from '../../domain/model.ts';
import { parseRegisterCsv, type RowError } from '../../domain/register-csv.ts';
import type { Deps } from '../deps.ts';
import { importRegister, type ImportChange, type ImportResult } from '../register.ts';
import { consoleActor } from './edit.ts';
import { holdingCommits } from './preview.ts';
import { Forbidden, managesSchool, Stale, type Viewer } from './viewer.ts';

export type PreviewResult =
  | {
    ok: true;
    created: number;
    updated: number;
    unchanged: number;
    /** Every row: what it would do to which account, and which fields. */
    changes: ImportChange[];
    /** Hand back to confirmImport: it refuses a file (or an account it changes) that changed since this preview. */
    digest: string;
  }
  | { ok: false; errors: RowError[] };

function mayImport(viewer: Viewer): void {
  if (!viewer.trustAdmin && viewer.itManagerOf.length === 0) {
    throw new Forbidden('only a school\'s IT managers or a trust administrator may import the register');
  }
}

type Checked =
  | { ok: true; ids: string[] }
  /** `unreadable`: the file itself is bad (the import would say the same). */
  | { ok: false; errors: RowError[]; unreadable?: true };

/** The file's rows, refused with their lines where they touch a school the viewer does not manage. */
async function checkScope(deps: Deps, viewer: Viewer, csv: Buffer): Promise<Checked> {
  const parsed = parseRegisterCsv(csv);
  if (!parsed.ok) return { ...parsed, unreadable: true };
  const ids = parsed.rows.map((r) => accountId(r.platform, r.handle));
  if (viewer.trustAdmin) return { ok: true, ids };
  const [schools, accounts] = await Promise.all([deps.store.listSchools(), deps.store.getAccounts(ids)]);
  const known = new Set(schools.map((s) => s.id));
  const existing = new Map<string, Account>(accounts.map((a) => [a.id, a]));
  const errors: RowError[] = [];
  parsed.rows.forEach((row, i) => {
    // A school that is not set up is the import's own refusal; saying also "not yours" would only confuse.
    if (known.has(row.school) && !managesSchool(viewer, row.school)) {
      errors.push({ line: row.line, reason: `school: you are not an IT manager of "${row.school}"; only its IT managers or a trust administrator may import its accounts` });
    }
    const before = existing.get(ids[i]!);
    if (before && before.school !== row.school && !managesSchool(viewer, before.school)) {
      errors.push({ line: row.line, reason: `${before.id} belongs to ${before.school}, which you are not an IT manager of` });
    }
  });
  return errors.length > 0 ? { ok: false, errors } : { ok: true, ids };
}

/** The file, who is importing it, and the version of every account it names (0 for a new one). */
async function digestOf(deps: Deps, viewer: Viewer, csv: Buffer, ids: string[]): Promise<string> {
  const versions = new Map((await deps.store.getAccounts(ids)).map((a) => [a.id, a.version]));
  return createHash('sha256')
    .update(JSON.stringify({ v: 1, by: viewer.email, file: createHash('sha256').update(csv).digest('hex'), accounts: ids.map((id) => [id, versions.get(id) ?? 0]) }))
    .digest('base64url');
}

const bytes = (csv: string | Buffer): Buffer => (Buffer.isBuffer(csv) ? csv : Buffer.from(csv, 'utf8'));
const byLine = (errors: RowError[]) => errors.sort((a, b) => a.line - b.line);

/** What importing the file would do; writes nothing. */
export async function previewImport(deps: Deps, viewer: Viewer, csvText: string | Buffer): Promise<PreviewResult> {
  mayImport(viewer);
  const csv = bytes(csvText);
  const scope = await checkScope(deps, viewer, csv);
  if (!scope.ok && scope.unreadable) return { ok: false, errors: scope.errors };
  const result = await importRegister(holdingCommits(deps.store).store, csv, { now: deps.clock(), actor: consoleActor(viewer) });
  const errors = [...(scope.ok ? [] : scope.errors), ...(result.ok ? [] : result.errors)];
  if (errors.length > 0 || !result.ok || !scope.ok) return { ok: false, errors: byLine(errors) };
  const { ok: _ok, ...counts } = result;
  return { ok: true, ...counts, digest: await digestOf(deps, viewer, csv, scope.ids) };
}

/**
 * Imports the file previewed under `digest`, all or nothing, by the viewer. Stale when the file, or an account it
 * changes, is not as it was at the preview: preview it again.
 */
export async function confirmImport(deps: Deps, viewer: Viewer, csvText: string | Buffer, digest: string): Promise<ImportResult> {
  mayImport(viewer);
  const csv = bytes(csvText);
  const scope = await checkScope(deps, viewer, csv);
  if (!scope.ok) return { ok: false, errors: byLine(scope.errors) };
  if (typeof digest !== 'string' || (await digestOf(deps, viewer, csv, scope.ids)) !== digest) {
    throw new Stale('the file, or an account it changes, has changed since the preview; preview it again');
  }
  return importRegister(deps.store, csv, { now: deps.clock(), actor: consoleActor(viewer) });
}
