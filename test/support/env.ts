/** Helpers for integration tests: the shared DynamoDB Local, the template, and a fresh table per test file. */
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { resetClients } from '../../functions/adapters/aws.ts';
import { DynamoStore } from '../../functions/adapters/dynamo-store.ts';
import { createTables, dynamoClient } from '../../infra/local/dynamo.ts';
import type { Template } from '../../infra/local/template.ts';

export function testTemplate(): Template {
  return JSON.parse(readFileSync(inject('templateFile'), 'utf8')) as Template;
}

export function uniquePrefix(): string {
  return `t${randomBytes(4).toString('hex')}-`;
}

/** Points the AWS SDK at DynamoDB Local and creates the template's table under a fresh prefix. */
export async function freshStore(clock?: () => Date): Promise<DynamoStore> {
  const endpoint = inject('dynamoEndpoint');
  Object.assign(process.env, {
    AWS_REGION: 'eu-west-2',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: endpoint,
  });
  resetClients();
  const [table] = await createTables(dynamoClient(endpoint), testTemplate(), uniquePrefix());
  return new DynamoStore(table!, undefined, clock);
}
