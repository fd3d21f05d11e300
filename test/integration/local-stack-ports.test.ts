/**
 * A port the local stack chooses for itself (asked for as 0) is chosen before the stack listens on it, so another
 * process can take it in between, as parallel test files do. The stack then starts again on other ports instead of
 * failing the test file with EADDRINUSE.
 */
import net from 'node:net';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { startTestStack } from '../support/stack.ts';

const busy = vi.hoisted(() => ({ port: 0, handedOut: 0 }));

// The first free port the stack asks for is one this test already holds: the race, made certain.
vi.mock('../../infra/local/dynamo.ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../infra/local/dynamo.ts')>();
  return {
    ...real,
    freePort: async (host?: string) => {
      if (busy.port && busy.handedOut === 0) {
        busy.handedOut++;
        return busy.port;
      }
      return real.freePort(host);
    },
  };
});

const holder = net.createServer();
afterAll(() => new Promise<void>((resolve) => holder.close(() => resolve())));

describe('the local stack on ports of its own choosing', () => {
  it('starts on other ports when one it chose is taken before it listens', async () => {
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    busy.port = (holder.address() as net.AddressInfo).port;
    const stack = await startTestStack();
    try {
      expect(busy.handedOut).toBe(1);
      expect(Object.values(stack.outputs.endpoints)).not.toContain(`http://127.0.0.1:${busy.port}`);
      const res = await fetch(`${stack.outputs.endpoints.http}/actions/not-a-token`);
      expect(res.status).toBeLessThan(500);
    } finally {
      await stack.stop();
    }
  }, 120_000);
});
