/** Rendering a page for the signed-in person, and reading a posted form's text fields. */
import type { Context } from 'hono';
import type { ConsoleContext, ConsoleEnv } from '../app.ts';
import { htmlPage } from '../http.ts';
import type { Section } from '../layout.ts';

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
