/** `npx cdk synth` as an engineer runs it: no AWS credentials, no network, every function bundled by esbuild. */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { FUNCTIONS } from '../../infra/functions.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

it('cdk synth works without credentials and bundles every function', async () => {
  const out = mkdtempSync(path.join(tmpdir(), 'custodian-cdkout-'));
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_')));
  const result = await new Promise<{ code: number; stderr: string }>((resolve) => {
    execFile('npx', ['cdk', 'synth', '-q', '-o', out], { cwd: ROOT, env: { ...env, AWS_EC2_METADATA_DISABLED: 'true' }, timeout: 240_000 }, (err, _stdout, stderr) =>
      resolve({ code: err ? 1 : 0, stderr }));
  });
  expect(result.code, result.stderr).toBe(0);
  const template = JSON.parse(readFileSync(path.join(out, 'Custodian.template.json'), 'utf8')) as { Resources: Record<string, { Type: string; Properties: Record<string, unknown>; Metadata?: Record<string, unknown> }> };
  const fns = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Lambda::Function');
  // Every listed function, and the deploy-time provider of the secrets' parameters (inline code, no bundle).
  expect(fns.filter((f) => f.Metadata?.['custodian:function'])).toHaveLength(FUNCTIONS.length);
  expect(fns).toHaveLength(FUNCTIONS.length + 1);
  expect(fns.every((f) => f.Properties.Runtime === 'nodejs22.x')).toBe(true);
  expect(Object.values(template.Resources).some((r) => r.Type === 'AWS::DynamoDB::Table' && (r.Properties.PointInTimeRecoverySpecification as { PointInTimeRecoveryEnabled: boolean }).PointInTimeRecoveryEnabled)).toBe(true);
  // Each function's asset folder holds its own bundle: the entry Lambda loads (index.handler), and beside it the
  // chunks the entry loads with import() (infra/constructs/bundle.ts).
  const bundles = readdirSync(out).filter((d) => d.startsWith('asset.') && statSync(path.join(out, d)).isDirectory());
  expect(bundles.length).toBe(FUNCTIONS.length);
  for (const b of bundles) expect(readdirSync(path.join(out, b))).toContain('index.mjs');
  expect(fns.filter((f) => f.Metadata?.['custodian:function']).every((f) => f.Properties.Handler === 'index.handler')).toBe(true);
  const consoleFn = fns.find((f) => f.Metadata?.['custodian:function'] === 'console')!;
  const consoleAsset = path.join(out, String(consoleFn.Metadata!['aws:asset:path']));
  expect(readdirSync(path.join(consoleAsset, 'chunks')).filter((f) => f.endsWith('.mjs')).length).toBeGreaterThan(3);
}, 300_000);
