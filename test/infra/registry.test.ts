/**
 * The one list of functions (infra/functions.ts) and the synthesized template agree: every function, its
 * environment, its triggers and its table permissions are in the template exactly as listed.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { GRAPH_SOURCE } from '../../events/graph.ts';
import { parseSettings } from '../../infra/config.ts';
import { FUNCTIONS } from '../../infra/functions.ts';
import { refTarget, resourcesOfType } from '../../infra/local/template.ts';
import { testTemplate } from '../support/env.ts';
import { actionsOf, functionLogicalId, roleOf, statementsOf } from '../support/template.ts';

const template = testTemplate();
/** The settings the template was synthesized with (cdk.json context). */
const settings = parseSettings((JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as { context: { custodian: unknown } }).context.custodian);

describe.each(FUNCTIONS.map((f) => [f.name, f] as const))('%s', (_name, spec) => {
  const id = functionLogicalId(template, spec.name);
  const props = template.Resources[id]!.Properties!;

  it('has the listed environment, memory and timeout', () => {
    expect(Object.keys(props.Environment.Variables).filter((k) => k !== 'NODE_OPTIONS').sort()).toEqual([...spec.environment].sort());
    expect(props.MemorySize).toBe(spec.memorySize);
    expect(props.Timeout).toBe(spec.timeoutSeconds);
  });

  it('has exactly the listed triggers', () => {
    const rules = resourcesOfType(template, 'AWS::Events::Rule').filter(([, r]) => (r.Properties?.Targets as unknown[]).some((t) => refTarget((t as { Arn: unknown }).Arn) === id));
    const integrations = new Set(resourcesOfType(template, 'AWS::ApiGatewayV2::Integration').filter(([, r]) => refTarget(r.Properties?.IntegrationUri) === id).map(([i]) => i));
    const routes = resourcesOfType(template, 'AWS::ApiGatewayV2::Route').filter(([, r]) => integrations.has(refTarget((r.Properties?.Target as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1][1])!));
    const schedules = resourcesOfType(template, 'AWS::Scheduler::Schedule').filter(([, r]) => refTarget(r.Properties?.Target?.Arn) === id);
    const mappings = resourcesOfType(template, 'AWS::Lambda::EventSourceMapping').filter(([, r]) => refTarget(r.Properties?.FunctionName) === id);

    const want = (kind: string) => spec.triggers.filter((t) => t.kind === kind);
    expect(rules.map(([, r]) => r.Properties?.EventPattern['detail-type']).sort()).toEqual(want('event').map((t) => (t as { detailTypes: string[] }).detailTypes).sort());
    expect(routes.map(([, r]) => r.Properties?.RouteKey).sort()).toEqual(want('http').map((t) => `${(t as { method: string }).method} ${(t as { path: string }).path}`).sort());
    // EventBridge Scheduler reads a schedule without a time zone as UTC, and CDK writes that down.
    expect(schedules.map(([, r]) => [r.Properties?.ScheduleExpression, r.Properties?.ScheduleExpressionTimezone])).toEqual(
      want('schedule').map((t) => [(t as { expression: string }).expression, (t as { timezone?: string }).timezone ?? 'Etc/UTC']),
    );
    expect(mappings.length).toBe(want('queue').length);
  });

  it('matches its events on the configured sources (HR, activity), the Graph webhook\'s own, or, for `any`, on none', () => {
    const rules = resourcesOfType(template, 'AWS::Events::Rule').filter(([, r]) => (r.Properties?.Targets as unknown[]).some((t) => refTarget((t as { Arn: unknown }).Arn) === id));
    const sources = { hr: settings.hrSources, activity: settings.activitySources, graph: [GRAPH_SOURCE], any: undefined };
    const want = spec.triggers.flatMap((t) => (t.kind === 'event' ? [sources[t.source]] : []));
    expect(rules.map(([, r]) => r.Properties?.EventPattern.source)).toEqual(want);
  });

  it('may use only the listed table actions and indexes', () => {
    // What it is allowed; the Deny that keeps the audit append-only is checked in least-privilege.test.ts.
    const statements = statementsOf(template, roleOf(template, id)).filter((s) => s.Effect === 'Allow');
    const dynamo = actionsOf(statements).filter((a) => a.startsWith('dynamodb:'));
    const expected = [...new Set([...(spec.permissions.table?.actions ?? []), ...(spec.permissions.table?.indexes.length ? ['dynamodb:Query'] : [])])].sort();
    expect(dynamo).toEqual(expected);
    const indexArns = JSON.stringify(statements).match(/\/index\/[A-Za-z]+/g) ?? [];
    expect([...new Set(indexArns)].sort()).toEqual((spec.permissions.table?.indexes ?? []).map((i) => `/index/${i}`).sort());
  });
});

it('the template has no function that is not in the list, but the deploy-time provider of the SecureString parameters', () => {
  const fns = resourcesOfType(template, 'AWS::Lambda::Function');
  const names = fns.map(([, r]) => r.Metadata?.['custodian:function']).filter((n) => n !== undefined);
  expect(names.sort()).toEqual(FUNCTIONS.map((f) => f.name).sort());
  const others = fns.filter(([, r]) => !r.Metadata?.['custodian:function']);
  expect(others.map(([id]) => id)).toEqual([expect.stringMatching(/^ParametersProvider/)]);
  // Invoked by CloudFormation alone, for the parameters: no rule, route, schedule or queue reaches it.
  const id = others[0]![0];
  const referencing = Object.entries(template.Resources).filter(([, r]) => r.Type !== 'Custom::SecureParameter' && JSON.stringify(r.Properties ?? {}).includes(`"${id}"`));
  expect(referencing).toEqual([]);
});
