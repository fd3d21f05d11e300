/**
 * How a function's code is bundled for Lambda, in one place: the stack (custodian-function.ts) bundles each function
 * with these options, and `npm run bench` measures bundles built with the very same ones.
 *
 * esbuild, called directly rather than through NodejsFunction: NodejsFunction writes one file (`--outfile`), and code
 * splitting needs an output folder. With splitting, a module a function only reaches through `await import()` (the
 * console's pages, the action page's decision path, the SDK clients below) becomes a chunk of its own that Node loads
 * on first use, so a cold start loads and parses only what its first request needs.
 */
import path from 'node:path';
import { buildSync, type BuildOptions, type Metafile } from 'esbuild';

/**
 * AWS SDK packages left to the Lambda runtime's own copy; the rest of the SDK is bundled. Bundled and tree-shaken,
 * the DynamoDB client every function uses on every request loads several times faster than the runtime's copy
 * from its node_modules, and the function runs the SDK version its tests ran. These are the exceptions, each only
 * ever imported with `await import()` on first use (functions/adapters/aws.ts), so a cold start neither loads nor
 * parses them: SES, EventBridge and SQS, which a request needs only when it sends mail, publishes an event or
 * dead-letters one (an action page GET or a console page never does), and the credential providers Lambda never
 * reaches (credentials come from the environment, the first link of the chain). A static import of one of these
 * would be loaded from the runtime at start-up; `npm run bench` refuses a bundle that has one.
 * AWS on bundling the SDK: https://aws.amazon.com/blogs/developer/reduce-lambda-cold-start-times-migrate-to-aws-sdk-for-javascript-v3/
 */
export const RUNTIME_SDK_MODULES = [
  '@aws-sdk/client-sesv2', '@aws-sdk/client-eventbridge', '@aws-sdk/client-sqs',
  '@aws-sdk/credential-provider-ini', '@aws-sdk/credential-provider-sso', '@aws-sdk/credential-provider-process',
  '@aws-sdk/credential-provider-web-identity', '@aws-sdk/credential-provider-http', '@smithy/credential-provider-imds',
];

/** The file Lambda loads (`index.handler`); chunks sit beside it under chunks/. */
export const ENTRY_FILE = 'index.mjs';

/** The esbuild options for the function whose handler is `entry` (an absolute path), written to `outdir`. */
export function bundleOptions(entry: string, outdir: string): BuildOptions & { outdir: string } {
  return {
    entryPoints: { index: entry },
    outdir,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    // Chunks for what is only reached through `await import()` (see above). ESM output, so the chunks are .mjs too.
    splitting: true,
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunks/[name]-[hash]',
    // ES module builds first, so esbuild can tree-shake them (the AWS SDK's dist-es: its CommonJS build is twice the
    // size in a bundle). esbuild's default for node is main first.
    mainFields: ['module', 'main'],
    minify: true,
    // Stack traces still name our files and lines; the sources themselves stay out of the maps, which Node reads and
    // parses at start-up under --enable-source-maps (a map three times the bundle's size cost ~50 ms a cold start).
    sourcemap: true,
    sourcesContent: false,
    // Licence notices go to a file beside each output (index.mjs.LEGAL.txt, deployed with it) instead of its end.
    legalComments: 'external',
    external: RUNTIME_SDK_MODULES,
    // ESM bundles still meet CommonJS dependencies that call require(); give them one.
    banner: { js: "import { createRequire as __cr } from 'module'; const require = __cr(import.meta.url);" },
    logLevel: 'error',
  };
}

/** Bundles `entry` into `outdir` (what the stack's local bundling runs at synth time). */
export function bundleSync(entry: string, outdir: string): void {
  buildSync(bundleOptions(entry, outdir));
}

/** Total bytes of the JavaScript outputs, and of the entry with the chunks it loads statically (transitively). */
export function outputSizes(metafile: Metafile): { bytes: number; startBytes: number; chunks: number } {
  const js = Object.entries(metafile.outputs).filter(([name]) => name.endsWith('.mjs'));
  const byName = new Map(js);
  const entry = js.find(([name]) => path.basename(name) === ENTRY_FILE)?.[0];
  if (!entry) throw new Error(`no ${ENTRY_FILE} among the outputs: ${js.map(([n]) => n).join(', ')}`);
  const seen = new Set<string>();
  const visit = (name: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    for (const i of byName.get(name)?.imports ?? []) if (!i.external && i.kind === 'import-statement') visit(i.path);
  };
  visit(entry);
  const size = (names: Iterable<string>) => [...names].reduce((n, name) => n + (byName.get(name)?.bytes ?? 0), 0);
  return { bytes: size(byName.keys()), startBytes: size(seen), chunks: js.length };
}
