/**
 * Secrets from their SSM SecureString parameters (locally, the stack's emulated endpoint), by name, cached for five
 * minutes so a warm function does not fetch them on every request, and a rotated value is read within five minutes.
 * The signing code (ssm.ts) is loaded on the first read, not when the function starts: a path that needs no secret
 * (a refused request, a sweep with nothing to send) never loads it.
 */
const MAX_AGE_MS = 300_000;
const cache = new Map<string, { value: Promise<string>; at: number }>();

export async function secretString(secretId: string): Promise<string> {
  const hit = cache.get(secretId);
  if (hit && Date.now() - hit.at < MAX_AGE_MS) return hit.value;
  const value = import('./ssm.ts').then(({ getParameter }) => getParameter(secretId)).then((v) => {
    if (v.length === 0) throw new Error('secret is empty');
    return v;
  });
  cache.set(secretId, { value, at: Date.now() });
  // A failed read is not kept: the next request asks again.
  value.catch(() => { if (cache.get(secretId)?.value === value) cache.delete(secretId); });
  return value;
}

export async function secretJson<T>(secretId: string): Promise<T> {
  return JSON.parse(await secretString(secretId)) as T;
}
