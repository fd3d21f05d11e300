import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/**
 * The custom event bus and the queues behind it. Nothing asynchronous is allowed to vanish:
 * - deadLetter receives invalid events (with the reason), failed async invocations and undeliverable rule targets;
 * - graphChanges buffers Graph change notifications between the webhook and their processing, with its own DLQ.
 */
export class Messaging extends Construct {
  readonly bus: events.EventBus;
  readonly deadLetter: sqs.Queue;
  readonly graphChanges: sqs.Queue;
  readonly graphChangesDlq: sqs.Queue;

  constructor(scope: Construct, id: string, retain: boolean) {
    super(scope, id);
    const removalPolicy = retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    this.bus = new events.EventBus(this, 'Bus', { description: 'Custodian: HR events in, Account Flagged and Task Resolved out' });
    const queueDefaults: sqs.QueueProps = {
      enforceSSL: true,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      retentionPeriod: Duration.days(14),
      removalPolicy,
    };
    this.deadLetter = new sqs.Queue(this, 'DeadLetter', queueDefaults);
    this.graphChangesDlq = new sqs.Queue(this, 'GraphChangesDlq', queueDefaults);
    this.graphChanges = new sqs.Queue(this, 'GraphChanges', {
      ...queueDefaults,
      visibilityTimeout: Duration.seconds(180),
      deadLetterQueue: { queue: this.graphChangesDlq, maxReceiveCount: 5 },
    });
  }
}
