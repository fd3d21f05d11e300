/**
 * Action pages behind emailed links: `GET /actions/{token}` shows the task and its choices and changes nothing
 * (mail scanners open every link); the page's form `POST`s the decision. Links are signed, expire, work once and
 * are tied to their task, its generation and their recipient, who is recorded as the actor; a forged, expired, reused
 * or superseded link (its person no longer asked, or the task reopened since) shows a clear page and changes nothing.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { logger } from '../adapters/logger.ts';
import { verifyToken, type TokenPayload } from '../domain/tokens.ts';
import { generationOf, type Task } from '../domain/tasks.ts';
import { describeClosed, linkRefusal } from '../domain/task-refusals.ts';
import { html, type HttpResult } from '../http/responses.ts';
import { depsFromEnv } from '../adapters/deps.ts';
import type { Deps } from '../usecases/deps.ts';
import { accountView } from '../usecases/links.ts';
import type { DecisionForm } from '../usecases/decision-form.ts';
import { resultPage, taskPage } from './pages.ts';
import { capitalise } from '../domain/text.ts';

let deps: Deps | undefined;

type Checked = { ok: true; payload: TokenPayload; task: Task } | { ok: false; page: HttpResult };

async function check(d: Deps, token: string | undefined): Promise<Checked> {
  const page = (status: number, title: string, message: string, kind: 'error' | 'info' = 'error') =>
    ({ ok: false as const, page: html(status, resultPage({ trustName: d.config.trustName, title, message, kind })) });
  const verdict = verifyToken(await d.config.linkSecret(), token, Math.floor(d.clock().getTime() / 1000));
  if (!verdict.ok) {
    logger.warn('action link refused', { reason: verdict.reason });
    if (verdict.reason === 'expired') return page(410, 'This link has expired', 'Links in Custodian emails work for a limited time. Ask your IT manager to resolve the task, or use the newest email about it.');
    return page(verdict.reason === 'forged' ? 403 : 400, 'This link is not valid', 'The link is incomplete or has been changed. Open it again from the email, copying the whole address.');
  }
  const task = await d.store.getTask(verdict.payload.t);
  if (!task) return page(404, 'Task not found', 'The task this link was for no longer exists.');
  if (task.status !== 'open') return page(409, 'Nothing left to do', `${capitalise(describeClosed(task))}.`, 'info');
  if (await d.store.isLinkUsed(verdict.payload.n)) return page(409, 'This link has already been used', 'Each link works once.', 'info');
  const refusal = linkRefusal(task, { recipient: verdict.payload.r, generation: verdict.payload.g });
  if (refusal) {
    logger.warn('action link refused', { reason: verdict.payload.g !== generationOf(task) ? 'reopened' : 'not_assignee', taskId: task.id });
    return page(403, 'This link no longer works', `${capitalise(refusal)}. Nothing has been changed.`);
  }
  return { ok: true, payload: verdict.payload, task };
}

async function render(d: Deps, task: Task, recipient: string, formAction: string, status = 200, error?: string, values?: DecisionForm): Promise<HttpResult> {
  const account = task.accountId ? await d.store.getAccount(task.accountId) : undefined;
  const request = task.requestId ? await d.store.getRequest(task.requestId) : undefined;
  const schoolId = account?.school ?? request?.school;
  const school = schoolId ? await d.store.getSchool(schoolId) : undefined;
  const policy = task.policyId ? await d.store.getPolicy(task.policyId) : undefined;
  return html(status, taskPage({
    trustName: d.config.trustName,
    task,
    ...(account ? { account: accountView(account, school) } : {}),
    ...(policy ? { policy: { title: policy.title, nextReviewDate: policy.nextReviewDate } } : {}),
    ...(request ? { request: { request, schoolName: school?.name ?? request.school } } : {}),
    formAction,
    actingAs: recipient,
    ...(error ? { error } : {}),
    ...(values ? { values } : {}),
  }));
}

export async function handler(event: APIGatewayProxyEventV2): Promise<HttpResult> {
  deps ??= depsFromEnv();
  const d = deps;
  const token = event.pathParameters?.token;
  const formAction = `${d.config.publicBaseUrl}/actions/${encodeURIComponent(token ?? '')}`;
  const checked = await check(d, token);
  if (!checked.ok) return checked.page;
  const { task, payload } = checked;

  if (event.requestContext.http.method === 'GET') return render(d, task, payload.r, formAction);

  // The decision path (the form, resolveTask, its emails) is loaded on the first POST: a GET, which is most of what
  // links see (people reading, mail scanners), never loads it (infra/constructs/bundle.ts).
  const { decide } = await import('./decide.ts');
  return decide(d, event, { task, payload, formAction, render: (status, error, values) => render(d, task, payload.r, formAction, status, error, values) });
}

