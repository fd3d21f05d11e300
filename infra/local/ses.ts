/**
 * The SES emulator (aws-ses-v2-local), in this process; its inbox lives in memory. It can be stopped and started
 * again on the same port (tests use that to make sending fail and recover).
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as sesModule from 'aws-ses-v2-local';

type SesStart = (config: { host: string; port: number }) => Promise<Server>;

/** aws-ses-v2-local is CommonJS with an `exports.default`; Node and tsx expose it one level apart. */
function sesServer(): SesStart {
  const d = (sesModule as unknown as { default: SesStart | { default: SesStart } }).default;
  return typeof d === 'function' ? d : d.default;
}

export interface LocalSes {
  /** The port it listens on (chosen on the first start when asked for 0, then kept). */
  port(): number;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function localSes(host: string, port: number): LocalSes {
  let server: Server | undefined;
  let current = port;
  return {
    port: () => current,
    async start() {
      const s = await sesServer()({ host, port: current });
      current = (s.address() as AddressInfo).port;
      server = s;
    },
    async stop() {
      const s = server;
      server = undefined;
      if (s) await new Promise<void>((r) => { s.closeAllConnections(); s.close(() => r()); });
    },
  };
}
