/** Runs the real `custodian` command in a child process, as a user would. */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { LocalOutputs } from '../../infra/local/stack.ts';

const BIN = path.resolve(import.meta.dirname, '../../bin/custodian.mjs');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Writes an outputs file (as `npm start` does) so the CLI finds this test's table and endpoints. */
export function outputsFile(outputs: Partial<LocalOutputs> & { tableName: string }): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'custodian-cli-')), 'outputs.json');
  const full: LocalOutputs = {
    eventBusName: 'none',
    deadLetterQueueUrl: '',
    region: 'eu-west-2',
    endpoints: { dynamodb: '', ses: '', aws: '', http: '', graph: '' },
    ...outputs,
  };
  writeFileSync(file, JSON.stringify(full));
  return file;
}

export function cli(outputs: string, args: string[], extraEnv: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: { ...process.env, CUSTODIAN_OUTPUTS: outputs, CUSTODIAN_OPERATOR: 'it@oakfield.sch.uk', ...extraEnv }, timeout: 60_000 },
      (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}
