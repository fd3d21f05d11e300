/** What emails and pages show of an account, and the signed links to a task's action page. */
import { randomBytes } from 'node:crypto';
import type { AccountView } from '../domain/emails.ts';
import type { Account, School } from '../domain/model.ts';
import type { AccountRequest } from '../domain/requests.ts';
import { signToken } from '../domain/tokens.ts';
import { generationOf, type Task } from '../domain/tasks.ts';
import { londonDate } from '../domain/working-days.ts';
import type { Deps } from './deps.ts';

export function accountView(account: Account, school: School | undefined): AccountView {
  return {
    platform: account.platform,
    handle: account.handle,
    ...(account.url ? { url: account.url } : {}),
    schoolName: school?.name ?? account.school,
    linkedEmail: account.linkedEmail,
    admins: account.admins,
  };
}

/** A request's proposed account, shown where an account would be (its reminders, before the account exists). */
export function requestAccountView(request: AccountRequest, school: School | undefined): AccountView {
  return { platform: request.platform, handle: request.handle, schoolName: school?.name ?? request.school, linkedEmail: request.linkedEmail, admins: request.admins };
}

export interface ActionLink { url: string; expiresOn: string }

/**
 * A fresh signed link to a task's action page for one recipient: whoever opens it acts as that person, and only
 * while they are still asked to do the task and the task has not been reopened since.
 */
export async function actionLink(deps: Deps, task: Task, recipient: string): Promise<ActionLink> {
  const now = deps.clock();
  const expires = Math.floor(now.getTime() / 1000) + deps.config.linkExpiryDays * 86_400;
  const token = signToken(await deps.config.linkSecret(), { taskId: task.id, recipient, generation: generationOf(task) }, expires, randomBytes(12).toString('base64url'));
  return { url: `${deps.config.publicBaseUrl}/actions/${token}`, expiresOn: londonDate(new Date(expires * 1000)) };
}
