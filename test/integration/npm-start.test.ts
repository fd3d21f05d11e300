/**
 * `npm start` as a user runs it: all five parts answer, data survives a restart, and Ctrl-C leaves no process
 * behind (in particular no orphaned DynamoDB Local java).
 */
import { PutEventsCommand, EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { freePort } from '../../infra/local/dynamo.ts';
import { cli } from '../support/cli.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const dataDir = mkdtempSync(path.join(tmpdir(), 'custodian-start-'));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) {
    try { process.kill(-c.pid!, 'SIGKILL'); } catch { /* already gone */ }
  }
});

async function ports() {
  return {
    CUSTODIAN_DYNAMODB_PORT: String(await freePort()),
    CUSTODIAN_SES_PORT: String(await freePort()),
    CUSTODIAN_EVENTS_PORT: String(await freePort()),
    CUSTODIAN_HTTP_PORT: String(await freePort()),
    CUSTODIAN_GRAPH_PORT: String(await freePort()),
    CUSTODIAN_OIDC_PORT: String(await freePort()),
  };
}

function start(env: Record<string, string>): Promise<{ child: ChildProcess; output: () => string }> {
  // Its own process group, as a terminal gives a foreground command, so Ctrl-C can reach the whole group.
  const child = spawn('npm', ['start', '--silent', '--', '--no-schedules'], { cwd: ROOT, env: { ...process.env, ...env, CUSTODIAN_DATA_DIR: dataDir }, detached: true });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr!.on('data', (d: Buffer) => { out += d.toString(); });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready within 60 s:\n${out}`)), 60_000);
    const check = () => {
      if (out.includes('Press Ctrl-C to stop')) { clearTimeout(timer); resolve({ child, output: () => out }); }
    };
    child.stdout!.on('data', check);
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`npm start exited ${code}:\n${out}`)); });
  });
}

function javaFor(port: string): string[] {
  const ps = execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' });
  return ps.split('\n').filter((l) => l.includes('DynamoDBLocal.jar') && l.includes(`-port ${port}`));
}

async function stopWithCtrlC(child: ChildProcess): Promise<void> {
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  // A terminal's Ctrl-C sends SIGINT to every process of the foreground group.
  process.kill(-child.pid!, 'SIGINT');
  await exited;
}

it('starts all six parts, prints their URLs, keeps data across a restart, and Ctrl-C stops everything', async () => {
  const env = await ports();
  const started = Date.now();
  const { child, output } = await start(env);
  expect(Date.now() - started).toBeLessThan(60_000);
  const text = output();
  for (const p of Object.values(env)) expect(text).toContain(`127.0.0.1:${p}`);

  // SES emulator: JSON store.
  const store = await fetch(`http://127.0.0.1:${env.CUSTODIAN_SES_PORT}/store`);
  expect(store.headers.get('content-type')).toMatch(/json/);
  expect(await store.json()).toMatchObject({ emails: [] });
  // EventBridge: PutEvents from the real client returns an EventId.
  const outputs = JSON.parse(readFileSync(path.join(dataDir, 'outputs.json'), 'utf8')) as { eventBusName: string };
  const eb = new EventBridgeClient({ endpoint: `http://127.0.0.1:${env.CUSTODIAN_EVENTS_PORT}`, region: 'eu-west-2', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  const put = await eb.send(new PutEventsCommand({ Entries: [{ EventBusName: outputs.eventBusName, Source: 'test', DetailType: 'Ping', Detail: '{}' }] }));
  expect(put.Entries?.[0]?.EventId).toMatch(/^[0-9a-f-]{36}$/);
  // HTTP API and Graph emulator answer.
  expect((await fetch(`http://127.0.0.1:${env.CUSTODIAN_HTTP_PORT}/hr/events`, { method: 'POST', body: '{}' })).status).toBe(401);
  expect((await fetch(`http://127.0.0.1:${env.CUSTODIAN_GRAPH_PORT}/v1.0/users`, { headers: { authorization: 'Bearer x' } })).status).toBe(200);
  // The sign-in provider standing in for Entra ID: its discovery document names its own URL as issuer.
  const discovery = await (await fetch(`http://127.0.0.1:${env.CUSTODIAN_OIDC_PORT}/.well-known/openid-configuration`)).json() as { issuer: string };
  expect(discovery.issuer).toBe(`http://127.0.0.1:${env.CUSTODIAN_OIDC_PORT}`);
  // DynamoDB Local: write through the CLI.
  const set = await cli(path.join(dataDir, 'outputs.json'), ['schools', 'set', 'oakfield', '--name', 'Oakfield Academy', '--it-manager', 'it@oakfield.sch.uk', '--domain', 'oakfield.sch.uk']);
  expect(set.code, set.stderr).toBe(0);

  expect(javaFor(env.CUSTODIAN_DYNAMODB_PORT)).toHaveLength(1);
  await stopWithCtrlC(child);
  expect(javaFor(env.CUSTODIAN_DYNAMODB_PORT)).toHaveLength(0);

  // Restart on the same data folder: the school is still there.
  const again = await start(env);
  const list = await cli(path.join(dataDir, 'outputs.json'), ['schools', 'list', '--json']);
  expect(JSON.parse(list.stdout)).toEqual([expect.objectContaining({ id: 'oakfield', name: 'Oakfield Academy' })]);
  await stopWithCtrlC(again.child);
  expect(javaFor(env.CUSTODIAN_DYNAMODB_PORT)).toHaveLength(0);
}, 180_000);
