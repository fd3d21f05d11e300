import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface AlarmsProps {
  /** Subscribed to the alarm topic by email when given (settings.alarmEmail). */
  email?: string;
  /** Every dead-letter queue, by a name used in the alarm's name and description. */
  deadLetterQueues: Record<string, sqs.IQueue>;
  /** Every function, by its registry name. */
  functions: ReadonlyMap<string, lambda.IFunction>;
  /** The HTTP API stage whose 5xx responses are watched. */
  apiStage: apigw.IHttpStage;
}

const PERIOD = Duration.minutes(5);

/**
 * Nothing fails quietly: one SNS topic (emailed to settings.alarmEmail) and a CloudWatch alarm, over 5-minute
 * periods, for each of
 * - a dead-letter queue holding any message (ApproximateNumberOfMessagesVisible >= 1);
 * - a function reporting any error (Errors >= 1) or any throttle (Throttles >= 1);
 * - the HTTP API returning any 5xx.
 * Each alarm also notifies when it returns to OK.
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
        + 'or an event was invalid). Read them from the queue (stack outputs name its URL), fix the cause, then redrive or delete them. '
        + 'Messages are kept 14 days.',
        queue.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: cloudwatch.Stats.MAXIMUM }));
    }
    for (const [name, fn] of props.functions) {
      alarm(`${pascal(name)}Errors`, `${name}-errors`,
        `Custodian: the ${name} function reported an error in the last 5 minutes; its log group has the details. `
        + 'Failed event and scheduled work is retried, then kept in the dead-letter queue.',
        fn.metricErrors({ period: PERIOD, statistic: cloudwatch.Stats.SUM }));
      alarm(`${pascal(name)}Throttles`, `${name}-throttles`,
        `Custodian: the ${name} function was throttled at least once in 5 minutes (the account's Lambda concurrency is exhausted).`,
        fn.metricThrottles({ period: PERIOD, statistic: cloudwatch.Stats.SUM }));
    }
    alarm('Api5xx', 'api-5xx',
      'Custodian: the HTTP API (webhooks and action pages) returned a 5xx response in the last 5 minutes. '
      + 'The function alarms and the API access log say which route.',
      props.apiStage.metricServerError({ period: PERIOD, statistic: cloudwatch.Stats.SUM }));
  }
}

function pascal(name: string): string {
  return name.replace(/(^|[-_\s])([a-zA-Z0-9])/g, (_m, _d, c: string) => c.toUpperCase());
}
