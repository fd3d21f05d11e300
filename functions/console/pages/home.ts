/** `GET /`: my open tasks, and every account tied to me and in what role. */
import { escapeHtml as e } from '../../domain/html.ts';
import type { Home, Viewer } from '../../usecases/console/index.ts';
import { table } from '../layout.ts';
import { accountLink, addr, day, findingTags, label, STATUS_LABELS, TASK_TYPE_LABELS, taskHref, TIE_LABELS } from './common.ts';

export function homePage(home: Home, viewer: Viewer): { title: string; body: string } {
  const roles: string[] = [];
  if (viewer.trustAdmin) roles.push('a trust administrator: you see and change every school\'s accounts');
  if (viewer.itManagerOf.length) roles.push(`an IT manager of ${viewer.itManagerOf.map(e).join(', ')}: you see and change ${viewer.itManagerOf.length === 1 ? 'its' : 'their'} accounts and tasks`);
  const intro = roles.length
    ? `<p>You are ${roles.join('; and ')}.</p>`
    : '<p>You see the official accounts tied to your address and the tasks you are asked to do.</p>';
  const tasks = table({
    id: 'my-tasks',
    caption: 'Tasks waiting for you',
    head: ['Task', 'Account', 'Due', 'About'],
    rows: home.tasks.map((t) => [
      `<a href="${taskHref(t.id)}">${e(label(TASK_TYPE_LABELS, t.type))}</a>`,
      t.accountId ? `<a href="/register/${encodeURIComponent(t.accountId)}">${e(t.accountId)}</a>` : '<span class="muted">None</span>',
      day(t.dueDate),
      addr(t.subjectEmail),
    ]),
    empty: 'Nothing is waiting for you.',
  });
  const accounts = table({
    id: 'my-accounts',
    caption: 'Accounts tied to you',
    head: ['Account', 'School', 'Your role', 'Status', 'Findings'],
    rows: home.accounts.map(({ account, roles: r }) => [
      accountLink(account),
      e(account.school),
      r.map((x) => e(label(TIE_LABELS, x))).join(', '),
      e(label(STATUS_LABELS, account.status)),
      findingTags(account.findings),
    ]),
    empty: 'No official account is tied to your address.',
  });
  return {
    title: 'Home',
    body: `${intro}
<p><a href="/requests/new" id="request-new-account">Request a new official account</a>: the site creation approval form. Every new account starts there, so that it is approved, supervised and in the register from the day it is opened.</p>
<h2>My tasks</h2>
${tasks}<h2>My accounts</h2>
<p class="muted">Every account whose linked email, administrators or supervisors include your address. Before you leave, make sure each is handed over.</p>
${accounts}`,
  };
}
