/**
 * `npm start`: the whole system on this machine (contracts section 7). Data is kept in .custodian/ (git-ignored)
 * unless started with --in-memory. Ctrl-C stops every part, including the DynamoDB Local java process.
 *
 * Ports: CUSTODIAN_DYNAMODB_PORT (8000), CUSTODIAN_SES_PORT (8005), CUSTODIAN_EVENTS_PORT (4010),
 * CUSTODIAN_HTTP_PORT (3000), CUSTODIAN_GRAPH_PORT (4003), CUSTODIAN_OIDC_PORT (4004); CUSTODIAN_HOST (127.0.0.1);
 * CUSTODIAN_DATA_DIR (.custodian).
 */
// Node 20 is supported for local use; deployed functions run on Node 22.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import path from 'node:path';
import { DEFAULT_DATA_DIR, DEFAULT_PORTS, startLocalStack, type LocalPorts } from './stack.ts';

const args = process.argv.slice(2);
if (args.includes('--help')) {
  console.log('usage: npm start [-- --in-memory] [--no-schedules]');
  process.exit(0);
}
const inMemory = args.includes('--in-memory');
const dataDir = process.env.CUSTODIAN_DATA_DIR ? path.resolve(process.env.CUSTODIAN_DATA_DIR) : DEFAULT_DATA_DIR;

function port(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    console.error(`${name} must be a port number, not "${raw}"`);
    process.exit(2);
  }
  return n;
}

const ports: LocalPorts = {
  dynamodb: port('CUSTODIAN_DYNAMODB_PORT', DEFAULT_PORTS.dynamodb),
  ses: port('CUSTODIAN_SES_PORT', DEFAULT_PORTS.ses),
  aws: port('CUSTODIAN_EVENTS_PORT', DEFAULT_PORTS.aws),
  http: port('CUSTODIAN_HTTP_PORT', DEFAULT_PORTS.http),
  graph: port('CUSTODIAN_GRAPH_PORT', DEFAULT_PORTS.graph),
  oidc: port('CUSTODIAN_OIDC_PORT', DEFAULT_PORTS.oidc),
};

const started = Date.now();
console.log(`Starting Custodian locally${inMemory ? ' (in memory: nothing is kept)' : ` (data in ${dataDir})`}...`);
try {
  const stack = await startLocalStack({
    host: process.env.CUSTODIAN_HOST ?? '127.0.0.1',
    ports,
    dataDir: inMemory ? undefined : dataDir,
    configDir: dataDir,
    schedules: !args.includes('--no-schedules'),
    log: (line) => console.log(`  ${new Date().toISOString().slice(11, 19)} ${line}`),
  });
  const e = stack.outputs.endpoints;
  console.log(`
Custodian is running (ready in ${((Date.now() - started) / 1000).toFixed(1)} s):
  DynamoDB Local     ${e.dynamodb}      table ${stack.outputs.tableName}
  SES emulator       ${e.ses}           inbox ${e.ses}/   JSON ${e.ses}/store
  EventBridge        ${e.aws}           bus ${stack.outputs.eventBusName}  (AWS_ENDPOINT_URL_EVENTBRIDGE=${e.aws})
  HTTP API           ${e.http}          POST /hr/events, /graph/notifications; action pages under /actions/
  Microsoft Graph    ${e.graph}/v1.0    directory emulator (samples/directory.json)
  Sign-in (OpenID)   ${e.oidc}          stands in for Microsoft Entra ID (users from the Graph emulator)

Try: npx custodian schools list     (stack outputs in ${path.join(dataDir, 'outputs.json')})
Press Ctrl-C to stop.`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping every part...`);
    const force = setTimeout(() => process.exit(1), 10_000);
    await stack.stop();
    clearTimeout(force);
    console.log('Stopped.');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('Ctrl-C'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGHUP', () => void stop('SIGHUP'));
} catch (err) {
  const e = err as NodeJS.ErrnoException;
  if (e.code === 'EADDRINUSE') {
    console.error(`A port is already in use (${e.message}). Is Custodian already running? Ports can be changed with CUSTODIAN_*_PORT (see README).`);
  } else {
    console.error(`Custodian could not start: ${e.message}`);
  }
  process.exit(1);
}
