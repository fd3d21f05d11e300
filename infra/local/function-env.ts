/**
 * Per-function environments for the local runtime: each invocation sees only its own function's variables, as
 * on Lambda.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

//
// On Lambda each function runs in its own container whose environment is exactly its configuration plus what the
// runtime adds. Here every handler shares one Node process, so `process.env` is replaced, once, by a Proxy over
// the real environment object: inside an invocation (an AsyncLocalStorage context entered by `LocalRuntime.run`,
// which follows the handler's awaits, promise chains, timers and callbacks) it answers only that function's
// variables; outside any invocation (tests, the CLI, the local stack itself) it is the real environment, reads and
// writes alike. So a handler that reads a variable its entry in infra/functions.ts does not list fails here as it
// would once deployed.

/**
 * What the Lambda runtime (or, locally, the stack standing in for AWS) provides to every function, read live from
 * the real environment: region and credentials, the SDK's local endpoints (`AWS_ENDPOINT_URL_*`, set by the local
 * stack), Powertools settings (`POWERTOOLS_*`: the stack sets the service name, tests may set the log level),
 * and the process basics. Everything else is a function's own configuration and must be in its spec.
 */
export const LAMBDA_PROVIDED = {
  names: new Set([
    'AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN',
    'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED', '_X_AMZN_TRACE_ID',
    'PATH', 'HOME', 'LANG', 'TZ', 'NODE_PATH', 'LD_LIBRARY_PATH',
  ]),
  prefixes: ['AWS_ENDPOINT_URL_', 'POWERTOOLS_'],
  has(key: string): boolean {
    return this.names.has(key) || this.prefixes.some((p) => key.startsWith(p));
  },
};

/**
 * One function's environment, as its container would hold it: its own variables, what the runtime provides,
 * and what its code has written. Writes inside an invocation stay in this view (they do not reach the real
 * environment, the CLI or other functions) and persist for later invocations of the same function, as a warm
 * container's would; e.g. Powertools sets AWS_SDK_UA_APP_ID when first imported.
 */
export class FunctionEnvironment {
  private readonly written = new Map<string, string | undefined>();

  constructor(private readonly own: Readonly<Record<string, string>>, private readonly real: () => NodeJS.ProcessEnv) {}

  get(key: string): string | undefined {
    if (this.written.has(key)) return this.written.get(key);
    if (Object.hasOwn(this.own, key)) return this.own[key];
    if (LAMBDA_PROVIDED.has(key)) return this.real()[key];
    return undefined;
  }

  set(key: string, value: unknown): void {
    this.written.set(key, String(value));
  }

  delete(key: string): void {
    this.written.set(key, undefined);
  }

  keys(): string[] {
    const candidates = new Set([...Object.keys(this.own), ...Object.keys(this.real()).filter((k) => LAMBDA_PROVIDED.has(k)), ...this.written.keys()]);
    return [...candidates].filter((k) => this.get(k) !== undefined);
  }
}

interface EnvIsolation {
  storage: AsyncLocalStorage<FunctionEnvironment>;
  /** The environment object `process.env` was before the Proxy replaced it. */
  real: NodeJS.ProcessEnv;
  proxy: NodeJS.ProcessEnv | undefined;
  users: number;
}

/** On globalThis, so two copies of this module in one process (test runners re-evaluate modules) share it. */
const ISOLATION = Symbol.for('custodian.local-runtime.env-isolation');

function isolation(): EnvIsolation {
  const g = globalThis as { [ISOLATION]?: EnvIsolation };
  g[ISOLATION] ??= { storage: new AsyncLocalStorage(), real: process.env, proxy: undefined, users: 0 };
  return g[ISOLATION];
}

function envProxy(state: EnvIsolation, real: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const view = (key: string | symbol) => (typeof key === 'string' ? state.storage.getStore() : undefined);
  // The real object's prototype (methods such as hasOwnProperty), for names that are not variables.
  const proto = Object.getPrototypeOf(real) as object | null;
  return new Proxy(real, {
    get(target, key) {
      const v = view(key);
      if (!v) return Reflect.get(target, key);
      const value = v.get(key as string);
      return value !== undefined ? value : proto ? Reflect.get(proto, key) : undefined;
    },
    has(target, key) {
      const v = view(key);
      if (!v) return Reflect.has(target, key);
      return v.get(key as string) !== undefined || (proto !== null && Reflect.has(proto, key));
    },
    set(target, key, value) {
      const v = view(key);
      if (!v) return Reflect.set(target, key, value);
      v.set(key as string, value);
      return true;
    },
    defineProperty(target, key, descriptor) {
      const v = view(key);
      if (!v) return Reflect.defineProperty(target, key, descriptor);
      v.set(key as string, descriptor.value);
      return true;
    },
    deleteProperty(target, key) {
      const v = view(key);
      if (!v) return Reflect.deleteProperty(target, key);
      v.delete(key as string);
      return true;
    },
    ownKeys(target) {
      const v = state.storage.getStore();
      return v ? v.keys() : Reflect.ownKeys(target);
    },
    getOwnPropertyDescriptor(target, key) {
      const v = view(key);
      if (!v) return Reflect.getOwnPropertyDescriptor(target, key);
      const value = v.get(key as string);
      return value === undefined ? undefined : { value, writable: true, enumerable: true, configurable: true };
    },
  });
}

/**
 * Installs the per-invocation `process.env` (idempotent: every local runtime in the process shares one) and
 * returns a release function; when the last user releases it, the real environment object is put back, unless
 * something else has replaced `process.env` since. Caveat: code that kept a reference to the real object before
 * this (`const { env } = process` at import) bypasses the isolation, and `util.inspect(process.env)` shows the
 * Proxy's target, the whole environment.
 */
export function isolateProcessEnv(): () => void {
  const state = isolation();
  if (state.users === 0 || process.env !== state.proxy) {
    if (process.env !== state.proxy) state.real = process.env;
    state.proxy = envProxy(state, state.real);
    process.env = state.proxy;
  }
  state.users++;
  let released = false;
  return () => {
    if (released) return;
    released = true;
    state.users--;
    if (state.users === 0 && process.env === state.proxy) process.env = state.real;
  };
}

/** Runs `work` (and everything it starts) with `environment` as its `process.env`. */
export function withEnvironment<T>(environment: FunctionEnvironment, work: () => T): T {
  return isolation().storage.run(environment, work);
}

/** The real environment, whatever `process.env` currently is. */
export function realEnv(): NodeJS.ProcessEnv {
  return isolation().real;
}

