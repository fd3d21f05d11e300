/**
 * Where the CLI's commands go: the local stack from `npm start` (its outputs in .custodian/outputs.json), or,
 * with --aws / CUSTODIAN_TARGET=aws, the deployed stack found from its CloudFormation outputs.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { resetClients } from '../functions/adapters/aws.ts';
import type { LocalOutputs } from '../infra/local/stack.ts';

export interface Target {
  kind: 'local' | 'aws';
  tableName: string;
  eventBusName: string;
  deadLetterQueueUrl?: string;
  publicBaseUrl?: string;
}

export class CliError extends Error {}

const LOCAL_OUTPUTS = path.resolve(import.meta.dirname, '..', '.custodian', 'outputs.json');

export async function resolveTarget(aws: boolean, stackName: string): Promise<Target> {
  if (aws) {
    const cf = new CloudFormationClient({});
    let outputs: Record<string, string>;
    try {
      const out = await cf.send(new DescribeStacksCommand({ StackName: stackName }));
      outputs = Object.fromEntries((out.Stacks?.[0]?.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']));
    } catch (err) {
      throw new CliError(`cannot read the outputs of stack "${stackName}": ${(err as Error).message}`);
    }
    if (!outputs.TableName || !outputs.EventBusName) throw new CliError(`stack "${stackName}" has no TableName/EventBusName outputs; is it a Custodian stack?`);
    // The Region the stack was found in (the profile's), for what reads it from the environment (the secrets' SSM reads).
    process.env.AWS_REGION ??= await cf.config.region();
    Object.assign(process.env, {
      TABLE_NAME: outputs.TableName,
      EVENT_BUS_NAME: outputs.EventBusName,
      DEAD_LETTER_QUEUE_URL: outputs.DeadLetterQueueUrl ?? '',
      TRUST_NAME: outputs.TrustName ?? '',
      TRUST_IT_CONTACT: outputs.TrustItContact ?? '',
      SENDER_ADDRESS: outputs.SenderAddress ?? '',
      PUBLIC_BASE_URL: outputs.PublicBaseUrl ?? '',
      LINK_SECRET_ID: outputs.LinkSecretName ?? '',
      LINK_EXPIRY_DAYS: outputs.LinkExpiryDays ?? '30',
      HR_SOURCES: outputs.HrSources ?? 'hr',
      ESCALATE_AFTER_WORKING_DAYS: outputs.EscalateAfterWorkingDays ?? '3',
      PERSON_RETENTION_DAYS: outputs.PersonRetentionDays ?? '365',
    });
    return {
      kind: 'aws',
      tableName: outputs.TableName,
      eventBusName: outputs.EventBusName,
      deadLetterQueueUrl: outputs.DeadLetterQueueUrl,
      publicBaseUrl: outputs.PublicBaseUrl,
    };
  }
  const file = process.env.CUSTODIAN_OUTPUTS
    ?? (process.env.CUSTODIAN_DATA_DIR ? path.resolve(process.env.CUSTODIAN_DATA_DIR, 'outputs.json') : LOCAL_OUTPUTS);
  if (!existsSync(file)) throw new CliError('the local stack has not been started here: run `npm start` in another terminal (or use --aws)');
  const o = JSON.parse(readFileSync(file, 'utf8')) as LocalOutputs;
  // The SDK reads these, so the same adapters reach the local parts.
  Object.assign(process.env, o.environment ?? {}, {
    TABLE_NAME: o.tableName,
    EVENT_BUS_NAME: o.eventBusName,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    AWS_REGION: o.region,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: o.endpoints.dynamodb,
    AWS_ENDPOINT_URL_SES: o.endpoints.ses,
    AWS_ENDPOINT_URL_SESV2: o.endpoints.ses,
    AWS_ENDPOINT_URL_EVENTBRIDGE: o.endpoints.aws,
    AWS_ENDPOINT_URL_SQS: o.endpoints.aws,
    AWS_ENDPOINT_URL_SSM: o.endpoints.aws,
  });
  delete process.env.AWS_PROFILE;
  resetClients();
  return { kind: 'local', tableName: o.tableName, eventBusName: o.eventBusName, deadLetterQueueUrl: o.deadLetterQueueUrl, publicBaseUrl: o.endpoints.http };
}
