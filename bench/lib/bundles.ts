/**
 * Each function as Lambda gets it: bundled by infra/constructs/bundle.ts, the stack's own bundling (ESM, node22,
 * minified, split into chunks, the AWS SDK bundled in but for RUNTIME_SDK_MODULES, source maps without the sources,
 * licence notices in files beside the outputs, the createRequire banner), and the time a fresh Node process takes to
 * import it, a proxy for the cold start's init phase. The modules left to the runtime resolve from the repository's
 * node_modules, as they would from the runtime's.
 *
 * Sizes, each without the AWS SDK (the same function bundled with `@aws-sdk/*` left external, as the issue's size
 * targets count it: our code and its other dependencies) and as deployed (`*Deployed`, the SDK included):
 * - `startBytes`: what a cold start loads, the entry file and the chunks it imports statically;
 * - `bytes`: every chunk, including those only loaded by `await import()` when a request first needs them.
 *
 * The bundles are written under node_modules/.cache (git-ignored), in a folder of this run's own (two runs at once
 * do not delete each other's files). Source maps are written beside each bundle (not counted in its size) and the
 * child runs with --enable-source-maps, as the functions' NODE_OPTIONS set it.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { bundleOptions, ENTRY_FILE, outputSizes, RUNTIME_SDK_MODULES } from '../../infra/constructs/bundle.ts';
import { FUNCTIONS } from '../../infra/functions.ts';
import { median } from './stats.ts';

const run = promisify(execFile);

export const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..');
const OUT_DIR = path.join(REPO_ROOT, 'node_modules', '.cache', 'custodian-bench', `bundles-${process.pid}`);

export interface BundleResult {
  name: string;
  /** The entry file Lambda loads. */
  file: string;
  /** Without the AWS SDK: every chunk, and what a cold start loads (the entry and its static imports). */
  bytesWithoutSdk: number;
  startBytesWithoutSdk: number;
  /** As deployed, the AWS SDK included: every chunk, and what a cold start loads. */
  bytes: number;
  startBytes: number;
  /** How many files the bundle has (the entry and its chunks). */
  chunks: number;
  /** The largest contributors to the deployed bundle (all chunks), by package (or `(custodian)` for this repository's code). */
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
    const entry = path.join(REPO_ROOT, spec.entry);
    const deployed = await build({ ...bundleOptions(entry, dir), metafile: true });
    // A static import of a module left to the runtime is hoisted to the top of its chunk and loaded with it.
    for (const [name, out] of Object.entries(deployed.metafile.outputs)) {
      const eager = out.imports.filter((i) => i.external && i.kind === 'import-statement' && RUNTIME_SDK_MODULES.includes(i.path));
      if (eager.length) throw new Error(`${spec.name} (${path.basename(name)}) imports ${eager.map((i) => i.path).join(', ')} statically: those are left to the runtime and must be imported with await import() on first use (infra/constructs/bundle.ts)`);
    }
    const options = bundleOptions(entry, path.join(dir, 'without-sdk'));
    const withoutSdk = await build({ ...options, write: false, sourcemap: false, metafile: true, external: ['@aws-sdk/*', ...(options.external ?? [])] });
    const byPackage = new Map<string, number>();
    for (const [name, out] of Object.entries(deployed.metafile.outputs)) {
      if (!name.endsWith('.mjs')) continue;
      for (const [input, { bytesInOutput }] of Object.entries(out.inputs)) byPackage.set(packageOf(input), (byPackage.get(packageOf(input)) ?? 0) + bytesInOutput);
    }
    const largest = [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([source, bytes]) => ({ source, bytes }));
    const d = outputSizes(deployed.metafile);
    const w = outputSizes(withoutSdk.metafile);
    results.push({
      name: spec.name, file: path.join(dir, ENTRY_FILE),
      bytesWithoutSdk: w.bytes, startBytesWithoutSdk: w.startBytes, bytes: d.bytes, startBytes: d.startBytes, chunks: d.chunks, largest,
    });
  }
  return results;
}

/** Deletes this run's bundles. */
export function removeBundles(): void {
  rmSync(OUT_DIR, { recursive: true, force: true });
}

export interface ImportSample {
  /** Wall-clock milliseconds for the import. */
  ms: number;
  /** CPU milliseconds (user + system) the process spent on it: less sensitive to a busy machine than `ms`. */
  cpuMs: number;
}

/** The environment of a fresh process: only what the child needs, never the parent's function variables. */
function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '', AWS_REGION: 'eu-west-2', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', NODE_OPTIONS: '', ...extra };
}

/** Milliseconds to import the bundle in a fresh process, measured inside it (Node's own start-up excluded). */
async function importOnce(file: string): Promise<ImportSample> {
  const script = `const c = process.cpuUsage(); const t = performance.now(); await import(${JSON.stringify(pathToFileURL(file).href)});
const ms = performance.now() - t; const u = process.cpuUsage(c); process.stdout.write(JSON.stringify({ ms, cpuMs: (u.user + u.system) / 1000 }));`;
  const { stdout } = await run(process.execPath, ['--enable-source-maps', '--input-type=module', '-e', script], { cwd: REPO_ROOT, env: childEnv(), timeout: 60_000 });
  const sample = JSON.parse(stdout.trim()) as ImportSample;
  if (!Number.isFinite(sample.ms)) throw new Error(`importing ${file} printed ${stdout}`);
  return sample;
}

export interface InitTimes {
  medianMs: number;
  medianCpuMs: number;
  runsMs: number[];
}

const r1 = (n: number) => Math.round(n * 10) / 10;

/** Median import time per bundle over `runs` fresh processes, the functions taken in turn each round. */
export async function initTimes(bundles: BundleResult[], runs: number): Promise<Record<string, InitTimes>> {
  const samples = new Map<string, ImportSample[]>(bundles.map((b) => [b.name, []]));
  for (let r = 0; r < runs; r++) {
    for (const b of bundles) samples.get(b.name)!.push(await importOnce(b.file));
  }
  return Object.fromEntries([...samples].map(([name, s]) => [name, { medianMs: median(s.map((x) => x.ms)), medianCpuMs: r1(median(s.map((x) => x.cpuMs))), runsMs: s.map((x) => r1(x.ms)) }]));
}

export interface FirstRequest {
  /** Importing the bundle, as in `initMs`. */
  initMs: number;
  /** The handler serving its first request, from the call to the resolved response. */
  requestMs: number;
  /** Both: what the person waits for on a cold start, API Gateway and Lambda's own start aside. */
  totalMs: number;
  /** The HTTP status code, or the handler's `outcome` for an event. */
  status: number | string;
}

/**
 * A cold request: a fresh process imports the bundle and calls its handler once with `event`, in the function's
 * own environment (`env`: its variables and the local stack's endpoints). Returns the times and the status code.
 */
export async function firstRequestOnce(file: string, env: Record<string, string>, event: unknown): Promise<FirstRequest> {
  const script = `const t0 = performance.now(); const m = await import(${JSON.stringify(pathToFileURL(file).href)}); const t1 = performance.now();
const event = JSON.parse(process.env.BENCH_EVENT);
const context = { functionName: 'bench', awsRequestId: 'bench-cold', getRemainingTimeInMillis: () => 15000 };
const res = await m.handler(event, context); const t2 = performance.now();
process.stdout.write('\\n' + JSON.stringify({ initMs: t1 - t0, requestMs: t2 - t1, totalMs: t2 - t0, status: res?.statusCode ?? res?.outcome ?? 0 }));`;
  // BENCH_COLD_PROFILE=<folder>: a CPU profile of each cold request there, for finding what a cold start spends time on.
  const profile = process.env.BENCH_COLD_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_COLD_PROFILE}`] : [];
  const { stdout } = await run(process.execPath, ['--enable-source-maps', ...profile, '--input-type=module', '-e', script], {
    cwd: REPO_ROOT, env: childEnv({ ...env, BENCH_EVENT: JSON.stringify(event) }), timeout: 60_000, maxBuffer: 16 * 1024 * 1024,
  });
  // The handler's own log lines come first; the figures are the last line.
  const last = stdout.trim().split('\n').at(-1)!;
  const r = JSON.parse(last) as FirstRequest;
  return { initMs: r1(r.initMs), requestMs: r1(r.requestMs), totalMs: r1(r.totalMs), status: r.status };
}
