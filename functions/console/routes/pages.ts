/** The home page, the history and the policies (the register, tasks and requests have groups of their own: app.ts). */
import { Hono, type Context } from 'hono';
import { PolicyError } from '../../usecases/policies.ts';
import { auditCsv, auditFor, homeFor, policiesFor, recordPolicyReview, type AuditFilters } from '../../usecases/console/index.ts';
import type { ConsoleContext, ConsoleEnv } from '../app.ts';
import { seeOther, wantsJson } from '../http.ts';
import { auditPage } from '../pages/audit.ts';
import { homePage } from '../pages/home.ts';
import { policiesPage } from '../pages/policies.ts';
import { query, render, text } from './render.ts';

export function pageRoutes(ctx: ConsoleContext): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();

  app.get('/', async (c) => {
    const home = await homeFor(ctx.deps(), c.get('viewer'));
    if (wantsJson(c)) return c.json(home);
    return render(c, ctx, 200, homePage(home, c.get('viewer')), 'home');
  });

  const auditFilters = (c: Context<ConsoleEnv>): AuditFilters => {
    const account = query(c, 'account');
    const since = query(c, 'since');
    return { ...(account ? { account } : {}), ...(since ? { since } : {}) };
  };

  app.get('/audit', async (c) => {
    const filters = auditFilters(c);
    const entries = await auditFor(ctx.deps(), c.get('viewer'), filters);
    if (wantsJson(c)) return c.json(entries);
    return render(c, ctx, 200, auditPage(entries, filters), 'audit');
  });

  app.get('/audit.csv', async (c) => {
    const csv = await auditCsv(ctx.deps(), c.get('viewer'), auditFilters(c));
    c.header('content-type', 'text/csv; charset=utf-8');
    c.header('content-disposition', `attachment; filename="custodian-history-${ctx.now().toISOString().slice(0, 10)}.csv"`);
    return c.body(csv);
  });

  app.get('/policies', async (c) => {
    const rows = await policiesFor(ctx.deps(), c.get('viewer'));
    if (wantsJson(c)) return c.json(rows);
    const done = c.req.query('done') === '1' ? { done: 'The review has been recorded.' } : {};
    return render(c, ctx, 200, policiesPage(rows, c.get('viewer'), c.get('user').csrf, done), 'policies');
  });

  app.post('/policies/:policyId', async (c) => {
    const deps = ctx.deps();
    const viewer = c.get('viewer');
    const policyId = c.req.param('policyId');
    const next = text(c, 'nextReview').trim();
    try {
      await recordPolicyReview(deps, viewer, policyId, next || undefined);
    } catch (err) {
      if (!(err instanceof PolicyError)) throw err;
      const rows = await policiesFor(deps, viewer);
      return render(c, ctx, 400, policiesPage(rows, viewer, c.get('user').csrf, { error: { policyId, message: err.message } }), 'policies');
    }
    return seeOther(c, '/policies?done=1');
  });

  return app;
}
