/**
 * Requests for new official accounts (contracts section 9): the form and its submission, the list, and one request's
 * progress. Submitting is `submitRequest`, as the signed-in person; deciding a step or the set-up is the task page's
 * (routes/tasks.ts), as for any task.
 */
import { Hono } from 'hono';
import { emailDomain, type School } from '../../domain/model.ts';
import { REQUEST_FORM_FIELDS } from '../../domain/request-forms.ts';
import { REQUEST_STATUSES } from '../../domain/requests.ts';
import { listRequestsFor, requestFor, submitRequest, type Viewer } from '../../usecases/console/index.ts';
import type { ConsoleContext, ConsoleEnv } from '../app.ts';
import { seeOther, wantsJson } from '../http.ts';
import { requestFormPage, requestHref, requestPage, requestsPage } from '../pages/requests.ts';
import { render, statusQuery, text } from './render.ts';

/** The schools a person may ask for: those whose domains their addresses are on (or they manage); else every school. */
export function schoolsFor(viewer: Viewer, schools: School[]): School[] {
  if (viewer.trustAdmin) return schools;
  const domains = new Set(viewer.addresses.map(emailDomain));
  const mine = schools.filter((s) => viewer.itManagerOf.includes(s.id) || s.domains.some((d) => domains.has(d.toLowerCase())));
  return mine.length ? mine : schools;
}

export function requestRoutes(ctx: ConsoleContext): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();

  app.get('/requests', async (c) => {
    const status = statusQuery(c, REQUEST_STATUSES);
    const rows = await listRequestsFor(ctx.deps(), c.get('viewer'), status ? { status } : {});
    if (wantsJson(c)) return c.json(rows);
    return render(c, ctx, 200, requestsPage(rows, status), 'requests');
  });

  app.get('/requests/new', async (c) => {
    const schools = schoolsFor(c.get('viewer'), await ctx.deps().store.listSchools());
    return render(c, ctx, 200, requestFormPage(schools, c.get('user').csrf), 'new-request');
  });

  app.post('/requests', async (c) => {
    const deps = ctx.deps();
    const viewer = c.get('viewer');
    const form = Object.fromEntries(REQUEST_FORM_FIELDS.map((f) => [f, text(c, f)]));
    const result = await submitRequest(deps, { email: viewer.email, ...(viewer.name ? { name: viewer.name } : {}) }, form);
    if (result.ok) {
      if (wantsJson(c)) return c.json(result.request, 201);
      return seeOther(c, `${requestHref(result.request.id)}?submitted=1`);
    }
    if (wantsJson(c)) return c.json({ errors: result.errors }, 400);
    const schools = schoolsFor(viewer, await deps.store.listSchools());
    return render(c, ctx, 400, requestFormPage(schools, c.get('user').csrf, { values: form, errors: result.errors }), 'new-request');
  });

  app.get('/requests/:requestId', async (c) => {
    const progress = await requestFor(ctx.deps(), c.get('viewer'), c.req.param('requestId'));
    if (wantsJson(c)) return c.json(progress);
    return render(c, ctx, 200, requestPage(progress, { submitted: c.req.query('submitted') === '1' }), 'requests');
  });

  return app;
}
