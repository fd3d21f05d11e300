/**
 * cdk-nag's AwsSolutions pack over the synthesized stack: every finding is either fixed in the stack or acknowledged
 * in infra/constructs/nag.ts, on the one resource it concerns, with a specific reason. This test is the gate
 * (`cdk synth` does not run the pack).
 *
 * cdk-nag 3 is a CDK policy-validation plugin rather than an Aspect, and reports findings instead of annotating
 * constructs, so the pack is run directly over the stack with `validateScope`.
 */
import { Validations, type Stack } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/build-app.ts';
import { ROUTE_AUTHENTICATION } from '../../infra/constructs/nag.ts';
import { FUNCTIONS } from '../../infra/functions.ts';

const CDK_CONTEXT = (JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../../cdk.json'), 'utf8')) as { context: Record<string, unknown> }).context;
const SETTINGS = CDK_CONTEXT.custodian as Record<string, unknown>;

function synthStack(settings: Record<string, unknown> = {}): Stack {
  const { app, stack } = buildApp({ context: { ...CDK_CONTEXT, custodian: { ...SETTINGS, ...settings }, 'aws:cdk:bundling-stacks': [] } });
  app.synth();
  return stack;
}

interface Finding { rule: string; severity: string; paths: string[]; description: string }

function findings(stack: Stack, { ignoreAcknowledgements = false } = {}): Finding[] {
  const pack = new AwsSolutionsChecks(undefined, { verbose: true });
  // To see what the acknowledgements hide, make every one of them miss.
  if (ignoreAcknowledgements) Object.assign(pack, { isAcknowledged: () => false });
  return pack.validateScope(stack).violations.map((v) => ({
    rule: v.ruleName,
    severity: v.severity ?? 'error',
    paths: v.violatingResources.map((r) => r.constructPath ?? r.resourceLogicalId ?? '?'),
    description: v.description,
  }));
}

interface Acknowledgement { path: string; rule: string; reason: string }

function acknowledgements(root: IConstruct): Acknowledgement[] {
  return root.node.findAll().flatMap((c) => c.node.metadata
    .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
    .flatMap((m) => Object.entries(m.data as Record<string, string>).map(([id, reason]) => ({
      path: c.node.path,
      rule: id.replace(/^annotation::/i, ''),
      reason,
    }))));
}

const variants: Array<[string, Record<string, unknown>]> = [
  ['the cdk.json settings', {}],
  ['a customer-managed table key, a domain identity, no alarm email and destroyable data', {
    tableKmsKeyArn: 'arn:aws:kms:eu-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    senderDomain: 'example-trust.org.uk',
    alarmEmail: undefined,
    retainData: false,
    deletionProtection: false,
  }],
];

describe.each(variants)('AwsSolutions checks, with %s', (_name, settings) => {
  const stack = synthStack(settings);

  it('leave no finding, error or warning, unfixed or unacknowledged', () => {
    const open = findings(stack);
    expect(open.map((f) => `${f.severity} ${f.rule}: ${f.description}\n  ${f.paths.join('\n  ')}`)).toEqual([]);
  });

  it('are acknowledged only on the resource concerned, each with a specific reason, and only where the rule really fires', () => {
    const acks = acknowledgements(stack);
    expect(acks.length).toBeGreaterThan(0);
    const hidden = findings(stack, { ignoreAcknowledgements: true });
    for (const a of acks) {
      expect(a.path, `${a.rule} is acknowledged on the stack as a whole`).not.toBe(stack.node.path);
      expect(a.rule).toMatch(/^AwsSolutions-[A-Za-z]+\d+(\[.+\])?$/);
      expect(a.reason.length, `${a.rule} on ${a.path}: the reason is too short to be specific`).toBeGreaterThanOrEqual(80);
      const fired = hidden.some((f) => f.rule === a.rule && f.paths.some((p) => p === a.path || p.startsWith(`${a.path}/`)));
      expect(fired, `${a.rule} on ${a.path} acknowledges nothing; remove it`).toBe(true);
    }
  });
});

describe('the acknowledged findings', () => {
  const stack = synthStack();
  const acks = acknowledgements(stack);
  const byRule = (rule: string) => acks.filter((a) => a.rule === `AwsSolutions-${rule}`).map((a) => a.path.replace(/^Custodian\//, '')).sort();

  it('are exactly these rules; a new kind of acknowledgement is a decision to review here', () => {
    expect([...new Set(acks.map((a) => a.rule))].sort()).toEqual(
      ['AwsSolutions-APIG4', 'AwsSolutions-L1', 'AwsSolutions-SQS3'],
    );
  });

  it('APIG4 (no API authorizer): each public route, with how that route authenticates its caller', () => {
    const routes = FUNCTIONS.flatMap((f) => f.triggers.flatMap((t) => (t.kind === 'http' ? [`${t.method}--${t.path.replace(/^\//, '').replaceAll('/', '--')}`] : [])));
    expect(byRule('APIG4')).toEqual(routes.map((r) => `Api/${r}`).sort());
    for (const a of acks.filter((x) => x.rule === 'AwsSolutions-APIG4')) {
      const route = Object.keys(ROUTE_AUTHENTICATION).find((p) => a.reason.startsWith(`${p}: `));
      expect(route, a.path).toBeDefined();
    }
  });

  it('SQS3 (queue without a DLQ): only the dead-letter queue itself', () => {
    expect(byRule('SQS3')).toEqual(['Messaging/DeadLetter']);
  });

  it('L1 (not the newest runtime): each function, pinned to Node.js 22, and the deploy-time provider of the secrets\' parameters', () => {
    expect(byRule('L1').length).toBe(FUNCTIONS.length + 1);
    expect(byRule('L1')).toContain('Parameters/Provider');
  });
});
