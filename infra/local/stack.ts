/**
 * The whole system on this machine, built from the synthesized template: DynamoDB Local with the template's
 * tables, the SES emulator, the local AWS endpoint (EventBridge routed by the template's rules, SQS, SSM
 * parameters), the HTTP API with the template's routes, the schedules, the Graph directory emulator, and the OpenID
 * Connect provider standing in for Entra ID (over the emulator's users).
 * `npm start` runs it (infra/local/start.ts); integration tests start their own, in memory, on free ports.
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { resetClients } from '../../functions/adapters/aws.ts';
import { startAwsServer, type AwsServer, type LocalRule } from './aws-server.ts';
import { createTables, dynamoClient, freePort, startDynamoLocal, type DynamoLocal } from './dynamo.ts';
import { validatePattern } from './event-pattern.ts';
import { startGraphEmulator, type GraphEmulator } from './graph-emulator.ts';
import { loadFixture } from './graph-emulator/fixture.ts';
import { startHttpApi, type HttpApi, type LocalRoute } from './http-api.ts';
import { startOidcProvider, type LocalOidcProvider } from './oidc-provider.ts';
import { LocalQueues, type QueueSpec } from './queues.ts';
import { LocalRuntime, type LocalFunction } from './runtime.ts';
import { startSchedules } from './schedules.ts';
import { localSes } from './ses.ts';
import { localSecrets } from './secrets.ts';
import { localNames, refTarget, resolveValue, resourcesOfType, synthTemplate, type Template } from './template.ts';

export const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..');
export const DEFAULT_DATA_DIR = path.join(REPO_ROOT, '.custodian');

export interface LocalPorts {
  dynamodb: number;
  ses: number;
  aws: number;
  http: number;
  graph: number;
  oidc: number;
}

export const DEFAULT_PORTS: LocalPorts = { dynamodb: 8000, ses: 8005, aws: 4010, http: 3000, graph: 4003, oidc: 4004 };

/** The console's registration with the local sign-in provider (its Entra app registration when deployed). */
export const CONSOLE_CLIENT_ID = 'custodian-console';
/** Where the console's client secret is kept in secrets.json: not a template logical id, which cannot hold ':'. */
const OIDC_SECRET_KEY = 'local:oidcClientSecret';
/** The tenant when the directory fixture names none (the Graph emulator's own default). */
const FALLBACK_TENANT = '00000000-0000-4000-8000-000000000000';

export interface LocalStackOptions {
  host?: string;
  /** 0 picks a free port. */
  ports?: Partial<LocalPorts>;
  /** Keep DynamoDB data and queues here; undefined keeps everything in memory. */
  dataDir?: string;
  /** Where the secrets and outputs files go (defaults to dataDir, else a fresh temp-free in-memory set). */
  configDir?: string;
  /** Use an already running DynamoDB Local instead of starting one. */
  dynamoEndpoint?: string;
  /** Prefix for table and queue names, so several stacks can share one DynamoDB Local. */
  prefix?: string;
  /** Run the template's schedules on their timetable (off in tests, which call the functions themselves). */
  schedules?: boolean;
  /** Scales Lambda's retry delays and queue visibility timeouts (1 = as deployed). */
  timeScale?: number;
  /** Directory fixture for the Graph emulator. */
  directoryFixture?: string;
  /** Extra cdk.json context (e.g. a test's own settings). */
  context?: Record<string, unknown>;
  /** An already synthesized template (tests synthesize once for the whole run). */
  template?: Template;
  log?: (line: string) => void;
}

export interface LocalOutputs {
  tableName: string;
  eventBusName: string;
  deadLetterQueueUrl: string;
  region: string;
  // oidc and oidcClientSecret are optional because this is also the shape of outputs.json as the CLI reads it,
  // and a file written before the sign-in provider existed lacks them; startLocalStack always sets both.
  endpoints: { dynamodb: string; ses: string; aws: string; http: string; graph: string; oidc?: string };
  /** The console's client secret at the local sign-in provider (client id CONSOLE_CLIENT_ID, issuer endpoints.oidc). */
  oidcClientSecret?: string;
  secretsFile?: string;
  /** The functions' environment as resolved locally (the CLI runs the same use cases with it). */
  environment?: Record<string, string>;
}

export interface LocalStack {
  outputs: LocalOutputs;
  template: Template;
  runtime: LocalRuntime;
  aws: AwsServer;
  http: HttpApi;
  graph: GraphEmulator;
  oidc: LocalOidcProvider;
  queues: LocalQueues;
  /** The secrets (the template's SecureString parameters) by parameter name. */
  secrets: Map<string, string>;
  /** The local value of a template secret by its construct id prefix, e.g. 'HrWebhookSecret'. */
  secretValue(idPrefix: string): string;
  /** Waits until every event, invocation and queued message has been processed. */
  idle(): Promise<void>;
  stopSes(): Promise<void>;
  startSes(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts the stack. A port asked for as 0 is a free one chosen before the stack listens on it (the functions'
 * environment must name every endpoint first), so another process can take it in between: the start then fails with
 * EADDRINUSE, having stopped what it started, and is tried again with new ports (tables already made are reused).
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const ports = { ...DEFAULT_PORTS, ...options.ports };
  const chosen = Object.values(ports).some((p) => p === 0);
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(options);
    } catch (err) {
      const inUse = (err as NodeJS.ErrnoException).code === 'EADDRINUSE' || /EADDRINUSE/.test(String((err as Error).message));
      if (!chosen || !inUse || attempt >= 3) throw err;
    }
  }
}

async function startOnce(options: LocalStackOptions): Promise<LocalStack> {
  const host = options.host ?? '127.0.0.1';
  const log = options.log ?? ((l: string) => console.log(l));
  const ports: LocalPorts = { ...DEFAULT_PORTS, ...options.ports };
  const prefix = options.prefix ?? '';
  const timeScale = options.timeScale ?? 1 / 30;
  const configDir = options.configDir ?? options.dataDir;
  const cleanups: Array<() => Promise<void> | void> = [];
  const cleanup = async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  };

  try {
    const template = options.template ?? synthTemplate(options.context);
    if (ports.aws === 0) ports.aws = await freePort(host);
    const awsUrl = `http://${host}:${ports.aws}`;
    const names = localNames(template, prefix, { aws: awsUrl });

    // --- DynamoDB
    let dynamo: DynamoLocal | undefined;
    let dynamoEndpoint = options.dynamoEndpoint;
    if (!dynamoEndpoint) {
      if (options.dataDir) mkdirSync(path.join(options.dataDir, 'dynamodb'), { recursive: true });
      dynamo = await startDynamoLocal({ host, port: ports.dynamodb, dataDir: options.dataDir ? path.join(options.dataDir, 'dynamodb') : undefined });
      cleanups.push(() => dynamo!.stop());
      dynamoEndpoint = dynamo.endpoint;
    }
    const tables = await createTables(dynamoClient(dynamoEndpoint), template, prefix);

    // --- SES emulator (in this process; its inbox lives in memory)
    const ses = localSes(host, ports.ses);
    await ses.start();
    ports.ses = ses.port();
    const stopSes = () => ses.stop();
    const startSes = () => ses.start();
    cleanups.push(stopSes);

    // --- secrets
    const { secrets, secretIds, oidcClientSecret, secretsFile } = localSecrets(template, names, configDir);

    // --- queues
    const queueSpecs: QueueSpec[] = resourcesOfType(template, 'AWS::SQS::Queue').map(([id, r]) => {
      const redrive = r.Properties?.RedrivePolicy as { deadLetterTargetArn: unknown; maxReceiveCount: number } | undefined;
      return {
        logicalId: id,
        name: `${prefix}${id}`,
        url: names.ref(id),
        arn: names.getAtt(id, 'Arn'),
        visibilityTimeoutSeconds: Number(r.Properties?.VisibilityTimeout ?? 30),
        ...(redrive ? { redrive: { deadLetterArn: resolveValue(redrive.deadLetterTargetArn, names), maxReceiveCount: redrive.maxReceiveCount } } : {}),
      };
    });
    const queues = new LocalQueues(queueSpecs, options.dataDir ? path.join(options.dataDir, 'queues.json') : undefined, timeScale);
    cleanups.push(() => queues.flush());

    // --- functions
    const asyncConfigs = new Map(resourcesOfType(template, 'AWS::Lambda::EventInvokeConfig').map(([, r]) => [
      refTarget(r.Properties?.FunctionName) ?? '',
      {
        maximumRetryAttempts: Number(r.Properties?.MaximumRetryAttempts ?? 2),
        onFailureQueueArn: r.Properties?.DestinationConfig?.OnFailure?.Destination
          ? resolveValue(r.Properties.DestinationConfig.OnFailure.Destination, names) : undefined,
      },
    ]));
    const httpUrl = `http://${host}:${ports.http || (ports.http = await freePort(host))}`;
    const graphUrl = `http://${host}:${ports.graph || (ports.graph = await freePort(host))}`;
    // Known before the functions are set up, like the others, so the console's environment can name the issuer.
    ports.oidc ||= await freePort(host);
    // Values that differ locally from the template's: the local HTTP API and the Graph emulator.
    const fixturePath = options.directoryFixture ?? path.join(REPO_ROOT, 'samples', 'directory.json');
    // One tenant for the emulator's notifications, the sign-in provider's `tid` claim and the console's check of it.
    const tenantId = loadFixture(fixturePath).tenantId ?? FALLBACK_TENANT;
    // The console signs in with the local provider, as the registered client, in the fixture's tenant.
    const localValues: Record<string, string> = {
      PUBLIC_BASE_URL: httpUrl, GRAPH_BASE_URL: graphUrl,
      OIDC_ISSUER: `http://${host}:${ports.oidc}`, OIDC_CLIENT_ID: CONSOLE_CLIENT_ID, OIDC_TENANT_ID: tenantId.toLowerCase(),
    };
    const functions: LocalFunction[] = [];
    const byLogicalId = new Map<string, LocalFunction>();
    const sharedEnv: Record<string, string> = {};
    const { FUNCTIONS } = await import('../functions.ts');
    for (const [id, r] of resourcesOfType(template, 'AWS::Lambda::Function')) {
      const name = r.Metadata?.['custodian:function'] as string | undefined;
      if (!name) continue; // CDK's own helper functions (none expected) are not run locally
      const spec = FUNCTIONS.find((f) => f.name === name);
      if (!spec) throw new Error(`template function ${id} (${name}) is not in infra/functions.ts`);
      // Exactly the variables the template gives this function: the runtime shows its handler these (and what
      // Lambda itself provides) and nothing else, so reading a variable outside its spec fails here as deployed.
      const env: Record<string, string> = {};
      for (const [k, v] of Object.entries((r.Properties?.Environment?.Variables ?? {}) as Record<string, unknown>)) {
        env[k] = localValues[k] ?? resolveValue(v, names);
      }
      // Each handler sees only its own environment, so functions could differ; but the tests and the CLI (through
      // outputs.environment) run the same use cases outside any function with one shared environment, which is
      // only faithful if the functions agree on every variable they share.
      for (const [k, v] of Object.entries(env)) {
        if (k === 'NODE_OPTIONS') continue;
        if (sharedEnv[k] !== undefined && sharedEnv[k] !== v) throw new Error(`functions disagree on ${k}; the shared local environment (CLI, tests) cannot hold both`);
        sharedEnv[k] = v;
      }
      const fn: LocalFunction = {
        name,
        logicalId: id,
        arn: names.getAtt(id, 'Arn'),
        entry: spec.entry,
        timeoutSeconds: Number(r.Properties?.Timeout ?? 3),
        environment: env,
        async: asyncConfigs.get(id),
      };
      functions.push(fn);
      byLogicalId.set(id, fn);
    }
    const fnFor = (value: unknown): LocalFunction => {
      const target = refTarget(value);
      const fn = target ? byLogicalId.get(target) : undefined;
      if (!fn) throw new Error(`cannot find the function behind ${JSON.stringify(value)}`);
      return fn;
    };

    const graphPort = ports.graph;
    // The environment outside invocations (tests, the CLI in this process): every function's variables, and the
    // stand-ins for what Lambda provides. Inside an invocation a handler sees only its own function's variables
    // plus those of these that the runtime passes on (LAMBDA_PROVIDED in runtime.ts: AWS_*, endpoints, POWERTOOLS_*).
    Object.assign(process.env, sharedEnv, {
      // Node 20 is supported here; Lambda itself runs Node 22.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      AWS_REGION: 'eu-west-2',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_ENDPOINT_URL_DYNAMODB: dynamoEndpoint,
      AWS_ENDPOINT_URL_SES: `http://${host}:${ports.ses}`,
      AWS_ENDPOINT_URL_SESV2: `http://${host}:${ports.ses}`,
      AWS_ENDPOINT_URL_EVENTBRIDGE: awsUrl,
      AWS_ENDPOINT_URL_SQS: awsUrl,
      AWS_ENDPOINT_URL_SSM: awsUrl,
      GRAPH_BASE_URL: graphUrl,
      POWERTOOLS_SERVICE_NAME: 'custodian',
    });
    delete process.env.AWS_PROFILE;
    resetClients();

    const runtime = new LocalRuntime(functions, { root: REPO_ROOT, queues, timeScale, log });
    cleanups.push(() => runtime.stop());

    // --- event source mappings
    for (const [, r] of resourcesOfType(template, 'AWS::Lambda::EventSourceMapping')) {
      const arn = resolveValue(r.Properties?.EventSourceArn, names);
      const queue = queues.byArn(arn);
      if (!queue) throw new Error(`event source ${arn} is not a local queue`);
      runtime.addEventSource({
        functionName: fnFor(r.Properties?.FunctionName).name,
        queue,
        batchSize: Number(r.Properties?.BatchSize ?? 10),
        reportBatchItemFailures: (r.Properties?.FunctionResponseTypes ?? []).includes('ReportBatchItemFailures'),
      });
    }

    // --- event bus and rules
    const buses = resourcesOfType(template, 'AWS::Events::EventBus');
    if (buses.length !== 1) throw new Error(`expected one event bus in the template, found ${buses.length}`);
    const busName = names.ref(buses[0]![0]);
    const rules: LocalRule[] = resourcesOfType(template, 'AWS::Events::Rule').map(([id, r]) => {
      const pattern = r.Properties?.EventPattern;
      validatePattern(pattern);
      return {
        name: id,
        busName: r.Properties?.EventBusName ? resolveValue(r.Properties.EventBusName, names) : 'default',
        pattern,
        targets: ((r.Properties?.Targets ?? []) as Array<Record<string, any>>).map((t) => ({
          functionName: fnFor(t.Arn).name,
          deadLetterArn: t.DeadLetterConfig?.Arn ? resolveValue(t.DeadLetterConfig.Arn, names) : undefined,
        })),
      };
    });
    const aws = await startAwsServer({ host, port: ports.aws, busName, rules, runtime, queues, secrets, log });
    cleanups.push(() => aws.close());

    // --- HTTP API
    const integrations = new Map(resourcesOfType(template, 'AWS::ApiGatewayV2::Integration').map(([id, r]) => [id, fnFor(r.Properties?.IntegrationUri)]));
    const routes: LocalRoute[] = resourcesOfType(template, 'AWS::ApiGatewayV2::Route').map(([, r]) => {
      const [method, routePath] = String(r.Properties?.RouteKey).split(' ');
      const target = r.Properties?.Target as { 'Fn::Join': [string, unknown[]] };
      const integrationId = refTarget(target['Fn::Join'][1][1]);
      const fn = integrationId ? integrations.get(integrationId) : undefined;
      if (!fn) throw new Error(`route ${r.Properties?.RouteKey} has no function`);
      return { method: method!, path: routePath!, functionName: fn.name };
    });
    const httpApi = await startHttpApi({ host, port: ports.http, routes, runtime, log });
    cleanups.push(() => httpApi.close());

    // --- Graph directory emulator
    const graph = await startGraphEmulator({ host, port: graphPort, fixturePath, tenantId, watchFixture: true });
    cleanups.push(() => graph.close());

    // --- Sign-in (OpenID Connect, standing in for Entra ID): whoever the emulator holds, enabled, when they sign in
    const oidc = await startOidcProvider({
      host,
      port: ports.oidc,
      tenantId,
      users: () => graph.users(),
      clients: [{
        clientId: CONSOLE_CLIENT_ID,
        clientSecret: oidcClientSecret,
        redirectUris: [`${httpUrl}/auth/callback`],
        postLogoutRedirectUris: [`${httpUrl}/`],
      }],
      log,
    });
    cleanups.push(() => oidc.close());

    // --- schedules
    if (options.schedules) cleanups.push(...startSchedules(template, runtime, fnFor, log));

    const queueUrl = (idPrefix: string) => queues.all().find((q) => q.spec.logicalId.startsWith(idPrefix))?.spec.url ?? '';
    const outputs: LocalOutputs = {
      tableName: tables[0]!,
      eventBusName: busName,
      deadLetterQueueUrl: queueUrl('MessagingDeadLetter'),
      region: 'eu-west-2',
      endpoints: {
        dynamodb: dynamoEndpoint,
        ses: `http://${host}:${ports.ses}`,
        aws: aws.url,
        http: httpApi.url,
        graph: graph.url,
        oidc: oidc.url,
      },
      oidcClientSecret,
      ...(secretsFile ? { secretsFile } : {}),
      environment: Object.fromEntries(Object.entries(sharedEnv).filter(([k]) => k !== 'NODE_OPTIONS')),
    };
    if (configDir) {
      // Owner-only, like secrets.json: it carries the console's client secret. chmod covers a file made before.
      const outputsFile = path.join(configDir, 'outputs.json');
      writeFileSync(outputsFile, JSON.stringify(outputs, null, 2), { mode: 0o600 });
      chmodSync(outputsFile, 0o600);
    }

    return {
      outputs,
      template,
      runtime,
      aws,
      http: httpApi,
      graph,
      oidc,
      queues,
      secrets,
      secretValue(idPrefix) {
        const id = [...secretIds.keys()].find((k) => k.startsWith(idPrefix));
        const v = id ? secrets.get(secretIds.get(id)!) : undefined;
        if (v === undefined) throw new Error(`no secret ${idPrefix}`);
        return v;
      },
      idle: () => runtime.idle(),
      stopSes,
      startSes,
      stop: cleanup,
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
}
