/**
 * Reads the synthesized CloudFormation template for the local stack: which tables, queues, secrets, rules,
 * routes and schedules exist, and how each function's environment resolves on this machine.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildApp } from '../build-app.ts';

export type Template = { Resources: Record<string, Resource>; Outputs?: Record<string, { Value: unknown }> };
export type Resource = { Type: string; Properties?: Record<string, any>; Metadata?: Record<string, unknown> };

export const LOCAL_ACCOUNT = '000000000000';
export const LOCAL_REGION = 'eu-west-2';

/** Synthesizes the app in-process, skipping bundling (the local stack runs the TypeScript sources). */
export function synthTemplate(context: Record<string, unknown> = {}): Template {
  const outdir = mkdtempSync(path.join(tmpdir(), 'custodian-synth-'));
  try {
    const { app, stack } = buildApp({ outdir, context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [], ...context } });
    const assembly = app.synth();
    return assembly.getStackByName(stack.stackName).template as Template;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

let cachedContext: Record<string, unknown> | undefined;
/** The App reads cdk.json context only when run by the CDK CLI; in-process synths load it themselves. */
function cdkJsonContext(): Record<string, unknown> {
  if (!cachedContext) {
    const raw = JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../../cdk.json'), 'utf8')) as { context?: Record<string, unknown> };
    cachedContext = raw.context ?? {};
  }
  return cachedContext;
}

export function resourcesOfType(template: Template, type: string): Array<[string, Resource]> {
  return Object.entries(template.Resources).filter(([, r]) => r.Type === type);
}

/** The logical id an intrinsic `Ref` or `Fn::GetAtt` points at, if it is one. */
export function refTarget(value: unknown): string | undefined {
  if (value && typeof value === 'object') {
    const v = value as Record<string, unknown>;
    if (typeof v.Ref === 'string') return v.Ref;
    const ga = v['Fn::GetAtt'];
    if (Array.isArray(ga) && typeof ga[0] === 'string') return ga[0];
  }
  return undefined;
}

/** Local physical names: what `Ref` and `Fn::GetAtt` give for each resource on this machine. */
export interface LocalNames {
  ref(logicalId: string): string;
  getAtt(logicalId: string, attribute: string): string;
}

export function localNames(template: Template, prefix: string, endpoints: { aws: string }): LocalNames {
  const queueUrl = (id: string) => `${endpoints.aws}/${LOCAL_ACCOUNT}/${prefix}${id}`;
  const arn = (service: string, resource: string) => `arn:aws:${service}:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${resource}`;
  const type = (id: string) => {
    const r = template.Resources[id];
    if (!r) throw new Error(`template has no resource ${id}`);
    return r.Type;
  };
  return {
    ref(id) {
      switch (type(id)) {
        case 'AWS::SQS::Queue': return queueUrl(id);
        default: return `${prefix}${id}`;
      }
    },
    getAtt(id, attribute) {
      const t = type(id);
      if (attribute === 'Arn') {
        switch (t) {
          case 'AWS::SQS::Queue': return arn('sqs', `${prefix}${id}`);
          case 'AWS::DynamoDB::Table': return arn('dynamodb', `table/${prefix}${id}`);
          case 'AWS::Events::EventBus': return arn('events', `event-bus/${prefix}${id}`);
          case 'AWS::Lambda::Function': return arn('lambda', `function:${prefix}${id}`);
          default: return arn(t.split('::')[1]!.toLowerCase(), `${prefix}${id}`);
        }
      }
      if (attribute === 'QueueUrl') return queueUrl(id);
      return `${prefix}${id}`;
    },
  };
}

/** Resolves the intrinsics a function's environment uses (Ref, Fn::GetAtt, Fn::Join, pseudo parameters). */
export function resolveValue(value: unknown, names: LocalNames): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const v = value as Record<string, unknown>;
  if (typeof v.Ref === 'string') {
    switch (v.Ref) {
      case 'AWS::Region': return LOCAL_REGION;
      case 'AWS::AccountId': return LOCAL_ACCOUNT;
      case 'AWS::URLSuffix': return 'amazonaws.com';
      case 'AWS::Partition': return 'aws';
      default: return names.ref(v.Ref);
    }
  }
  if (Array.isArray(v['Fn::GetAtt'])) {
    const [id, attr] = v['Fn::GetAtt'] as [string, string];
    return names.getAtt(id, attr);
  }
  if (Array.isArray(v['Fn::Join'])) {
    const [sep, parts] = v['Fn::Join'] as [string, unknown[]];
    return parts.map((p) => resolveValue(p, names)).join(sep);
  }
  throw new Error(`cannot resolve ${JSON.stringify(value)} locally`);
}
