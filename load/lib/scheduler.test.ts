import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { LoadClient } from './client.ts';
import { LatencyHistogram } from './histogram.ts';
import { deltas, parsePrometheus, sumOf } from './prometheus.ts';
import { createRng, weightedPicker } from './rng.ts';
import { runClosed, runScenario } from './run.ts';
import type { Scenario } from './scenario.ts';
import { now, runSchedule } from './scheduler.ts';

/** A server whose answers take `delayMs`, and which can stall: requests during a stall wait until it ends. */
async function fakeServer(delayMs = 0) {
  let stallUntil = 0;
  let handled = 0;
  const server: Server = createServer((_req, res) => {
    handled++;
    const wait = Math.max(delayMs, stallUntil - Date.now());
    setTimeout(() => res.end('ok'), wait);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    get handled() {
      return handled;
    },
    stall(fromMs: number, forMs: number) {
      setTimeout(() => (stallUntil = Date.now() + forMs), fromMs);
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

const servers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** A one-request scenario against the fake server. */
const ping: Scenario<null> = {
  name: 'ping',
  title: 'ping',
  description: 'one GET',
  thinkTimeMs: 0,
  setup: async () => null,
  mix: [{ endpoint: 'GET /', weight: 1, build: () => ({ path: '/' }) }],
};

describe('open-model scheduler', () => {
  it('fires arrivals on a fixed schedule, whatever happens to earlier requests', async () => {
    const intended: number[] = [];
    const r = await runSchedule({ ratePerSec: 500, durationMs: 1000, onArrival: (t) => intended.push(t) });
    expect(r.arrivals).toBe(500);
    // Evenly spaced intended times, 2 ms apart, none fired early.
    for (let i = 1; i < intended.length; i++) expect(intended[i]! - intended[i - 1]!).toBeCloseTo(2, 6);
    expect(intended[0]).toBe(r.startedAt);
  });

  it('poisson arrivals keep the mean rate', async () => {
    let n = 0;
    const r = await runSchedule({ ratePerSec: 1000, durationMs: 1000, arrival: 'poisson', rng: createRng(7), onArrival: () => n++ });
    expect(r.arrivals).toBe(n);
    expect(n).toBeGreaterThan(900);
    expect(n).toBeLessThan(1100);
  });
});

describe('latency is measured from the intended start (no coordinated omission)', () => {
  it('a 1 s stall is charged to every request the server kept waiting, unlike a closed loop', async () => {
    const server = await fakeServer(1);
    servers.push(server);
    server.stall(500, 1000);
    const open = await runScenario(ping, null, {
      baseUrl: server.url,
      rate: 200,
      durationMs: 2000,
      concurrency: 1000,
      timeoutMs: 5000,
      seed: 1,
    });
    expect(open.sent).toBe(400);
    expect(open.errors).toBe(0);
    // Half the requests were due during the stall: each waited until its end, from 0 to 1,000 ms,
    // so the top tenth of all latencies is above ~800 ms.
    expect(open.total.latency.max).toBeGreaterThan(900);
    expect(open.total.latency.p99).toBeGreaterThan(900);
    expect(open.total.latency.p90).toBeGreaterThan(600);

    // The same stall under a closed loop with one connection: one slow request, the rest look fast.
    const closedServer = await fakeServer(1);
    servers.push(closedServer);
    closedServer.stall(500, 1000);
    const closed = await runClosed({ baseUrl: closedServer.url, path: '/', connections: 1, durationMs: 2000 });
    expect(closed.latency.max).toBeGreaterThan(900);
    expect(closed.latency.p99).toBeLessThan(500);
    expect(closed.latency.p90 * 5).toBeLessThan(open.total.latency.p90);
  });

  it('with every slot busy, requests wait for one, the wait counts as latency and the cap hits are reported', async () => {
    const server = await fakeServer(20);
    servers.push(server);
    // 100/s offered, one slot of 20+ ms: at most ~50/s can be served.
    const r = await runScenario(ping, null, {
      baseUrl: server.url,
      rate: 100,
      durationMs: 1000,
      concurrency: 1,
      timeoutMs: 10_000,
      seed: 1,
    });
    expect(r.sent).toBe(100);
    expect(r.client.capHits).toBeGreaterThan(50);
    expect(r.client.maxInFlight).toBe(1);
    // The last request was due at ~1 s and served at ~2 s+: about a second of latency.
    expect(r.total.latency.max).toBeGreaterThan(800);
    expect(r.total.latency.p50).toBeGreaterThan(300);
    expect(r.achievedRate).toBeLessThan(60);
  });

  it('requests past the timeout are counted as such, not dropped from the statistics', async () => {
    const server = await fakeServer(300);
    servers.push(server);
    const r = await runScenario(ping, null, { baseUrl: server.url, rate: 20, durationMs: 500, concurrency: 100, timeoutMs: 100, seed: 1 });
    expect(r.sent).toBe(10);
    expect(r.total.errorsByStatus.timeout).toBe(10);
    expect(r.total.latency.p50).toBeGreaterThanOrEqual(99);
  });
});

describe('client', () => {
  it('measures from the given intended start, even when the send happens later', async () => {
    const server = await fakeServer(0);
    servers.push(server);
    const client = new LoadClient(server.url, { concurrency: 4, timeoutMs: 2000 });
    const o = await client.send({ endpoint: 'GET /', method: 'GET', path: '/' }, now() - 250);
    await client.close();
    expect(o.status).toBe(200);
    expect(o.latencyMs).toBeGreaterThanOrEqual(250);
  });
});

describe('HDR histogram', () => {
  it('reports percentiles within 0.1 %', () => {
    const h = new LatencyHistogram();
    for (let ms = 1; ms <= 1000; ms++) h.record(ms);
    const s = h.summary();
    expect(s.count).toBe(1000);
    expect(s.p50).toBeCloseTo(500, -0.3);
    expect(Math.abs(s.p99 - 990) / 990).toBeLessThan(0.001 + 1e-9);
    expect(Math.abs(s.max - 1000) / 1000).toBeLessThan(0.001);
  });

  it('keeps sub-millisecond resolution', () => {
    const h = new LatencyHistogram();
    h.record(0.25);
    h.record(0.75);
    expect(h.summary().max).toBeCloseTo(0.75, 2);
  });
});

describe('weighted mix', () => {
  it('picks entries in proportion to their weights, reproducibly', () => {
    const pick = weightedPicker([
      { weight: 3, item: 'a' },
      { weight: 1, item: 'b' },
    ]);
    const rng = createRng(42);
    const counts = { a: 0, b: 0 };
    for (let i = 0; i < 10_000; i++) counts[pick(rng) as 'a' | 'b']++;
    expect(counts.a / 10_000).toBeGreaterThan(0.73);
    expect(counts.a / 10_000).toBeLessThan(0.77);
    const again = createRng(42);
    const first = Array.from({ length: 5 }, () => pick(again));
    const third = createRng(42);
    expect(Array.from({ length: 5 }, () => pick(third))).toEqual(first);
  });
});

describe('Prometheus text', () => {
  it('parses samples and computes per-series deltas', () => {
    const before = parsePrometheus('# TYPE x counter\nx{route="/a",status="200"} 3\nx{route="/b",status="200"} 1\n');
    const after = parsePrometheus('x{route="/a",status="200"} 10\nx{route="/b",status="200"} 1\nx{route="/c",status="500"} 2\n');
    const d = deltas(before, after, 'x');
    expect(sumOf(d, 'x')).toBe(9);
    expect(sumOf(d, 'x', { route: '/a' })).toBe(7);
    expect(sumOf(d, 'x', { status: (s) => s.startsWith('5') })).toBe(2);
  });
});
