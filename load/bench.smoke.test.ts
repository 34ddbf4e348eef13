/**
 * The bench's smoke run against the real runner: the production bundle in workerd through
 * Miniflare, on the test stack (a scratch database seeded at a thousandth of the scale), every
 * scenario at a tiny rate for a few seconds. It proves the machinery end to end: logins, the
 * open-model runs, the metrics endpoint agreeing with the load generator's counts, the report.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { migrateDatabase } from '../scripts/local/migrate.ts';
import { startProdRunner, startHelloWorker, type ProdRunner } from '../scripts/prod/runner.ts';
import { seedScale } from '../scripts/seed/index.ts';
import { runBench, type BenchReport } from './bench.ts';
import { writeReport } from './report.ts';

const root = resolve(import.meta.dirname, '..');
const scratch = `sabaq_bench_smoke_${process.pid}`;

async function adminQuery(databaseUrl: string, sql: string) {
  const url = new URL(databaseUrl);
  url.pathname = '/postgres';
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

describe('bench:smoke against the production-like runner', () => {
  const vars = inject('workerVars');
  const baseDbUrl = inject('databaseUrl');
  const dbUrl = (() => {
    const u = new URL(baseDbUrl);
    u.pathname = `/${scratch}`;
    return u.toString();
  })();
  const stateDir = mkdtempSync(join(tmpdir(), 'sabaq-bench-smoke-'));
  let runner: ProdRunner | undefined;
  let hello: { url: string; directUrl: string; stop(): Promise<void> } | undefined;
  let report: BenchReport;

  beforeAll(async () => {
    // A database of its own, so seeded rows never meet the other tests' data.
    await adminQuery(baseDbUrl, `drop database if exists "${scratch}" with (force)`);
    await adminQuery(baseDbUrl, `create database "${scratch}"`);
    await migrateDatabase(dbUrl);
    await seedScale({ databaseUrl: dbUrl, pepper: vars.PASSWORD_PEPPER!, scale: 0.001 });
    runner = await startProdRunner({
      root,
      workerVars: { ...vars, DATABASE_URL: dbUrl },
      port: 0,
      persistDir: join(stateDir, 'state'),
      requireAssets: false,
    });
    hello = await startHelloWorker({ root });
    report = await runBench({
      smoke: true,
      target: {
        // The direct sockets, as `npm run bench` measures them (scripts/prod/runner.ts).
        url: runner.directUrl,
        helloUrl: hello.directUrl,
        databaseUrl: dbUrl,
        metricsToken: vars.METRICS_TOKEN!,
        upstash: { url: vars.UPSTASH_REDIS_REST_URL!, token: vars.UPSTASH_REDIS_REST_TOKEN! },
      },
      durationMs: 2000,
    });
  }, 240_000);

  afterAll(async () => {
    await hello?.stop().catch(() => {});
    await runner?.stop().catch(() => {});
    await adminQuery(baseDbUrl, `drop database if exists "${scratch}" with (force)`).catch(() => {});
    rmSync(stateDir, { recursive: true, force: true });
  }, 60_000);

  it('measures the runtime ceiling and /api/health through the runner', () => {
    expect(report.ceilings.hello?.rate, JSON.stringify(report.ceilings.hello)).toBeGreaterThan(50);
    expect(report.ceilings.hello?.errors).toBe(0);
    expect(report.ceilings.health?.rate).toBeGreaterThan(10);
    expect(report.ceilings.healthOpen?.errors).toBe(0);
  });

  it('runs every budget scenario that can run, and the machinery holds (no 5xx, counts agree)', () => {
    const names = report.scenarios.map((s) => s.scenario);
    expect(names).toEqual(expect.arrayContaining(['visitor', 'learner', 'search-cold', 'enrollment', 'live-game', 'report-jobs']));
    const ran = report.scenarios.filter((s) => s.result);
    expect(ran.map((s) => s.scenario)).toEqual(expect.arrayContaining(['visitor', 'search-cold']));
    for (const s of ran) {
      expect(s.verdict, `${s.scenario}: ${s.reasons.join('; ')} ${JSON.stringify(s.result!.server?.otherRoutes)}`).toBe('PASS');
      expect(s.result!.sent, s.scenario).toBeGreaterThan(0);
      expect(s.result!.server?.agree, `${s.scenario}: server ${s.result!.server?.counted} vs ${s.result!.server?.received}`).toBe(true);
      // The per-second timeline of a request-mode run accounts for every request sent in the window.
      if (s.result!.mode === 'requests')
        expect(
          s.result!.seconds!.reduce((n, x) => n + x.offered, 0),
          s.scenario,
        ).toBe(s.result!.sent);
    }
    // A scenario that cannot run says why instead of pretending.
    for (const s of report.scenarios.filter((x) => !x.result)) expect(s.reasons.length, s.scenario).toBeGreaterThan(0);
  });

  it('writes the Markdown and JSON reports', () => {
    const dir = join(stateDir, 'reports');
    const files = writeReport(report, dir);
    const md = readFileSync(files.md, 'utf8');
    expect(md).toContain('## Budgets');
    expect(md).toContain('hello-world worker');
    expect(md).toContain('Per second (by intended start)');
    expect(JSON.parse(readFileSync(files.json, 'utf8')).kind).toBe('smoke');
  });
});
