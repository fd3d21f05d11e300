/**
 * Once per test run: one Amazon DynamoDB Local (in memory, on a free port) shared by every integration test file,
 * each of which uses its own table prefix; and one synthesized template, so files do not each run the CDK.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startDynamoLocal, type DynamoLocal } from '../../infra/local/dynamo.ts';
import { synthTemplate } from '../../infra/local/template.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
    templateFile: string;
  }
}

let dynamo: DynamoLocal | undefined;

export async function setup(project: TestProject): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const [started, template] = await Promise.all([
    startDynamoLocal({ host: '127.0.0.1', port: 0 }),
    Promise.resolve().then(() => synthTemplate()),
  ]);
  dynamo = started;
  const dir = mkdtempSync(path.join(tmpdir(), 'custodian-test-'));
  const templateFile = path.join(dir, 'template.json');
  writeFileSync(templateFile, JSON.stringify(template));
  project.provide('dynamoEndpoint', dynamo.endpoint);
  project.provide('templateFile', templateFile);
}

export async function teardown(): Promise<void> {
  await dynamo?.stop();
}
