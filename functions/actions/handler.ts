/**
 * Action pages behind emailed links: `GET /actions/{token}` shows the task and its choices and changes nothing
 * (mail scanners open every link); the page's form `POST`s the decision. Links are signed, expire, work once and
 * are tied to their task, its generation and their recipient, who is recorded as the actor; a forged, expired, reused
 * or superseded link (its person no longer asked, or the task reopened since) shows a clear page and changes nothing.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { logger } from '../adapters/logger.ts';
import { verifyToken, type TokenPayload } from '../domain/tokens.ts';
import { accountLabel, generationOf, type Task } from '../domain/tasks.ts';
import type { Platform } from '../domain/model.ts';
import { longDate } from '../domain/working-days.ts';
import { bodyBytes, header, html, rawBody, type HttpResult } from '../http/responses.ts';
import { depsFromEnv } from '../adapters/deps.ts';
import type { Deps } from '../usecases/deps.ts';
import { accountView } from '../usecases/links.ts';
import { DECISION_FIELDS, decisionFromForm, type DecisionForm } from '../usecases/decision-form.ts';
import { describeClosed, linkRefusal, resolveTask, ResolveError } from '../usecases/resolve.ts';
import { resultPage, taskPage } from './pages.ts';

const MAX_FORM_BYTES = 16 * 1024;
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

  if (bodyBytes(event) > MAX_FORM_BYTES) return html(413, resultPage({ trustName: d.config.trustName, title: 'Too much data', message: 'The form sent more than this page accepts.', kind: 'error' }));
  if (!/^application\/x-www-form-urlencoded\b/i.test(header(event, 'content-type') ?? '')) {
    return html(415, resultPage({ trustName: d.config.trustName, title: 'Unsupported form', message: 'Please use the buttons on the page.', kind: 'error' }));
  }
  const form = new URLSearchParams(rawBody(event));
  const values: DecisionForm = Object.fromEntries(DECISION_FIELDS.map((f) => [f, form.get(f) ?? '']));
  const decision = decisionFromForm(form.get('action') ?? '', values);
  if (!decision) return render(d, task, payload.r, formAction, 400, 'Choose one of the options below.', values);
  // Who acted, for the audit: the person the link was made for, whoever opened it. Checked again against the task
  // as it is when the decision is written (resolveTask), so a reopen or reassignment in between changes nothing.
  try {
    const done = await resolveTask(d, {
      taskId: task.id,
      decision,
      actor: { by: payload.r, source: `email-action:${task.id}` },
      linkNonce: { nonce: payload.n, expiresAt: payload.e },
      link: { recipient: payload.r, generation: payload.g },
    });
    return html(200, resultPage({ trustName: d.config.trustName, title: 'Done', message: outcome(done), kind: 'success' }));
  } catch (err) {
    if (err instanceof ResolveError) {
      if (err.code === 'invalid') return render(d, task, payload.r, formAction, 400, err.message, values);
      if (err.code === 'refused') return html(403, resultPage({ trustName: d.config.trustName, title: 'This link no longer works', message: `${capitalise(err.message)}. Nothing has been changed.`, kind: 'error' }));
      return html(409, resultPage({ trustName: d.config.trustName, title: 'Nothing was changed', message: `${capitalise(err.message)}.`, kind: 'info' }));
    }
    throw err;
  }
}

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

function outcome(task: Task): string {
  const r = task.resolution;
  const what = task.platform && task.handle ? accountLabel({ platform: task.platform as Platform, handle: task.handle }) : 'the policy';
  switch (r?.action) {
    case 'transfer':
      return task.type === 'transfer_or_close'
        ? `The register now shows ${what} registered to ${r.to}. Make sure the login email on the platform itself is changed to match.`
        : task.type === 'replace_admin' ? `${r.to} is now recorded as an administrator of ${what}.` : `${r.to} is now recorded as supervisor of ${what}.`;
    case 'close': return `${what} is recorded as closed on ${longDate(r.closedOn)}. Make sure it is closed on the platform itself.`;
    case 'keep': return `${what} is kept as it is. Your reason has been recorded.`;
    case 'acknowledge': return 'Thank you: your acknowledgement of the social media policy has been recorded.';
    case 'confirm': return `Thank you: ${what} is recorded as in use and monitored.`;
    case 'request_closure': return `Closure of ${what} has been requested; the school's IT manager will see it in the register.`;
    case 'extend': return `The planned end of ${what} is now ${longDate(r.to)}.`;
    case 'reviewed': return `The policy is recorded as reviewed; its next review is due on ${longDate(r.nextReview)}.`;
    case 'approve': return `Thank you: your approval of the request for ${what} is recorded.`;
    case 'reject': return `The request for ${what} is rejected, and the person who asked for it is told your reason.`;
    case 'set_up': return `${what} is recorded as set up and is now active in the register. Its first review is due in a year.`;
    default: return 'Recorded.';
  }
}
