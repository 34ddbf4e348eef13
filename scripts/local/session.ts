/**
 * What `npm start` and `npm run serve:prod` share: the data folder, the local stack on the
 * fixed ports, the demo accounts, and one shutdown path (Ctrl-C stops every process started,
 * the stack last). Each command then runs the Worker its own way (wrangler dev or workerd).
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { seedDemo, type DemoAccount } from './seed-demo.ts';
import { startStack, type LocalStack } from './stack.ts';

export const ROOT = resolve(import.meta.dirname, '..', '..');

export interface LocalSession {
  dataDir: string;
  stack: LocalStack;
  accounts: DemoAccount[];
  /** Runs on shutdown, before the stack stops (latest first). */
  onStop(fn: () => unknown): void;
  shutdown(code?: number): Promise<never>;
  printAccounts(): void;
}

/** The embedded cluster is single-owner: the pid of the server holding `dir`, if one runs. */
function embeddedPostgresBusy(dir: string): number | undefined {
  const pidFile = join(dir, 'pg', 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  try {
    if (pid > 0) process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

export async function openLocalSession(say: (line: string) => void): Promise<LocalSession> {
  const dataDir = resolve(process.env.DATA_DIR ?? join(ROOT, '.data'));
  mkdirSync(dataDir, { recursive: true });
  if (!process.env.DATABASE_URL) {
    const busy = embeddedPostgresBusy(dataDir);
    if (busy) {
      say(`the embedded Postgres in ${dataDir} is already running (pid ${busy}): is \`npm start\` or \`npm run serve:prod\` running?`);
      say('Stop it first, or use another data folder (DATA_DIR=.data/other) or DATABASE_URL.');
      process.exit(1);
    }
  }
  say(`data folder: ${dataDir}`);

  const stack = await startStack({
    dataDir,
    persistent: true,
    databaseUrl: process.env.DATABASE_URL,
    redisUrl: process.env.REDIS_URL,
    keepSecrets: true,
    // LOCAL_PORTS=ephemeral: free ports for every endpoint, so two checkouts can run at once.
    preferredPorts: process.env.LOCAL_PORTS === 'ephemeral' ? {} : { postgres: 54329, neon: 54330, upstash: 54331, redis: 54332 },
    log: (l) => process.env.VERBOSE && say(l),
  });
  say(
    `postgres: ${stack.postgres.kind} · redis: ${stack.redis.kind}${stack.redis.kind === 'in-process' ? ' (WARNING: in-process engine, data is not kept)' : ''}`,
  );

  const stops: (() => unknown)[] = [];
  let stopped: Promise<never> | undefined;
  // Once: a child exiting because of Ctrl-C calls it again, and must wait for the same stop.
  const shutdown = (code = 0): Promise<never> =>
    (stopped ??= (async () => {
      say('stopping…');
      for (const stop of stops.reverse())
        await Promise.resolve()
          .then(stop)
          .catch(() => {});
      await stack.stop();
      process.exit(code);
    })());
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));

  let accounts: DemoAccount[];
  try {
    accounts = await seedDemo({ databaseUrl: stack.postgres.url, dataDir, pepper: stack.secrets.PASSWORD_PEPPER });
  } catch (err) {
    console.error(err);
    return shutdown(1);
  }
  return {
    dataDir,
    stack,
    accounts,
    onStop: (fn) => void stops.push(fn),
    shutdown,
    printAccounts: () => {
      for (const a of accounts) say(`${a.role.padEnd(8)} ${a.email}  password: ${a.password}`);
    },
  };
}
