/**
 * `npm run bench`: what Custodian costs and how that cost grows. Starts the local stack in memory on free ports
 * (DynamoDB Local, the SES emulator, the local bus routing to the real handlers), measures, prints a table and
 * writes bench-results.json (git-ignored). See bench/README.md for what each figure means.
 *
 * Every figure is measured in this run; the only constants are the scenario sizes below, the reference trust and
 * the assumptions in bench/lib/cost.ts, and the prices in bench/prices.ts.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { isDigestDay } from '../functions/domain/schedule.ts';
import { addDays, isWorkingDay } from '../functions/domain/working-days.ts';
import { FUNCTIONS } from '../infra/functions.ts';
import { createTables, dynamoClient } from '../infra/local/dynamo.ts';
import { startLocalStack, type LocalStack } from '../infra/local/stack.ts';
import { bundleAll, firstRequestOnce, initTimes, removeBundles, REPO_ROOT, type FirstRequest } from './lib/bundles.ts';
import { monthlyCost, sampleRegisterShape, storedBytes, templateCounts, workingDaysPerMonth, type CostInputs, type UnitMeasure } from './lib/cost.ts';
import { addUsage, instrumentSharedClients, invokeDurations, meanUsage, scaleUsage, since, snapshot, tagInvocations, ZERO_USAGE, type TransactInput, type Usage } from './lib/instrument.ts';
import { captureHandlerLogs, elapsedSeconds, print, say, table } from './lib/out.ts';
import { functionLikeClient, measureLatency, runFloor, runPipeline, type LeaverEventDetail, type PipelineRun } from './lib/pipeline.ts';
import { PRICES, REGION } from './prices.ts';
import { account, accountItems, putItems, schoolId, schoolItems, seedingClient } from './lib/register.ts';
import { dueCount, leaverWriteUnits, measureLeaver, measureSweep, seedOpenTasks, seedScenario, type Measured } from './lib/scenario.ts';
import { median, round } from './lib/stats.ts';
import { CONSOLE_SCHOOL_ACCOUNTS, measureConsoleRegister, seedConsoleSchool } from './lib/console.ts';
import { actionUrl, busEvent, functionProcessEnv, httpEvent, inbox, measureInvocations, newBytes, summariseScenario } from './lib/measure.ts';
import { parseConsoleSecret } from '../functions/console/config.ts';
import { cookieNames, sealSession } from '../functions/console/session.ts';

// ---------- what is measured ----------

const positive = (name: string, fallback: number) => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive whole number`);
  return n;
};

const SIZES = { small: 1_000, large: positive('BENCH_LARGE_ACCOUNTS', 100_000) };
const DUE_ITEMS = 20;
const LEAVER_ACCOUNTS = 3;
const LEAVERS_PER_SIZE = 3;
const PIPELINE_EVENTS = positive('BENCH_PIPELINE_EVENTS', 2_000);
const PIPELINE_WAVE = 50;
/** The pipeline and its floor take turns, an eighth of the events each time, so neither gains from running later or from a quieter moment. */
const PIPELINE_TURNS = 8;
const INIT_RUNS = 5;
/** Fresh processes per cold first request (action page, console sign-in, console register page). */
const COLD_RUNS = 5;
/** Leavers sent one at a time for the PutEvents-to-email latency. */
const LATENCY_EVENTS = positive('BENCH_LATENCY_EVENTS', 200);
const SAMPLES = 7;
const ACTION_SAMPLES = 5;
const OPEN_TASK_SHARE = 0.01;
/** A working Wednesday (no digest), for the sweep and leaver scenarios; the digest is measured on a Monday. */
const SCENARIO_DAY = '2026-03-11';
const DIGEST_DAY = '2026-03-16';
const RESULTS_FILE = path.join(REPO_ROOT, 'bench-results.json');

if (!isWorkingDay(SCENARIO_DAY) || isDigestDay(SCENARIO_DAY) || !isDigestDay(DIGEST_DAY)) throw new Error('the scenario days are not what the benchmark expects');

// ---------- the run ----------

async function main(): Promise<void> {
  captureHandlerLogs();
  say(`Custodian benchmark: registers of ${SIZES.small.toLocaleString('en-GB')} and ${SIZES.large.toLocaleString('en-GB')} accounts, ${PIPELINE_EVENTS.toLocaleString('en-GB')} pipeline events`);
  if (SIZES.large !== 100_000 || PIPELINE_EVENTS !== 2_000 || LATENCY_EVENTS !== 200) say('NOTE: sizes overridden by BENCH_* variables; these figures are not the standard ones');

  // 1. Bundles and cold-start proxy, first, while nothing else runs.
  say('bundling each function as the CDK does (esbuild, ESM, node22, minified, AWS SDK bundled; and again without it, for the size targets)');
  let bundles: Awaited<ReturnType<typeof bundleAll>>;
  let init: Awaited<ReturnType<typeof initTimes>>;
  try {
    bundles = await bundleAll();
    say(`importing each bundle in a fresh Node process, ${INIT_RUNS} rounds`);
    init = await initTimes(bundles, INIT_RUNS);
  } catch (err) {
    removeBundles();
    throw err;
  }

  // 2. The local stack.
  say('starting the local stack (in memory, free ports)');
  const stackLog: string[] = [];
  const stack = await startLocalStack({ ports: { dynamodb: 0, ses: 0, aws: 0, http: 0, graph: 0, oidc: 0 }, schedules: false, log: (l) => stackLog.push(l) })
    .catch((err: unknown) => {
      removeBundles();
      throw err;
    });
  const stop = async () => {
    say('stopping the local stack and DynamoDB Local');
    await stack.stop();
  };
  process.once('SIGINT', () => void stop().finally(() => process.exit(130)));
  try {
    await measure(stack, bundles, init, stackLog);
  } catch (err) {
    print(`\nbenchmark failed: ${(err as Error).stack ?? err}`);
    if (stackLog.length) print(`last local stack messages:\n${stackLog.slice(-20).join('\n')}`);
    process.exitCode = 1;
  } finally {
    await stop();
    removeBundles();
  }
}

async function measure(stack: LocalStack, bundles: Awaited<ReturnType<typeof bundleAll>>, init: Awaited<ReturnType<typeof initTimes>>, stackLog: string[]): Promise<void> {
  await instrumentSharedClients();
  tagInvocations(stack);
  const ddb = dynamoClient(stack.outputs.endpoints.dynamodb);
  const [floorTable] = await createTables(ddb, stack.template, 'bench-floor-');
  const [digestTable] = await createTables(ddb, stack.template, 'bench-digest-');
  const [smallTable] = await createTables(ddb, stack.template, 'bench-small-');
  const [largeTable] = await createTables(ddb, stack.template, 'bench-large-');
  const seed = seedingClient();
  const scenarioClient = functionLikeClient();
  const escalateAfter = Number(process.env.ESCALATE_AFTER_WORKING_DAYS ?? 3);
  const today = new Date().toISOString().slice(0, 10);

  // 3. The handlers' register: accounts for the pipeline's leavers and for the one-at-a-time measurements.
  say(`seeding the stack's table and the floor table (${PIPELINE_EVENTS.toLocaleString('en-GB')} accounts each)`);
  const roles = ['linked', 'admin', 'main_supervisor'] as const;
  const tied = (key: string, i: number, email: string) => account({ key, index: i, today, tie: { email, role: roles[i % 3]! } });
  const pipelineAccounts = Array.from({ length: PIPELINE_EVENTS }, (_, i) => tied(`p${i}`, i, `pipeline${i}@${schoolId(i)}.sch.uk`));
  const sequentialAccounts = Array.from({ length: SAMPLES + 1 }, (_, i) => tied(`s${i}`, i, `single${i}@school01.sch.uk`));
  const latencyAccounts = Array.from({ length: LATENCY_EVENTS }, (_, i) => tied(`l${i}`, i, `latency${i}@${schoolId(i)}.sch.uk`));
  const coldAccounts = Array.from({ length: COLD_RUNS }, (_, i) => tied(`c${i}`, i, `cold${i}@school01.sch.uk`));
  const pipelineItems = [...schoolItems(), ...pipelineAccounts.flatMap(accountItems)];
  await putItems(seed, stack.outputs.tableName, [...pipelineItems, ...sequentialAccounts.flatMap(accountItems), ...latencyAccounts.flatMap(accountItems), ...coldAccounts.flatMap(accountItems)]);
  await putItems(seed, floorTable!, pipelineItems);

  // 4. One invocation at a time: per-event cost and duration, for the cost model.
  say(`one invocation at a time: leavers with one account and with none, joiners, action pages, delta sync (${SAMPLES} of each)`);
  const leaveDate = addDays(today, 21);
  const leaverEvent = (email: string, id: string) => busEvent('Staff Leaver', { email, leaveDate, displayName: 'Bench Leaver', lineManagerEmail: 'line.manager@school01.sch.uk' }, id);
  await measureInvocations(stack, 'hr-events', [leaverEvent(`single${SAMPLES}@school01.sch.uk`, 'warm-up')]);
  const mailBefore = (await inbox(stack)).length;
  const leaverOneAccount = await measureInvocations(stack, 'hr-events', Array.from({ length: SAMPLES }, (_, i) => leaverEvent(`single${i}@school01.sch.uk`, `one-${i}`)));
  const leaverMails = (await inbox(stack)).slice(mailBefore);
  const leaverNoAccount = await measureInvocations(stack, 'hr-events', Array.from({ length: SAMPLES }, (_, i) => leaverEvent(`nobody${i}@school01.sch.uk`, `none-${i}`)));
  const joiner = await measureInvocations(stack, 'hr-events', Array.from({ length: SAMPLES }, (_, i) =>
    busEvent('Staff Joiner', { email: `joiner${i}@school01.sch.uk`, startDate: addDays(today, 7), displayName: 'Bench Joiner', lineManagerEmail: 'line.manager@school01.sch.uk' }, `joiner-${i}`)));
  if (leaverOneAccount.usage.emails < 1 || leaverNoAccount.usage.emails !== 0 || joiner.usage.emails < 1) {
    throw new Error(`unexpected emails: one account ${leaverOneAccount.usage.emails}, none ${leaverNoAccount.usage.emails}, joiner ${joiner.usage.emails}`);
  }

  // Action pages: open the emailed link (GET), then decide (POST), as the assignee would.
  // Each task is emailed to each of its assignees, each with a link of their own: one link per task, so that no
  // step opens a link whose task another step has already decided.
  const taskOf = (url: string) => (JSON.parse(Buffer.from(url.split('/').at(-1)!.split('.')[0]!, 'base64url').toString('utf8')) as { t: string }).t;
  const links = [...new Map(leaverMails.map((m) => ({ url: actionUrl(m), to: m.destination.to[0] }))
    .filter((l): l is { url: string; to: string } => !!l.url && !!l.to)
    .map((l) => [taskOf(l.url), l] as const)).values()];
  if (links.length < ACTION_SAMPLES + 2) throw new Error(`expected action links in the leavers' emails, found ${links.length}`);

  // Cold first requests: a fresh process imports the function's bundle and serves one request against the local
  // stack, as a Lambda cold start would (API Gateway and Lambda's own start aside). The action page opens a valid
  // link no other step uses (a GET changes nothing); the console answers the sign-in redirect (discovery at the
  // local OpenID provider, the console secret) and the register page of a signed-in IT manager (a sealed session
  // cookie, the school's accounts from DynamoDB Local, the whole page rendered).
  say(`cold first requests: the action page and the console, ${COLD_RUNS} fresh processes each`);
  const bundleFile = (name: string) => bundles.find((b) => b.name === name)!.file;
  const consoleEnv = functionProcessEnv(stack, 'console');
  const consoleBase = new URL(consoleEnv.PUBLIC_BASE_URL!);
  const consoleKeys = parseConsoleSecret(JSON.parse(stack.secretValue('ConsoleSecret'))).sessionKeys;
  const consoleCookie = `${cookieNames(consoleBase.protocol === 'https:').session}=${await sealSession({ email: `it@${schoolId(0)}.sch.uk`, roles: [] }, consoleKeys, new Date())}`;
  const coldLink = new URL(links.at(-1)!.url);
  const coldCases: Array<{ key: string; fn: string; status: number | string; event: (round: number) => unknown }> = [
    { key: 'actionPage', fn: 'actions', status: 200, event: () => httpEvent('GET', coldLink, '/actions/{token}', { pathParameters: { token: decodeURIComponent(coldLink.pathname.split('/').at(-1)!) } }) },
    { key: 'consoleSignIn', fn: 'console', status: 302, event: () => httpEvent('GET', new URL('/auth/sign-in', consoleBase), '/auth/sign-in') },
    { key: 'consoleRegister', fn: 'console', status: 200, event: () => httpEvent('GET', new URL(`/register?school=${schoolId(0)}`, consoleBase), '/register', { cookies: [consoleCookie] }) },
    // Not a page anyone waits on, but the other side of leaving SES and EventBridge to the runtime (see
    // infra/constructs/bundle.ts): a leaver's first event loads both from it. A new leaver each round.
    { key: 'hrEventsLeaver', fn: 'hr-events', status: 'processed', event: (round) => leaverEvent(`cold${round}@school01.sch.uk`, `cold-${round}`) },
  ];
  const coldSamples = new Map<string, FirstRequest[]>(coldCases.map((c) => [c.key, []]));
  for (let r = 0; r < COLD_RUNS; r++) {
    for (const c of coldCases) {
      const sample = await firstRequestOnce(bundleFile(c.fn), functionProcessEnv(stack, c.fn), c.event(r));
      if (sample.status !== c.status) throw new Error(`cold ${c.key} answered ${sample.status}, expected ${c.status}`);
      coldSamples.get(c.key)!.push(sample);
    }
  }
  await stack.idle();
  const firstRequest = Object.fromEntries([...coldSamples].map(([key, list]) => [key, {
    totalMs: round(median(list.map((s) => s.totalMs)), 1),
    initMs: round(median(list.map((s) => s.initMs)), 1),
    requestMs: round(median(list.map((s) => s.requestMs)), 1),
    runs: list,
  }]));
  say(`cold first requests (median import + first request): ${Object.entries(firstRequest).map(([k, v]) => `${k} ${v.totalMs} ms (${v.initMs} + ${v.requestMs})`).join(', ')}`);
  const act = async (link: { url: string; to: string }, method: 'GET' | 'POST') => {
    await stack.idle();
    const before = snapshot();
    const n = (invokeDurations.actions ?? []).length;
    const res = method === 'GET'
      ? await fetch(link.url)
      : await fetch(link.url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ action: 'keep', reason: 'Benchmark: kept', actor: link.to }).toString() });
    await res.text();
    await stack.idle();
    if (res.status !== 200) throw new Error(`${method} ${link.url} answered ${res.status}`);
    return { usage: since(before), durationMs: invokeDurations.actions![n]! };
  };
  await act(links[0]!, 'GET');
  await act(links[0]!, 'POST');
  const gets: Array<{ usage: Usage; durationMs: number }> = [];
  const posts: Array<{ usage: Usage; durationMs: number }> = [];
  for (const link of links.slice(1, ACTION_SAMPLES + 1)) {
    gets.push(await act(link, 'GET'));
    posts.push(await act(link, 'POST'));
  }
  const actionGet: UnitMeasure = { usage: meanUsage(gets.map((g) => g.usage)), durationMs: median(gets.map((g) => g.durationMs)) };
  const actionPost: UnitMeasure = { usage: meanUsage(posts.map((p) => p.usage)), durationMs: median(posts.map((p) => p.durationMs)) };

  // The hourly delta sync against the Graph emulator: the first run is the full sync; then the steady state.
  const firstSync = await measureInvocations(stack, 'directory-sync', [{}]);
  const deltaSync = await measureInvocations(stack, 'directory-sync', Array.from({ length: 5 }, () => ({})));

  // 4b. Latency: PutEvents of a leaver to the email in the SES emulator, one leaver at a time.
  say(`latency: ${LATENCY_EVENTS} leavers one at a time, PutEvents to the first email in the SES emulator`);
  const latency = await measureLatency(stack, latencyAccounts.map((a, i) => ({ email: `latency${i}@${a.school}.sch.uk`, leaveDate, displayName: `Latency Leaver ${i}`, lineManagerEmail: `line.manager@${a.school}.sch.uk` })));
  say(`latency: p50 ${latency.p50Ms} ms, p99 ${latency.p99Ms} ms (max ${latency.maxMs} ms)`);

  // 5. The pipeline and its floor, side by side: they take turns, a share of the events each.
  say(`pipeline: ${PIPELINE_EVENTS.toLocaleString('en-GB')} leaver events through the local bus and the handlers, ${PIPELINE_WAVE} at a time, taking turns with the floor (the same writes issued directly)`);
  const details: LeaverEventDetail[] = pipelineAccounts.map((a, i) => ({ email: `pipeline${i}@${a.school}.sch.uk`, leaveDate, displayName: `Bench Leaver ${i}`, lineManagerEmail: `line.manager@${a.school}.sch.uk` }));
  const floorClient = functionLikeClient();
  const turns: Array<{ pipeline: PipelineRun; floor: Awaited<ReturnType<typeof runFloor>> }> = [];
  const share = Math.ceil(PIPELINE_EVENTS / PIPELINE_TURNS);
  for (let start = 0; start < details.length; start += share) {
    const run = await runPipeline(stack, details.slice(start, start + share), PIPELINE_WAVE);
    if (run.failures > 0) throw new Error(`${run.failures} pipeline invocations failed: ${stackLog.slice(-5).join(' | ')}`);
    if (run.recorded.size !== run.events) throw new Error(`only ${run.recorded.size} of ${run.events} events wrote anything`);
    const fl = await runFloor(run, floorTable!, floorClient);
    if (fl.failed > 0) throw new Error(`${fl.failed} of the floor's ${fl.transactions} transactions failed`);
    turns.push({ pipeline: run, floor: fl });
    if ((start + run.events) % 500 === 0 || start + run.events === details.length) {
      say(`  ${(start + run.events).toLocaleString('en-GB')} events: pipeline ${(turns.reduce((n, t) => n + t.pipeline.wallMs, 0) / 1000).toFixed(1)} s, floor ${(turns.reduce((n, t) => n + t.floor.wallMs, 0) / 1000).toFixed(1)} s so far`);
    }
  }
  const pipeline = {
    events: turns.reduce((n, t) => n + t.pipeline.events, 0),
    wallMs: turns.reduce((n, t) => n + t.pipeline.wallMs, 0),
    usage: turns.reduce((u, t) => addUsage(u, t.pipeline.usage), ZERO_USAGE),
    invocations: turns.reduce((n, t) => n + t.pipeline.invocations, 0),
    failures: turns.reduce((n, t) => n + t.pipeline.failures, 0),
    firstEvent: turns[0]!.pipeline.recorded.values().next().value as TransactInput[],
    eventsPerSecond: 0,
  };
  pipeline.eventsPerSecond = pipeline.events / (pipeline.wallMs / 1000);
  if (pipeline.invocations !== pipeline.events) say(`NOTE: ${pipeline.invocations} invocations for ${pipeline.events} events: the local runtime retried some (timeouts under load)`);
  const floor = {
    transactions: turns.reduce((n, t) => n + t.floor.transactions, 0),
    wallMs: turns.reduce((n, t) => n + t.floor.wallMs, 0),
    failed: turns.reduce((n, t) => n + t.floor.failed, 0),
  };
  say(`pipeline: ${(pipeline.wallMs / 1000).toFixed(1)} s, ${pipeline.eventsPerSecond.toFixed(1)} events/s; floor ${(floor.wallMs / 1000).toFixed(1)} s for ${floor.transactions.toLocaleString('en-GB')} transactions`);

  // 6. The weekly digest, alone: a register of schools only, swept on a Monday.
  await putItems(seed, digestTable!, schoolItems());
  const digest = await measureSweep(digestTable!, scenarioClient, new Date(`${DIGEST_DAY}T07:00:00Z`), escalateAfter);
  if (digest.result.digests < 1) throw new Error('the digest sweep sent no digest');

  // 6b. The web console's register page for one school of 400 accounts, warm, in-process (the console's own app).
  say(`console: GET /register for a school of ${CONSOLE_SCHOOL_ACCOUNTS} accounts, warm, in-process`);
  const [consoleTable] = await createTables(ddb, stack.template, 'bench-console-');
  const consoleRegister = await measureConsoleRegister(consoleTable!, scenarioClient, await seedConsoleSchool(seed, consoleTable!, today));
  say(`console: median ${consoleRegister.medianMs} ms, p95 ${consoleRegister.p95Ms} ms over ${consoleRegister.samples} requests`);

  // 7. The growth scenarios: the same register at two sizes.
  say(`seeding the ${SIZES.small.toLocaleString('en-GB')}-account register`);
  const small = await seedScenario(seed, smallTable!, { accounts: SIZES.small, due: DUE_ITEMS, leavers: LEAVERS_PER_SIZE, day: SCENARIO_DAY });
  say(`seeding the ${SIZES.large.toLocaleString('en-GB')}-account register (setup, not measured; the longest step)`);
  let lastReport = 0;
  const large = await seedScenario(seed, largeTable!, {
    accounts: SIZES.large, due: DUE_ITEMS, leavers: LEAVERS_PER_SIZE, day: SCENARIO_DAY,
    onProgress: (done) => {
      if (done - lastReport >= SIZES.large / 5 || done === SIZES.large) {
        lastReport = done;
        say(`  ${done.toLocaleString('en-GB')} accounts`);
      }
    },
  });
  for (const reg of [small, large]) {
    const n = await dueCount(reg.table, seed, SCENARIO_DAY);
    if (n !== DUE_ITEMS) throw new Error(`${reg.table}: ${n} items due on ${SCENARIO_DAY}, expected ${DUE_ITEMS}`);
  }

  say('sweep with 20 due items, at both sizes');
  const sweepAt = new Date(`${SCENARIO_DAY}T07:00:00Z`);
  const sweep = { small: await measureSweep(small.table, scenarioClient, sweepAt, escalateAfter), large: await measureSweep(large.table, scenarioClient, sweepAt, escalateAfter) };
  for (const s of [sweep.small, sweep.large]) if (s.result.due !== DUE_ITEMS || s.result.processed !== DUE_ITEMS) throw new Error(`the sweep saw ${s.result.due} due and processed ${s.result.processed}`);
  const sweepNothingDue = { small: await measureSweep(small.table, scenarioClient, sweepAt, escalateAfter), large: await measureSweep(large.table, scenarioClient, sweepAt, escalateAfter) };

  say(`one leaver tied to ${LEAVER_ACCOUNTS} accounts, at both sizes (${LEAVERS_PER_SIZE} leavers each)`);
  const leaverAt = new Date(`${SCENARIO_DAY}T09:00:00Z`);
  const leaver = { small: [] as Array<Measured & { accounts: number }>, large: [] as Array<Measured & { accounts: number }> };
  for (let k = 0; k < LEAVERS_PER_SIZE; k++) {
    leaver.small.push(await measureLeaver(small.table, scenarioClient, small.leavers[k]!, leaverAt, `bench-small-${k}`));
    leaver.large.push(await measureLeaver(large.table, scenarioClient, large.leavers[k]!, leaverAt, `bench-large-${k}`));
  }
  for (const m of [...leaver.small, ...leaver.large]) if (m.accounts !== LEAVER_ACCOUNTS) throw new Error(`a leaver touched ${m.accounts} accounts, expected ${LEAVER_ACCOUNTS}`);

  say(`sweep again with open tasks on ${OPEN_TASK_SHARE * 100}% of accounts (how the sweep's fixed reads grow)`);
  const openTasks = { small: await seedOpenTasks(seed, small, SCENARIO_DAY, OPEN_TASK_SHARE), large: await seedOpenTasks(seed, large, SCENARIO_DAY, OPEN_TASK_SHARE) };
  const sweepOpenTasks = { small: await measureSweep(small.table, scenarioClient, sweepAt, escalateAfter), large: await measureSweep(large.table, scenarioClient, sweepAt, escalateAfter) };

  // ---------- figures ----------

  const middle = <T extends { capacity: number }>(list: T[]): T => [...list].sort((a, b) => a.capacity - b.capacity)[Math.floor(list.length / 2)]!;
  const leaverMedian = { small: middle(leaver.small), large: middle(leaver.large) };
  const leaverCapacityRatio = leaverMedian.large.capacity / leaverMedian.small.capacity;
  const sweepCapacityRatio = sweep.large.capacity / sweep.small.capacity;
  const pipelineOverheadRatio = pipeline.wallMs / floor.wallMs;
  // The issue's size targets count each bundle without the AWS SDK: every chunk (bundleBytes), and what a cold start
  // loads, the entry and its static imports (bundleStartBytes). As deployed, the SDK bundled: bundleBytesDeployed.
  const bundleBytes = Object.fromEntries(bundles.map((b) => [b.name, b.bytesWithoutSdk]));
  const bundleStartBytes = Object.fromEntries(bundles.map((b) => [b.name, b.startBytesWithoutSdk]));
  const bundleBytesDeployed = Object.fromEntries(bundles.map((b) => [b.name, b.bytes]));
  const initMs = Object.fromEntries(Object.entries(init).map(([k, v]) => [k, round(v.medianMs, 1)]));

  // The cost model's inputs, all from above.
  const perDue = (k: 'rcu' | 'wcu' | 'wallMs' | 'recipients' | 'events') => (sweep.small[k] - sweepNothingDue.small[k]) / DUE_ITEMS;
  const firstEvent = pipeline.firstEvent;
  const template = stack.template;
  const costInputs: CostInputs = {
    leaverNoAccount, leaverOneAccount, joiner, actionGet, actionPost, deltaSync,
    sweepFixed: { rcu: sweepNothingDue.small.rcu, wcu: sweepNothingDue.small.wcu, ms: sweepNothingDue.small.wallMs },
    sweepPerDue: { rcu: perDue('rcu'), wcu: perDue('wcu'), ms: perDue('wallMs'), recipients: perDue('recipients'), events: perDue('events') },
    digestWeek: { rcu: digest.rcu, wcu: digest.wcu, ms: digest.wallMs, recipients: digest.recipients },
    initMs,
    memoryMb: Object.fromEntries(FUNCTIONS.map((f) => [f.name, f.memorySize])),
    secretsPerFunction: Object.fromEntries(FUNCTIONS.map((f) => [f.name, f.permissions.secrets?.length ?? 0])),
    template: templateCounts(template),
    storage: {
      accountBytes: accountItems(account({ key: 'size', index: 0, today })).reduce((s, i) => s + storedBytes(i), 0),
      personBytes: newBytes(firstEvent, ['person', 'address']),
      newBytesPerLeaver: newBytes(firstEvent, ['person', 'address', 'task', 'audit', 'token']),
    },
    workingDaysPerMonth: workingDaysPerMonth(SCENARIO_DAY),
    sample: sampleRegisterShape(REPO_ROOT),
  };
  const cost = monthlyCost(costInputs);

  // ---------- the table ----------

  const f = (n: number, d = 2) => n.toLocaleString('en-GB', { minimumFractionDigits: d, maximumFractionDigits: d });
  const cap = (m: { rcu: number; wcu: number }) => `${f(m.rcu, 1)} R + ${f(m.wcu, 1)} W`;
  print('\nCustodian benchmark results');
  print(table(['figure', 'value', 'how it was measured'], [
    ['leaverCapacityRatio', f(leaverCapacityRatio, 3), `one leaver, ${LEAVER_ACCOUNTS} accounts: ${cap(leaverMedian.large)} at ${SIZES.large.toLocaleString('en-GB')} / ${cap(leaverMedian.small)} at ${SIZES.small.toLocaleString('en-GB')}`],
    ['sweepCapacityRatio', f(sweepCapacityRatio, 3), `sweep, ${DUE_ITEMS} due: ${cap(sweep.large)} / ${cap(sweep.small)}`],
    ['pipelineOverheadRatio', f(pipelineOverheadRatio, 2), `${PIPELINE_EVENTS.toLocaleString('en-GB')} leaver events end to end ${f(pipeline.wallMs / 1000, 1)} s / the same ${floor.transactions.toLocaleString('en-GB')} transactions direct ${f(floor.wallMs / 1000, 1)} s`],
    ['latencyMs', `${f(latency.p50Ms, 0)} / ${f(latency.p99Ms, 0)}`, `p50 / p99 from PutEvents of a leaver to its first email in the SES emulator, ${latency.samples} leavers one at a time, handlers warm`],
    ['firstRequestMs', `${f(firstRequest.actionPage!.totalMs, 0)} / ${f(firstRequest.consoleSignIn!.totalMs, 0)} / ${f(firstRequest.consoleRegister!.totalMs, 0)}`, `cold (fresh process: import + first request, median of ${COLD_RUNS}): action page GET / console sign-in redirect / console register page signed in`],
    ['consoleRegisterMs', `${f(consoleRegister.medianMs, 1)} / ${f(consoleRegister.p95Ms, 1)}`, `median / p95 to serve GET /register for a school of ${consoleRegister.accounts} accounts, warm, in-process (${consoleRegister.samples} requests); console cold import ${f(initMs.console ?? 0, 0)} ms`],
    ['monthlyCostUsd', `$${f(cost.monthlyUsd, 2)}`, `reference trust at ${REGION} list prices; $${f(cost.monthlyUsdWithFreeTier, 2)} after the always-free allowances`],
  ], ['l', 'r', 'l']));

  print('\nGrowth: capacity units (reads + writes) at each register size');
  const row = (name: string, a: { rcu: number; wcu: number; capacity: number }, b: { rcu: number; wcu: number; capacity: number }) =>
    [name, cap(a), cap(b), f(b.capacity / a.capacity, 3)];
  print(table(['scenario', `${SIZES.small.toLocaleString('en-GB')} accounts`, `${SIZES.large.toLocaleString('en-GB')} accounts`, 'ratio'], [
    row(`leaver tied to ${LEAVER_ACCOUNTS} accounts (median of ${LEAVERS_PER_SIZE})`, leaverMedian.small, leaverMedian.large),
    row(`sweep, ${DUE_ITEMS} due`, sweep.small, sweep.large),
    row('sweep, nothing due', sweepNothingDue.small, sweepNothingDue.large),
    row(`sweep, nothing due, open tasks on ${OPEN_TASK_SHARE * 100}% of accounts (${openTasks.small} vs ${openTasks.large})`, sweepOpenTasks.small, sweepOpenTasks.large),
  ], ['l', 'r', 'r', 'r']));
  const leaverWrites = leaverWriteUnits(leaverMedian.small, LEAVER_ACCOUNTS);
  print(`leaver write units: ${f(leaverWrites.dynamoLocal, 1)} as DynamoDB Local reports them (${f(leaverWrites.dynamoLocalPerAccount, 1)} per account touched); `
    + `${f(leaverWrites.billed, 1)} as DynamoDB bills them, from the items written (${f(leaverWrites.billedPerAccount, 1)} per account touched)`);

  print('\nFunctions: minified bundle without the AWS SDK (the targets) and as deployed (SDK bundled), each as what a cold start loads (the entry and its static imports) / every chunk; median import time of the deployed bundle in a fresh process');
  print(table(['function', 'KB w/o SDK start / all', 'KB deployed start / all', 'files', 'init ms', 'init CPU ms', 'largest parts (deployed, all chunks)'], bundles.map((b) => [
    b.name, `${f(b.startBytesWithoutSdk / 1024, 0)} / ${f(b.bytesWithoutSdk / 1024, 0)}`, `${f(b.startBytes / 1024, 0)} / ${f(b.bytes / 1024, 0)}`, String(b.chunks),
    f(initMs[b.name]!, 0), f(init[b.name]!.medianCpuMs, 0), b.largest.slice(0, 3).map((l) => `${l.source} ${f(l.bytes / 1024, 0)} KB`).join(', '),
  ]), ['l', 'r', 'r', 'r', 'r', 'r', 'l']));
  print(`cold first requests (median of ${COLD_RUNS} fresh processes): ${Object.entries(firstRequest).map(([k, v]) => `${k} ${f(v.totalMs, 0)} ms = import ${f(v.initMs, 0)} + request ${f(v.requestMs, 0)}`).join('; ')}`);
  print(`pipeline throughput (a detail, not a headline: DynamoDB Local bounds it, see bench/README.md): ${f(pipeline.eventsPerSecond, 1)} events/s, ${PIPELINE_WAVE} in flight`);

  print(`\nMonthly bill of the reference trust (${cost.referenceTrust.schools} schools, ${cost.referenceTrust.staff.toLocaleString('en-GB')} staff, ${cost.referenceTrust.accounts} accounts, ${cost.referenceTrust.leaversPerYear} leavers and ${cost.referenceTrust.joinersPerYear} joiners a year, daily sweep, hourly delta sync)`);
  print(table(['service', 'item', 'quantity', 'USD', 'USD after free tier'], cost.lines.map((l) => [
    l.service, l.item, l.quantity >= 100 ? f(l.quantity, 0) : f(l.quantity, 4), f(l.usd, 4), f(l.usdWithFreeTier, 4),
  ]), ['l', 'l', 'r', 'r', 'r']));
  print(`total: $${f(cost.monthlyUsd, 2)} a month at list prices; $${f(cost.monthlyUsdWithFreeTier, 2)} after the always-free allowances`);
  const w = cost.workload;
  print(`per month: ${f(w.leavers!, 0)} leavers (${f(w.accountsPerLeaver!, 2)} accounts each), ${f(w.joiners!, 0)} joiners, ${f(w.attestations!, 0)} attestations, ${f(w.tasks!, 0)} tasks, ${f(w.dueItems!, 0)} due items, ${f(w.lambdaRequests!, 0)} Lambda invocations, ${f(w.gbSeconds!, 0)} GB-s`);
  print(`measured per event: leaver with one account ${cap(leaverOneAccount.usage)}, ${f(leaverOneAccount.usage.recipients, 1)} recipients, ${f(leaverOneAccount.durationMs, 0)} ms; joiner ${cap(joiner.usage)}, ${f(joiner.durationMs, 0)} ms; delta sync ${cap(deltaSync.usage)}, ${f(deltaSync.durationMs, 0)} ms`);

  // ---------- the file ----------

  const results = {
    leaverCapacityRatio: round(leaverCapacityRatio, 4),
    sweepCapacityRatio: round(sweepCapacityRatio, 4),
    pipelineOverheadRatio: round(pipelineOverheadRatio, 3),
    bundleBytes,
    bundleStartBytes,
    bundleBytesDeployed,
    initMs,
    firstRequestMs: Object.fromEntries(Object.entries(firstRequest).map(([k, v]) => [k, v.totalMs])),
    latencyMs: { p50: latency.p50Ms, p99: latency.p99Ms },
    monthlyCostUsd: round(cost.monthlyUsd, 2),
    consoleRegisterMs: { median: consoleRegister.medianMs, p95: consoleRegister.p95Ms },
    details: {
      ranAt: new Date().toISOString(),
      node: process.version,
      durationSeconds: round(elapsedSeconds(), 1),
      sizes: { ...SIZES, dueItems: DUE_ITEMS, leaverAccounts: LEAVER_ACCOUNTS, pipelineEvents: PIPELINE_EVENTS, pipelineWave: PIPELINE_WAVE, scenarioDay: SCENARIO_DAY },
      capacityNote: 'Capacity units as DynamoDB Local reports them with ReturnConsumedCapacity TOTAL. DynamoDB Local charges index writes inside a transaction at the transactional rate (2x); DynamoDB itself charges them 1x, so write figures are an upper bound.',
      leaver: { small: leaver.small.map(summariseScenario), large: leaver.large.map(summariseScenario), writeUnits: leaverWrites },
      sweep: {
        dueItems: { small: { ...summariseScenario(sweep.small), result: sweep.small.result }, large: { ...summariseScenario(sweep.large), result: sweep.large.result } },
        nothingDue: { small: summariseScenario(sweepNothingDue.small), large: summariseScenario(sweepNothingDue.large), ratio: round(sweepNothingDue.large.capacity / sweepNothingDue.small.capacity, 4) },
        openTasks: { share: OPEN_TASK_SHARE, count: openTasks, small: summariseScenario(sweepOpenTasks.small), large: summariseScenario(sweepOpenTasks.large), ratio: round(sweepOpenTasks.large.capacity / sweepOpenTasks.small.capacity, 4) },
        digest: { day: DIGEST_DAY, ...summariseScenario(digest), digests: digest.result.digests },
      },
      pipeline: {
        events: pipeline.events, wave: PIPELINE_WAVE, wallMs: round(pipeline.wallMs, 1), eventsPerSecond: round(pipeline.eventsPerSecond, 2),
        invocations: pipeline.invocations, failures: pipeline.failures, usage: pipeline.usage, perEvent: scaleUsage(pipeline.usage, 1 / pipeline.events),
        floor: { transactions: floor.transactions, wallMs: round(floor.wallMs, 1), failed: floor.failed },
        turnRatioMedian: round(median(turns.map((t) => t.pipeline.wallMs / t.floor.wallMs)), 3),
        turns: turns.map((t) => ({ events: t.pipeline.events, pipelineMs: round(t.pipeline.wallMs, 1), floorMs: round(t.floor.wallMs, 1), ratio: round(t.pipeline.wallMs / t.floor.wallMs, 3) })),
      },
      perInvocation: {
        leaverOneAccount, leaverNoAccount, joiner, actionGet, actionPost,
        deltaSync, deltaSyncFirstRun: firstSync,
      },
      bundles: bundles.map((b) => ({ name: b.name, bytes: b.bytes, startBytes: b.startBytes, bytesWithoutSdk: b.bytesWithoutSdk, startBytesWithoutSdk: b.startBytesWithoutSdk, files: b.chunks, largest: b.largest, initMs: init[b.name] })),
      firstRequest: { runs: COLD_RUNS, ...firstRequest },
      latency: { ...latency, pollMs: 5, note: 'One leaver at a time (each tied to one account), the next when the runtime is idle; from just before PutEvents to the first new email in the SES emulator store, polled every 5 ms. Handlers warm.' },
      console: { register: consoleRegister, coldImportMs: initMs.console },
      cost: { ...cost, inputs: { ...costInputs, leaverNoAccount: undefined, leaverOneAccount: undefined, joiner: undefined, actionGet: undefined, actionPost: undefined, deltaSync: undefined } },
      prices: PRICES,
    },
  };
  writeFileSync(RESULTS_FILE, `${JSON.stringify(results, null, 2)}\n`);
  print(`\nwrote ${path.relative(process.cwd(), RESULTS_FILE) || RESULTS_FILE} in ${f(elapsedSeconds(), 0)} s`);
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (err) => {
    print(`benchmark failed: ${(err as Error).stack ?? err}`);
    process.exit(1);
  },
);
