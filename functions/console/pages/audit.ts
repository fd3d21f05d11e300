/** `GET /audit`: the history the viewer may see, filtered by account or start date, with its CSV download. */
import { escapeHtml as e } from '../../domain/html.ts';
import type { AuditEntry } from '../../domain/model.ts';
import type { AuditFilters } from '../../usecases/console/index.ts';
import { field, table } from '../layout.ts';
import { addr, changeHtml, entityHtml, when } from './common.ts';

export function auditPage(entries: AuditEntry[], filters: AuditFilters): { title: string; body: string } {
  const query = new URLSearchParams(Object.entries(filters).filter(([, v]) => typeof v === 'string' && v !== '') as Array<[string, string]>).toString();
  const filter = `<form method="get" action="/audit" id="filters" aria-label="Filter the history">
<div class="fields">
${field({ name: 'account', label: 'Account', value: filters.account ?? '', hint: 'platform:handle, e.g. instagram:oakfield_pe' })}
${field({ name: 'since', label: 'From', type: 'date', value: filters.since ?? '', hint: 'Default: the last 90 days' })}
</div>
<button type="submit">Show history</button> <a href="/audit">Clear the filters</a>
</form>\n`;
  const list = table({
    id: 'audit',
    caption: `${entries.length} ${entries.length === 1 ? 'entry' : 'entries'}, oldest first`,
    head: ['When', 'Who', 'What', 'On', 'Source', 'Change'],
    rows: entries.map((x) => [when(x.at), addr(x.by), e(x.action), entityHtml(x), e(x.source), changeHtml(x)]),
    empty: 'No history matches these filters.',
  });
  return {
    title: 'History',
    body: `<p>Who changed what, when, and from where. Entries are never changed or removed.</p>
${filter}<p><a href="/audit.csv${query ? `?${e(query)}` : ''}" download>Download this history (CSV)</a></p>
${list}`,
  };
}
