/** Tasks: the list, one task, and deciding it as the signed-in person (the same use case as the emailed link). */
import { Hono } from 'hono';
import { TASK_STATUSES, type TaskStatus } from '../../domain/model.ts';
import { PolicyError } from '../../usecases/policies.ts';
import { ResolveError, type Decision } from '../../usecases/resolve.ts';
import { decideTask, Invalid, taskFor, tasksFor } from '../../usecases/console/index.ts';
import type { ConsoleContext, ConsoleEnv } from '../app.ts';
import { jsonError, messagePage, seeOther, wantsJson } from '../http.ts';
import { taskHref } from '../pages/common.ts';
import { taskPage, tasksPage, type DecisionValues } from '../pages/tasks.ts';
import { query, render, text } from './render.ts';

/** The decision a posted form asks for, as on the action page; undefined for an unknown action. */
export function decisionOf(action: string, v: DecisionValues): Decision | undefined {
  switch (action) {
    case 'transfer': return { action, to: (v.newOwner ?? '').trim() };
    case 'close': return { action };
    case 'keep': return { action, reason: v.reason ?? '' };
    case 'acknowledge': return { action };
    case 'confirm': return { action };
    case 'request_closure': return { action, reason: v.reason ?? '' };
    case 'extend': return { action, to: (v.newDate ?? '').trim() };
    case 'reviewed': return { action, ...(v.nextReview?.trim() ? { nextReview: v.nextReview.trim() } : {}) };
    default: return undefined;
  }
}

export function taskRoutes(ctx: ConsoleContext): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();

  app.get('/tasks', async (c) => {
    const status = query(c, 'status');
    if (status && !(TASK_STATUSES as readonly string[]).includes(status)) throw new Invalid(`status must be one of ${TASK_STATUSES.join(', ')}`);
    const rows = await tasksFor(ctx.deps(), c.get('viewer'), status ? { status: status as TaskStatus } : {});
    if (wantsJson(c)) return c.json(rows);
    return render(c, ctx, 200, tasksPage(rows, status), 'tasks');
  });

  app.get('/tasks/:taskId', async (c) => {
    const view = await taskFor(ctx.deps(), c.get('viewer'), c.req.param('taskId'));
    if (wantsJson(c)) return c.json(view);
    return render(c, ctx, 200, taskPage(view, c.get('user').csrf, c.req.query('done') === '1' ? { done: 'Your decision has been recorded.' } : {}), 'tasks');
  });

  app.post('/tasks/:taskId', async (c) => {
    const deps = ctx.deps();
    const viewer = c.get('viewer');
    const id = c.req.param('taskId');
    const values: DecisionValues = { newOwner: text(c, 'newOwner'), reason: text(c, 'reason'), newDate: text(c, 'newDate'), nextReview: text(c, 'nextReview') };
    const again = async (status: number, error: string) => {
      if (wantsJson(c)) return jsonError(c, status, error);
      return render(c, ctx, status, taskPage(await taskFor(deps, viewer, id), c.get('user').csrf, { error, values }), 'tasks');
    };
    const decision = decisionOf(text(c, 'action'), values);
    if (!decision) return again(400, 'Choose one of the options below.');
    try {
      await decideTask(deps, viewer, id, decision);
    } catch (err) {
      if (err instanceof ResolveError) {
        if (err.code === 'invalid') return again(400, capitalise(err.message));
        if (err.code === 'not_found') return messagePage(c, 404, { trustName: ctx.config.trustName, title: 'Task not found', message: 'This task no longer exists.', user: c.get('user') });
        return again(409, `Nothing was changed: ${err.message}.`);
      }
      if (err instanceof PolicyError) return again(400, capitalise(err.message));
      throw err;
    }
    return seeOther(c, `${taskHref(id)}?done=1`);
  });

  return app;
}

const capitalise = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
