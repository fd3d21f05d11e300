import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface AlarmsProps {
  /** Subscribed to the alarm topic by email when given (settings.alarmEmail). */
  email?: string;
  /** Every dead-letter queue, by a name used in the alarm's name and description. */
  deadLetterQueues: Record<string, sqs.IQueue>;
  /**
   * Every function the HTTP API does not invoke (events, schedules), by its registry name: their errors are watched
   * directly. A function behind the HTTP API that fails makes the API answer 5xx, which the API's own alarm watches.
   */
  backgroundFunctions: ReadonlyMap<string, lambda.IFunction>;
  /** The HTTP API stage whose 5xx responses are watched. */
  apiStage: apigw.IHttpStage;
}

const PERIOD = Duration.minutes(5);
/** CloudWatch's limit on the metrics one alarm's math expression may read. */
export const MAX_METRICS_PER_ALARM = 10;

/**
 * Nothing fails quietly: one SNS topic (emailed to settings.alarmEmail) and a CloudWatch alarm, over 5-minute
 * periods, for each kind of failure:
 * - a dead-letter queue holding any message (ApproximateNumberOfMessagesVisible >= 1), one alarm per queue;
 * - any error of a function invoked by an event or a schedule: one metric-math alarm over each such function's
 *   Errors (their sum >= 1), so one alarm covers them all and still says which in its graph;
 * - any Lambda throttle in the account and Region (the aggregate Throttles metric, >= 1): throttling means the
 *   account's concurrency is exhausted, which is the account's, not one function's;
 * - the HTTP API returning any 5xx: this is also how an error of a function behind the API shows (API Gateway answers
 *   500 when its function fails or times out), so those functions need no alarm of their own.
 * Each alarm also notifies when it returns to OK. CloudWatch bills an alarm by the metrics it reads (a metric-math
 * alarm per metric in its expression): 1 per queue, 1 per background function, 1 for throttles, 1 for the API.
 */
export class Alarms extends Construct {
  readonly topic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: AlarmsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    // Not encrypted at rest, on purpose: CloudWatch alarms cannot publish to a topic encrypted with the AWS-managed
    // aws/sns key (its key policy, which cannot be edited, does not admit cloudwatch.amazonaws.com), and a
    // customer-managed key would add cost and a key to administer for messages that carry only alarm names and
    // metric values, no personal data. Publishing requires TLS (cdk-nag AwsSolutions-SNS3).
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: 'Custodian alarms',
      enforceSSL: true,
    });
    // enforceSSL gives the topic an explicit access policy, which replaces the default one that let CloudWatch publish;
    // so allow CloudWatch alarms of this account, and only those, to publish.
    this.topic.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowCloudWatchAlarmsOfThisAccount',
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['sns:Publish'],
      resources: [this.topic.topicArn],
      conditions: {
        StringEquals: { 'aws:SourceAccount': stack.account },
        ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }) },
      },
    }));
    if (props.email) this.topic.addSubscription(new EmailSubscription(props.email));
    const action = new SnsAction(this.topic);

    const alarm = (id: string, name: string, description: string, metric: cloudwatch.IMetric) => {
      const a = new cloudwatch.Alarm(this, id, {
        alarmName: `${stack.stackName}-${name}`,
        alarmDescription: description,
        metric,
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      a.addAlarmAction(action);
      a.addOkAction(action);
      this.alarms.push(a);
      return a;
    };

    for (const [name, queue] of Object.entries(props.deadLetterQueues)) {
      alarm(`${pascal(name)}Depth`, `${name}-messages`,
        `Custodian: messages are waiting in the dead-letter queue "${name}" (something failed after its retries, `
        + 'or an event was invalid). Read them with `custodian dead-letters list` (stack outputs name the queue), fix the cause, then redrive or delete them. '
        + 'Messages are kept 14 days.',
        queue.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: cloudwatch.Stats.MAXIMUM }));
    }

    const background = [...props.backgroundFunctions];
    for (let i = 0; i < background.length; i += MAX_METRICS_PER_ALARM) {
      const part = background.slice(i, i + MAX_METRICS_PER_ALARM);
      const usingMetrics = Object.fromEntries(part.map(([, fn], j) => [`e${j}`, fn.metricErrors({ period: PERIOD, statistic: cloudwatch.Stats.SUM })]));
      const names = part.map(([name]) => name);
      const suffix = background.length > MAX_METRICS_PER_ALARM ? `-${i / MAX_METRICS_PER_ALARM + 1}` : '';
      alarm(`FunctionErrors${suffix.replace('-', '')}`, `function-errors${suffix}`,
        `Custodian: a function invoked by an event or a schedule (${names.join(', ')}) reported an error in the last 5 minutes; `
        + 'the alarm\'s graph shows which, and its log group has the details. Failed event and scheduled work is retried, then kept in the dead-letter queue.',
        new cloudwatch.MathExpression({
          // FILL: a function that did not run has no datapoint, which must count as no error rather than hide the others'.
          expression: `SUM([${Object.keys(usingMetrics).map((k) => `FILL(${k}, 0)`).join(', ')}])`,
          usingMetrics,
          period: PERIOD,
          label: 'errors of the background functions',
        }));
    }

    alarm('Throttles', 'lambda-throttles',
      'Custodian: Lambda throttled an invocation in this account and Region at least once in 5 minutes (the account\'s concurrency is exhausted). '
      + 'Throttled events and schedules are retried for hours, then kept in the dead-letter queue; a throttled web request is answered 5xx.',
      lambda.Function.metricAllThrottles({ period: PERIOD, statistic: cloudwatch.Stats.SUM }));

    alarm('Api5xx', 'api-5xx',
      'Custodian: the HTTP API (webhooks, action pages and the console) returned a 5xx response in the last 5 minutes: one of its functions '
      + 'failed, timed out or was throttled, or answered 500. The API access log says which route; the function\'s log group says why.',
      props.apiStage.metricServerError({ period: PERIOD, statistic: cloudwatch.Stats.SUM }));
  }
}

function pascal(name: string): string {
  return name.replace(/(^|[-_\s])([a-zA-Z0-9])/g, (_m, _d, c: string) => c.toUpperCase());
}
