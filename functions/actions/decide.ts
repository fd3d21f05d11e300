/**
 * The action page's POST: the decision on the form, as the person the link was made for (handler.ts has checked the
 * link). Loaded on the first POST only; a GET never needs it.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { TokenPayload } from '../domain/tokens.ts';
import { accountLabel, type Task } from '../domain/tasks.ts';
import type { Platform } from '../domain/model.ts';
import { longDate } from '../domain/working-days.ts';
import { bodyBytes, header, html, rawBody, type HttpResult } from '../http/responses.ts';
import type { Deps } from '../usecases/deps.ts';
import { DECISION_FIELDS, decisionFromForm, type DecisionForm } from '../usecases/decision-form.ts';
import { resolveTask, ResolveError } from '../usecases/resolve.ts';
import { resultPage } from './pages.ts';
import { capitalise } from '../domain/text.ts';

const MAX_FORM_BYTES = 16 * 1024;

export interface Checked {
  task: Task;
  payload: TokenPayload;
  formAction: string;
  /** The task page again, with an error and the values sent. */
  render: (status: number, error: string, values: DecisionForm) => Promise<HttpResult>;
}

export async function decide(d: Deps, event: APIGatewayProxyEventV2, { task, payload, render }: Checked): Promise<HttpResult> {
  if (bodyBytes(event) > MAX_FORM_BYTES) return html(413, resultPage({ trustName: d.config.trustName, title: 'Too much data', message: 'The form sent more than this page accepts.', kind: 'error' }));
  if (!/^application\/x-www-form-urlencoded\b/i.test(header(event, 'content-type') ?? '')) {
    return html(415, resultPage({ trustName: d.config.trustName, title: 'Unsupported form', message: 'Please use the buttons on the page.', kind: 'error' }));
  }
  const form = new URLSearchParams(rawBody(event));
  const values: DecisionForm = Object.fromEntries(DECISION_FIELDS.map((f) => [f, form.get(f) ?? '']));
  const decision = decisionFromForm(form.get('action') ?? '', values);
  if (!decision) return render(400, 'Choose one of the options below.', values);
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
      if (err.code === 'invalid') return render(400, err.message, values);
      if (err.code === 'refused') return html(403, resultPage({ trustName: d.config.trustName, title: 'This link no longer works', message: `${capitalise(err.message)}. Nothing has been changed.`, kind: 'error' }));
      return html(409, resultPage({ trustName: d.config.trustName, title: 'Nothing was changed', message: `${capitalise(err.message)}.`, kind: 'info' }));
    }
    throw err;
  }
}

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
