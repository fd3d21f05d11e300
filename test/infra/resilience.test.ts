/**
 * Nothing is lost and nothing fails quietly, from the template: every asynchronous path retries and then keeps what
 * failed in a dead-letter queue; every dead-letter queue, function and the HTTP API has an alarm that emails the
 * configured address; the API is throttled and access-logged.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FUNCTIONS } from '../../infra/functions.ts';
import { refTarget, resourcesOfType, synthTemplate, type Resource, type Template } from '../../infra/local/template.ts';
import { testTemplate } from '../support/env.ts';
import { functionLogicalId } from '../support/template.ts';

const CUSTODIAN = (JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../../cdk.json'), 'utf8')) as { context: { custodian: Record<string, unknown> } }).context.custodian;
const FOURTEEN_DAYS = 14 * 24 * 3600;

const template = testTemplate();
const byType = (type: string) => resourcesOfType(template, type);
const queueIds = new Set(byType('AWS::SQS::Queue').map(([id]) => id));
/** The queue an `Fn::GetAtt [queue, Arn]` names, or undefined. */
const queueOf = (arn: unknown) => {
  const id = refTarget(arn);
  return id && queueIds.has(id) ? id : undefined;
};
const alarms = byType('AWS::CloudWatch::Alarm').map(([, r]) => r.Properties!);
const [topicId] = byType('AWS::SNS::Topic').map(([id]) => id);

/** The metrics an alarm reads: its one metric, or each metric of its math expression. */
type AlarmMetric = { Namespace: string; MetricName: string; Dimensions: unknown[]; Stat: string; Period: number };
function metricsOf(a: Record<string, any>): AlarmMetric[] {
  if (!a.Metrics) return [{ Namespace: a.Namespace, MetricName: a.MetricName, Dimensions: a.Dimensions ?? [], Stat: a.Statistic, Period: a.Period }];
  return (a.Metrics as Array<Record<string, any>>).filter((m) => m.MetricStat).map((m) => ({
    Namespace: m.MetricStat.Metric.Namespace, MetricName: m.MetricStat.Metric.MetricName, Dimensions: m.MetricStat.Metric.Dimensions ?? [], Stat: m.MetricStat.Stat, Period: m.MetricStat.Period,
  }));
}

function alarmsOn(namespace: string, metric: string, dimension?: { Name: string; Value: unknown }) {
  return alarms.filter((a) => metricsOf(a).some((m) => m.Namespace === namespace && m.MetricName === metric
    && (dimension ? m.Dimensions.some((d) => JSON.stringify(d) === JSON.stringify(dimension)) : m.Dimensions.length === 0)));
}

/** Fires on any occurrence in a 5-minute period, and tells the alarm topic. */
function expectNotifyingOnFirst(found: Array<Record<string, any>>, what: string) {
  expect(found, `no alarm on ${what}`).toHaveLength(1);
  const a = found[0]!;
  expect(a).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', EvaluationPeriods: 1, TreatMissingData: 'notBreaching' });
  for (const m of metricsOf(a)) expect(m.Period, what).toBe(300);
  if (a.Metrics) {
    // The expression the alarm watches: the sum of every metric it reads, a missing datapoint counting as 0.
    const [expression] = (a.Metrics as Array<Record<string, any>>).filter((m) => m.Expression);
    const ids = (a.Metrics as Array<Record<string, any>>).filter((m) => m.MetricStat).map((m) => m.Id as string);
    expect(expression!.ReturnData ?? true).toBe(true);
    expect(expression!.Expression).toBe(`SUM([${ids.map((id) => `FILL(${id}, 0)`).join(', ')}])`);
    expect(expression!.Period ?? 300).toBe(300);
  }
  expect(a.AlarmActions).toEqual([{ Ref: topicId }]);
  expect(a.OKActions).toEqual([{ Ref: topicId }]);
  expect(a.AlarmDescription, what).toMatch(/^Custodian: .{40,}/);
}

describe('retries and dead letters', () => {
  type Target = Record<string, any> & { id: string };
  const ruleTargets: Target[] = byType('AWS::Events::Rule').flatMap(([id, r]) => (r.Properties!.Targets as Array<Record<string, any>>).map((t) => ({ ...t, id })));
  const scheduleTargets: Target[] = byType('AWS::Scheduler::Schedule').map(([id, r]) => ({ ...(r.Properties!.Target as Record<string, any>), id }));
  const invokeConfigs = new Map(byType('AWS::Lambda::EventInvokeConfig').map(([, r]) => [refTarget(r.Properties!.FunctionName)!, r.Properties!]));
  const mappings = byType('AWS::Lambda::EventSourceMapping').map(([, r]) => r.Properties!);

  it('every EventBridge rule target retries, then sends what it could not deliver to a dead-letter queue', () => {
    expect(ruleTargets.length).toBe(FUNCTIONS.flatMap((f) => f.triggers).filter((t) => t.kind === 'event').length);
    for (const t of ruleTargets) {
      expect(t.RetryPolicy?.MaximumRetryAttempts, t.id).toBeGreaterThanOrEqual(1);
      expect(t.RetryPolicy?.MaximumEventAgeInSeconds, t.id).toBeGreaterThanOrEqual(3600);
      expect(queueOf(t.DeadLetterConfig?.Arn), t.id).toBeDefined();
    }
  });

  it('every schedule target retries, then sends what it could not deliver to a dead-letter queue', () => {
    expect(scheduleTargets.length).toBe(FUNCTIONS.flatMap((f) => f.triggers).filter((t) => t.kind === 'schedule').length);
    for (const t of scheduleTargets) {
      expect(t.RetryPolicy?.MaximumRetryAttempts, t.id).toBeGreaterThanOrEqual(1);
      expect(t.RetryPolicy?.MaximumEventAgeInSeconds, t.id).toBeGreaterThanOrEqual(60);
      expect(queueOf(t.DeadLetterConfig?.Arn), t.id).toBeDefined();
    }
  });

  it('every function invoked asynchronously (by a rule or a schedule) retries, then sends the failed event to a dead-letter queue', () => {
    const asyncFns = new Set([...ruleTargets, ...scheduleTargets].map((t) => refTarget(t.Arn)!));
    const fromRegistry = FUNCTIONS.filter((f) => f.triggers.some((t) => t.kind === 'event' || t.kind === 'schedule')).map((f) => functionLogicalId(template, f.name));
    expect([...asyncFns].sort()).toEqual(fromRegistry.sort());
    expect([...invokeConfigs.keys()].sort()).toEqual(fromRegistry.sort());
    for (const id of asyncFns) {
      const config = invokeConfigs.get(id)!;
      expect(config.MaximumRetryAttempts, id).toBeGreaterThanOrEqual(1);
      expect(config.MaximumEventAgeInSeconds, id).toBeGreaterThanOrEqual(3600);
      expect(queueOf(config.DestinationConfig?.OnFailure?.Destination), id).toBeDefined();
    }
  });

  it('every queue a function consumes has a redrive policy to a dead-letter queue, and hides a message longer than the function runs', () => {
    expect(mappings.length).toBe(FUNCTIONS.flatMap((f) => f.triggers).filter((t) => t.kind === 'queue').length);
    for (const m of mappings) {
      const queue = template.Resources[queueOf(m.EventSourceArn)!]!;
      const fn = template.Resources[refTarget(m.FunctionName)!]!;
      expect(queueOf(queue.Properties?.RedrivePolicy?.deadLetterTargetArn)).toBeDefined();
      expect(queue.Properties?.RedrivePolicy?.maxReceiveCount).toBeGreaterThanOrEqual(3);
      expect(queue.Properties?.VisibilityTimeout).toBeGreaterThanOrEqual(fn.Properties!.Timeout);
      expect(m.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
    }
  });

  const deadLetterQueues = new Set([
    ...ruleTargets.map((t) => queueOf(t.DeadLetterConfig?.Arn)),
    ...scheduleTargets.map((t) => queueOf(t.DeadLetterConfig?.Arn)),
    ...[...invokeConfigs.values()].map((c) => queueOf(c.DestinationConfig?.OnFailure?.Destination)),
    ...byType('AWS::SQS::Queue').map(([, q]) => queueOf(q.Properties?.RedrivePolicy?.deadLetterTargetArn)),
  ].filter((q): q is string => q !== undefined));

  it('every queue is a dead-letter queue or has one', () => {
    for (const [id, q] of byType('AWS::SQS::Queue')) {
      expect(deadLetterQueues.has(id) || q.Properties?.RedrivePolicy !== undefined, id).toBe(true);
    }
  });

  it('every dead-letter queue keeps messages 14 days, encrypted, retained with the stack\'s data, and alarms when it holds any', () => {
    expect(deadLetterQueues.size).toBeGreaterThanOrEqual(1);
    for (const id of deadLetterQueues) {
      const q = template.Resources[id] as Resource & { DeletionPolicy?: string };
      expect(q.Properties?.MessageRetentionPeriod, id).toBe(FOURTEEN_DAYS);
      expect(q.Properties?.SqsManagedSseEnabled, id).toBe(true);
      expect(q.DeletionPolicy, id).toBe('Retain');
      const found = alarmsOn('AWS/SQS', 'ApproximateNumberOfMessagesVisible', { Name: 'QueueName', Value: { 'Fn::GetAtt': [id, 'QueueName'] } });
      expectNotifyingOnFirst(found, `dead-letter queue ${id}`);
      expect(found[0]!.Statistic).toBe('Maximum');
    }
  });
});

describe('alarms', () => {
  const behindApi = (f: (typeof FUNCTIONS)[number]) => f.triggers.every((t) => t.kind === 'http');

  it.each(FUNCTIONS.filter((f) => !behindApi(f)).map((f) => [f.name]))('the %s function (events, schedules) alarms on any error', (name) => {
    const found = alarmsOn('AWS/Lambda', 'Errors', { Name: 'FunctionName', Value: { Ref: functionLogicalId(template, name) } });
    expectNotifyingOnFirst(found, `${name} Errors`);
    expect(metricsOf(found[0]!).every((m) => m.Stat === 'Sum' && m.MetricName === 'Errors')).toBe(true);
  });

  it.each(FUNCTIONS.filter(behindApi).map((f) => [f.name]))('the %s function is reached only through the HTTP API, so any error of it alarms as the API\'s 5xx', (name) => {
    // API Gateway answers 500 when the function throws, times out or is throttled.
    const fnId = functionLogicalId(template, name);
    const integrations = byType('AWS::ApiGatewayV2::Integration').filter(([, r]) => refTarget(r.Properties?.IntegrationUri) === fnId);
    expect(integrations.length).toBeGreaterThan(0);
    const [apiId] = byType('AWS::ApiGatewayV2::Api').map(([id]) => id);
    for (const [, i] of integrations) expect(i.Properties?.ApiId).toEqual({ Ref: apiId });
    expect(alarmsOn('AWS/ApiGateway', '5xx', { Name: 'ApiId', Value: { Ref: apiId } })).toHaveLength(1);
    // Nothing else invokes it: no rule, schedule or queue.
    expect(JSON.stringify([...byType('AWS::Events::Rule'), ...byType('AWS::Scheduler::Schedule'), ...byType('AWS::Lambda::EventSourceMapping')])).not.toContain(`"${fnId}"`);
  });

  it('any throttle of any function alarms (Lambda\'s Throttles across the account and Region: its concurrency is shared)', () => {
    const found = alarmsOn('AWS/Lambda', 'Throttles');
    expectNotifyingOnFirst(found, 'Lambda throttles');
    expect(metricsOf(found[0]!)).toEqual([expect.objectContaining({ Stat: 'Sum', Dimensions: [] })]);
  });

  it('the HTTP API alarms on any 5xx', () => {
    const [apiId] = byType('AWS::ApiGatewayV2::Api').map(([id]) => id);
    const found = alarmsOn('AWS/ApiGateway', '5xx', { Name: 'ApiId', Value: { Ref: apiId } });
    expectNotifyingOnFirst(found, 'API 5xx');
    expect(found[0]!.Dimensions).toContainEqual({ Name: 'Stage', Value: '$default' });
  });

  it('between them the alarms read at most ten metrics, CloudWatch\'s monthly allowance (each is billed as an alarm metric)', () => {
    expect(alarms.flatMap(metricsOf).length).toBeLessThanOrEqual(10);
  });

  it('every alarm notifies the one alarm topic, and each has its own name', () => {
    expect(byType('AWS::SNS::Topic')).toHaveLength(1);
    for (const a of alarms) expect(a.AlarmActions).toEqual([{ Ref: topicId }]);
    const names = alarms.map((a) => a.AlarmName as string);
    expect(new Set(names).size).toBe(names.length);
  });

  it('the topic emails the address set by context (alarmEmail), requires TLS, and lets only this account\'s alarms publish', () => {
    const subs = byType('AWS::SNS::Subscription').map(([, r]) => r.Properties!);
    expect(subs).toEqual([{ Protocol: 'email', Endpoint: CUSTODIAN.alarmEmail, TopicArn: { Ref: topicId } }]);
    const [[, policy]] = byType('AWS::SNS::TopicPolicy') as [[string, Resource]];
    const statements = policy.Properties!.PolicyDocument.Statement as Array<Record<string, any>>;
    expect(statements).toContainEqual(expect.objectContaining({ Effect: 'Deny', Principal: '*', Action: 'sns:Publish', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }));
    const allows = statements.filter((s) => s.Effect === 'Allow');
    expect(allows).toHaveLength(1);
    expect(allows[0]).toMatchObject({ Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: 'sns:Publish', Resource: { Ref: topicId } });
    expect(allows[0]!.Condition.StringEquals).toEqual({ 'aws:SourceAccount': { Ref: 'AWS::AccountId' } });
  });

  it('with no alarmEmail, the alarms still go to the topic, which has no subscription', () => {
    const bare = synthTemplate({ custodian: { ...CUSTODIAN, alarmEmail: undefined } });
    expect(resourcesOfType(bare, 'AWS::SNS::Subscription')).toEqual([]);
    expect(resourcesOfType(bare, 'AWS::CloudWatch::Alarm').length).toBe(alarms.length);
  });
});

describe('the HTTP API', () => {
  const stageOf = (t: Template) => {
    const stages = resourcesOfType(t, 'AWS::ApiGatewayV2::Stage');
    expect(stages).toHaveLength(1);
    return stages[0]![1].Properties!;
  };

  it('throttles every route, by default 20 requests a second with bursts of 40', () => {
    expect(stageOf(template)).toMatchObject({ StageName: '$default', AutoDeploy: true, DefaultRouteSettings: { ThrottlingRateLimit: 20, ThrottlingBurstLimit: 40 } });
  });

  it('takes its throttle from the settings', () => {
    const t = synthTemplate({ custodian: { ...CUSTODIAN, apiThrottleRateLimit: 5, apiThrottleBurstLimit: 10 } });
    expect(stageOf(t).DefaultRouteSettings).toEqual({ ThrottlingRateLimit: 5, ThrottlingBurstLimit: 10 });
  });

  it('logs every request to a log group with retention, by route template and never by path (a link\'s path is its token)', () => {
    const stage = stageOf(template);
    const group = template.Resources[refTarget(stage.AccessLogSettings.DestinationArn)!]!;
    expect(group.Type).toBe('AWS::Logs::LogGroup');
    expect(group.Properties?.RetentionInDays).toBeGreaterThan(0);
    const format = JSON.parse(stage.AccessLogSettings.Format as string) as Record<string, string>;
    expect(Object.values(format)).toEqual(expect.arrayContaining(['$context.requestId', '$context.routeKey', '$context.status']));
    expect(stage.AccessLogSettings.Format).not.toMatch(/\$context\.(path|resourcePath)\b/);
  });
});
