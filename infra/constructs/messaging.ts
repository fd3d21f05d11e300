import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/**
 * The custom event bus and the dead-letter queue behind it. Nothing asynchronous is allowed to vanish: deadLetter
 * receives invalid events (with the reason), failed asynchronous invocations and undeliverable rule targets. Graph
 * change notifications travel on the bus too (events/graph.ts), retried and dead-lettered like every event, so no
 * queue is polled while nothing happens.
 */
export class Messaging extends Construct {
  readonly bus: events.EventBus;
  readonly deadLetter: sqs.Queue;

  constructor(scope: Construct, id: string, retain: boolean) {
    super(scope, id);
    const removalPolicy = retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    this.bus = new events.EventBus(this, 'Bus', { description: 'Custodian: HR events in, Graph notifications, Account Flagged and Task Resolved out' });
    this.deadLetter = new sqs.Queue(this, 'DeadLetter', {
      enforceSSL: true,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      retentionPeriod: Duration.days(14),
      removalPolicy,
    });
  }
}
