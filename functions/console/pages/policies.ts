/**
 * `GET /policies`: the policy register, soonest review first; for each policy the viewer may review, a form that
 * records the review (`POST /policies/{policyId}`, optional `nextReview`, default 12 months on).
 */
import { escapeHtml as e } from '../../domain/html.ts';
import { canReviewPolicy, type PolicyRow, type Viewer } from '../../usecases/console/index.ts';
import { box, postForm, table } from '../layout.ts';
import { addr, day } from './common.ts';

export function policiesPage(rows: PolicyRow[], viewer: Viewer, csrf: string, o: { done?: string; error?: { policyId: string; message: string } } = {}): { title: string; body: string } {
  const list = table({
    id: 'policies',
    caption: `${rows.length} ${rows.length === 1 ? 'policy' : 'policies'}, soonest review first`,
    head: ['Policy', 'School', 'Owner', 'Next review', 'Last reviewed'],
    rows: rows.map((p) => [e(p.title), p.school ? e(p.school) : 'Trust-wide', addr(p.owner), day(p.nextReviewDate), day(p.lastReviewedOn)]),
    empty: 'No policies are in the register yet.',
  });
  const reviewable = rows.filter((p) => canReviewPolicy(viewer, p));
  const forms = reviewable.map((p) => {
    const id = `next-${p.id}`.replace(/[^A-Za-z0-9_-]/g, '-');
    const err = o.error?.policyId === p.id ? o.error.message : undefined;
    return postForm({
      action: `/policies/${encodeURIComponent(p.id)}`,
      csrf,
      id: `review-${p.id}`.replace(/[^A-Za-z0-9_-]/g, '-'),
      label: `Record a review of ${p.title}`,
      inner: `<h3>${e(p.title)}</h3>
<label for="${id}">Next review date</label>
<p class="hint" id="${id}-hint">Optional: leave empty for 12 months on.</p>
${err ? `<p class="field-error" id="${id}-error">${e(err)}</p>\n` : ''}<input type="date" id="${id}" name="nextReview" aria-describedby="${id}-hint${err ? ` ${id}-error` : ''}"${err ? ' aria-invalid="true"' : ''}>
<button type="submit">Record that it has been reviewed</button>
`,
    });
  }).join('');
  const top = (o.done ? box('success', `<p>${e(o.done)}</p>`, 'done') : '') + (o.error ? box('error', `<p>${e(o.error.message)}</p>`, 'error') : '');
  return {
    title: 'Policies',
    body: `${top}<p>Each policy is reviewed at least once a year; its owner is reminded before the date.</p>
${list}${forms ? `<h2>Record a review</h2>\n${forms}` : ''}`,
  };
}
