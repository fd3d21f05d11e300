/**
 * `npx custodian <command>`: contracts section 5. Every list command takes --json (a JSON array on stdout and
 * nothing else); errors are one line on stderr with a non-zero exit code. The commands live in cli/commands/.
 */
import './quiet.ts';
import { CommanderError } from 'commander';
import { CliError, program } from './context.ts';
import './commands/register.ts';
import './commands/tasks.ts';
import './commands/events.ts';
import './commands/operations.ts';

export async function main(argv: string[]): Promise<number> {
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Commander has already printed its message (or help); keep its exit code.
      return err.exitCode;
    }
    const e = err as NodeJS.ErrnoException & { cause?: { code?: string } };
    const refused = e.code === 'ECONNREFUSED' || e.cause?.code === 'ECONNREFUSED' || /ECONNREFUSED/.test(String(e.message));
    const message = refused
      ? 'the local stack is not running (connection refused): start it with `npm start`'
      : err instanceof CliError ? err.message : `${e.name ?? 'Error'}: ${e.message}`;
    process.stderr.write(`custodian: ${message.split('\n')[0]}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
