/** `GET /register`: the accounts the viewer may see, with a GET form to filter them, and their findings. */
import { escapeHtml as e } from '../../domain/html.ts';
import { ACCOUNT_STATUSES, type School } from '../../domain/model.ts';
import type { RegisterEntry } from '../../domain/register.ts';
import type { RegisterFilters, Viewer } from '../../usecases/console/index.ts';
import { field, table } from '../layout.ts';
import { accountLink, addr, emails, FINDING_LABELS, findingTags, label, options, STATUS_LABELS } from './common.ts';

export function registerPage(rows: RegisterEntry[], filters: RegisterFilters, schools: School[], viewer: Viewer): { title: string; body: string } {
  const filterForm = `<form method="get" action="/register" id="filters" aria-label="Filter the register">
<div class="fields">
${field({ name: 'school', label: 'School', value: filters.school ?? '', options: options(schools.map((s) => [s.id, s.name]), 'All schools') })}
${field({ name: 'status', label: 'Status', value: filters.status ?? '', options: options(ACCOUNT_STATUSES.map((s) => [s, label(STATUS_LABELS, s)]), 'Any status') })}
${field({ name: 'finding', label: 'Finding', value: filters.finding ?? '', options: options(Object.entries(FINDING_LABELS), 'Any or none') })}
${field({ name: 'q', label: 'Search', type: 'search', value: filters.q ?? '', hint: 'Handle, name, school or linked email' })}
</div>
<button type="submit">Show accounts</button> <a href="/register">Clear the filters</a>
</form>\n`;
  const mayImport = viewer.trustAdmin || viewer.itManagerOf.length > 0;
  const scope = viewer.trustAdmin ? 'every school' : viewer.itManagerOf.length ? `the schools you manage (${viewer.itManagerOf.map(e).join(', ')}) and the accounts tied to you` : 'the accounts tied to you';
  const list = table({
    id: 'register',
    caption: `${rows.length} ${rows.length === 1 ? 'account' : 'accounts'}`,
    head: ['Account', 'School', 'Linked email', 'Administrators', 'Main supervisor', 'Status', 'Findings'],
    rows: rows.map((r) => [
      accountLink(r),
      e(r.school),
      addr(r.linkedEmail),
      emails(r.admins),
      addr(r.mainSupervisor),
      e(label(STATUS_LABELS, r.status)),
      findingTags(r.findings),
    ]),
    empty: 'No account matches these filters.',
  });
  return {
    title: 'Register',
    body: `<p>Official social media accounts of ${scope}.${mayImport ? ' <a href="/register/import">Import a register file (CSV)</a>.' : ''}</p>
${filterForm}${list}`,
  };
}
