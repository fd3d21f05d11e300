/**
 * Each function as Lambda gets it: bundled with esbuild using the options of infra/constructs/custodian-function.ts
 * (ESM, node22, minified, the AWS SDK left external because the runtime provides it, the createRequire banner),
 * and the time a fresh Node process takes to import it, a proxy for the cold start's init phase.
 *
 * The bundles are written under node_modules/.cache (git-ignored) so that their `@aws-sdk/*` imports resolve
 * from the repository's node_modules: initMs therefore includes loading the SDK clients each function uses, as
 * the Lambda runtime would. Source maps are written beside the bundle (not counted in its size) and the child
 * runs with --enable-source-maps, as the functions' NODE_OPTIONS set it.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { FUNCTIONS } from '../../infra/functions.ts';
import { median } from './stats.ts';

const run = promisify(execFile);

export const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..');
const OUT_DIR = path.join(REPO_ROOT, 'node_modules', '.cache', 'custodian-bench', 'bundles');

export interface BundleResult {
  name: string;
  file: string;
  bytes: number;
  /** The largest contributors to the bundle, by package (or `(custodian)` for this repository's code). */
  largest: Array<{ source: string; bytes: number }>;
}

function packageOf(input: string): string {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
  return m ? m[1]! : '(custodian)';
}

export async function bundleAll(): Promise<BundleResult[]> {
  rmSync(OUT_DIR, { recursive: true, force: true });
  const results: BundleResult[] = [];
  for (const spec of FUNCTIONS) {
    const dir = path.join(OUT_DIR, spec.name);
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, 'index.mjs');
    const result = await build({
      metafile: true,
      entryPoints: [path.join(REPO_ROOT, spec.entry)],
      outfile: file,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node22',
      mainFields: ['module', 'main'],
      minify: true,
      sourcemap: true,
      external: ['@aws-sdk/*'],
      banner: { js: "import { createRequire as __cr } from 'module'; const require = __cr(import.meta.url);" },
      logLevel: 'error',
    });
    const byPackage = new Map<string, number>();
    for (const out of Object.values(result.metafile.outputs)) {
      for (const [input, { bytesInOutput }] of Object.entries(out.inputs)) byPackage.set(packageOf(input), (byPackage.get(packageOf(input)) ?? 0) + bytesInOutput);
    }
    const largest = [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([source, bytes]) => ({ source, bytes }));
    results.push({ name: spec.name, file, bytes: statSync(file).size, largest });
  }
  return results;
}

/** Milliseconds to import the bundle in a fresh process, measured inside it (Node's own start-up excluded). */
async function importOnce(file: string): Promise<number> {
  const script = `const t = performance.now(); await import(${JSON.stringify(pathToFileURL(file).href)}); process.stdout.write(String(performance.now() - t));`;
  const { stdout } = await run(process.execPath, ['--enable-source-maps', '--input-type=module', '-e', script], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', AWS_REGION: 'eu-west-2', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', NODE_OPTIONS: '' },
    timeout: 60_000,
  });
  const ms = Number(stdout.trim());
  if (!Number.isFinite(ms)) throw new Error(`importing ${file} printed ${stdout}`);
  return ms;
}

/** Median import time per bundle over `runs` fresh processes, the functions taken in turn each round. */
export async function initTimes(bundles: BundleResult[], runs: number): Promise<Record<string, { medianMs: number; runsMs: number[] }>> {
  const samples = new Map<string, number[]>(bundles.map((b) => [b.name, []]));
  for (let r = 0; r < runs; r++) {
    for (const b of bundles) samples.get(b.name)!.push(await importOnce(b.file));
  }
  return Object.fromEntries([...samples].map(([name, ms]) => [name, { medianMs: median(ms), runsMs: ms.map((m) => Math.round(m * 10) / 10) }]));
}
