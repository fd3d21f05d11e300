/** Reads a function's configuration from its environment at call time, with a clear error when a setting is missing. */
export function env(key: string): string {
  const v = process.env[key];
  if (v === undefined || v === '') throw new Error(`environment variable ${key} is not set`);
  return v;
}

export function envInt(key: string): number {
  const n = Number(env(key));
  if (!Number.isFinite(n)) throw new Error(`environment variable ${key} must be a number`);
  return n;
}

/** A comma-separated list of addresses, trimmed and in lower case (the canonical form); [] when unset. */
export function envEmails(key: string): string[] {
  const v = process.env[key] ?? '';
  return [...new Set(v.split(',').map((e) => e.trim().toLowerCase()).filter((e) => e !== ''))];
}
