/**
 * Email content: subject, plain text and HTML for each email Custodian sends. Pure: no I/O and no clock reads;
 * "today" and every date arrive as arguments.
 *
 * Each email says which account, whose, what to do, by when, and what happens if nothing is done (design notes;
 * contracts section 6). Content is written once as blocks of runs and rendered twice, so the text and HTML parts
 * always say the same thing. Values from data are escaped in HTML and kept raw (minus control characters) in text.
 *
 * This module is the public entry point; each email lives in its own file under emails/, with the document model
 * (emails/render.ts), the shared wording (emails/wording.ts) and the shared pieces (emails/blocks.ts,
 * emails/situation.ts) beside them.
 */
export { renderEmail, type EmailBlock, type EmailContent, type EmailRun, type MailContext } from './emails/render.ts';
export {
  accountTitle,
  isAddressGone,
  isLeaverTask,
  isPersonSubject,
  personName,
  platformName,
  policyName,
  shortDate,
  supervisorRole,
  taskTitle,
  type AccountView,
} from './emails/wording.ts';
export { taskCreatedEmail, type AssigneeRole } from './emails/task-created.ts';
export { leaverTasksEmail, type LeaverTaskItem } from './emails/leaver-tasks.ts';
export { taskCancelledEmail } from './emails/task-cancelled.ts';
export { policyAcknowledgementEmail } from './emails/policy-acknowledgement.ts';
export { taskReminderEmail } from './emails/task-reminder.ts';
export { taskEscalationEmail } from './emails/task-escalation.ts';
export { attestationEmail } from './emails/attestation.ts';
export { neglectedAccountEmail } from './emails/neglected.ts';
export { plannedEndEmail } from './emails/planned-end.ts';
export { policyReviewEmail } from './emails/policy-review.ts';
export { approvalRequestEmail, requestFacts, requestLabel, requestOutcomeEmail, setUpAccountEmail, type RequestView } from './emails/account-requests.ts';
