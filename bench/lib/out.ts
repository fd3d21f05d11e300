/**
 * Output for the benchmark. The handlers' structured logs (Powertools writes JSON lines to stdout) are counted,
 * because CloudWatch Logs bills the bytes, and kept off the terminal so the progress lines and the table stay
 * readable. Everything the benchmark itself prints goes through `say`.
 */

const started = Date.now();
const originalWrite = process.stdout.write.bind(process.stdout);

export const logCounter = { bytes: 0, lines: 0 };

/** Counts and swallows JSON log lines written to stdout; anything else passes through. */
export function captureHandlerLogs(): void {
  const write = (chunk: unknown, encodingOrCallback?: unknown, callback?: unknown): boolean => {
    const text = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : String(chunk);
    if (text.startsWith('{')) {
      logCounter.bytes += Buffer.byteLength(text);
      logCounter.lines += text.split('\n').filter((l) => l.trim()).length;
      const cb = typeof encodingOrCallback === 'function' ? encodingOrCallback : callback;
      if (typeof cb === 'function') (cb as () => void)();
      return true;
    }
    return (originalWrite as (c: unknown, e?: unknown, cb?: unknown) => boolean)(chunk, encodingOrCallback, callback);
  };
  process.stdout.write = write as typeof process.stdout.write;
}

export function elapsedSeconds(): number {
  return (Date.now() - started) / 1000;
}

/** A progress line with the elapsed time. */
export function say(line: string): void {
  originalWrite(`[${elapsedSeconds().toFixed(0).padStart(4)}s] ${line}\n`);
}

/** Plain output (the table). */
export function print(text = ''): void {
  originalWrite(`${text}\n`);
}

export function table(headers: string[], rows: Array<Array<string | number>>, align: Array<'l' | 'r'> = []): string {
  const cells = rows.map((r) => r.map(String));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const fmt = (r: string[]) => r.map((c, i) => (align[i] === 'r' ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [fmt(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(fmt)].join('\n');
}
