/**
 * Captures everything the test process writes as logs: process.stdout and process.stderr (Powertools Logger writes
 * its JSON lines there through its own Console), and console.* (the Graph emulator, vitest's own console).
 * Lines still reach the real output unless `quiet` is set.
 */
import { format } from 'node:util';

export interface LogCapture {
  /** Every captured line, in order, tagged with where it was written. */
  lines: Array<{ via: string; line: string }>;
  stop(): void;
}

const CONSOLE_METHODS = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;

export function captureLogs(options: { quiet?: boolean } = {}): LogCapture {
  const lines: LogCapture['lines'] = [];
  const record = (via: string, text: string) => {
    for (const line of text.split(/\r?\n/)) if (line.trim()) lines.push({ via, line });
  };
  const restore: Array<() => void> = [];

  for (const [name, stream] of [['stdout', process.stdout], ['stderr', process.stderr]] as const) {
    const original = stream.write;
    // Console instances (Powertools' included) look `write` up on the stream at each call, so this sees them.
    stream.write = function (this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]): boolean {
      record(name, typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) || chunk instanceof Uint8Array ? Buffer.from(chunk).toString('utf8') : String(chunk));
      if (options.quiet) {
        const cb = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
        cb?.();
        return true;
      }
      return (original as (...a: unknown[]) => boolean).call(this, chunk, ...rest);
    } as typeof stream.write;
    restore.push(() => { stream.write = original; });
  }

  for (const method of CONSOLE_METHODS) {
    const original = console[method];
    console[method] = (...args: unknown[]) => {
      record(`console.${method}`, format(...args));
      if (!options.quiet) original.apply(console, args);
    };
    restore.push(() => { console[method] = original; });
  }

  return {
    lines,
    stop: () => { for (const r of restore.splice(0).reverse()) r(); },
  };
}
