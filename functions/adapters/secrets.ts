/**
 * Secrets from Secrets Manager (locally, the stack's emulated endpoint), cached for five minutes by Powertools
 * so a warm function does not fetch them on every request.
 */
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';

export async function secretString(secretId: string): Promise<string> {
  const value = await getSecret(secretId, { maxAge: 300 });
  if (typeof value !== 'string' || value.length === 0) throw new Error('secret is empty or not a string');
  return value;
}

export async function secretJson<T>(secretId: string): Promise<T> {
  return JSON.parse(await secretString(secretId)) as T;
}
