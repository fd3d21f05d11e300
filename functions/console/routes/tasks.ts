/** Tasks: the list, one task, and deciding it as the signed-in person (the same use case as the emailed link). */
import { Hono } from 'hono';
import { TASK_STATUSES } from '../../domain/model.ts';
import { PolicyError } from '../../usecases/policies.ts';
import { ResolveError } from '../../usecases/resolve.ts';
import { DECISION_FIELDS, decisionFromForm } from '../../usecases/decision-form.ts';
import { decideTask, taskFor, tasksFor, type TaskView } from '../../usecases/console/index.ts';
import type { ConsoleContext, ConsoleEnv } from '../app.ts';
import type { FieldError } from '../layout.ts';
import { jsonError, messagePage, seeOther, wantsJson } from '../http.ts';
import { taskHref } from '../pages/common.ts';
import { setUpErrors, taskPage, tasksPage, type DecisionValues } from '../pages/tasks.ts';
import { render, statusQuery, text } from './render.ts';
import { capitalise } from '../../domain/text.ts';

export function taskRoutes(ctx: ConsoleContext): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();

  app.get('/tasks', async (c) => {
    const status = statusQuery(c, TASK_STATUSES);
    const rows = await tasksFor(ctx.deps(), c.get('viewer'), status ? { status } : {});
    if (wantsJson(c)) return c.json(rows);
    return render(c, ctx, 200, tasksPage(rows, status), 'tasks');
  });

  /** The name of the school a request is for (the task page shows the request's answers). */
  const schoolNameOf = async (view: TaskView): Promise<{ schoolName?: string }> => {
    if (!view.request) return {};
    const school = await ctx.deps().store.getSchool(view.request.school);
    return school ? { schoolName: school.name } : {};
  };

  app.get('/tasks/:taskId', async (c) => {
    const view = await taskFor(ctx.deps(), c.get('viewer'), c.req.param('taskId'));
    if (wantsJson(c)) return c.json(view);
    return render(c, ctx, 200, taskPage(view, c.get('user').csrf, { ...(c.req.query('done') === '1' ? { done: 'Your decision has been recorded.' } : {}), ...(await schoolNameOf(view)) }), 'tasks');
  });

  app.post('/tasks/:taskId', async (c) => {
    const deps = ctx.deps();
    const viewer = c.get('viewer');
    const id = c.req.param('taskId');
    const values: DecisionValues = Object.fromEntries(DECISION_FIELDS.map((f) => [f, text(c, f)]));
    const again = async (status: number, error: string, fieldErrors: FieldError[] = []) => {
      if (wantsJson(c)) return jsonError(c, status, error);
      const view = await taskFor(deps, viewer, id);
      return render(c, ctx, status, taskPage(view, c.get('user').csrf, { ...(fieldErrors.length && !error ? {} : { error }), values, fieldErrors, ...(await schoolNameOf(view)) }), 'tasks');
    };
    const action = text(c, 'action');
    const decision = decisionFromForm(action, values);
    if (!decision) return again(400, 'Choose one of the options below.');
    try {
      await decideTask(deps, viewer, id, decision);
    } catch (err) {
      if (err instanceof ResolveError) {
        if (err.code === 'invalid') {
          // The set-up form's problems each name their field: show them there.
          if (action === 'set_up' && !wantsJson(c)) {
            const { fieldErrors, rest } = setUpErrors(err.message);
            return again(400, rest.map(capitalise).join('; '), fieldErrors);
          }
          return again(400, capitalise(err.message));
        }
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

