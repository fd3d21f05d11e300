import { ArnFormat, CfnOutput, Duration, RemovalPolicy, Stack, TimeZone, type StackProps } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventTargets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import * as ses from 'aws-cdk-lib/aws-ses';
import type { Construct } from 'constructs';
import { GRAPH_SOURCE } from '../events/graph.ts';
import { CUSTODIAN_SOURCE } from '../events/values.ts';
import { AUDIT_PREFIX } from '../functions/adapters/keys.ts';
import { consoleIssuer, type DeploymentSettings } from './config.ts';
import { Alarms } from './constructs/alarms.ts';
import { CustodianFunction } from './constructs/custodian-function.ts';
import { Messaging } from './constructs/messaging.ts';
import { acknowledgeNagFindings } from './constructs/nag.ts';
import { SecureParameters } from './constructs/secure-parameters.ts';
import { Store } from './constructs/store.ts';
import { constructId, FUNCTIONS, type BusSource, type EnvKey, type FunctionSpec, type QueueName, type SecretName } from './functions.ts';

export interface CustodianStackProps extends StackProps {
  settings: DeploymentSettings;
  functions?: FunctionSpec[];
}

export class CustodianStack extends Stack {
  readonly functions = new Map<string, CustodianFunction>();

  constructor(scope: Construct, id: string, props: CustodianStackProps) {
    super(scope, id, props);
    const { settings } = props;
    const store = new Store(this, 'Store', settings);
    const messaging = new Messaging(this, 'Messaging', settings.retainData);

    // Each secret its own SecureString parameter, readable only by the functions that list it (below).
    const parameters = new SecureParameters(this, 'Parameters', { retain: settings.retainData });
    const secrets: Record<SecretName, { name: string; arn: string }> = {
      links: parameters.add('LinkSigningSecret', {
        name: 'link-signing-key',
        description: 'Custodian: HMAC key that signs action links in emails',
        generate: { length: 64 },
      }),
      hrWebhook: parameters.add('HrWebhookSecret', {
        name: 'hr-webhook-key',
        description: 'Custodian: shared secret HR systems use to sign POST /hr/events',
        generate: { length: 48 },
      }),
      graph: parameters.add('GraphSecret', {
        name: 'graph',
        description: 'Custodian: Entra app registration (tenantId, clientId, clientSecret) and the Graph clientState',
        generate: { template: { tenantId: '', clientId: '', clientSecret: '' }, key: 'clientState', length: 64 },
      }),
      console: parameters.add('ConsoleSecret', {
        name: 'console',
        description: 'Custodian web console: the Entra app registration\'s client secret (clientSecret) and the key sessions are encrypted with (sessionKey)',
        generate: { template: { clientSecret: '' }, key: 'sessionKey', length: 64 },
      }),
    };
    const queues: Record<QueueName, { queueUrl: string; queueArn: string }> = {
      deadLetter: messaging.deadLetter,
    };

    const identity = new ses.EmailIdentity(this, 'SenderIdentity', {
      identity: settings.senderDomain
        ? ses.Identity.domain(settings.senderDomain)
        : ses.Identity.email(settings.senderAddress),
    });
    const identityArn = this.formatArn({
      service: 'ses',
      resource: 'identity',
      resourceName: identity.emailIdentityName,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });

    const api = new apigw.HttpApi(this, 'Api', {
      description: 'Custodian webhooks, action pages and web console',
      createDefaultStage: false,
    });
    const apiAccessLogs = new logs.LogGroup(this, 'ApiAccessLogs', {
      retention: logs.RetentionDays.THREE_MONTHS,
      removalPolicy: settings.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    // The default stage, made here rather than by HttpApi so that it can have throttling and access logs.
    const apiStage = api.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: settings.apiThrottleRateLimit, burstLimit: settings.apiThrottleBurstLimit },
      accessLogSettings: {
        destination: new apigw.LogGroupLogDestination(apiAccessLogs),
        // The route template, never the path: an action link's path is its credential (the signed token).
        format: AccessLogFormat.custom(JSON.stringify({
          requestId: '$context.requestId',
          time: '$context.requestTime',
          ip: '$context.identity.sourceIp',
          route: '$context.routeKey',
          status: '$context.status',
          protocol: '$context.protocol',
          responseLength: '$context.responseLength',
          latencyMs: '$context.responseLatency',
          integrationStatus: '$context.integrationStatus',
          integrationError: '$context.integrationErrorMessage',
        })),
      },
    });
    const publicBaseUrl = settings.publicBaseUrl ?? api.apiEndpoint;

    const env: Record<EnvKey, string> = {
      TABLE_NAME: store.table.tableName,
      EVENT_BUS_NAME: messaging.bus.eventBusName,
      SENDER_ADDRESS: settings.senderAddress,
      TRUST_NAME: settings.trustName,
      TRUST_IT_CONTACT: settings.trustItContact,
      PUBLIC_BASE_URL: publicBaseUrl,
      LINK_SECRET_ID: secrets.links.name,
      HR_WEBHOOK_SECRET_ID: secrets.hrWebhook.name,
      GRAPH_SECRET_ID: secrets.graph.name,
      DEAD_LETTER_QUEUE_URL: messaging.deadLetter.queueUrl,
      HR_SOURCES: settings.hrSources.join(','),
      ACTIVITY_SOURCES: settings.activitySources.join(','),
      LINK_EXPIRY_DAYS: String(settings.linkExpiryDays),
      ESCALATE_AFTER_WORKING_DAYS: String(settings.escalateAfterWorkingDays),
      PERSON_RETENTION_DAYS: String(settings.personDataRetentionDays),
      GRAPH_BASE_URL: 'https://graph.microsoft.com',
      TRUST_ADMINS: settings.trustAdmins.join(','),
      APPROVAL_STEPS: settings.approvalSteps.join(','),
      TRUST_APPROVERS: settings.trustApprovers.join(','),
      // Empty until the app registration is set up (README, Deployment): the console then says sign-in is not configured.
      OIDC_ISSUER: consoleIssuer(settings) ?? '',
      OIDC_CLIENT_ID: settings.clientId ?? '',
      OIDC_TENANT_ID: settings.tenantId?.toLowerCase() ?? '',
      CONSOLE_SECRET_ID: secrets.console.name,
    };

    const routes: apigw.HttpRoute[] = [];
    for (const spec of props.functions ?? FUNCTIONS) {
      const environment = Object.fromEntries(spec.environment.map((k) => [k, env[k]]));
      const cf = new CustodianFunction(this, constructId(spec), spec, environment, settings.retainData);
      this.functions.set(spec.name, cf);
      const { fn, role } = cf;
      const p = spec.permissions;

      if (p.table) {
        const tableActions = p.table.actions;
        role.addToPolicy(new iam.PolicyStatement({ actions: tableActions, resources: [store.table.tableArn] }));
        if (p.table.indexes.length > 0) {
          role.addToPolicy(new iam.PolicyStatement({
            actions: ['dynamodb:Query'],
            resources: p.table.indexes.map((i) => `${store.table.tableArn}/index/${i}`),
          }));
        }
        if (writesTable(tableActions)) role.addToPolicy(auditAppendOnly(store.table.tableArn));
        if (store.key) {
          const writes = writesTable(tableActions);
          // Named actions rather than kms:GenerateDataKey*, on the one key, and only through DynamoDB.
          role.addToPolicy(new iam.PolicyStatement({
            actions: writes ? [...KMS_TABLE_READ, ...KMS_TABLE_WRITE] : KMS_TABLE_READ,
            resources: [store.key.keyArn],
            conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${this.region}.${this.urlSuffix}` } },
          }));
        }
      }
      if (p.sendEmail) {
        role.addToPolicy(new iam.PolicyStatement({
          actions: ['ses:SendEmail', 'ses:SendRawEmail'],
          resources: [identityArn],
          conditions: { StringEquals: { 'ses:FromAddress': settings.senderAddress } },
        }));
      }
      if (p.putEvents) {
        // As its own source only: a function cannot pass off HR events or Graph notifications as another's.
        role.addToPolicy(new iam.PolicyStatement({
          actions: ['events:PutEvents'],
          resources: [messaging.bus.eventBusArn],
          conditions: { StringEquals: { 'events:source': busSources(p.putEvents, settings) } },
        }));
      }
      for (const s of p.secrets ?? []) {
        // The parameter's SecureString is decrypted by SSM with the AWS-managed aws/ssm key, whose key policy lets
        // SSM use it for any caller of this account that SSM itself authorizes: this grant is the access control.
        role.addToPolicy(new iam.PolicyStatement({ actions: ['ssm:GetParameter'], resources: [secrets[s].arn] }));
      }
      for (const q of p.sendToQueues ?? []) {
        role.addToPolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [queues[q].queueArn] }));
      }

      const isAsync = spec.triggers.some((t) => t.kind === 'event' || t.kind === 'schedule');
      if (isAsync) {
        // Lambda retries failed async invocations twice, then records the event and the error in the DLQ.
        fn.configureAsyncInvoke({
          retryAttempts: 2,
          maxEventAge: Duration.hours(6),
          onFailure: new SqsDestination(messaging.deadLetter),
        });
      }

      spec.triggers.forEach((trigger, i) => {
        switch (trigger.kind) {
          case 'event': {
            const rule = new events.Rule(this, `${constructId(spec)}Rule${i}`, {
              eventBus: messaging.bus,
              description: `${spec.name}: ${trigger.detailTypes.join(', ')}`,
              eventPattern: {
                ...(trigger.source === 'hr' ? { source: settings.hrSources } : {}),
                ...(trigger.source === 'activity' ? { source: settings.activitySources } : {}),
                ...(trigger.source === 'graph' ? { source: [GRAPH_SOURCE] } : {}),
                detailType: trigger.detailTypes,
              },
            });
            rule.addTarget(new eventTargets.LambdaFunction(fn, {
              retryAttempts: 185,
              maxEventAge: Duration.hours(24),
              deadLetterQueue: messaging.deadLetter,
            }));
            break;
          }
          case 'http': {
            routes.push(...api.addRoutes({
              path: trigger.path,
              methods: [trigger.method === 'GET' ? apigw.HttpMethod.GET : apigw.HttpMethod.POST],
              integration: new HttpLambdaIntegration(`${constructId(spec)}Http${i}`, fn),
            }));
            break;
          }
          case 'schedule': {
            new scheduler.Schedule(this, `${constructId(spec)}Schedule${i}`, {
              description: `${spec.name}: ${trigger.name}`,
              schedule: scheduler.ScheduleExpression.expression(
                trigger.expression,
                trigger.timezone ? TimeZone.of(trigger.timezone) : undefined,
              ),
              target: new InvokeFunction(fn, {
                retryAttempts: 3,
                maxEventAge: Duration.hours(1),
                deadLetterQueue: messaging.deadLetter,
              }),
            });
            break;
          }
          case 'queue': {
            fn.addEventSource(new SqsEventSource(messaging[trigger.queue], {
              batchSize: trigger.batchSize,
              reportBatchItemFailures: true,
            }));
            break;
          }
        }
      });
    }

    const fns = new Map<string, lambda.IFunction>([...this.functions].map(([name, cf]) => [name, cf.fn]));
    const specs = props.functions ?? FUNCTIONS;
    // A function behind the HTTP API that fails shows as the API's 5xx; the others are watched for errors directly.
    const background = new Map([...fns].filter(([name]) => specs.find((f) => f.name === name)!.triggers.some((t) => t.kind !== 'http')));
    const alarms = new Alarms(this, 'Alarms', {
      email: settings.alarmEmail,
      deadLetterQueues: { deadLetter: messaging.deadLetter },
      backgroundFunctions: background,
      apiStage,
    });
    acknowledgeNagFindings({ deadLetter: messaging.deadLetter, routes, functions: fns, parameterProvider: parameters.provider });

    new CfnOutput(this, 'TableName', { value: store.table.tableName });
    new CfnOutput(this, 'EventBusName', { value: messaging.bus.eventBusName });
    new CfnOutput(this, 'ApiUrl', { value: api.apiEndpoint });
    new CfnOutput(this, 'PublicBaseUrl', { value: publicBaseUrl });
    new CfnOutput(this, 'DeadLetterQueueUrl', { value: messaging.deadLetter.queueUrl });
    // SSM parameter names: `aws ssm get-parameter --with-decryption --name ...`, or put-parameter --overwrite to rotate.
    new CfnOutput(this, 'HrWebhookSecretName', { value: secrets.hrWebhook.name });
    new CfnOutput(this, 'GraphSecretName', { value: secrets.graph.name });
    new CfnOutput(this, 'LinkSecretName', { value: secrets.links.name });
    new CfnOutput(this, 'ConsoleSecretName', { value: secrets.console.name });
    new CfnOutput(this, 'ConsoleRedirectUri', { value: `${publicBaseUrl}/auth/callback` });
    new CfnOutput(this, 'AlarmTopicArn', { value: alarms.topic.topicArn });
    // The CLI (--aws) runs the same use cases as the functions, configured from these.
    new CfnOutput(this, 'TrustName', { value: settings.trustName });
    new CfnOutput(this, 'TrustItContact', { value: settings.trustItContact });
    new CfnOutput(this, 'SenderAddress', { value: settings.senderAddress });
    new CfnOutput(this, 'LinkExpiryDays', { value: String(settings.linkExpiryDays) });
    new CfnOutput(this, 'HrSources', { value: settings.hrSources.join(',') });
    new CfnOutput(this, 'EscalateAfterWorkingDays', { value: String(settings.escalateAfterWorkingDays) });
    new CfnOutput(this, 'PersonRetentionDays', { value: String(settings.personDataRetentionDays) });
  }
}

/** The `events:source` values a function putting events as `source` may use. */
export function busSources(source: BusSource, settings: Pick<DeploymentSettings, 'hrSources'>): string[] {
  switch (source) {
    case 'custodian': return [CUSTODIAN_SOURCE];
    case 'hr': return settings.hrSources;
    case 'graph': return [GRAPH_SOURCE];
  }
}

/** The actions that can change or remove an existing item; an audit entry must suffer none of them. */
export const AUDIT_IMMUTABLE_ACTIONS = ['dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];
/** `dynamodb:LeadingKeys` (the partition key) of every audit entry, and of nothing else (functions/adapters/keys.ts). */
export const AUDIT_LEADING_KEYS = `${AUDIT_PREFIX}*`;

const TABLE_READS = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'];
function writesTable(actions: readonly string[]): boolean {
  return actions.some((a) => !TABLE_READS.includes(a));
}

/**
 * The audit is append-only by permission: a role that may write the table is denied, whatever else it is allowed,
 * every action that changes or removes an item whose partition key is an audit entry's. (Denied even where the
 * role is not granted the action, so a grant added later does not reopen it.) Each item of a TransactWriteItems is
 * authorized as its own PutItem/UpdateItem/DeleteItem, so this holds inside transactions too. IAM cannot tell a
 * PutItem that creates from one that replaces, and audit entries are written with PutItem: the store makes every
 * audit put conditional on `attribute_not_exists(pk)` (functions/adapters/dynamo-store.ts), so it cannot overwrite.
 */
function auditAppendOnly(tableArn: string): iam.PolicyStatement {
  return new iam.PolicyStatement({
    effect: iam.Effect.DENY,
    actions: AUDIT_IMMUTABLE_ACTIONS,
    resources: [tableArn],
    conditions: { 'ForAnyValue:StringLike': { 'dynamodb:LeadingKeys': [AUDIT_LEADING_KEYS] } },
  });
}

const KMS_TABLE_READ = ['kms:Decrypt', 'kms:DescribeKey'];
const KMS_TABLE_WRITE = ['kms:Encrypt', 'kms:GenerateDataKey', 'kms:GenerateDataKeyWithoutPlaintext'];

/**
 * EventBridge Scheduler's Lambda target, granting its role lambda:InvokeFunction on the function's own ARN only.
 * (LambdaInvoke uses grantInvoke, which also grants `<function ARN>:*`, every version and alias; the schedule
 * invokes the unqualified function, so that wildcard is not needed.)
 */
class InvokeFunction extends schedulerTargets.LambdaInvoke {
  protected override addTargetActionToRole(role: iam.IRole): void {
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.targetArn] }));
  }
}
