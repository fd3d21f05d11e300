/**
 * The monthly AWS bill of a reference trust, from what this run measured (requests, capacity, emails, events,
 * log bytes and durations per unit of work) and the prices in bench/prices.ts. The only figures here that are
 * not measured are the reference trust itself and the few assumptions listed in ASSUMPTIONS, each said where it
 * comes from.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseRegisterCsv } from '../../functions/domain/register-csv.ts';
import { MONITORING_PERIOD_DAYS } from '../../functions/domain/schedule.ts';
import { addDays, isWorkingDay } from '../../functions/domain/working-days.ts';
import { resourcesOfType, type Template } from '../../infra/local/template.ts';
import { PRICES, type PriceKey } from '../prices.ts';
import { addUsage as add, ZERO_USAGE as ZERO, type Usage } from './instrument.ts';

export const REFERENCE_TRUST = {
  schools: 20,
  staff: 2500,
  accounts: 400,
  leaversPerYear: 300,
  joinersPerYear: 300,
  sweepsPerDay: 1,
  deltaSyncsPerHour: 1,
};

export const ASSUMPTIONS = {
  /** Every task is answered from its email: the action page is opened (GET) and a decision posted (POST). */
  actionRequestsPerTask: 2,
  /** Each task is reminded once by the sweep before it is answered (the first reminder is 7 working days before the due date). */
  remindersPerTask: 1,
  /**
   * Every invocation is a cold start, its init phase billed: a trust's traffic (a few events a day, an hourly sync)
   * is too sparse to keep containers warm. Init time is the measured import time of the bundle.
   */
  coldStartShare: 1,
  /** Lambda's own log records per invocation (platform start and report lines in JSON format). Estimate. */
  platformLogBytesPerInvocation: 600,
  /** Log retention set by the stack (three months), so steady-state storage holds three months of logs. */
  logRetentionMonths: 3,
  /**
   * Empty receives by each SQS event source mapping (there were: the Graph changes queue; Graph notifications now
   * travel on the bus): Lambda long-polls an idle queue continuously. Third-party estimate (5 pollers, a 20 s long
   * poll each): about 648,000 requests a month per mapping.
   */
  idleQueuePollsPerMonth: 648_000,
  /** Per-item storage overhead DynamoDB adds (bytes), and every index holds a full copy (projection ALL). */
  itemOverheadBytes: 100,
};

const DAYS_PER_MONTH = 365.25 / 12;
const HOURS_PER_MONTH = DAYS_PER_MONTH * 24;
const WEEKS_PER_MONTH = DAYS_PER_MONTH / 7;

/** Per invocation: what it asked of AWS and how long the handler ran. */
export interface UnitMeasure {
  usage: Usage;
  durationMs: number;
}

export interface CostInputs {
  leaverNoAccount: UnitMeasure;
  leaverOneAccount: UnitMeasure;
  joiner: UnitMeasure;
  actionGet: UnitMeasure;
  actionPost: UnitMeasure;
  deltaSync: UnitMeasure;
  sweepFixed: { rcu: number; wcu: number; ms: number };
  sweepPerDue: { rcu: number; wcu: number; ms: number; recipients: number; events: number };
  digestWeek: { rcu: number; wcu: number; ms: number; recipients: number };
  initMs: Record<string, number>;
  memoryMb: Record<string, number>;
  secretsPerFunction: Record<string, number>;
  template: TemplateCounts;
  storage: { accountBytes: number; personBytes: number; newBytesPerLeaver: number };
  /** From this run's working-day calendar (the product's own). */
  workingDaysPerMonth: number;
  sample: { distinctAddressesPerAccount: number; attestationsPerAccountPerMonth: number; accounts: number };
}

export interface CostLine {
  service: string;
  item: string;
  quantity: number;
  unit: string;
  price: PriceKey;
  usd: number;
  usdWithFreeTier: number;
}

export interface CostReport {
  monthlyUsd: number;
  monthlyUsdWithFreeTier: number;
  lines: CostLine[];
  workload: Record<string, number>;
  assumptions: typeof ASSUMPTIONS;
  referenceTrust: typeof REFERENCE_TRUST;
}

/** What the stack's template holds that is billed by the month, whatever happens. */
export interface TemplateCounts {
  /** Secrets Manager secrets. */
  secrets: number;
  /** SSM SecureString parameters (standard tier), made by the stack's parameter provider. */
  parameters: number;
  alarms: number;
  /** What CloudWatch bills alarms by: each alarm's metric, or each metric a metric-math alarm reads. */
  alarmMetrics: number;
  /** SQS event source mappings: Lambda polls their queues whether or not anything arrives. */
  queueEventSources: number;
}

export function templateCounts(template: Template): TemplateCounts {
  const alarms = resourcesOfType(template, 'AWS::CloudWatch::Alarm');
  const metricsOf = (p: Record<string, any> | undefined) => (p?.Metrics ? (p.Metrics as Array<Record<string, unknown>>).filter((m) => m.MetricStat).length : 1);
  return {
    secrets: resourcesOfType(template, 'AWS::SecretsManager::Secret').length,
    parameters: resourcesOfType(template, 'Custom::SecureParameter').length,
    alarms: alarms.length,
    alarmMetrics: alarms.reduce((n, [, a]) => n + metricsOf(a.Properties), 0),
    queueEventSources: resourcesOfType(template, 'AWS::Lambda::EventSourceMapping').length,
  };
}

/** The sample register's shape, for what a register looks like: addresses per account and how often accounts are attested. */
export function sampleRegisterShape(repoRoot: string): CostInputs['sample'] {
  const parsed = parseRegisterCsv(readFileSync(path.join(repoRoot, 'samples', 'register.csv')));
  if (!parsed.ok) throw new Error('samples/register.csv does not parse');
  const rows = parsed.rows;
  const distinct = rows.map((r) => new Set([r.linkedEmail, ...r.admins, r.mainSupervisor, ...(r.reserveSupervisor ? [r.reserveSupervisor] : [])]).size);
  const attest = rows.map((r) => DAYS_PER_MONTH / MONITORING_PERIOD_DAYS[r.monitoringFrequency]);
  return {
    distinctAddressesPerAccount: distinct.reduce((a, b) => a + b, 0) / rows.length,
    attestationsPerAccountPerMonth: attest.reduce((a, b) => a + b, 0) / rows.length,
    accounts: rows.length,
  };
}

export function workingDaysPerMonth(from: string): number {
  let n = 0;
  for (let i = 0; i < 365; i++) if (isWorkingDay(addDays(from, i))) n++;
  return (n / 365) * DAYS_PER_MONTH;
}

export function monthlyCost(m: CostInputs): CostReport {
  const t = REFERENCE_TRUST;
  const A = ASSUMPTIONS;
  const leavers = t.leaversPerYear / 12;
  const joiners = t.joinersPerYear / 12;
  const accountsPerLeaver = (t.accounts * m.sample.distinctAddressesPerAccount) / t.staff;
  // A leaver: the fixed part (no account) plus, per account tied to them, what one such account adds.
  const perLeaver = add(m.leaverNoAccount.usage, add(m.leaverOneAccount.usage, m.leaverNoAccount.usage, -1), accountsPerLeaver);
  const perLeaverMs = m.leaverNoAccount.durationMs + accountsPerLeaver * (m.leaverOneAccount.durationMs - m.leaverNoAccount.durationMs);
  const leaverTasks = leavers * accountsPerLeaver;
  const joinerTasks = joiners; // the policy acknowledgement
  const attestations = t.accounts * m.sample.attestationsPerAccountPerMonth;
  const tasks = leaverTasks + joinerTasks + attestations;
  const dueItems = attestations + tasks * A.remindersPerTask;
  const sweeps = DAYS_PER_MONTH * t.sweepsPerDay;
  const workingSweeps = m.workingDaysPerMonth * t.sweepsPerDay;
  const deltaSyncs = HOURS_PER_MONTH * t.deltaSyncsPerHour;
  const digests = WEEKS_PER_MONTH;

  // Everything the handlers ask of AWS in a month.
  let usage = add(ZERO, perLeaver, leavers);
  usage = add(usage, m.joiner.usage, joiners);
  usage = add(usage, m.actionGet.usage, tasks);
  usage = add(usage, m.actionPost.usage, tasks);
  usage = add(usage, m.deltaSync.usage, deltaSyncs);
  const sweepRcu = workingSweeps * m.sweepFixed.rcu + dueItems * m.sweepPerDue.rcu + digests * m.digestWeek.rcu;
  const sweepWcu = workingSweeps * m.sweepFixed.wcu + dueItems * m.sweepPerDue.wcu + digests * m.digestWeek.wcu;
  const sweepRecipients = dueItems * m.sweepPerDue.recipients + digests * m.digestWeek.recipients;
  const sweepEvents = dueItems * m.sweepPerDue.events;

  const invocations: Record<string, number> = {
    'hr-events': leavers + joiners,
    actions: tasks * A.actionRequestsPerTask,
    sweep: sweeps,
    'directory-sync': deltaSyncs,
  };
  const durationMs: Record<string, number> = {
    'hr-events': (leavers * perLeaverMs + joiners * m.joiner.durationMs) / (leavers + joiners),
    actions: (m.actionGet.durationMs + m.actionPost.durationMs) / 2,
    // Working days: the fixed reads plus each due item; other days it stops at once.
    sweep: (workingSweeps * m.sweepFixed.ms + dueItems * m.sweepPerDue.ms + digests * m.digestWeek.ms) / sweeps,
    'directory-sync': m.deltaSync.durationMs,
  };
  const gbSeconds = Object.entries(invocations).reduce((sum, [fn, n]) => {
    const ms = (durationMs[fn] ?? 0) + A.coldStartShare * (m.initMs[fn] ?? 0);
    return sum + n * (m.memoryMb[fn] ?? 128) / 1024 * ms / 1000;
  }, 0);
  const lambdaRequests = Object.values(invocations).reduce((a, b) => a + b, 0);
  // One read per secret per cold start, from Secrets Manager or from SSM (which asks KMS to decrypt each), as the template has them.
  const secretCalls = Object.entries(invocations).reduce((s, [fn, n]) => s + n * A.coldStartShare * (m.secretsPerFunction[fn] ?? 0), 0);
  const stores = m.template.secrets + m.template.parameters;
  const secretsManagerCalls = stores ? (secretCalls * m.template.secrets) / stores : 0;
  const parameterCalls = secretCalls - secretsManagerCalls;
  const logBytes = usage.logBytes + lambdaRequests * A.platformLogBytesPerInvocation;
  const storageGb = (t.accounts * m.storage.accountBytes + t.staff * m.storage.personBytes + (t.leaversPerYear + t.joinersPerYear) * m.storage.newBytesPerLeaver) / 1e9;

  const lines: CostLine[] = [];
  const line = (service: string, item: string, quantity: number, price: PriceKey) => {
    const p = PRICES[price] as { usd: number; unit: string; freePerMonth?: number };
    lines.push({
      service, item, quantity, unit: p.unit, price,
      usd: quantity * p.usd,
      usdWithFreeTier: Math.max(0, quantity - (p.freePerMonth ?? 0)) * p.usd,
    });
  };
  line('DynamoDB', 'read request units', usage.rcu + sweepRcu, 'dynamoReadRequestUnit');
  line('DynamoDB', 'write request units', usage.wcu + sweepWcu, 'dynamoWriteRequestUnit');
  line('DynamoDB', 'storage (GB-month)', storageGb, 'dynamoStorageGbMonth');
  line('DynamoDB', 'point-in-time recovery (GB-month)', storageGb, 'dynamoPitrGbMonth');
  line('Lambda', 'requests', lambdaRequests, 'lambdaRequest');
  line('Lambda', 'duration, arm64 (GB-s)', gbSeconds, 'lambdaGbSecondArm');
  line('SES', 'email recipients', usage.recipients + sweepRecipients, 'sesRecipient');
  line('EventBridge', 'custom events (HR events in, Custodian events out)', leavers + joiners + usage.customEvents + sweepEvents, 'eventBridgeCustomEvent');
  line('EventBridge Scheduler', 'invocations (daily sweep, hourly sync)', sweeps + deltaSyncs, 'schedulerInvocation');
  line('API Gateway', 'HTTP API requests (action pages)', tasks * A.actionRequestsPerTask, 'httpApiRequest');
  line('SQS', 'requests (idle polling of queues read by functions; estimate)', m.template.queueEventSources * A.idleQueuePollsPerMonth + usage.sqsRequests, 'sqsRequest');
  line('Secrets Manager', 'secrets', m.template.secrets, 'secretMonth');
  line('Secrets Manager', 'API calls (one per secret per cold start)', secretsManagerCalls, 'secretApiCall');
  line('SSM Parameter Store', 'SecureString parameters, standard tier (the secrets)', m.template.parameters, 'ssmStandardParameterMonth');
  line('SSM Parameter Store', 'GetParameter calls (one per secret per cold start)', parameterCalls, 'ssmStandardApiCall');
  line('KMS', 'requests (SSM decrypting each parameter read)', parameterCalls, 'kmsRequest');
  line('CloudWatch', `alarms (${m.template.alarms} alarms reading ${m.template.alarmMetrics} metrics)`, m.template.alarmMetrics, 'alarmMonth');
  line('CloudWatch', 'logs ingested (GB)', logBytes / 1e9, 'logsIngestedGb');
  line('CloudWatch', 'logs stored (GB-month)', (logBytes / 1e9) * A.logRetentionMonths, 'logsStoredGbMonth');

  return {
    monthlyUsd: lines.reduce((s, l) => s + l.usd, 0),
    monthlyUsdWithFreeTier: lines.reduce((s, l) => s + l.usdWithFreeTier, 0),
    lines,
    workload: {
      leavers, joiners, accountsPerLeaver, leaverTasks, joinerTasks, attestations, tasks, dueItems, sweeps, workingSweeps, deltaSyncs,
      digests, lambdaRequests, gbSeconds, storageGb, logBytes,
      ...Object.fromEntries(Object.entries(invocations).map(([k, v]) => [`invocations:${k}`, v])),
      ...Object.fromEntries(Object.entries(durationMs).map(([k, v]) => [`durationMs:${k}`, v])),
    },
    assumptions: A,
    referenceTrust: t,
  };
}

/** Approximate stored size of an item as DynamoDB counts it (attribute names and values, UTF-8). */
export function itemBytes(value: unknown): number {
  if (value === null || value === undefined) return 1;
  if (typeof value === 'string') return Buffer.byteLength(value);
  if (typeof value === 'number') return Math.ceil(String(Math.abs(value)).replace(/[.-]/g, '').length / 2) + 1;
  if (typeof value === 'boolean') return 1;
  if (Array.isArray(value)) return 3 + value.reduce((s: number, v) => s + 1 + itemBytes(v), 0);
  return Object.entries(value as Record<string, unknown>).reduce((s, [k, v]) => s + Buffer.byteLength(k) + itemBytes(v) + 1, 3);
}

/** Stored bytes of an item with DynamoDB's per-item overhead, in the table and in every index it appears in. */
export function storedBytes(item: Record<string, unknown>): number {
  const indexes = ['gsi1pk', 'gsi2pk', 'gsi3pk'].filter((k) => item[k] !== undefined).length;
  const size = itemBytes(item) - 3 + ASSUMPTIONS.itemOverheadBytes;
  return size * (1 + indexes);
}
