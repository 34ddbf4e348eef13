import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ratelimit } from '@upstash/ratelimit';
import { Redis as UpstashRedis } from '@upstash/redis';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { CHARGED_READ_SCRIPT, READ_SCRIPT } from '../../workers/lib/cache.ts';
import { startInProcessRedis, startRedis, type RedisHandle } from './redis.ts';
import { startUpstashEndpoint, type UpstashEndpoint } from './upstash-endpoint.ts';

const TOKEN = 'local-test-token';

interface Stack {
  redis: RedisHandle;
  endpoint: UpstashEndpoint;
  /** Official client as the Worker configures it: auto-pipelining (→ /pipeline), base64 replies. */
  client: UpstashRedis;
  /** One request per command (→ POST /), so command errors come back as HTTP 400. */
  direct: UpstashRedis;
}

function clients(url: string, token = TOKEN) {
  const common = { url, token, retry: false as const, enableTelemetry: false };
  return {
    client: new UpstashRedis(common),
    direct: new UpstashRedis({ ...common, enableAutoPipelining: false }),
  };
}

/** Raw protocol request, for what the client does not expose. */
async function raw(url: string, path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url + path, {
    method: 'POST',
    headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as unknown };
}

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
let seq = 0;
const unique = (name: string) => `${name}:${process.pid}:${++seq}`;

function limiter(redis: UpstashRedis, kind: 'fixed' | 'sliding', tokens: number) {
  return new Ratelimit({
    redis,
    limiter: kind === 'fixed' ? Ratelimit.fixedWindow(tokens, '60 s') : Ratelimit.slidingWindow(tokens, '60 s'),
    prefix: unique(`rl-${kind}`),
    analytics: false,
    // Every call must reach Redis; the in-memory cache would answer blocked ids by itself.
    ephemeralCache: false,
  });
}

async function expectLimitedAfter(rl: Ratelimit, tokens: number) {
  const id = unique('user');
  const remaining: number[] = [];
  for (let i = 0; i < tokens; i++) {
    const r = await rl.limit(id);
    expect(r.success).toBe(true);
    remaining.push(r.remaining);
  }
  expect(remaining).toEqual(Array.from({ length: tokens }, (_, i) => tokens - 1 - i));
  const blocked = await rl.limit(id);
  expect(blocked.success).toBe(false);
  expect(blocked.remaining).toBe(0);
  // Another identifier has its own budget.
  expect((await rl.limit(unique('other'))).success).toBe(true);
}

async function elapsed<T>(fn: () => Promise<T>): Promise<{ ms: number; result: PromiseSettledResult<T> }> {
  const start = performance.now();
  const [result] = await Promise.allSettled([fn()]);
  return { ms: performance.now() - start, result: result! };
}

describe('Upstash endpoint over a spawned redis-server', () => {
  let dataDir: string;
  let s: Stack;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'sabaq-redis-test-'));
    // No url: never the machine's Redis on 6379, always a server of our own on a free port.
    const redis = await startRedis({ dataDir, persistent: false });
    const endpoint = await startUpstashEndpoint({ redis, token: TOKEN });
    s = { redis, endpoint, ...clients(endpoint.url) };
  });

  afterAll(async () => {
    await s?.endpoint.close();
    await s?.redis.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  beforeEach(async () => {
    await s.redis.call(['FLUSHDB']);
  });

  test('a real redis-server was spawned on a port of its own', async () => {
    expect(s.redis.kind).toBe('spawned');
    expect(s.redis.url).toMatch(/^redis:\/\/127\.0\.0\.1:\d+$/);
    expect(s.redis.url).not.toBe('redis://127.0.0.1:6379');
    expect(String(await s.redis.call(['PING']))).toBe('PONG');
  });

  test('Unicode strings (Cyrillic, Arabic, emoji) round-trip unchanged', async () => {
    const values = { ru: 'Привет, мир! Ёлка', ar: 'سبق', mixed: 'урок 1 — 🚀 done', okLiteral: 'OK' };
    for (const [k, v] of Object.entries(values)) expect(await s.client.set(k, v)).toBe('OK');
    for (const [k, v] of Object.entries(values)) expect(await s.client.get<string>(k)).toBe(v);
    expect(await s.client.strlen('ru')).toBe(Buffer.byteLength(values.ru));
  });

  test('JSON values come back as the objects that were stored', async () => {
    const lesson = { id: 7, title: 'Алгебра', tags: ['math', 'школа'], published: true, score: 4.5, next: null };
    await s.client.set('lesson:7', lesson);
    expect(await s.client.get('lesson:7')).toEqual(lesson);
    await s.client.mset({ a: { n: 1 }, b: [1, 2] });
    expect(await s.client.mget('a', 'b', 'missing')).toEqual([{ n: 1 }, [1, 2], null]);
  });

  test('hashes keep fields and values, HGETALL returns an object', async () => {
    expect(await s.client.hset('user:1', { name: 'Айгерим', level: 3 })).toBe(2);
    expect(await s.client.hget('user:1', 'name')).toBe('Айгерим');
    expect(await s.client.hincrby('user:1', 'level', 2)).toBe(5);
    expect(await s.client.hgetall('user:1')).toEqual({ name: 'Айгерим', level: 5 });
    expect(await s.client.hgetall('user:none')).toBeNull();
  });

  test('sorted sets rank members and report scores', async () => {
    await s.client.zadd('board', { score: 10, member: 'alice' }, { score: 30, member: 'борис' }, { score: 20, member: 'carol' });
    expect(await s.client.zrange('board', 0, -1, { rev: true })).toEqual(['борис', 'carol', 'alice']);
    expect(await s.client.zrange('board', 0, 0, { withScores: true })).toEqual(['alice', 10]);
    expect(await s.client.zincrby('board', 2.5, 'alice')).toBe(12.5);
    expect(await s.client.zscore('board', 'alice')).toBe(12.5);
    expect(await s.client.zrank('board', 'борис')).toBe(2);
  });

  test('INCR counts up from 1 and INCRBY adds', async () => {
    expect(await s.client.incr('visits')).toBe(1);
    expect(await s.client.incr('visits')).toBe(2);
    expect(await s.client.incrby('visits', 40)).toBe(42);
    expect(await s.client.get('visits')).toBe(42);
  });

  test('keys expire: TTL reports the time left and the key disappears after it', async () => {
    await s.client.set('session', 'x', { ex: 100 });
    const ttl = await s.client.ttl('session');
    expect(ttl).toBeGreaterThan(95);
    expect(ttl).toBeLessThanOrEqual(100);
    expect(await s.client.ttl('no-such-key')).toBe(-2);
    await s.client.set('flash', 'y', { px: 150 });
    expect(await s.client.pttl('flash')).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 300));
    expect(await s.client.get('flash')).toBeNull();
  });

  test('a pipeline runs its commands in order and returns each result', async () => {
    const p = s.client.pipeline();
    p.set('p:a', 'один').incr('p:n').incr('p:n').get('p:a').get('p:missing').lpush('p:list', 'x', 'y').lrange('p:list', 0, -1);
    expect(await p.exec()).toEqual(['OK', 1, 2, 'один', null, 2, ['y', 'x']]);
  });

  test('a failing command in a pipeline reports its error in its own slot', async () => {
    await s.client.set('p:str', 'text');
    const results = await s.client.pipeline().incr('p:ok').lpush('p:str', 'x').get('p:str').exec({ keepErrors: true });
    expect(results[0]).toEqual({ error: undefined, result: 1 });
    expect(results[1]!.error).toMatch(/^WRONGTYPE/);
    expect(results[2]).toEqual({ error: undefined, result: 'text' });
    await expect(s.client.pipeline().lpush('p:str', 'x').exec()).rejects.toThrow(/Command 1 \[ lpush \] failed: WRONGTYPE/);
  });

  test('multi-exec transactions never interleave with each other', async () => {
    // Each transaction increments both counters; any interleaving would make a pair differ.
    const txs = Array.from({ length: 50 }, () => s.client.multi().incr('tx:a').incr('tx:b').exec());
    const results = await Promise.all(txs);
    for (const [a, b] of results) expect(a).toBe(b);
    expect(new Set(results.map(([a]) => a)).size).toBe(50);
    expect(await s.client.get('tx:a')).toBe(50);
  });

  test('a transaction with a command refused while queueing applies nothing', async () => {
    const { status, json } = await raw(s.endpoint.url, '/multi-exec', [['SET', 'tx:x', '1'], ['GET']]);
    expect(status).toBe(200);
    expect(json).toEqual([{ error: expect.stringMatching(/^EXECABORT/) }, { error: expect.stringMatching(/wrong number of arguments/) }]);
    expect(await s.client.exists('tx:x')).toBe(0);
  });

  test('a command error rejects with the Redis message (HTTP 400)', async () => {
    await s.direct.set('str', 'text');
    await expect(s.direct.lpush('str', 'x')).rejects.toThrow(/WRONGTYPE Operation against a key holding the wrong kind of value/);
    const unknown = await raw(s.endpoint.url, '/', ['NOSUCHCOMMAND', 'x']);
    expect(unknown.status).toBe(400);
    expect(unknown.json).toEqual({ error: expect.stringMatching(/^ERR unknown command/) });
  });

  test('with Upstash-Encoding: base64 every string is base64, nested too; numbers and null stay', async () => {
    const { status, json } = await raw(
      s.endpoint.url,
      '/pipeline',
      [
        ['SET', 'e:k', 'Привет'],
        ['GET', 'e:k'],
        ['INCR', 'e:n'],
        ['GET', 'e:none'],
        ['ZADD', 'e:z', '1.5', 'я'],
        ['ZRANGE', 'e:z', '0', '-1', 'WITHSCORES'],
        ['PING'],
      ],
      { 'Upstash-Encoding': 'base64' },
    );
    expect(status).toBe(200);
    expect(json).toEqual([
      { result: b64('OK') },
      { result: b64('Привет') },
      { result: 1 },
      { result: null },
      { result: 1 },
      { result: [b64('я'), b64('1.5')] },
      { result: b64('PONG') },
    ]);
  });

  test('without the encoding header replies are plain JSON strings', async () => {
    const { json } = await raw(s.endpoint.url, '/', ['ECHO', 'Ёж 🦔']);
    expect(json).toEqual({ result: 'Ёж 🦔' });
    const plain = new UpstashRedis({ url: s.endpoint.url, token: TOKEN, retry: false, responseEncoding: false, enableTelemetry: false });
    await plain.set('plain', 'Снег');
    expect(await plain.get('plain')).toBe('Снег');
  });

  test('the path form /set/<key>/<value> and /get/<key> works', async () => {
    const headers = { Authorization: `Bearer ${TOKEN}` };
    const set = await fetch(`${s.endpoint.url}/set/path:k/${encodeURIComponent('значение')}?EX=100`, { headers });
    expect(await set.json()).toEqual({ result: 'OK' });
    const get = await fetch(`${s.endpoint.url}/get/path:k`, { headers });
    expect(await get.json()).toEqual({ result: 'значение' });
    expect(await s.client.ttl('path:k')).toBeGreaterThan(90);
    const posted = await fetch(`${s.endpoint.url}/set/path:body`, { method: 'POST', headers, body: 'из тела' });
    expect(await posted.json()).toEqual({ result: 'OK' });
    expect(await s.client.get('path:body')).toBe('из тела');
  });

  test('a wrong or missing token is refused with 401 and the client surfaces it', async () => {
    const wrong = clients(s.endpoint.url, 'not-the-token');
    await expect(wrong.client.get('anything')).rejects.toThrow(/Unauthorized/);
    await expect(wrong.direct.set('anything', 1)).rejects.toThrow(/Unauthorized/);
    const res = await fetch(s.endpoint.url, { method: 'POST', body: JSON.stringify(['PING']) });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: expect.stringMatching(/Unauthorized/) });
  });

  test('ratelimit fixedWindow allows N requests with decreasing remaining, then blocks', async () => {
    await expectLimitedAfter(limiter(s.client, 'fixed', 3), 3);
  });

  test('ratelimit slidingWindow allows N requests with decreasing remaining, then blocks', async () => {
    await expectLimitedAfter(limiter(s.direct, 'sliding', 4), 4);
  });

  test('scripts with the Upstash-only shebang flag run, addressed by their original SHA', async () => {
    const script = '#!lua flags=allow-key-locking\nreturn {KEYS[1], ARGV[1], redis.call("INCR", KEYS[1])}';
    const sha = createHash('sha1').update(script).digest('hex');
    // Not loaded yet: NOSCRIPT, which is what makes the clients fall back to EVAL.
    await expect(s.direct.evalsha(sha, ['sc:k'], ['a'])).rejects.toThrow(/NOSCRIPT/);
    expect(await s.direct.eval(script, ['sc:k'], ['a'])).toEqual(['sc:k', 'a', 1]);
    expect(await s.direct.evalsha(sha, ['sc:k'], ['b'])).toEqual(['sc:k', 'b', 2]);
    expect(await s.direct.scriptLoad(script)).toBe(sha);
    expect(await s.direct.scriptExists(sha, 'f'.repeat(40))).toEqual([1, 0]);
    // A flush (or a restarted Redis) forgets scripts: NOSCRIPT again, and EVAL loads it back.
    await s.redis.call(['SCRIPT', 'FLUSH']);
    await expect(s.direct.evalsha(sha, ['sc:k'], ['c'])).rejects.toThrow(/NOSCRIPT/);
    // A genuine Lua error still reports its original line number.
    await expect(s.direct.eval('#!lua flags=allow-key-locking\nreturn 1\n+', [], [])).rejects.toThrow(/:3:/);
  });

  test('a blocking command gets its own connection and does not stall other requests', async () => {
    const blpop = raw(s.endpoint.url, '/', ['BLPOP', 'queue', '5']);
    await new Promise((r) => setTimeout(r, 50));
    const { ms } = await elapsed(() => s.client.get('anything'));
    expect(ms).toBeLessThan(500);
    await s.client.lpush('queue', 'job-1');
    expect(await blpop).toEqual({ status: 200, json: { result: ['queue', 'job-1'] } });
  });

  test('connection-state commands (SELECT, MULTI, SUBSCRIBE) are refused, not forwarded', async () => {
    for (const cmd of [['SELECT', '1'], ['MULTI'], ['WATCH', 'k'], ['SUBSCRIBE', 'news']]) {
      const { status, json } = await raw(s.endpoint.url, '/', cmd);
      expect(status).toBe(400);
      expect(json).toEqual({ error: expect.stringMatching(/not supported/) });
    }
    expect(await s.client.set('still-db0', 1)).toBe('OK');
    expect(await s.redis.call(['EXISTS', 'still-db0'])).toBe(1);
  });

  test('with the backend paused calls fail within 2 s (503) and work again after resume', async () => {
    await s.client.set('before-pause', 1);
    await s.redis.pause();
    try {
      const viaClient = await elapsed(() => s.client.get('before-pause'));
      expect(viaClient.result.status).toBe('rejected');
      expect(viaClient.ms).toBeLessThan(2_000);
      const viaDirect = await elapsed(() => s.direct.ping());
      expect(viaDirect.result.status).toBe('rejected');
      expect(viaDirect.ms).toBeLessThan(2_000);
      const res = await raw(s.endpoint.url, '/', ['PING']);
      expect(res.status).toBe(503);
      expect(res.json).toEqual({ error: expect.stringMatching(/unavailable/i) });
      const rl = await elapsed(() => limiter(s.client, 'fixed', 5).limit('u'));
      expect(rl.result.status).toBe('rejected');
      expect(rl.ms).toBeLessThan(2_000);
    } finally {
      await s.redis.resume();
    }
    expect(await s.client.ping()).toBe('PONG');
    expect(await s.client.incr('after-resume')).toBe(1);
    // Scripts were forgotten by the restarted server: the limiter recovers through EVAL.
    await expectLimitedAfter(limiter(s.client, 'sliding', 2), 2);
  });
});

describe('Upstash endpoint over the in-process engine', () => {
  let s: Stack;

  beforeAll(async () => {
    const redis = await startInProcessRedis();
    const endpoint = await startUpstashEndpoint({ redis, token: TOKEN });
    s = { redis, endpoint, ...clients(endpoint.url) };
  });

  afterAll(async () => {
    await s?.endpoint.close();
    await s?.redis.stop();
  });

  test('strings, JSON values, hashes and counters work', async () => {
    expect(s.redis.kind).toBe('in-process');
    await s.client.set('ru', 'Привет, мир');
    expect(await s.client.get('ru')).toBe('Привет, мир');
    await s.client.set('obj', { a: 1, b: 'два' });
    expect(await s.client.get('obj')).toEqual({ a: 1, b: 'два' });
    await s.client.hset('h', { name: 'Ольга', n: 1 });
    expect(await s.client.hgetall('h')).toEqual({ name: 'Ольга', n: 1 });
    expect(await s.client.incr('c')).toBe(1);
    expect(await s.client.incr('c')).toBe(2);
  });

  test('pipelines and transactions return every result in order', async () => {
    expect(await s.client.pipeline().set('p', 'x').get('p').incr('pn').exec()).toEqual(['OK', 'x', 1]);
    const results = await Promise.all(Array.from({ length: 20 }, () => s.client.multi().incr('ta').incr('tb').exec()));
    for (const [a, b] of results) expect(a).toBe(b);
  });

  test("the cache's read scripts run here too: missing generations read as 0, a missing bucket is full", async () => {
    const now = String(Date.now());
    // Generation counters never bumped, no entry yet: this caller gets the fill lock.
    expect(await s.direct.eval(READ_SCRIPT, ['gen:x', 'gen:y'], ['k', now, '3000'])).toEqual(['c2:k@0.0', '', 1]);
    // A bucket of 2 tokens: two reads charged, the third refused before reading anything.
    const charged = (n: number) => s.direct.eval(CHARGED_READ_SCRIPT, ['rl:t:ip:1', 'gen:x'], [`k${n}`, now, '3000', '2', '10000', '1']);
    expect(await charged(1)).toEqual(['c2:k1@0', '', 1, 1, Number(now) + 10_000, 2]);
    expect(await charged(2)).toEqual(['c2:k2@0', '', 1, 0, Number(now) + 10_000, 2]);
    expect(await charged(3)).toEqual(['', '', 0, -1, Number(now) + 10_000, 2]);
  });

  test('unknown commands and non-integer INCR are Redis errors', async () => {
    await s.direct.set('word', 'abc');
    await expect(s.direct.incr('word')).rejects.toThrow(/not an integer/);
    const { status, json } = await raw(s.endpoint.url, '/', ['NOSUCHCOMMAND']);
    expect(status).toBe(400);
    expect(json).toEqual({ error: expect.stringMatching(/^ERR unknown command/) });
  });

  test('ratelimit fixedWindow and slidingWindow block after N requests', async () => {
    await expectLimitedAfter(limiter(s.client, 'fixed', 3), 3);
    await expectLimitedAfter(limiter(s.client, 'sliding', 3), 3);
  });

  test('paused engine fails calls fast with 503 and works after resume', async () => {
    await s.redis.pause();
    const { ms, result } = await elapsed(() => s.client.get('ru'));
    expect(result.status).toBe('rejected');
    expect(ms).toBeLessThan(2_000);
    expect((await raw(s.endpoint.url, '/', ['PING'])).status).toBe(503);
    await s.redis.resume();
    expect(await s.client.get('ru')).toBe('Привет, мир');
  });
});
