/**
 * The size targets of every function's bundle, built exactly as the stack builds it (infra/constructs/bundle.ts) but
 * with the AWS SDK left out, as the targets count it: at most 400 KB minified in all, and for the two functions
 * people wait on in a browser (the action pages and the console) at most 150 KB loaded by a cold start (the entry and
 * the chunks it imports statically; each page's own chunk loads on its first request). `npm run bench` reports the
 * same figures and the import times.
 */
import { build } from 'esbuild';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bundleOptions, outputSizes, RUNTIME_SDK_MODULES } from '../../infra/constructs/bundle.ts';
import { FUNCTIONS } from '../../infra/functions.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const KB = 1024;
const PAGES = ['actions', 'console'];
const out = mkdtempSync(path.join(tmpdir(), 'custodian-bundles-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

async function sizes(name: string) {
  const spec = FUNCTIONS.find((f) => f.name === name)!;
  const options = bundleOptions(path.join(ROOT, spec.entry), path.join(out, name));
  const result = await build({ ...options, write: false, sourcemap: false, metafile: true, external: ['@aws-sdk/*', ...(options.external ?? [])] });
  return { ...outputSizes(result.metafile), metafile: result.metafile };
}

describe('each function\'s bundle, without the AWS SDK', () => {
  for (const spec of FUNCTIONS) {
    const limit = PAGES.includes(spec.name) ? 150 : 400;
    it(`${spec.name}: at most 400 KB in all, at most ${limit} KB loaded by a cold start`, async () => {
      const s = await sizes(spec.name);
      expect(s.bytes).toBeLessThanOrEqual(400 * KB);
      expect(s.startBytes).toBeLessThanOrEqual(limit * KB);
    });
  }

  it('the console loads a page\'s code, the CSV libraries and openid-client only when a request needs them', async () => {
    const s = await sizes('console');
    const inputsOf = (predicate: (imported: boolean) => boolean) => {
      const entry = Object.keys(s.metafile.outputs).find((n) => n.endsWith('/index.mjs'))!;
      const eager = new Set<string>();
      const visit = (n: string) => {
        if (eager.has(n)) return;
        eager.add(n);
        for (const i of s.metafile.outputs[n]!.imports) if (!i.external && i.kind === 'import-statement') visit(i.path);
      };
      visit(entry);
      return Object.entries(s.metafile.outputs).filter(([n]) => n.endsWith('.mjs') && predicate(eager.has(n))).flatMap(([, o]) => Object.keys(o.inputs));
    };
    const atStart = inputsOf((eager) => eager);
    const later = inputsOf((eager) => !eager);
    for (const lazy of ['node_modules/csv-parse/', 'node_modules/openid-client/', 'functions/console/pages/register.ts', 'functions/console/pages/requests.ts', 'functions/usecases/resolve.ts']) {
      expect(atStart.some((i) => i.includes(lazy)), `${lazy} at start-up`).toBe(false);
      expect(later.some((i) => i.includes(lazy)), `${lazy} in a chunk`).toBe(true);
    }
    expect(s.chunks).toBeGreaterThan(1);
  });

  it('no function imports a module left to the Lambda runtime statically (it would load at start-up)', async () => {
    for (const spec of FUNCTIONS) {
      const { metafile } = await sizes(spec.name);
      const eager = Object.values(metafile.outputs).flatMap((o) => o.imports).filter((i) => i.external && i.kind === 'import-statement' && RUNTIME_SDK_MODULES.includes(i.path));
      expect(eager, spec.name).toEqual([]);
    }
  });
});
