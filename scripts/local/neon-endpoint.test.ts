/**
 * The local Neon endpoint, exercised through the official clients exactly as the Worker uses
 * them: `neon()` over HTTP, `Pool` over the WebSocket proxy, and drizzle on top of both.
 */
import { NeonDbError, Pool, neon, neonConfig } from '@neondatabase/serverless';
import { count, eq } from 'drizzle-orm';
import { TransactionRollbackError } from 'drizzle-orm/errors';
import { drizzle as drizzleHttp } from 'drizzle-orm/neon-http';
import { drizzle as drizzleWs } from 'drizzle-orm/neon-serverless';
import { integer, pgTable, serial, text } from 'drizzle-orm/pg-core';
import pg from 'pg';
import ws from 'ws';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { isLoopbackHost, parseAddress, startNeonEndpoint, type NeonEndpoint } from './neon-endpoint.ts';

const url = inject('databaseUrl');
// Unique per run so other test files sharing the database never collide with ours.
const prefix = `neon_ep_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
const itemsName = `${prefix}_items`;
const uniqName = `${prefix}_uniq`;

const items = pgTable(itemsName, {
  id: serial('id').primaryKey(),
  name: text('name').notNull(),
  qty: integer('qty').notNull().default(0),
});

let endpoint: NeonEndpoint;
let admin: pg.Client;

/** What a wsProxy target URL looks like on the wire for the given address (null: none at all). */
function proxyUrl(address: string | null): string {
  return address === null ? `ws://${endpoint.wsProxy}` : `ws://${endpoint.wsProxy}?address=${address}`;
}

/** Opens a raw WebSocket to the proxy and reports how the handshake ended. */
function handshake(address: string | null): Promise<{ status: number } | 'open'> {
  return new Promise((resolve, reject) => {
    const sock = new ws(proxyUrl(address));
    sock.on('open', () => {
      sock.close();
      resolve('open');
    });
    sock.on('unexpected-response', (_req, res) => {
      resolve({ status: res.statusCode ?? 0 });
      res.resume();
      sock.terminate();
    });
    sock.on('error', (err) => {
      if (!/Unexpected server response|closed before/.test(err.message)) reject(err);
    });
  });
}

beforeAll(async () => {
  endpoint = await startNeonEndpoint({});
  // The same settings a Worker needs (plus the ws constructor, which Node's tests supply).
  neonConfig.fetchEndpoint = endpoint.httpEndpoint;
  neonConfig.wsProxy = (host, port) => `${endpoint.wsProxy}?address=${host}:${port}`;
  neonConfig.useSecureWebSocket = false;
  neonConfig.pipelineTLS = false;
  neonConfig.pipelineConnect = false;
  neonConfig.webSocketConstructor = ws;

  admin = new pg.Client(url);
  await admin.connect();
  await admin.query(`create table "${itemsName}" (id serial primary key, name text not null, qty integer not null default 0)`);
  await admin.query(`create table "${uniqName}" (k text primary key, v int)`);
});

afterAll(async () => {
  await admin?.query(`drop table if exists "${itemsName}", "${uniqName}"`);
  await admin?.end();
  await endpoint?.close();
});

describe('HTTP mode: neon()', () => {
  test('runs a parameterised query', async () => {
    const sql = neon(url);
    const rows = await sql`select ${2}::int + ${40}::int as sum, ${'héllo'} as s`;
    expect(rows).toEqual([{ sum: 42, s: 'héllo' }]);
  });

  test('types come back as the driver normally parses them (same as node-postgres)', async () => {
    const query = `select
      9007199254740993::int8 as big,
      1.50::numeric as num,
      '2024-05-06T07:08:09.123Z'::timestamptz as ts,
      '{"a":[1,2],"s":"x"}'::json as j,
      '{"b":true}'::jsonb as jb,
      array['a', 'b,c', null, 'd"e']::text[] as ta,
      array[1, 2, 3]::int[] as ia,
      null::text as n,
      true as b,
      'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid as u,
      '\\xdeadbeef'::bytea as by`;
    const sql = neon(url);
    const [row] = await sql.query(query);
    expect(row).toEqual({
      big: '9007199254740993',
      num: '1.50',
      ts: new Date('2024-05-06T07:08:09.123Z'),
      j: { a: [1, 2], s: 'x' },
      jb: { b: true },
      ta: ['a', 'b,c', null, 'd"e'],
      ia: [1, 2, 3],
      n: null,
      b: true,
      u: 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
      by: Buffer.from([0xde, 0xad, 0xbe, 0xef]),
    });
    const direct = await admin.query(query);
    expect(row).toEqual(direct.rows[0]);
  });

  test('JS values as parameters round-trip', async () => {
    const sql = neon(url);
    const when = new Date('2025-01-02T03:04:05.678Z');
    const [row] = await sql`select ${when}::timestamptz as d, ${[1, 2]}::int[] as a, ${{ k: 'v' }}::jsonb as o,
      ${Buffer.from([1, 2, 255])}::bytea as buf, ${null}::text as n, ${true}::bool as t`;
    expect(row).toEqual({ d: when, a: [1, 2], o: { k: 'v' }, buf: Buffer.from([1, 2, 255]), n: null, t: true });
  });

  test('fullResults and arrayMode', async () => {
    const full = neon(url, { fullResults: true, arrayMode: true });
    const res = await full`select 1::int as one, 'a' as letter`;
    expect(res.rows).toEqual([[1, 'a']]);
    expect(res.fields.map((f) => f.name)).toEqual(['one', 'letter']);
    expect(res.fields[0]?.dataTypeID).toBe(23);
    expect(res.command).toBe('SELECT');
    expect(res.rowCount).toBe(1);
    expect(res.rowAsArray).toBe(true);

    const sql = neon(url);
    const ins = await sql.query(`insert into "${itemsName}" (name) values ($1), ($2)`, ['full-a', 'full-b'], {
      fullResults: true,
    });
    expect(ins.command).toBe('INSERT');
    expect(ins.rowCount).toBe(2);
    expect(ins.rows).toEqual([]);
    const arr = await sql.query('select $1::text as x', ['y'], { arrayMode: true });
    expect(arr).toEqual([['y']]);
  });

  test('a transaction batch is atomic: a failing statement rolls back the others', async () => {
    const sql = neon(url);
    const err = await sql
      .transaction([
        sql`insert into ${sql.unsafe(`"${uniqName}"`)} (k, v) values ('t1', 1)`,
        sql`insert into ${sql.unsafe(`"${uniqName}"`)} (k, v) values ('t2', 2)`,
        sql`insert into ${sql.unsafe(`"${uniqName}"`)} (k, v) values ('t1', 3)`,
        // Sent with the others (the batch is pipelined): refused as part of the aborted block.
        sql`insert into ${sql.unsafe(`"${uniqName}"`)} (k, v) values ('t3', 4)`,
      ])
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NeonDbError);
    // The failing statement's error, not the "transaction is aborted" (25P02) of the one after it.
    expect((err as NeonDbError).code).toBe('23505');
    const left = await sql.query(`select count(*)::int as n from "${uniqName}" where k in ('t1', 't2', 't3')`);
    expect(left).toEqual([{ n: 0 }]);

    const results = await sql.transaction((tx) => [
      tx`insert into ${tx.unsafe(`"${uniqName}"`)} (k, v) values ('ok1', 1), ('ok2', 2)`,
      tx`select k, v from ${tx.unsafe(`"${uniqName}"`)} where k like 'ok%' order by k`,
    ]);
    expect(results[1]).toEqual([
      { k: 'ok1', v: 1 },
      { k: 'ok2', v: 2 },
    ]);
  });

  test('batch isolation level / read-only / deferrable reach Postgres', async () => {
    const sql = neon(url);
    const [iso, ro, def] = await sql.transaction(
      [sql`show transaction_isolation`, sql`show transaction_read_only`, sql`show transaction_deferrable`],
      { isolationLevel: 'Serializable', readOnly: true, deferrable: true },
    );
    expect(iso).toEqual([{ transaction_isolation: 'serializable' }]);
    expect(ro).toEqual([{ transaction_read_only: 'on' }]);
    expect(def).toEqual([{ transaction_deferrable: 'on' }]);
    const plain = await sql.transaction([sql`show transaction_read_only`], { arrayMode: true });
    expect(plain).toEqual([[['off']]]);
  });

  test('SQL errors come back as NeonDbError with SQLSTATE and details', async () => {
    const sql = neon(url);
    await sql.query(`insert into "${uniqName}" (k, v) values ('dup', 1)`);
    const err = await sql.query(`insert into "${uniqName}" (k, v) values ('dup', 2)`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NeonDbError);
    const e = err as NeonDbError;
    expect(e.code).toBe('23505');
    expect(e.severity).toBe('ERROR');
    expect(e.constraint).toBe(`${uniqName}_pkey`);
    expect(e.table).toBe(uniqName);
    expect(e.detail).toContain('(k)=(dup)');

    const syntax = (await sql.query('selec 1').catch((x: unknown) => x)) as NeonDbError;
    expect(syntax.code).toBe('42601');
    expect(syntax.position).toBeTypeOf('string');
  });

  test('like Neon, every statement uses the extended protocol: no multi-statement strings', async () => {
    const sql = neon(url);
    const err = (await sql.query('select 1; select 2').catch((x: unknown) => x)) as NeonDbError;
    expect(err).toBeInstanceOf(NeonDbError);
    expect(err.code).toBe('42601');
  });

  test('connections are pooled per connection string and reused', async () => {
    const sql = neon(url);
    const pids = await Promise.all(Array.from({ length: 40 }, () => sql`select pg_backend_pid() as pid`.then((r) => r[0]?.pid as number)));
    const distinct = new Set(pids);
    expect(distinct.size).toBeGreaterThan(0);
    expect(distinct.size).toBeLessThanOrEqual(10);
  });

  test('a lone BEGIN over HTTP never leaks an open transaction into the next request', async () => {
    // One connection only, so a leaked transaction would be what the next request gets.
    const solo = await startNeonEndpoint({ poolSize: 1 });
    try {
      const post = (query: string) =>
        fetch(solo.httpEndpoint, {
          method: 'POST',
          headers: { 'Neon-Connection-String': url, 'Neon-Raw-Text-Output': 'true', 'Neon-Array-Mode': 'true' },
          body: JSON.stringify({ query, params: [] }),
        }).then((r) => r.json() as Promise<{ rows: string[][] }>);
      await post('begin');
      const first = await post('select now()::text');
      await post('select pg_sleep(0.02)');
      const second = await post('select now()::text');
      // Inside a transaction now() is frozen at BEGIN; in autocommit each statement gets its own.
      expect(first.rows[0]?.[0]).toBeTypeOf('string');
      expect(second.rows[0]?.[0]).not.toBe(first.rows[0]?.[0]);
    } finally {
      await solo.close();
    }
  });

  test('without Neon-Raw-Text-Output, values are converted to JSON as Neon does', async () => {
    const res = await fetch(endpoint.httpEndpoint, {
      method: 'POST',
      headers: { 'Neon-Connection-String': url },
      body: JSON.stringify({
        query:
          'select $1::int as i, true as b, \'{"a":1}\'::jsonb as j, array[1,null,3]::int[] as a, 5::int8 as big, ' +
          "'NaN'::float8 as nan, 2.5::float8 as f, array['x y', 'NULL']::text[] as t",
        params: [7],
      }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { rowAsArray: boolean; rows: unknown[]; command: string; rowCount: number };
    expect(body.rowAsArray).toBe(false);
    expect(body.command).toBe('SELECT');
    expect(body.rowCount).toBe(1);
    expect(body.rows).toEqual([{ i: 7, b: true, j: { a: 1 }, a: [1, null, 3], big: '5', nan: 'NaN', f: 2.5, t: ['x y', 'NULL'] }]);
  });

  test('connection failures: Postgres auth/database errors are 400 with SQLSTATE, an unreachable server is 500', async () => {
    const missing = new URL(url);
    missing.pathname = `/${prefix}_no_such_db`;
    const err = (await neon(missing.toString())`select 1`.catch((x: unknown) => x)) as NeonDbError;
    expect(err).toBeInstanceOf(NeonDbError);
    expect(err.code).toBe('3D000');

    // Port 1 on loopback: nothing listens there.
    const down = (await neon('postgres://u:p@127.0.0.1:1/db')`select 1`.catch((x: unknown) => x)) as NeonDbError;
    expect(down).toBeInstanceOf(NeonDbError);
    expect(down.message).toMatch(/HTTP status 500.*ECONNREFUSED/);
  });

  test('refuses connection strings for non-loopback databases', async () => {
    const sql = neon('postgres://u:p@0.0.0.0:5432/db');
    const err = (await sql`select 1`.catch((x: unknown) => x)) as NeonDbError;
    expect(err).toBeInstanceOf(NeonDbError);
    expect(err.message).toMatch(/loopback/);
  });
});

describe('HTTP mode: statements that outlive their caller', () => {
  /** Active backends running a statement that contains `marker` (not counting the one asking). */
  const running = async (marker: string) =>
    Number(
      (
        await admin.query(
          `select count(*)::int as n from pg_stat_activity where state = 'active' and pid <> pg_backend_pid() and query like '%' || $1 || '%'`,
          [marker],
        )
      ).rows[0].n,
    );
  async function until(check: () => Promise<boolean>, ms: number): Promise<number> {
    const started = Date.now();
    while (!(await check())) {
      if (Date.now() - started > ms) throw new Error(`not within ${ms} ms`);
      await new Promise((r) => setTimeout(r, 25));
    }
    return Date.now() - started;
  }

  test('a statement_timeout set for the batch (set_config …, true) cancels the slow statement in Postgres', async () => {
    const marker = `slow_${Math.random().toString(36).slice(2, 8)}`;
    const sql = neon(url);
    const started = Date.now();
    const err = (await sql
      .transaction([sql.query(`select set_config('statement_timeout', '200', true)`), sql.query(`select pg_sleep(5) as ${marker}`)])
      .catch((x: unknown) => x)) as NeonDbError;
    expect(err).toBeInstanceOf(NeonDbError);
    expect(err.code).toBe('57014');
    expect(Date.now() - started).toBeLessThan(2000);
    expect(await running(marker)).toBe(0);
    // SET LOCAL: the pooled connection does not keep the timeout for the next caller.
    const [row] = await sql.query(`select current_setting('statement_timeout') as t`);
    expect(row).toEqual({ t: '0' });
  });

  test('a caller that goes away (fetch aborted) gets its statement cancelled, not run to the end', async () => {
    const marker = `abandoned_${Math.random().toString(36).slice(2, 8)}`;
    const sql = neon(url, { fetchOptions: { signal: AbortSignal.timeout(300) } });
    const pending = sql.query(`select pg_sleep(10) as ${marker}`).catch((x: unknown) => x);
    await until(async () => (await running(marker)) === 1, 2000);
    expect(await pending).toBeInstanceOf(Error);
    // Cancelled within a second of the abort, not after the statement's 10 s.
    await until(async () => (await running(marker)) === 0, 1500);
  });

  test("with every pooled connection busy, the cancel is not queued behind them, and never hits the next caller's statement", async () => {
    const small = await startNeonEndpoint({ poolSize: 1 });
    const post = (query: string, signal?: AbortSignal) =>
      fetch(small.httpEndpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'neon-connection-string': url },
        body: JSON.stringify({ query, params: [] }),
        signal,
      });
    try {
      const marker = `crowded_${Math.random().toString(36).slice(2, 8)}`;
      const abandoned = post(`select pg_sleep(10) as ${marker}`, AbortSignal.timeout(300)).catch((x: unknown) => x);
      await until(async () => (await running(marker)) === 1, 2000);
      // Waits for the only connection, which the abandoned statement holds until it is cancelled.
      const next = post(`select pg_sleep(0.3), 'next' as who`);
      expect(await abandoned).toBeInstanceOf(Error);
      await until(async () => (await running(marker)) === 0, 1500);
      const res = await next;
      expect(res.status).toBe(200);
      expect(((await res.json()) as { rows: unknown[] }).rows).toEqual([{ pg_sleep: '', who: 'next' }]);
    } finally {
      await small.close();
    }
  });
});

describe('WebSocket mode: Pool through the wsproxy', () => {
  test('an interactive transaction that rolls back leaves nothing; one that commits persists', async () => {
    const pool = new Pool({ connectionString: url });
    pool.on('error', () => {});
    try {
      const client = await pool.connect();
      try {
        await client.query('begin');
        await client.query(`insert into "${itemsName}" (name, qty) values ($1, $2)`, ['ws-rolled-back', 1]);
        const inside = await client.query(`select count(*)::int as n from "${itemsName}" where name = $1`, ['ws-rolled-back']);
        expect(inside.rows).toEqual([{ n: 1 }]);
        await client.query('rollback');

        await client.query('begin');
        await client.query(`insert into "${itemsName}" (name, qty) values ($1, $2)`, ['ws-committed', 2]);
        await client.query('commit');
      } finally {
        client.release();
      }
      const sql = neon(url);
      const rows = await sql.query(`select name, qty from "${itemsName}" where name like 'ws-%' order by name`);
      expect(rows).toEqual([{ name: 'ws-committed', qty: 2 }]);
      // Types through the wire protocol, too.
      const { rows: typed } = await pool.query(`select 5::int8 as big, '{"a":1}'::jsonb as j, array[1,2]::int[] as a`);
      expect(typed).toEqual([{ big: '5', j: { a: 1 }, a: [1, 2] }]);
    } finally {
      await pool.end();
    }
  });

  test('SQL errors through the WebSocket carry the SQLSTATE', async () => {
    const pool = new Pool({ connectionString: url });
    try {
      await pool.query(`insert into "${uniqName}" (k, v) values ('wsdup', 1)`);
      const err = (await pool.query(`insert into "${uniqName}" (k, v) values ('wsdup', 1)`).catch((x: unknown) => x)) as {
        code?: string;
      };
      expect(err.code).toBe('23505');
    } finally {
      await pool.end();
    }
  });

  test('refuses non-loopback targets before connecting', async () => {
    for (const address of ['0.0.0.0:5432', '[::]:5432', 'db.example.invalid:5432']) {
      expect(await handshake(address)).toEqual({ status: 403 });
    }
    expect(await handshake('nonsense')).toEqual({ status: 400 });
    expect(await handshake(null)).toEqual({ status: 400 });
    // And through the driver: the connection attempt fails instead of reaching anything.
    const bad = new URL(url);
    bad.hostname = '0.0.0.0';
    const pool = new Pool({ connectionString: bad.toString(), connectionTimeoutMillis: 5000 });
    pool.on('error', () => {});
    await expect(pool.query('select 1')).rejects.toThrow();
    await pool.end().catch(() => {});
  });

  test('the string form of wsProxy works too (the driver then appends ?address=host:port)', async () => {
    const before = neonConfig.wsProxy;
    neonConfig.wsProxy = endpoint.wsProxy;
    const pool = new Pool({ connectionString: url });
    try {
      const { rows } = await pool.query('select $1::text as via', ['string-form']);
      expect(rows).toEqual([{ via: 'string-form' }]);
      expect(await handshake(`127.0.0.1:${new URL(url).port}`)).toBe('open');
    } finally {
      await pool.end();
      neonConfig.wsProxy = before;
    }
  });

  test('close() ends open tunnels', async () => {
    const solo = await startNeonEndpoint({});
    const before = neonConfig.wsProxy;
    neonConfig.wsProxy = solo.wsProxy;
    const pool = new Pool({ connectionString: url, max: 1 });
    pool.on('error', () => {});
    try {
      const client = await pool.connect();
      client.on('error', () => {});
      neonConfig.wsProxy = before;
      expect((await client.query('select 1 as one')).rows).toEqual([{ one: 1 }]);
      await solo.close();
      await expect(client.query('select 1')).rejects.toThrow();
      client.release(true);
    } finally {
      neonConfig.wsProxy = before;
      await pool.end().catch(() => {});
      await solo.close();
    }
  });

  test('loopback check', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', 'LOCALHOST', '::1', '[::1]', '::ffff:127.0.0.1']) {
      expect(isLoopbackHost(h), h).toBe(true);
    }
    for (const h of [
      '10.0.0.1',
      '192.168.1.1',
      '8.8.8.8',
      '0.0.0.0',
      '::',
      'example.com',
      'localhost.example.com',
      '127.0.0.1.nip.io',
      '',
    ]) {
      expect(isLoopbackHost(h), h).toBe(false);
    }
    expect(parseAddress('127.0.0.1:5432')).toEqual({ host: '127.0.0.1', port: 5432 });
    expect(parseAddress('[::1]:5433')).toEqual({ host: '::1', port: 5433 });
    expect(parseAddress('::1:5433')).toEqual({ host: '::1', port: 5433 });
    expect(parseAddress('localhost:99999')).toBeUndefined();
    expect(parseAddress('localhost')).toBeUndefined();
  });
});

describe('drizzle on top of both transports', () => {
  test('drizzle-orm/neon-http: insert, select, batch', async () => {
    const db = drizzleHttp({ client: neon(url) });
    const [inserted] = await db.insert(items).values({ name: 'dz-http', qty: 3 }).returning();
    expect(inserted).toMatchObject({ name: 'dz-http', qty: 3 });
    expect(inserted?.id).toBeTypeOf('number');

    const found = await db.select().from(items).where(eq(items.name, 'dz-http'));
    expect(found).toEqual([inserted]);

    const [batchInsert, counted] = await db.batch([
      db
        .insert(items)
        .values([{ name: 'dz-batch' }, { name: 'dz-batch' }])
        .returning({ id: items.id }),
      db.select({ n: count() }).from(items).where(eq(items.name, 'dz-batch')),
    ]);
    expect(batchInsert).toHaveLength(2);
    expect(counted).toEqual([{ n: 2 }]);
  });

  test('drizzle-orm/neon-serverless: db.transaction commits, and rolls back on tx.rollback()', async () => {
    const pool = new Pool({ connectionString: url });
    const db = drizzleWs({ client: pool });
    try {
      await db.transaction(async (tx) => {
        await tx.insert(items).values({ name: 'dz-ws-commit', qty: 1 });
      });
      const rollback = await db
        .transaction(async (tx) => {
          await tx.insert(items).values({ name: 'dz-ws-rollback', qty: 1 });
          tx.rollback();
        })
        .catch((e: unknown) => e);
      expect(rollback).toBeInstanceOf(TransactionRollbackError);
      const rows = await db
        .select({ name: items.name })
        .from(items)
        .where(eq(items.qty, 1))
        .then((r) => r.map((x) => x.name).filter((n) => n.startsWith('dz-ws')));
      expect(rows).toEqual(['dz-ws-commit']);
    } finally {
      await pool.end();
    }
  });
});
