import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { createApp, createRouter } from '../app.ts';
import { opsRoutes } from '../ops/routes.ts';
import { Admission, familyOf, StaleResponses, type FamilyPolicy } from './admission-gate.ts';
import { Bulkhead, GradientLimiter, WAIT_POLL_MS, type Clock, type Permit } from './admission.ts';
import { registry } from './metrics.ts';
import { publicDataChanged } from './public-version.ts';

/** A hand-moved clock whose timers fire only when it is advanced. */
class FakeClock implements Clock {
  t = 0;
  private seq = 0;
  private timers = new Map<number, { at: number; fn: () => void }>();
  now = () => this.t;
  setTimeout = (fn: () => void, ms: number) => {
    const id = ++this.seq;
    this.timers.set(id, { at: this.t + ms, fn });
    return id;
  };
  clearTimeout = (id: unknown) => void this.timers.delete(id as number);
  advance(ms: number) {
    this.t += ms;
    for (const [id, timer] of [...this.timers].sort((a, b) => a[1].at - b[1].at)) {
      if (timer.at > this.t) continue;
      this.timers.delete(id);
      timer.fn();
    }
  }
  get pending() {
    return this.timers.size;
  }
}

const flush = async (times = 20) => {
  for (let i = 0; i < times; i++) await Promise.resolve();
};

describe('GradientLimiter', () => {
  it('grows while latency holds and the limit is used, up to its maximum', () => {
    const l = new GradientLimiter({ initial: 10, min: 2, max: 40 });
    for (let i = 0; i < 200; i++) l.onSample(10, l.limit);
    expect(l.limit).toBe(40);
  });

  it('does not move while most of the limit is unused (app-limited)', () => {
    const l = new GradientLimiter({ initial: 20, min: 2, max: 100 });
    for (let i = 0; i < 100; i++) l.onSample(10, 3);
    for (let i = 0; i < 100; i++) l.onSample(500, 3);
    expect(l.limit).toBe(20);
  });

  it('shrinks when latency rises well above its baseline, and recovers when it falls back', () => {
    const l = new GradientLimiter({ initial: 50, min: 4, max: 100 });
    for (let i = 0; i < 300; i++) l.onSample(10, 50);
    const before = l.limit;
    for (let i = 0; i < 30; i++) l.onSample(200, l.limit);
    const during = l.limit;
    expect(during).toBeLessThan(before / 2);
    for (let i = 0; i < 300; i++) l.onSample(10, l.limit);
    expect(l.limit).toBeGreaterThan(during * 2);
  });

  it('backs off multiplicatively on drops and above the latency ceiling, never below its minimum', () => {
    const l = new GradientLimiter({ initial: 100, min: 8, max: 100, maxLatencyMs: 50, backoff: 0.5 });
    l.onSample(1, 100, true);
    expect(l.limit).toBe(50);
    for (let i = 0; i < 50; i++) l.onSample(400, 1);
    expect(l.limit).toBe(8);
  });
});

describe('Bulkhead (fake clock)', () => {
  const rig = (limit = 2, maxQueue = 1, maxWaitMs = 50, leaseMs = 1000) => {
    const clock = new FakeClock();
    const samples: { ms: number; dropped: boolean }[] = [];
    const b = new Bulkhead({
      limit: () => limit,
      maxQueue,
      maxWaitMs,
      leaseMs,
      clock,
      onRelease: (ms, _i, dropped) => samples.push({ ms, dropped }),
    });
    return { b, clock, samples };
  };

  it('grants up to the limit, queues a few, refuses the rest at once', async () => {
    const { b, clock } = rig(2, 1);
    const a = await b.acquire();
    const c = await b.acquire();
    expect(a).not.toBeNull();
    expect(c).not.toBeNull();
    const queued = b.acquire();
    expect(b.queued).toBe(1);
    expect(await b.acquire()).toBeNull();
    a!.release();
    clock.advance(WAIT_POLL_MS);
    expect(await queued).not.toBeNull();
    expect(b.inflight).toBe(2);
  });

  it('a waiter gives up after maxWaitMs, and its slot in the queue is freed', async () => {
    const { b, clock } = rig(1, 1, 50);
    const held = (await b.acquire())!;
    let result: Permit | null | 'pending' = 'pending';
    void b.acquire().then((p) => (result = p));
    clock.advance(49);
    await flush();
    expect(result).toBe('pending');
    clock.advance(1);
    await flush();
    expect(result).toBeNull();
    expect(b.queued).toBe(0);
    held.release();
    expect(b.inflight).toBe(0);
  });

  it('serves waiters first-come first-served, and a newcomer does not overtake them', async () => {
    const { b, clock } = rig(1, 3);
    const held = (await b.acquire())!;
    const order: string[] = [];
    const w1 = b.acquire().then((p) => {
      order.push('w1');
      return p;
    });
    const w2 = b.acquire().then((p) => {
      order.push('w2');
      return p;
    });
    held.release();
    clock.advance(WAIT_POLL_MS);
    (await w1)!.release();
    clock.advance(WAIT_POLL_MS);
    (await w2)!.release();
    expect(order).toEqual(['w1', 'w2']);
  });

  it('reclaims a permit never released (its request was cancelled), counting it as a drop', async () => {
    const { b, clock, samples } = rig(1, 0, 0, 1000);
    expect(await b.acquire()).not.toBeNull();
    expect(await b.acquire()).toBeNull();
    clock.advance(1000);
    const p = await b.acquire();
    expect(p).not.toBeNull();
    expect(b.expired).toBe(1);
    expect(samples).toEqual([{ ms: 1000, dropped: true }]);
  });

  it('reports each permit once with its latency, even when released twice', async () => {
    const { b, clock, samples } = rig(2);
    const p = (await b.acquire())!;
    clock.advance(7);
    p.release();
    p.release();
    expect(samples).toEqual([{ ms: 7, dropped: false }]);
  });
});

describe('route families', () => {
  it.each([
    ['GET', '/api/health', false, null],
    ['GET', '/api/ready', false, null],
    ['GET', '/api/metrics', false, null],
    ['OPTIONS', '/api/courses', false, null],
    ['GET', '/api/courses/1', false, 'public-read'],
    ['GET', '/api/search', false, 'search'],
    ['GET', '/api/me/learning', true, 'member-read'],
    ['GET', '/api/courses/1', true, 'member-read'],
    ['POST', '/api/lessons/1/completion', true, 'write'],
    ['POST', '/api/auth/login', false, 'auth'],
    ['POST', '/api/me/live/ticket', true, 'live'],
    ['POST', '/api/games/123456/join', false, 'live'],
    ['POST', '/api/games/123456/join/x', false, 'write'],
    ['POST', '/api/games', true, 'write'],
  ] as const)('%s %s (credentials: %s) → %s', (method, path, creds, family) => {
    expect(familyOf(method, path, creds)).toBe(family);
  });

  it.each([
    ['/api/me/live', 'live'],
    ['/api/games/123456/play', 'live'],
    ['/api/games/abc/host', 'live'],
    // An Upgrade header does not move another route out of its own family.
    ['/api/search', 'search'],
    ['/api/courses/1', 'public-read'],
    ['/api/games/abc/host/x', 'public-read'],
  ] as const)('a WebSocket upgrade of %s → %s', (path, family) => {
    expect(familyOf('GET', path, false, true)).toBe(family);
  });
});

describe('admission middleware: WebSocket handshakes have their own family (fake clock)', () => {
  it('a burst of handshakes and tickets is admitted while the anonymous-read and write families are full', async () => {
    const clock = new FakeClock();
    const full: FamilyPolicy = { limiter: { initial: 1, min: 1, max: 1 }, maxQueue: 0, maxWaitMs: 0, staleable: false };
    const state = new Admission(clock, { 'public-read': full, write: full });
    // Someone holds the only permit of each: a request still classified there is shed.
    expect(await state.gates['public-read'].acquire()).toBeTruthy();
    expect(await state.gates.write.acquire()).toBeTruthy();
    const router = createRouter();
    router.get('/me/live', (c) => c.text(c.req.header('upgrade') ?? 'none'));
    router.post('/me/live/ticket', (c) => c.json({ ticket: 't' }));
    const app = createApp({ routers: [opsRoutes, router], admission: state });
    const upgrade = { headers: { Upgrade: 'websocket' } };
    const burst = await Promise.all([
      ...Array.from({ length: 50 }, () => app.request('/api/me/live?ticket=t', upgrade, env)),
      ...Array.from({ length: 50 }, () => app.request('/api/me/live/ticket', { method: 'POST' }, env)),
    ]);
    expect(burst.map((r) => r.status)).toEqual(Array(100).fill(200));
    expect(state.gates.live.bulkhead.inflight).toBe(0);
    // Without the upgrade header the same URL is an anonymous read, and that family is full.
    const plain = await app.request('/api/me/live?ticket=t', {}, env);
    expect(plain.status).toBe(503);
    expect(((await plain.json()) as { error: { details: { family: string } } }).error.details.family).toBe('public-read');
  });

  it('sheds handshakes past its own limit and queue, with 503 and Retry-After', async () => {
    const clock = new FakeClock();
    const tiny: FamilyPolicy = { limiter: { initial: 1, min: 1, max: 1 }, maxQueue: 0, maxWaitMs: 0, staleable: false };
    const state = new Admission(clock, { live: tiny });
    expect(await state.gates.live.acquire()).toBeTruthy();
    const router = createRouter();
    router.get('/me/live', (c) => c.text('ok'));
    const app = createApp({ routers: [opsRoutes, router], admission: state });
    const res = await app.request('/api/me/live', { headers: { Upgrade: 'websocket' } }, env);
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(((await res.json()) as { error: { code: string; details: { family: string } } }).error).toMatchObject({
      code: 'overloaded',
      details: { family: 'live' },
    });
  });
});

describe('StaleResponses', () => {
  const entry = (bytes: number, storedAt = 0) => ({
    status: 200,
    headers: [] as [string, string][],
    body: new ArrayBuffer(bytes),
    storedAt,
    version: 0,
  });

  it('is bounded by entries and bytes, least recently used out first', () => {
    const s = new StaleResponses(2, 100, 150, 5000);
    s.put('a', entry(60));
    s.put('b', entry(60));
    expect(s.get('a', 0, 1000)).toBeDefined();
    s.put('c', entry(60));
    expect(s.get('b', 0, 1000)).toBeUndefined();
    expect(s.get('a', 0, 1000)).toBeDefined();
    s.put('big', entry(101));
    expect(s.get('big', 0, 1000)).toBeUndefined();
  });

  it('wants a copy at most once per refresh period, and serves it only up to its max age', () => {
    const s = new StaleResponses(10, 100, 1000, 5000);
    expect(s.wants('a', 0, 0)).toBe(true);
    s.put('a', entry(1, 0));
    expect(s.wants('a', 4999, 0)).toBe(false);
    expect(s.wants('a', 5000, 0)).toBe(true);
    // A shorter refresh (the hot copies' lifetime), and a change since the copy: wanted again.
    expect(s.wants('a', 2000, 0, 2000)).toBe(true);
    expect(s.wants('a', 1, 1)).toBe(true);
    expect(s.get('a', 10_000, 10_000)).toBeDefined();
    expect(s.get('a', 10_001, 10_000)).toBeUndefined();
  });
});

describe('admission middleware: the shedding path (fake clock)', () => {
  const tiny: FamilyPolicy = { limiter: { initial: 2, min: 2, max: 2 }, maxQueue: 1, maxWaitMs: 50, staleable: true };

  function rig() {
    const clock = new FakeClock();
    const state = new Admission(clock, { 'public-read': tiny });
    let gate: Promise<void> = Promise.resolve();
    let open = () => {};
    let entered = 0;
    const router = createRouter();
    router.get('/probe/:n', async (c) => {
      entered++;
      await gate;
      return c.json({ n: c.req.param('n') }, 200, { 'Cache-Control': 'public, max-age=0, s-maxage=60' });
    });
    const app = createApp({ routers: [opsRoutes, router], admission: state });
    const get = (path: string) => app.request(path, {}, env);
    const hold = () => {
      gate = new Promise<void>((r) => (open = r));
    };
    return { clock, state, get, hold, release: () => open(), entered: () => entered };
  }

  const until = async (cond: () => boolean) => {
    for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 0));
    expect(cond()).toBe(true);
  };

  it('answers the excess at once with 503 overloaded and Retry-After, queues a few, and exempts health', async () => {
    const r = rig();
    r.hold();
    const a = r.get('/api/probe/1');
    const b = r.get('/api/probe/2');
    await until(() => r.entered() === 2);
    const queued = r.get('/api/probe/3');
    await until(() => r.state.gates['public-read'].bulkhead.queued === 1);

    const shed = await r.get('/api/probe/4');
    expect(shed.status).toBe(503);
    expect(shed.headers.get('retry-after')).toBe('1');
    const body = (await shed.json()) as { error: { code: string; requestId: string; details: { family: string } } };
    expect(body.error.code).toBe('overloaded');
    expect(body.error.details.family).toBe('public-read');
    expect(body.error.requestId).toBeTruthy();

    // Health is not behind the gate.
    expect((await r.get('/api/health')).status).toBe(200);

    // The queued one waited its 50 ms (of the fake clock) and was refused, not left hanging.
    r.clock.advance(50);
    expect((await queued).status).toBe(503);

    r.release();
    expect((await a).status).toBe(200);
    expect((await b).status).toBe(200);
    expect(r.state.gates['public-read'].bulkhead.inflight).toBe(0);
  });

  it('serves the last good answer of a public read instead of shedding it', async () => {
    const r = rig();
    const first = await r.get('/api/probe/7');
    expect(first.status).toBe(200);
    r.hold();
    const a = r.get('/api/probe/1');
    const b = r.get('/api/probe/2');
    await until(() => r.entered() === 3);
    // Past the hot copies' lifetime (HOT_ANSWERS_MS): only overload may serve it now.
    r.clock.advance(3000);
    // A waiter fills the queue, so the next ones are over capacity at once.
    const waiting = r.get('/api/probe/3');
    await until(() => r.state.gates['public-read'].bulkhead.queued === 1);

    const stale = await r.get('/api/probe/7');
    expect(stale.status).toBe(200);
    expect(stale.headers.get('x-served-stale')).toBe('overloaded');
    expect(stale.headers.get('age')).toBe('3');
    expect(await stale.json()).toEqual({ n: '7' });
    // Nothing stored for this one: shed.
    expect((await r.get('/api/probe/8')).status).toBe(503);

    r.release();
    await Promise.all([a, b]);
    // The waiter picks up the freed permit on its next poll.
    r.clock.advance(WAIT_POLL_MS);
    expect((await waiting).status).toBe(200);
  });
});

describe('hot answers: an anonymous public read reused for a moment (fake clock)', () => {
  // The lifetimes' spread pinned to its top: a copy lives (just under) HOT_ANSWERS_MS.
  function rig(random = () => 0.9999999) {
    const clock = new FakeClock();
    const state = new Admission(clock, {}, random);
    let entered = 0;
    const router = createRouter();
    router.get('/hot/:n', (c) => {
      entered++;
      return c.json({ n: c.req.param('n'), entered }, 200, {
        'Cache-Control': 'public, max-age=0, s-maxage=60',
        ETag: `"v${c.req.param('n')}"`,
        'RateLimit-Remaining': '41',
      });
    });
    router.get('/private/:n', (c) => {
      entered++;
      return c.json({ entered });
    });
    let gate: Promise<void> = Promise.resolve();
    let open = () => {};
    router.get('/slow', async (c) => {
      const mine = ++entered;
      await gate;
      return c.json({ entered: mine }, 200, { 'Cache-Control': 'public, max-age=0, s-maxage=60' });
    });
    const app = createApp({ routers: [opsRoutes, router], admission: state });
    const hotEnv = { ...env, HOT_ANSWERS_MS: '2000' };
    const get = (path: string, headers: Record<string, string> = {}) => app.request(path, { headers }, hotEnv);
    const hold = () => {
      gate = new Promise<void>((r) => (open = r));
    };
    return { clock, get, entered: () => entered, hold, release: () => open() };
  }

  it('past its lifetime, one request makes the successor while the others get the copy, for at most twice the lifetime', async () => {
    const r = rig();
    await r.get('/api/slow');
    r.clock.advance(2500);
    r.hold();
    const refresher = r.get('/api/slow');
    for (let i = 0; i < 100 && r.entered() < 2; i++) await new Promise((res) => setTimeout(res, 0));
    expect(r.entered()).toBe(2);
    // Meanwhile: the old copy, the route not run again.
    expect(await (await r.get('/api/slow')).json()).toEqual({ entered: 1 });
    expect(r.entered()).toBe(2);
    // Never older than twice the lifetime: then the route runs.
    r.clock.advance(1500);
    const late = r.get('/api/slow');
    for (let i = 0; i < 100 && r.entered() < 3; i++) await new Promise((res) => setTimeout(res, 0));
    expect(r.entered()).toBe(3);
    r.release();
    expect(await (await refresher).json()).toEqual({ entered: 2 });
    expect(await (await late).json()).toEqual({ entered: 3 });
    // The successor is the copy now.
    expect(await (await r.get('/api/slow')).json()).toMatchObject({ entered: expect.any(Number) });
    expect(r.entered()).toBe(3);
  });

  it('answers the same URL from the copy until it is HOT_ANSWERS_MS old, without running the route', async () => {
    const r = rig();
    const labels = { route: '/api/hot/:n', method: 'GET', status: '200' };
    const counted = registry.value('sabaq_http_requests_total', labels);
    const first = await r.get('/api/hot/1');
    expect(await first.json()).toEqual({ n: '1', entered: 1 });
    r.clock.advance(1999);
    const again = await r.get('/api/hot/1');
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ n: '1', entered: 1 });
    expect(r.entered()).toBe(1);
    // Every answer has its own request id; the first requester's rate-limit allowance is not replayed.
    expect(again.headers.get('x-request-id')).toBeTruthy();
    expect(again.headers.get('x-request-id')).not.toBe(first.headers.get('x-request-id'));
    expect(again.headers.get('ratelimit-remaining')).toBeNull();
    expect(again.headers.get('cache-control')).toBe('public, max-age=0, s-maxage=60');
    // Counted as an answered request of the route that made the copy (operations dashboards).
    expect(registry.value('sabaq_http_requests_total', labels)).toBe(counted + 2);
    // Another URL is another answer.
    expect(await (await r.get('/api/hot/2')).json()).toEqual({ n: '2', entered: 2 });
    r.clock.advance(1);
    expect(await (await r.get('/api/hot/1')).json()).toEqual({ n: '1', entered: 3 });
  });

  it('spreads the lifetimes of the copies over [½, 1) × HOT_ANSWERS_MS, so copies made together do not expire together', async () => {
    const draws = [0, 0.5];
    const r = rig(() => draws.shift() ?? 0);
    await r.get('/api/hot/1'); // lives 1,000 ms
    await r.get('/api/hot/2'); // lives 1,500 ms
    expect(r.entered()).toBe(2);
    r.clock.advance(999);
    await r.get('/api/hot/1');
    await r.get('/api/hot/2');
    expect(r.entered()).toBe(2);
    r.clock.advance(1);
    expect(await (await r.get('/api/hot/1')).json()).toEqual({ n: '1', entered: 3 });
    expect(await (await r.get('/api/hot/2')).json()).toEqual({ n: '2', entered: 2 });
    r.clock.advance(500);
    expect(await (await r.get('/api/hot/2')).json()).toEqual({ n: '2', entered: 4 });
  });

  it('shares one stored body between answers: the runtime copies an ArrayBuffer into each Response', async () => {
    const body = new TextEncoder().encode('{"a":1}').buffer as ArrayBuffer;
    const first = new Response(body);
    const second = new Response(body);
    new Uint8Array(body)[2] = 98;
    expect(await first.text()).toBe('{"a":1}');
    expect(await second.text()).toBe('{"a":1}');
    expect(body.byteLength).toBe(7);
  });

  it('answers 304 to a client holding the same ETag', async () => {
    const r = rig();
    await r.get('/api/hot/5');
    const res = await r.get('/api/hot/5', { 'If-None-Match': '"v5"' });
    expect(res.status).toBe(304);
    expect(res.headers.get('etag')).toBe('"v5"');
    expect(r.entered()).toBe(1);
  });

  it('never reuses an answer once something public changed in this isolate (a cache bump)', async () => {
    const r = rig();
    await r.get('/api/hot/3');
    publicDataChanged();
    expect(await (await r.get('/api/hot/3')).json()).toEqual({ n: '3', entered: 2 });
    expect(await (await r.get('/api/hot/3')).json()).toEqual({ n: '3', entered: 2 });
  });

  it('is never used for requests with credentials or an Origin, nor for non-public answers', async () => {
    const r = rig();
    await r.get('/api/hot/4');
    await r.get('/api/hot/4', { Authorization: 'Bearer x' });
    await r.get('/api/hot/4', { Origin: 'https://elsewhere.example' });
    expect(r.entered()).toBe(3);
    // No `public` Cache-Control: never kept.
    await r.get('/api/private/1');
    await r.get('/api/private/1');
    expect(r.entered()).toBe(5);
  });
});

describe('the refusal path', () => {
  const full: FamilyPolicy = { limiter: { initial: 1, min: 1, max: 1 }, maxQueue: 0, maxWaitMs: 0, staleable: true };
  async function saturated() {
    const state = new Admission(new FakeClock(), { 'public-read': full });
    const permit = await state.gates['public-read'].acquire();
    expect(permit).toBeTruthy();
    const router = createRouter();
    router.get('/probe', (c) => c.json({ ok: true }));
    return { state, app: createApp({ routers: [opsRoutes, router], admission: state }) };
  }

  it('costs a fraction of an admitted request (measured, printed)', async () => {
    const { app } = await saturated();
    const n = 2000;
    const time = async (path: string, status: number) => {
      const started = performance.now();
      for (let i = 0; i < n; i++) {
        const res = await app.request(path, {}, env);
        if (res.status !== status) throw new Error(`${path}: ${res.status}`);
        await res.arrayBuffer();
      }
      return (performance.now() - started) / n;
    };
    await time('/api/probe', 503);
    await time('/api/health', 200);
    const shed = await time('/api/probe', 503);
    const health = await time('/api/health', 200);
    console.log(`refusal path: ${shed.toFixed(3)} ms per shed request, ${health.toFixed(3)} ms per /api/health (in-process, ${n} each)`);
  });

  it("refuses before any other middleware runs (not even the configuration is read), in the project's error shape", async () => {
    const { app } = await saturated();
    // An environment loadConfig would reject with a 500: the refusal never gets that far.
    const res = await app.request('/api/probe', { headers: { 'x-request-id': 'req-42' } }, {});
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(res.headers.get('cache-control')).toBe('private, no-store');
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.headers.get('x-request-id')).toBe('req-42');
    expect(await res.json()).toEqual({
      error: {
        code: 'overloaded',
        message: 'The service is busy right now, try again in a moment',
        requestId: 'req-42',
        details: { family: 'public-read', retryAfterSec: 1 },
      },
    });
    // An unusable incoming id is replaced, never echoed into the JSON.
    const bad = await app.request('/api/probe', { headers: { 'x-request-id': 'a"b' } }, {});
    expect(((await bad.json()) as { error: { requestId: string } }).error.requestId).toMatch(/^[0-9a-f-]{36}$/);
    // The same app, admitted, does read it.
    expect((await app.request('/api/health', {}, {})).status).toBe(500);
  });
});
