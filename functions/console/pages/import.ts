/**
 * `GET /register/import` and `POST /register/import`: upload a register CSV (a file, or pasted text), see every change
 * it would make with its line number (or every bad row's line and reason), then confirm. The Confirm form carries the
 * file itself (base64, so its bytes are exactly those previewed) and the preview's digest; nothing is written before
 * it is pressed, and then all or nothing.
 */
import { escapeHtml as e } from '../../domain/html.ts';
import type { RowError } from '../../domain/register-csv.ts';
import type { ImportChange } from '../../usecases/register.ts';
import { box, postForm, table } from '../layout.ts';
import { accountHref } from './common.ts';

const KIND_LABELS: Record<ImportChange['kind'], string> = { created: 'New account', updated: 'Changed', unchanged: 'No change' };

export function uploadForm(csrf: string, pasted = ''): string {
  return postForm({
    action: '/register/import',
    csrf,
    id: 'upload-form',
    enctype: 'multipart/form-data',
    label: 'Upload a register file',
    inner: `<input type="hidden" name="step" value="preview">
<label for="f-file">Register file (CSV)</label>
<p class="hint" id="f-file-hint">UTF-8, comma-separated, with a header row naming the columns, as <code>custodian register export</code> writes it.</p>
<input type="file" id="f-file" name="file" accept=".csv,text/csv" aria-describedby="f-file-hint">
<label for="f-csv">Or paste its contents</label>
<textarea id="f-csv" name="csv" class="csv" spellcheck="false">${e(pasted)}</textarea>
<button type="submit" id="preview">Preview the changes</button>
`,
  });
}

export function importFormPage(csrf: string): { title: string; body: string } {
  return {
    title: 'Import a register file',
    body: `<p>The file is checked row by row with the same rules as <code>custodian register import</code>. You see every change it would make before anything is written; a file with any bad row writes nothing.</p>
${uploadForm(csrf)}`,
  };
}

export function importErrorsPage(errors: RowError[], csrf: string, heading = 'The file was not imported'): { title: string; body: string } {
  const list = table({
    id: 'import-errors',
    caption: `${errors.length} ${errors.length === 1 ? 'problem' : 'problems'}`,
    head: ['Line', 'Reason'],
    rows: errors.map((x) => [e(x.line), e(x.reason)]),
    empty: 'No problems.',
  });
  return {
    title: 'Import a register file',
    body: `${box('error', `<h2>${e(heading)}</h2><p>Nothing was written. Correct ${errors.length === 1 ? 'this row' : 'these rows'} in the file and upload it again.</p>`, 'import-refused')}${list}
<h2>Upload again</h2>
${uploadForm(csrf)}`,
  };
}

export function previewPage(p: { created: number; updated: number; unchanged: number; changes: ImportChange[]; digest: string }, fileBase64: string, csrf: string): { title: string; body: string } {
  const list = table({
    id: 'preview',
    caption: 'What the import would do, row by row',
    head: ['Line', 'Account', 'Change', 'Fields'],
    rows: p.changes.map((c) => [e(c.line), `<a href="${accountHref(c.accountId)}">${e(c.accountId)}</a>`, e(KIND_LABELS[c.kind] ?? c.kind), c.fields.length ? c.fields.map(e).join(', ') : '<span class="muted">None</span>']),
    empty: 'The file has no rows.',
  });
  const nothing = p.created + p.updated === 0;
  const confirm = nothing
    ? '<p>Nothing would change, so there is nothing to confirm.</p>\n'
    : postForm({
      action: '/register/import',
      csrf,
      id: 'confirm-form',
      label: 'Confirm the import',
      inner: `<input type="hidden" name="step" value="confirm">
<input type="hidden" name="digest" value="${e(p.digest)}">
<input type="hidden" name="file_base64" value="${e(fileBase64)}">
<p>Write these changes to the register now? Each is recorded in the history under your address.</p>
<button type="submit" id="confirm">Confirm the import</button> <a href="/register/import">Cancel</a>
`,
    });
  return {
    title: 'Check the import',
    body: `${box('info', `<p id="preview-summary">Nothing has been written yet. This file would create ${p.created}, change ${p.updated} and leave ${p.unchanged} ${p.unchanged === 1 ? 'account' : 'accounts'} unchanged.</p>`)}${list}${confirm}`,
  };
}

export function importedPage(r: { created: number; updated: number; unchanged: number; changes: ImportChange[] }): { title: string; body: string } {
  const changed = r.changes.filter((c) => c.kind !== 'unchanged');
  const list = table({
    id: 'imported',
    caption: 'Accounts written',
    head: ['Line', 'Account', 'Change', 'Fields'],
    rows: changed.map((c) => [e(c.line), `<a href="${accountHref(c.accountId)}">${e(c.accountId)}</a>`, e(KIND_LABELS[c.kind]), c.fields.map(e).join(', ')]),
    empty: 'No account was written.',
  });
  return {
    title: 'Register imported',
    body: `${box('success', `<p id="import-done">Imported: ${r.created} created, ${r.updated} changed, ${r.unchanged} unchanged.</p>`)}${list}<p><a href="/register">Back to the register</a></p>`,
  };
}
