import { GRAPH_DETAIL_TYPE } from '../events/graph.ts';

/**
 * The one list of Lambda functions. The CDK stack builds each function, its triggers, environment and
 * permissions from this list, and the local stack (`npm start`) reads the synthesized template that it produced,
 * so the two cannot drift. test/infra/registry.test.ts proves the template matches this list.
 */

/** Environment variables a function may be given; the stack knows the value of each. */
export const ENV_KEYS = [
  'TABLE_NAME', 'EVENT_BUS_NAME', 'SENDER_ADDRESS', 'TRUST_NAME', 'TRUST_IT_CONTACT', 'PUBLIC_BASE_URL',
  'LINK_SECRET_ID', 'HR_WEBHOOK_SECRET_ID', 'GRAPH_SECRET_ID', 'DEAD_LETTER_QUEUE_URL',
  'HR_SOURCES', 'LINK_EXPIRY_DAYS', 'ESCALATE_AFTER_WORKING_DAYS', 'PERSON_RETENTION_DAYS', 'GRAPH_BASE_URL',
  'ACTIVITY_SOURCES', 'TRUST_ADMINS', 'OIDC_ISSUER', 'OIDC_CLIENT_ID', 'OIDC_TENANT_ID', 'CONSOLE_SECRET_ID',
  'APPROVAL_STEPS', 'TRUST_APPROVERS',
] as const;
export type EnvKey = (typeof ENV_KEYS)[number];

export const INDEXES = ['byEmail', 'byType', 'due'] as const;
export type IndexName = (typeof INDEXES)[number];

/**
 * The secrets, each an SSM SecureString parameter of its own (infra/constructs/secure-parameters.ts), readable only by
 * the functions that list it. The `*_SECRET_ID` variables hold the parameter's name.
 */
export const SECRETS = ['links', 'hrWebhook', 'graph', 'console'] as const;
export type SecretName = (typeof SECRETS)[number];

export const QUEUES = ['deadLetter'] as const;
export type QueueName = (typeof QUEUES)[number];

/**
 * Who a function may put events on the bus as (`events:source`): Custodian's own events (Account Flagged, Task
 * Resolved), the HR events the webhook accepts (the configured HR sources), or Graph notifications (events/graph.ts).
 */
export type BusSource = 'custodian' | 'hr' | 'graph';

export type TableAction =
  | 'dynamodb:GetItem' | 'dynamodb:BatchGetItem' | 'dynamodb:Query' | 'dynamodb:PutItem' | 'dynamodb:UpdateItem'
  | 'dynamodb:DeleteItem' | 'dynamodb:BatchWriteItem' | 'dynamodb:ConditionCheckItem';

const READ: TableAction[] = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'];
const WRITE: TableAction[] = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:ConditionCheckItem'];

export type Trigger =
  /**
   * An EventBridge rule on the stack's bus. `source: 'hr'` means the configured HR sources (`hrSources`),
   * `'activity'` the configured activity sources (`activitySources`), `'graph'` the Graph webhook's own source
   * (events/graph.ts), `'any'` every source.
   */
  | { kind: 'event'; source: 'hr' | 'activity' | 'graph' | 'any'; detailTypes: string[] }
  | { kind: 'http'; method: 'GET' | 'POST'; path: string }
  /** EventBridge Scheduler; `expression` is `cron(...)` or `rate(...)`, in `timezone` when given. */
  | { kind: 'schedule'; name: string; expression: string; timezone?: string }
  | { kind: 'queue'; queue: QueueName; batchSize: number };

export interface FunctionSpec {
  /** kebab-case name; the CDK construct id is its PascalCase form. */
  name: string;
  /** Source file, relative to the repository root, exporting `handler`. */
  entry: string;
  description: string;
  memorySize: number;
  timeoutSeconds: number;
  environment: EnvKey[];
  triggers: Trigger[];
  permissions: {
    table?: { actions: TableAction[]; indexes: IndexName[] };
    sendEmail?: boolean;
    /** events:PutEvents on the stack's bus, as this source only. */
    putEvents?: BusSource;
    secrets?: SecretName[];
    sendToQueues?: QueueName[];
  };
}

const MAIL_ENV: EnvKey[] = ['SENDER_ADDRESS', 'TRUST_NAME', 'TRUST_IT_CONTACT', 'PUBLIC_BASE_URL', 'LINK_SECRET_ID', 'LINK_EXPIRY_DAYS', 'ESCALATE_AFTER_WORKING_DAYS', 'PERSON_RETENTION_DAYS'];

/** Every path the web console serves (contracts section 8); each is a GET, a POST or both. */
const CONSOLE_ROUTES: Array<[path: string, methods: Array<'GET' | 'POST'>]> = [
  ['/', ['GET']],
  ['/auth/sign-in', ['GET']],
  ['/auth/callback', ['GET']],
  ['/auth/sign-out', ['POST']],
  ['/register', ['GET']],
  ['/register/import', ['GET', 'POST']],
  ['/register/{accountId}', ['GET', 'POST']],
  ['/tasks', ['GET']],
  ['/tasks/{taskId}', ['GET', 'POST']],
  ['/audit', ['GET']],
  ['/audit.csv', ['GET']],
  ['/policies', ['GET']],
  ['/policies/{policyId}', ['POST']],
  ['/requests', ['GET', 'POST']],
  ['/requests/new', ['GET']],
  ['/requests/{requestId}', ['GET']],
];

export const FUNCTIONS: FunctionSpec[] = [
  {
    name: 'hr-events',
    entry: 'functions/hr-events/handler.ts',
    description: 'HR leaver, joiner and cancellation events from the bus: flags accounts, creates and emails tasks',
    memorySize: 512,
    timeoutSeconds: 60,
    environment: ['TABLE_NAME', 'EVENT_BUS_NAME', 'DEAD_LETTER_QUEUE_URL', 'HR_SOURCES', ...MAIL_ENV],
    triggers: [{ kind: 'event', source: 'hr', detailTypes: ['Staff Leaver', 'Staff Joiner', 'Staff Leaver Cancelled'] }],
    permissions: {
      table: { actions: [...READ, ...WRITE], indexes: ['byEmail', 'byType'] },
      sendEmail: true,
      putEvents: 'custodian',
      secrets: ['links'],
      sendToQueues: ['deadLetter'],
    },
  },
  {
    name: 'actions',
    entry: 'functions/actions/handler.ts',
    description: 'Action pages from emailed links: GET confirms, POST decides',
    memorySize: 512,
    timeoutSeconds: 15,
    environment: ['TABLE_NAME', 'EVENT_BUS_NAME', ...MAIL_ENV],
    triggers: [
      { kind: 'http', method: 'GET', path: '/actions/{token}' },
      { kind: 'http', method: 'POST', path: '/actions/{token}' },
    ],
    permissions: {
      table: { actions: [...READ, ...WRITE], indexes: ['byEmail', 'byType'] },
      sendEmail: true,
      putEvents: 'custodian',
      secrets: ['links'],
    },
  },
  {
    name: 'hr-webhook',
    entry: 'functions/hr-webhook/handler.ts',
    description: 'Signed HTTPS HR events: verifies the HMAC signature, refuses replays and puts the event on the bus',
    memorySize: 256,
    timeoutSeconds: 10,
    environment: ['TABLE_NAME', 'EVENT_BUS_NAME', 'HR_WEBHOOK_SECRET_ID', 'HR_SOURCES'],
    triggers: [{ kind: 'http', method: 'POST', path: '/hr/events' }],
    // PutItem for the one-time claim on each signed request (a conditional put; DeleteItem gives it back when the
    // bus refuses the event, so the sender's retry is accepted). It reads nothing.
    permissions: { table: { actions: ['dynamodb:PutItem', 'dynamodb:DeleteItem'], indexes: [] }, putEvents: 'hr', secrets: ['hrWebhook'] },
  },
  {
    name: 'graph-webhook',
    entry: 'functions/graph-webhook/handler.ts',
    description: 'Microsoft Graph webhook: validation handshake, clientState check, puts each valid notification on the bus',
    memorySize: 256,
    timeoutSeconds: 10,
    environment: ['GRAPH_SECRET_ID', 'EVENT_BUS_NAME'],
    triggers: [
      { kind: 'http', method: 'POST', path: '/graph/notifications' },
      { kind: 'http', method: 'POST', path: '/graph/lifecycle' },
    ],
    permissions: { secrets: ['graph'], putEvents: 'graph' },
  },
  {
    name: 'graph-changes',
    entry: 'functions/graph-changes/handler.ts',
    description: 'Graph notifications from the bus: apply user changes, renew or recreate the subscription',
    memorySize: 512,
    timeoutSeconds: 120,
    environment: ['TABLE_NAME', 'EVENT_BUS_NAME', 'GRAPH_SECRET_ID', 'GRAPH_BASE_URL', ...MAIL_ENV],
    triggers: [{ kind: 'event', source: 'graph', detailTypes: [GRAPH_DETAIL_TYPE] }],
    permissions: {
      table: { actions: [...READ, ...WRITE], indexes: ['byEmail', 'byType'] },
      sendEmail: true,
      putEvents: 'custodian',
      secrets: ['links', 'graph'],
    },
  },
  {
    name: 'directory-sync',
    entry: 'functions/directory-sync/handler.ts',
    description: 'Hourly: Graph subscription upkeep and the delta query backstop',
    memorySize: 512,
    timeoutSeconds: 600,
    environment: ['TABLE_NAME', 'EVENT_BUS_NAME', 'GRAPH_SECRET_ID', 'GRAPH_BASE_URL', ...MAIL_ENV],
    triggers: [{ kind: 'schedule', name: 'delta sync and subscription upkeep', expression: 'rate(1 hour)' }],
    permissions: {
      table: { actions: [...READ, ...WRITE], indexes: ['byEmail', 'byType'] },
      sendEmail: true,
      putEvents: 'custodian',
      secrets: ['links', 'graph'],
    },
  },
  {
    name: 'sweep',
    entry: 'functions/sweep/handler.ts',
    description: 'Daily at 07:00 Europe/London: reminders, escalations, attestations, planned ends, policy reviews, weekly digest',
    memorySize: 1024,
    timeoutSeconds: 900,
    environment: ['TABLE_NAME', 'EVENT_BUS_NAME', ...MAIL_ENV],
    triggers: [{ kind: 'schedule', name: 'daily sweep', expression: 'cron(0 7 * * ? *)', timezone: 'Europe/London' }],
    permissions: {
      table: { actions: [...READ, ...WRITE], indexes: ['byEmail', 'byType', 'due'] },
      sendEmail: true,
      putEvents: 'custodian',
      secrets: ['links'],
    },
  },
  {
    name: 'account-activity',
    entry: 'functions/account-activity/handler.ts',
    description: 'Account Activity events: records that an account is in use',
    memorySize: 256,
    timeoutSeconds: 15,
    environment: ['TABLE_NAME', 'DEAD_LETTER_QUEUE_URL', 'ACTIVITY_SOURCES'],
    triggers: [{ kind: 'event', source: 'activity', detailTypes: ['Account Activity'] }],
    permissions: {
      table: { actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem', 'dynamodb:ConditionCheckItem'], indexes: [] },
      sendToQueues: ['deadLetter'],
    },
  },
  {
    name: 'console',
    entry: 'functions/console/handler.ts',
    description: 'The web console: sign-in with Microsoft 365 (OpenID Connect), the register, tasks, audit and policies',
    memorySize: 512,
    timeoutSeconds: 15,
    // Decisions and edits run the same use cases as the emailed links, which email assignees (a closure cancels
    // other tasks) and put Task Resolved on the bus: hence the mail settings, the bus and the link key.
    // APPROVAL_STEPS and TRUST_APPROVERS: a request for a new account is submitted here, and its chain worked out then
    // (the decisions after it, from links or here, follow the chain the request holds).
    environment: ['TABLE_NAME', 'EVENT_BUS_NAME', ...MAIL_ENV, 'TRUST_ADMINS', 'OIDC_ISSUER', 'OIDC_CLIENT_ID', 'OIDC_TENANT_ID', 'CONSOLE_SECRET_ID', 'APPROVAL_STEPS', 'TRUST_APPROVERS'],
    triggers: CONSOLE_ROUTES.flatMap(([path, methods]) => methods.map((method) => ({ kind: 'http' as const, method, path }))),
    permissions: {
      // DeleteItem as for every register writer: an edit that drops an administrator or changes the linked email
      // deletes the old address-index items of the account. Audit entries stay append-only through the role's Deny.
      table: { actions: [...READ, ...WRITE], indexes: ['byEmail', 'byType'] },
      sendEmail: true,
      putEvents: 'custodian',
      secrets: ['links', 'console'],
    },
  },
];

export function constructId(spec: FunctionSpec): string {
  return spec.name.replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase());
}
