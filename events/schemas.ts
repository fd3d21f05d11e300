/**
 * The event contracts (contracts.md section 2), one source for handlers, the CLI and tests.
 *
 * Written with `zod/mini`, zod 4's functional API: the same parser and checks as classic zod (both are built on
 * `zod/v4/core`), but tree-shakeable, so a function bundles only the schema types it uses (about 30 KB minified
 * instead of about 440 KB). Classic zod's English messages are registered below, so reasons read as before.
 */
import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';
import { isEmail, normaliseEmail, parseDate } from './values.ts';

// "leaveDate: is required" reads better than zod's "expected string, received undefined". zod/mini ships no
// messages of its own ("Invalid input" for everything): the English locale is what classic zod uses by default.
z.config(en());
z.config({
  customError: (issue) => (issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : undefined),
});

const email = z.pipe(
  z.string().check(z.trim(), z.maxLength(254), z.refine(isEmail, { message: 'is not an email address' })),
  z.transform(normaliseEmail),
);

/** HR sends calendar dates; we also accept a full ISO timestamp and keep its date part (late HR exports do this). */
const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/;
const NOT_A_DATE = 'must be a real date, YYYY-MM-DD';
const isoDate = z.pipe(
  z.string().check(z.trim()),
  z.transform((v: string, ctx) => {
    const timestamp = ISO_TIMESTAMP.test(v);
    const date = timestamp && Number.isNaN(Date.parse(v)) ? undefined : parseDate(timestamp ? v.slice(0, 10) : v);
    if (!date) {
      // zod/mini's transform gets the parse payload itself (classic zod adds `ctx.addIssue` for this push).
      ctx.issues.push({ code: 'custom', message: NOT_A_DATE, input: v });
      return z.NEVER;
    }
    return date;
  }),
);

/** Control characters and bidirectional overrides could disguise text in emails; they are refused, not stripped. */
const UNSAFE_TEXT = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
const text = (max: number) => z.string().check(z.trim(), z.maxLength(max), z.refine((v) => !UNSAFE_TEXT.test(v), { message: 'contains control or text-direction characters' }));
const optionalText = z.optional(text(256));

/**
 * When the change happened in HR (ISO 8601 with a time zone offset), if HR says: it orders leavers, cancellations
 * and joiners that arrive out of order. Without it, the event's own time (EventBridge `time`: PutEvents `Time`, or
 * when a signed webhook request was signed) is used.
 */
const occurredAt = z.optional(z.iso.datetime({ offset: true }));

export const StaffLeaverDetail = z.object({
  email,
  leaveDate: isoDate,
  employeeId: optionalText,
  displayName: optionalText,
  school: optionalText,
  lineManagerEmail: z.optional(email),
  reason: z.optional(text(1000)),
  occurredAt,
});

export const StaffJoinerDetail = z.object({
  email,
  startDate: isoDate,
  employeeId: optionalText,
  displayName: optionalText,
  school: optionalText,
  lineManagerEmail: z.optional(email),
  jobTitle: optionalText,
  occurredAt,
});

export const StaffLeaverCancelledDetail = z.object({
  email,
  employeeId: optionalText,
  occurredAt,
});

/**
 * `Account Activity`: the account was seen in use. `at` is when (ISO 8601 with an offset; now when absent); a time in
 * the future counts as now (functions/usecases/activity.ts), so a wrong clock cannot hold off neglect detection.
 */
export const AccountActivityDetail = z.object({
  platform: z.string().check(z.trim(), z.minLength(1), z.maxLength(32)),
  handle: z.string().check(z.trim(), z.minLength(1), z.maxLength(256)),
  at: z.optional(z.iso.datetime({ offset: true })),
});
export type AccountActivity = z.infer<typeof AccountActivityDetail>;

/**
 * An `Account Activity` event from the bus as the account-activity function takes it: from a configured activity
 * source (`activitySources`), with a valid detail. The reason says what is wrong otherwise (it goes with the event
 * to the dead-letter queue).
 */
export function parseActivityBusEvent(event: { source: string; detail: unknown }, sources: readonly string[]): { ok: true; activity: AccountActivity } | { ok: false; reason: string } {
  if (!sources.includes(event.source)) return { ok: false, reason: `source "${event.source}" is not an accepted activity source` };
  const parsed = AccountActivityDetail.safeParse(event.detail);
  return parsed.success ? { ok: true, activity: parsed.data } : { ok: false, reason: describeIssues(parsed.error) };
}

/** The HR details as the use cases receive them (validated and normalised): written once, here. */
export type StaffLeaver = z.infer<typeof StaffLeaverDetail>;
export type StaffJoiner = z.infer<typeof StaffJoinerDetail>;
export type StaffLeaverCancelled = z.infer<typeof StaffLeaverCancelledDetail>;

export const HR_DETAIL_TYPES = ['Staff Leaver', 'Staff Joiner', 'Staff Leaver Cancelled'] as const;
export type HrDetailType = (typeof HR_DETAIL_TYPES)[number];

export { CUSTODIAN_SOURCE } from './values.ts';

export const HrEvent = z.discriminatedUnion('detailType', [
  z.object({ detailType: z.literal('Staff Leaver'), detail: StaffLeaverDetail }),
  z.object({ detailType: z.literal('Staff Joiner'), detail: StaffJoinerDetail }),
  z.object({ detailType: z.literal('Staff Leaver Cancelled'), detail: StaffLeaverCancelledDetail }),
]);
export type HrEvent = z.infer<typeof HrEvent>;

/**
 * An event from the bus as the hr-events function takes it: from an accepted HR source, with a valid detail.
 * The reason says what is wrong otherwise (it goes with the event to the dead-letter queue).
 */
export function parseHrBusEvent(event: { source: string; detailType: string; detail: unknown }, sources: readonly string[]): { ok: true; event: HrEvent } | { ok: false; reason: string } {
  if (!sources.includes(event.source)) return { ok: false, reason: `source "${event.source}" is not an accepted HR source` };
  const parsed = HrEvent.safeParse({ detailType: event.detailType, detail: event.detail });
  return parsed.success ? { ok: true, event: parsed.data } : { ok: false, reason: describeIssues(parsed.error) };
}

/** The body of `POST /hr/events`. */
export const HrWebhookBody = z.object({
  detailType: z.enum(HR_DETAIL_TYPES),
  detail: z.record(z.string(), z.unknown()),
});

/** One entry for `custodian events send`: the PutEvents shape. */
export const PutEventEntry = z.object({
  Source: z.string().check(z.minLength(1), z.maxLength(256)),
  DetailType: z.string().check(z.minLength(1), z.maxLength(128)),
  Detail: z.union([z.string(), z.record(z.string(), z.unknown())]),
  /** When the event happened (PutEvents `Time`), ISO 8601; the bus's own time when absent. */
  Time: z.optional(z.iso.datetime({ offset: true })),
});
export type PutEventEntry = z.infer<typeof PutEventEntry>;
/** A file for `custodian events send`: one entry or an array of them. */
export function parsePutEventFile(raw: unknown): { ok: true; entries: Array<z.infer<typeof PutEventEntry>> } | { ok: false; reason: string } {
  const result = Array.isArray(raw) ? z.array(PutEventEntry).check(z.minLength(1)).safeParse(raw) : PutEventEntry.safeParse(raw);
  if (!result.success) return { ok: false, reason: describeIssues(result.error) };
  return { ok: true, entries: Array.isArray(result.data) ? result.data : [result.data] };
}

/** A readable one-line reason from a zod error: `detail.email: is not an email address`. */
export function describeIssues(error: z.core.$ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('; ');
}
