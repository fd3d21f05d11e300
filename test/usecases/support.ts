/**
 * The harness for use-case tests: the real use cases on the in-memory store, a mailer and publisher that record
 * what they are given, and a clock the test moves. No database, no Java, no ports: these run in milliseconds.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { MemoryStore } from '../../functions/adapters/memory-store.ts';
import { RecordingMailer, RecordingPublisher } from '../../functions/adapters/recording.ts';
import type { ApprovalStepName } from '../../functions/domain/approval-steps.ts';
import type { School } from '../../functions/domain/model.ts';
import type { Deps } from '../../functions/usecases/deps.ts';
import type { EventMeta } from '../../functions/usecases/leavers.ts';
import { importRegister } from '../../functions/usecases/register.ts';
import { putSchool } from '../../functions/usecases/schools.ts';

export const SAMPLE_REGISTER = path.resolve(import.meta.dirname, '../../samples/register.csv');
export const TRUST_IT = 'it.support@trust.example.org';
export const LINK_SECRET = 'test-link-secret-0123456789abcdef';
/** The trust's approver of new accounts (the Director of IT), the last step of the default chain. */
export const TRUST_APPROVER = 'director.it@trust.example.org';

export const SCHOOLS: School[] = [
  { id: 'oakfield', name: 'Oakfield Academy', itManagers: ['it@oakfield.sch.uk'], domains: ['oakfield.sch.uk'] },
  { id: 'riverside', name: 'Riverside Primary', itManagers: ['it@riverside.sch.uk'], domains: ['riverside.sch.uk'] },
  { id: 'hillcrest', name: 'Hillcrest School', itManagers: ['it@hillcrest.sch.uk'], domains: ['hillcrest.sch.uk'] },
];

/** A clock the test sets and moves; starts at the given instant. */
export class TestClock {
  private t: number;
  constructor(start: string) {
    this.t = Date.parse(start);
  }
  readonly now = (): Date => new Date(this.t);
  set(iso: string): void {
    this.t = Date.parse(iso);
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

export interface Harness {
  deps: Deps & { store: MemoryStore; mailer: RecordingMailer; publisher: RecordingPublisher };
  store: MemoryStore;
  mailer: RecordingMailer;
  publisher: RecordingPublisher;
  clock: TestClock;
}

/** A fresh in-memory Custodian; `start` is the clock's first reading (default: a Wednesday morning in term). */
export function harness(start = '2026-12-02T09:00:00Z'): Harness {
  const clock = new TestClock(start);
  const store = new MemoryStore(clock.now);
  const mailer = new RecordingMailer();
  const publisher = new RecordingPublisher();
  const deps = {
    store, mailer, publisher, clock: clock.now,
    config: {
      trustName: 'Northway Learning Trust',
      trustItContact: TRUST_IT,
      publicBaseUrl: 'https://custodian.example.org',
      linkExpiryDays: 30,
      escalateAfterWorkingDays: 3,
      personRetentionDays: 365,
      trustAdmins: [] as string[],
      approvalSteps: ['line_manager', 'headteacher', 'trust_approvers'] as ApprovalStepName[],
      trustApprovers: [TRUST_APPROVER],
      linkSecret: async () => LINK_SECRET,
    },
  };
  return { deps, store, mailer, publisher, clock };
}

/** The three sample schools and the sample register (24 accounts), as an IT manager would import them. */
export async function seedSampleRegister(h: Harness): Promise<void> {
  const actor = { by: 'it@oakfield.sch.uk', source: 'test' };
  for (const s of SCHOOLS) await putSchool(h.store, s, actor);
  const result = await importRegister(h.store, readFileSync(SAMPLE_REGISTER), { actor, now: h.clock.now() });
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
}

let eventNumber = 0;
/** Event metadata as the bus gives it: a fresh id, and the time now (or the given time). */
export function hrEvent(h: Harness, time?: string): EventMeta {
  return { id: `evt-${++eventNumber}`, time: time ?? h.clock.now().toISOString(), origin: 'hr' };
}
