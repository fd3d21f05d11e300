/**
 * Local SQS queues: the template's queues (the dead-letter queue), with visibility timeouts,
 * receive counts and redrive to a DLQ as SQS does. Persisted to the data folder so a dead letter survives a restart.
 */
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync, renameSync } from 'node:fs';

export interface QueueMessage {
  MessageId: string;
  Body: string;
  MD5OfBody: string;
  sentAt: number;
  receiveCount: number;
  visibleAt: number;
  receiptHandle?: string;
  firstReceivedAt?: number;
  /** Attributes SQS would attach, e.g. the reason EventBridge gives when it dead-letters an event. */
  messageAttributes?: Record<string, { DataType: 'String'; StringValue: string }>;
}

export interface QueueSpec {
  logicalId: string;
  name: string;
  url: string;
  arn: string;
  visibilityTimeoutSeconds: number;
  redrive?: { deadLetterArn: string; maxReceiveCount: number };
}

export class LocalQueue {
  messages: QueueMessage[] = [];
  private listeners = new Set<() => void>();
  constructor(readonly spec: QueueSpec, private readonly owner: LocalQueues) {}

  send(body: string, messageAttributes?: QueueMessage['messageAttributes']): QueueMessage {
    const msg: QueueMessage = {
      MessageId: randomUUID(),
      Body: body,
      MD5OfBody: createHash('md5').update(body).digest('hex'),
      sentAt: Date.now(),
      receiveCount: 0,
      visibleAt: 0,
      ...(messageAttributes ? { messageAttributes } : {}),
    };
    this.messages.push(msg);
    this.owner.changed();
    for (const l of this.listeners) l();
    return msg;
  }

  /** Receives up to `max` visible messages, hiding them for the visibility timeout; over-received ones are redriven. */
  receive(max: number, visibilityTimeoutSeconds?: number): QueueMessage[] {
    // The queue's own timeout is shortened locally (timeScale); one a caller asks for explicitly is kept.
    const hideMs = visibilityTimeoutSeconds !== undefined ? visibilityTimeoutSeconds * 1000 : this.spec.visibilityTimeoutSeconds * 1000 * this.owner.timeScale;
    const now = Date.now();
    const out: QueueMessage[] = [];
    for (const msg of [...this.messages]) {
      if (out.length >= max) break;
      if (msg.visibleAt > now) continue;
      if (this.spec.redrive && msg.receiveCount >= this.spec.redrive.maxReceiveCount) {
        this.messages = this.messages.filter((m) => m !== msg);
        this.owner.byArn(this.spec.redrive.deadLetterArn)?.send(msg.Body, msg.messageAttributes);
        continue;
      }
      msg.receiveCount++;
      msg.firstReceivedAt ??= now;
      msg.visibleAt = now + hideMs;
      msg.receiptHandle = randomUUID();
      out.push(msg);
    }
    if (out.length) this.owner.changed();
    return out;
  }

  delete(receiptHandle: string): boolean {
    const before = this.messages.length;
    this.messages = this.messages.filter((m) => m.receiptHandle !== receiptHandle);
    if (this.messages.length !== before) this.owner.changed();
    return this.messages.length !== before;
  }

  changeVisibility(receiptHandle: string, seconds: number): boolean {
    const msg = this.messages.find((m) => m.receiptHandle === receiptHandle);
    if (!msg) return false;
    msg.visibleAt = Date.now() + seconds * 1000;
    return true;
  }

  purge(): void {
    this.messages = [];
    this.owner.changed();
  }

  /** Messages that a poll could receive now, or the time until the next becomes visible. */
  nextVisibleIn(): number | undefined {
    if (this.messages.length === 0) return undefined;
    const now = Date.now();
    return Math.max(0, Math.min(...this.messages.map((m) => m.visibleAt - now)));
  }

  onMessage(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

export class LocalQueues {
  private readonly queues = new Map<string, LocalQueue>();
  private saveTimer: NodeJS.Timeout | undefined;

  /** `timeScale` shortens visibility timeouts locally (1 = as deployed). */
  constructor(specs: QueueSpec[], private readonly file: string | undefined, readonly timeScale = 1) {
    for (const spec of specs) this.queues.set(spec.name, new LocalQueue(spec, this));
    if (file && existsSync(file)) {
      const saved = JSON.parse(readFileSync(file, 'utf8')) as Record<string, QueueMessage[]>;
      for (const [name, messages] of Object.entries(saved)) {
        const q = this.queues.get(name);
        if (q) q.messages = messages.map((m) => ({ ...m, visibleAt: 0 }));
      }
    }
  }

  all(): LocalQueue[] {
    return [...this.queues.values()];
  }
  byName(name: string): LocalQueue | undefined {
    return this.queues.get(name);
  }
  byUrl(url: string): LocalQueue | undefined {
    const name = url.split('/').pop() ?? '';
    return this.queues.get(name);
  }
  byArn(arn: string): LocalQueue | undefined {
    return this.all().find((q) => q.spec.arn === arn);
  }
  byLogicalId(id: string): LocalQueue | undefined {
    return this.all().find((q) => q.spec.logicalId === id);
  }

  changed(): void {
    if (!this.file || this.saveTimer) return;
    this.saveTimer = setTimeout(() => this.flush(), 100);
  }

  flush(): void {
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    if (!this.file) return;
    const data = Object.fromEntries(this.all().map((q) => [q.spec.name, q.messages]));
    writeFileSync(`${this.file}.tmp`, JSON.stringify(data));
    renameSync(`${this.file}.tmp`, this.file);
  }
}
