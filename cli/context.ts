/** What every `custodian` command shares: the program and its global options, the target stack, output helpers. */
import { Command } from 'commander';
import os from 'node:os';
import { depsFromEnv } from '../functions/adapters/deps.ts';
import { DynamoStore } from '../functions/adapters/dynamo-store.ts';
import { isEmail, normaliseEmail, type Actor } from '../functions/domain/model.ts';
import type { Deps } from '../functions/usecases/deps.ts';
import { table } from './format.ts';
import { CliError, resolveTarget, type Target } from './target.ts';

export { CliError } from './target.ts';

export const program = new Command('custodian')
  .description('Custodian: the register of official social media accounts, and what happens when staff leave')
  .option('--aws', 'talk to the deployed stack (default: the local stack from `npm start`)', process.env.CUSTODIAN_TARGET === 'aws')
  .option('--stack <name>', 'deployed stack name, with --aws', process.env.CUSTODIAN_STACK ?? 'Custodian')
  .option('--by <email>', 'who is making the change, for the audit (default: $CUSTODIAN_OPERATOR or your login name)')
  .showHelpAfterError(false)
  .exitOverride();

let target: Target | undefined;

/** The stack this run talks to, and its store. */
export async function connect(): Promise<{ target: Target; store: DynamoStore }> {
  const opts = program.opts<{ aws: boolean; stack: string }>();
  target ??= await resolveTarget(opts.aws, opts.stack);
  return { target, store: new DynamoStore(target.tableName) };
}

/** The use cases' dependencies for the connected stack, on the given clock. */
export async function connectDeps(clock?: () => Date): Promise<{ target: Target; deps: Deps }> {
  const { target: t } = await connect();
  return { target: t, deps: depsFromEnv(clock) };
}

export function actor(source: string): Actor {
  const by = program.opts<{ by?: string }>().by ?? process.env.CUSTODIAN_OPERATOR ?? `cli:${os.userInfo().username}`;
  return { by, source };
}

export function out(json: boolean, rows: Array<Record<string, unknown>>, columns: Array<[string, string]>): void {
  process.stdout.write(json ? `${JSON.stringify(rows, null, 2)}\n` : `${table(rows, columns)}\n`);
}

export function emails(value: string, what: string): string[] {
  const list = value.split(',').map((v) => v.trim()).filter(Boolean);
  const bad = list.filter((e) => !isEmail(e));
  if (bad.length) throw new CliError(`${what}: "${bad[0]}" is not an email address`);
  return [...new Set(list.map(normaliseEmail))];
}
