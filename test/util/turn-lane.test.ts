import http from 'node:http';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { TurnLane } from '../../src/util/turn-lane.js';

let server: http.Server | undefined;
let client: net.Socket | undefined;

afterEach(async () => {
  client?.destroy();
  if (server) await new Promise((resolve) => server!.close(resolve));
  server = client = undefined;
});

/** A server on 127.0.0.1 that logs its request, and a connected client socket. */
async function serverAndClient(log: string[]) {
  let handled!: () => void;
  const requested = new Promise<void>((resolve) => (handled = resolve));
  server = http.createServer((req, res) => {
    log.push('request');
    res.end();
    handled();
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  // Accepted by the server too, so the request's bytes are read in the next poll for I/O.
  const accepted = new Promise((resolve) => server!.once('connection', resolve));
  client = net.connect(port, '127.0.0.1');
  await Promise.all([accepted, new Promise((resolve) => client!.once('connect', resolve))]);
  return { socket: client, requested };
}

const REQUEST = 'POST /claim HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}';

describe('TurnLane', () => {
  it('when steps wait for turns, then they run one at a time in call order', async () => {
    const lane = new TurnLane();
    const log: string[] = [];
    const steps = [1, 2, 3].map(async (n) => {
      await lane.turn();
      log.push(`step ${n}`);
    });
    expect(lane.depth).toBe(3);
    await steps[0];
    expect(log).toEqual(['step 1']);
    await Promise.all(steps);
    expect(log).toEqual(['step 1', 'step 2', 'step 3']);
    expect(lane.depth).toBe(0);
  });

  it('when a request arrives while many steps are queued, then it is handled after one or two of them, not after all', async () => {
    const log: string[] = [];
    const { socket, requested } = await serverAndClient(log);
    const lane = new TurnLane();
    const steps = Array.from({ length: 50 }, async (_, n) => {
      await lane.turn();
      log.push(`step ${n}`);
    });
    socket.write(REQUEST);
    await Promise.all([...steps, requested]);
    expect(log.indexOf('request')).toBeLessThanOrEqual(2);
  });

  it('when the same steps wait on setImmediate alone, then the request waits behind all of them (what the lane is for)', async () => {
    const log: string[] = [];
    const { socket, requested } = await serverAndClient(log);
    const steps = Array.from({ length: 50 }, async (_, n) => {
      await new Promise((resolve) => setImmediate(resolve));
      log.push(`step ${n}`);
    });
    socket.write(REQUEST);
    await Promise.all([...steps, requested]);
    expect(log.indexOf('request')).toBe(50);
  });
});
