/** The register: the list, one account and its edit, and the import (upload, preview, confirm). */
import { Hono } from 'hono';
import {
  accountFor, confirmImport, editAccount, Forbidden, Invalid, previewImport, registerFor, type RegisterFilters,
} from '../../usecases/console/index.ts';
import type { ConsoleContext, ConsoleEnv } from '../app.ts';
import { seeOther, wantsJson } from '../http.ts';
import { accountPage } from '../pages/account.ts';
import { accountHref } from '../pages/common.ts';
import { importedPage, importErrorsPage, importFormPage, previewPage } from '../pages/import.ts';
import { registerPage } from '../pages/register.ts';
import { query, render, text, textFields } from './render.ts';

/** A register of thousands of accounts is a few hundred KB; this leaves room and keeps the preview page under Lambda's 6 MB. */
export const MAX_REGISTER_FILE_BYTES = 2 * 1024 * 1024;

export function registerRoutes(ctx: ConsoleContext): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();

  app.get('/register', async (c) => {
    const deps = ctx.deps();
    const filters: RegisterFilters = {};
    for (const k of ['school', 'status', 'finding', 'q'] as const) {
      const v = query(c, k);
      if (v) filters[k] = v;
    }
    const rows = await registerFor(deps, c.get('viewer'), filters);
    if (wantsJson(c)) return c.json(rows);
    const schools = await deps.store.listSchools();
    return render(c, ctx, 200, registerPage(rows, filters, schools, c.get('viewer')), 'register');
  });

  app.get('/register/import', (c) => {
    const viewer = c.get('viewer');
    // The page itself shows nothing; the use case refuses the import to anyone else too.
    if (!viewer.trustAdmin && viewer.itManagerOf.length === 0) throw new Forbidden('only a school\'s IT managers or a trust administrator may import the register');
    return render(c, ctx, 200, importFormPage(c.get('user').csrf), 'register');
  });

  app.post('/register/import', async (c) => {
    const deps = ctx.deps();
    const viewer = c.get('viewer');
    const csrf = c.get('user').csrf;
    if (text(c, 'step') === 'confirm') {
      const file = Buffer.from(text(c, 'file_base64'), 'base64');
      const result = await confirmImport(deps, viewer, file, text(c, 'digest'));
      if (!result.ok) return render(c, ctx, 400, importErrorsPage(result.errors, csrf), 'register');
      return render(c, ctx, 200, importedPage(result), 'register');
    }
    const upload = c.get('form').file;
    let file = typeof upload === 'object' && upload.size > 0 ? Buffer.from(await upload.arrayBuffer()) : Buffer.from(text(c, 'csv'), 'utf8');
    if (file.length === 0 || file.toString('utf8').trim() === '') throw new Invalid('choose a register file, or paste its contents, then press Preview');
    if (file.length > MAX_REGISTER_FILE_BYTES) throw new Invalid(`the file is larger than ${MAX_REGISTER_FILE_BYTES / 1024 / 1024} MB; split it by school and import each part`);
    // A pasted file has the browser's line endings; a file keeps its bytes.
    if (typeof upload !== 'object' || upload.size === 0) file = Buffer.from(file.toString('utf8').replace(/\r\n/g, '\n'), 'utf8');
    const preview = await previewImport(deps, viewer, file);
    if (!preview.ok) return render(c, ctx, 400, importErrorsPage(preview.errors, csrf), 'register');
    return render(c, ctx, 200, previewPage(preview, file.toString('base64'), csrf), 'register');
  });

  app.get('/register/:accountId', async (c) => {
    const view = await accountFor(ctx.deps(), c.get('viewer'), c.req.param('accountId'));
    if (wantsJson(c)) return c.json(view);
    const saved = c.req.query('saved');
    return render(c, ctx, 200, accountPage(view, c.get('user').csrf, saved === '1' || saved === '0' ? { saved: saved === '1' } : {}), 'register');
  });

  app.post('/register/:accountId', async (c) => {
    const deps = ctx.deps();
    const viewer = c.get('viewer');
    const id = c.req.param('accountId');
    const form = textFields(c);
    const version = Number(form.version);
    const result = await editAccount(deps, viewer, id, form, Number.isInteger(version) ? version : -1);
    if (result.ok) return seeOther(c, `${accountHref(result.account.id)}?saved=${result.changed.length ? '1' : '0'}#saved`);
    const view = await accountFor(deps, viewer, id);
    return render(c, ctx, 400, accountPage(view, c.get('user').csrf, { state: { values: form, errors: result.errors } }), 'register');
  });

  return app;
}
