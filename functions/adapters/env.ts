/** Reads a function's configuration from its environment at call time, with a clear error when a setting is missing. */
import { APPROVAL_STEPS, type ApprovalStepName } from '../domain/approval-steps.ts';

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

/**
 * The new-account approval settings (usecases/deps.ts AppConfig): `APPROVAL_STEPS`, comma-separated step names (unset:
 * the default chain), and `TRUST_APPROVERS`, comma-separated addresses. An unknown step name is a configuration error.
 */
export function approvalSettingsFromEnv(): { approvalSteps?: ApprovalStepName[]; trustApprovers: string[] } {
  const raw = (process.env.APPROVAL_STEPS ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
  const unknown = raw.filter((s) => !(APPROVAL_STEPS as readonly string[]).includes(s));
  if (unknown.length) throw new Error(`environment variable APPROVAL_STEPS names unknown steps (${unknown.join(', ')}); use ${APPROVAL_STEPS.join(', ')}`);
  return { ...(raw.length ? { approvalSteps: [...new Set(raw)] as ApprovalStepName[] } : {}), trustApprovers: envEmails('TRUST_APPROVERS') };
}

/** A comma-separated list of addresses, trimmed and in lower case (the canonical form); [] when unset. */
export function envEmails(key: string): string[] {
  const v = process.env[key] ?? '';
  return [...new Set(v.split(',').map((e) => e.trim().toLowerCase()).filter((e) => e !== ''))];
}
