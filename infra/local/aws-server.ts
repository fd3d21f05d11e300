/**
 * The local endpoint for the AWS JSON-protocol services Custodian uses: EventBridge PutEvents (routed by the
 * template's rules to the real handlers), SQS (the dead-letter queue) and SSM GetParameter (the SecureString
 * parameters, from the git-ignored local secrets file). The AWS SDK and functions/adapters/ssm.ts reach it through
 * AWS_ENDPOINT_URL_EVENTBRIDGE, AWS_ENDPOINT_URL_SQS and AWS_ENDPOINT_URL_SSM.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { matchesPattern, type EventPattern } from './event-pattern.ts';
import type { LocalQueues } from './queues.ts';
import type { LocalRuntime } from './runtime.ts';
import { LOCAL_ACCOUNT, LOCAL_REGION } from './template.ts';

export interface LocalRule {
  name: string;
  busName: string;
  pattern: EventPattern;
  targets: Array<{ functionName: string; deadLetterArn?: string }>;
}

export interface BusEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: unknown;
}

export interface AwsServerOptions {
  host: string;
  port: number;
  busName: string;
  rules: LocalRule[];
  runtime: LocalRuntime;
  queues: LocalQueues;
  /** SecureString parameter values by name. */
  secrets: Map<string, string>;
  log: (line: string) => void;
}

class AwsError extends Error {
  constructor(readonly type: string, message: string, readonly status = 400) {
    super(message);
  }
}

const MAX_ENTRY_BYTES = 256 * 1024;

export interface AwsServer {
  url: string;
  port: number;
  /** The most recent events put on the bus (newest last), for tests and the demo. */
  recentEvents: BusEvent[];
  /** Puts events as PutEvents would (used by tests that bypass HTTP). */
  putEvents(entries: Array<Record<string, unknown>>): { Entries: Array<Record<string, string>>; FailedEntryCount: number };
  close(): Promise<void>;
}

/**
 * An entry's `Time` as EventBridge writes an event's `time` (whole seconds, UTC): the AWS SDK sends it as epoch
 * seconds (the JSON protocol's timestamp format); a string is taken as an ISO date-time. Now, when absent or invalid.
 */
function eventTime(time: unknown): string {
  const ms = typeof time === 'number' ? time * 1000 : typeof time === 'string' ? Date.parse(time) : Number.NaN;
  return new Date(Number.isFinite(ms) ? ms : Date.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export async function startAwsServer(o: AwsServerOptions): Promise<AwsServer> {
  const recentEvents: BusEvent[] = [];

  function putEvents(entries: Array<Record<string, unknown>>) {
    if (!Array.isArray(entries) || entries.length === 0 || entries.length > 10) {
      throw new AwsError('ValidationException', 'Entries must hold between 1 and 10 entries');
    }
    let failed = 0;
    const results = entries.map((entry) => {
      const fail = (code: string, message: string) => {
        failed++;
        return { ErrorCode: code, ErrorMessage: message };
      };
      const busName = String(entry.EventBusName ?? 'default').split('/').pop();
      if (typeof entry.Source !== 'string' || !entry.Source) return fail('InvalidArgument', 'Parameter Source is not valid. Reason: Source is a required argument.');
      if (typeof entry.DetailType !== 'string' || !entry.DetailType) return fail('InvalidArgument', 'Parameter DetailType is not valid. Reason: DetailType is a required argument.');
      if (typeof entry.Detail !== 'string') return fail('InvalidArgument', 'Parameter Detail is not valid. Reason: Detail is a required argument.');
      if (Buffer.byteLength(JSON.stringify(entry)) > MAX_ENTRY_BYTES) return fail('InvalidArgument', 'Total size of the entries in the request is over the limit.');
      let detail: unknown;
      try {
        detail = JSON.parse(entry.Detail);
      } catch {
        return fail('MalformedDetail', 'Detail is malformed.');
      }
      if (!detail || typeof detail !== 'object' || Array.isArray(detail)) return fail('MalformedDetail', 'Detail is malformed.');
      if (busName !== o.busName && busName !== 'default') {
        return fail('ResourceNotFoundException', `Event bus ${busName} does not exist.`);
      }
      const event: BusEvent = {
        version: '0',
        id: randomUUID(),
        'detail-type': entry.DetailType,
        source: entry.Source,
        account: LOCAL_ACCOUNT,
        time: eventTime(entry.Time),
        region: LOCAL_REGION,
        resources: Array.isArray(entry.Resources) ? (entry.Resources as string[]) : [],
        detail,
      };
      recentEvents.push(event);
      if (recentEvents.length > 5000) recentEvents.shift();
      route(busName!, event);
      return { EventId: event.id };
    });
    return { Entries: results, FailedEntryCount: failed };
  }

  function route(busName: string, event: BusEvent) {
    let matched = 0;
    for (const rule of o.rules) {
      if (rule.busName !== busName) continue;
      if (!matchesPattern(rule.pattern, event as unknown as Record<string, unknown>)) continue;
      matched++;
      for (const target of rule.targets) o.runtime.invokeAsync(target.functionName, event);
    }
    if (matched === 0) {
      o.log(`event "${event['detail-type']}" from "${event.source}" on bus "${busName}" matched no rule` +
        (busName === 'default' ? ` (Custodian's rules are on bus "${o.busName}")` : ''));
    }
  }

  const sqs: Record<string, (b: Record<string, any>) => unknown> = {
    GetQueueUrl: (b) => {
      const q = o.queues.byName(String(b.QueueName));
      if (!q) throw new AwsError('com.amazonaws.sqs#QueueDoesNotExist', 'The specified queue does not exist.');
      return { QueueUrl: q.spec.url };
    },
    ListQueues: () => ({ QueueUrls: o.queues.all().map((q) => q.spec.url) }),
    SendMessage: (b) => {
      const m = queue(b).send(String(b.MessageBody));
      return { MessageId: m.MessageId, MD5OfMessageBody: m.MD5OfBody };
    },
    SendMessageBatch: (b) => {
      const q = queue(b);
      const entries = (b.Entries as Array<{ Id: string; MessageBody: string }>) ?? [];
      return { Successful: entries.map((e) => { const m = q.send(e.MessageBody); return { Id: e.Id, MessageId: m.MessageId, MD5OfMessageBody: m.MD5OfBody }; }), Failed: [] };
    },
    ReceiveMessage: (b) => {
      const q = queue(b);
      const msgs = q.receive(Math.min(Number(b.MaxNumberOfMessages ?? 1), 10), b.VisibilityTimeout === undefined ? undefined : Number(b.VisibilityTimeout));
      return {
        Messages: msgs.map((m) => ({
          MessageId: m.MessageId,
          ReceiptHandle: m.receiptHandle,
          MD5OfBody: m.MD5OfBody,
          Body: m.Body,
          Attributes: { ApproximateReceiveCount: String(m.receiveCount), SentTimestamp: String(m.sentAt) },
          ...(m.messageAttributes ? { MessageAttributes: m.messageAttributes } : {}),
        })),
      };
    },
    DeleteMessage: (b) => {
      queue(b).delete(String(b.ReceiptHandle));
      return {};
    },
    DeleteMessageBatch: (b) => {
      const q = queue(b);
      const entries = (b.Entries as Array<{ Id: string; ReceiptHandle: string }>) ?? [];
      for (const e of entries) q.delete(e.ReceiptHandle);
      return { Successful: entries.map((e) => ({ Id: e.Id })), Failed: [] };
    },
    ChangeMessageVisibility: (b) => {
      queue(b).changeVisibility(String(b.ReceiptHandle), Number(b.VisibilityTimeout));
      return {};
    },
    GetQueueAttributes: (b) => {
      const q = queue(b);
      const now = Date.now();
      return {
        Attributes: {
          QueueArn: q.spec.arn,
          ApproximateNumberOfMessages: String(q.messages.filter((m) => m.visibleAt <= now).length),
          ApproximateNumberOfMessagesNotVisible: String(q.messages.filter((m) => m.visibleAt > now).length),
          VisibilityTimeout: String(q.spec.visibilityTimeoutSeconds),
        },
      };
    },
    PurgeQueue: (b) => {
      queue(b).purge();
      return {};
    },
  };
  function queue(b: Record<string, unknown>) {
    const q = o.queues.byUrl(String(b.QueueUrl ?? ''));
    if (!q) throw new AwsError('com.amazonaws.sqs#QueueDoesNotExist', 'The specified queue does not exist.');
    return q;
  }

  function getParameter(b: Record<string, unknown>) {
    const name = String(b.Name ?? '');
    const value = o.secrets.get(name);
    if (value === undefined) throw new AwsError('ParameterNotFound', `Parameter ${name} not found.`);
    // Decrypted only when asked, as SSM does: without WithDecryption a SecureString comes back still encrypted.
    const shown = b.WithDecryption === true ? value : Buffer.from(`encrypted:${value}`).toString('base64');
    return { Parameter: { Name: name, Type: 'SecureString', Value: shown, Version: 1, ARN: `arn:aws:ssm:${LOCAL_REGION}:${LOCAL_ACCOUNT}:parameter${name}`, DataType: 'text' } };
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= 1024 * 1024) chunks.push(c);
    });
    req.on('end', () => {
      const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', ...headers });
        res.end(JSON.stringify(body));
      };
      const url = new URL(req.url ?? '/', 'http://local');
      if (req.method === 'GET' && url.pathname === '/_local/events') return send(200, recentEvents, { 'content-type': 'application/json' });
      if (req.method === 'GET' && url.pathname === '/_local/idle') {
        void o.runtime.idle().then(() => send(200, { idle: true }, { 'content-type': 'application/json' }));
        return;
      }
      if (req.method === 'GET' && url.pathname === '/') {
        return send(200, { service: 'custodian local AWS endpoint', bus: o.busName, rules: o.rules.length }, { 'content-type': 'application/json' });
      }
      const target = String(req.headers['x-amz-target'] ?? '');
      const [service, operation] = target.split('.');
      try {
        if (size > 1024 * 1024) throw new AwsError('RequestEntityTooLarge', 'Request too large', 413);
        const body = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>) : {};
        if (service === 'AWSEvents' && operation === 'PutEvents') return send(200, putEvents(body.Entries as Array<Record<string, unknown>>));
        if (service === 'AmazonSQS' && operation && sqs[operation]) {
          return send(200, sqs[operation](body), { 'content-type': 'application/x-amz-json-1.0' });
        }
        if (service === 'AmazonSSM' && operation === 'GetParameter') return send(200, getParameter(body));
        throw new AwsError('UnknownOperationException', `${target || 'request'} is not supported by the local stack`);
      } catch (err) {
        const e = err instanceof AwsError ? err : new AwsError('InternalFailure', (err as Error).message, 500);
        send(e.status, { __type: e.type, message: e.message }, { 'x-amzn-errortype': e.type.split('#').pop()! });
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${o.host}:${port}`,
    port,
    recentEvents,
    putEvents,
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}
