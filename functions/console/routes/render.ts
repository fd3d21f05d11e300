/** Rendering a page for the signed-in person, and reading a posted form's text fields. */
import type { Context } from 'hono';
import type { ConsoleContext, ConsoleEnv } from '../app.ts';
import { htmlPage } from '../http.ts';
import type { Section } from '../layout.ts';
import { Invalid } from '../../usecases/console/viewer.ts';

export function render(c: Context<ConsoleEnv>, ctx: ConsoleContext, status: number, p: { title: string; body: string }, section?: Section): Response {
  return htmlPage(c, status, { trustName: ctx.config.trustName, title: p.title, body: p.body, user: c.get('user'), ...(section ? { section } : {}) });
}

/** A posted field as text ('' when absent or a file). */
export function text(c: Context<ConsoleEnv>, name: string): string {
  const v = c.get('form')?.[name];
  return typeof v === 'string' ? v : '';
}

/** Every text field of the posted form. */
export function textFields(c: Context<ConsoleEnv>): Record<string, string> {
  return Object.fromEntries(Object.entries(c.get('form') ?? {}).filter(([, v]) => typeof v === 'string')) as Record<string, string>;
}

/** A query parameter, trimmed; undefined when empty. */
export function query(c: Context<ConsoleEnv>, name: string): string | undefined {
  const v = c.req.query(name)?.trim();
  return v ? v : undefined;
}

/** The `status` query parameter of a list page: undefined when absent, refused (Invalid: 400) unless one of `allowed`. */
export function statusQuery<S extends string>(c: Context<ConsoleEnv>, allowed: readonly S[]): S | undefined {
  const status = query(c, 'status');
  if (status && !(allowed as readonly string[]).includes(status)) throw new Invalid(`status must be one of ${allowed.join(', ')}`);
  return status as S | undefined;
}
