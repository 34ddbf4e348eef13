/**
 * `npm run serve:prod`: the platform as production runs it — the built Worker bundle in
 * workerd (through Miniflare's API, no dev-server proxy) — against the local stack that
 * `npm start` uses (same data folder, same ports when free). What benchmarks run against.
 *
 *   npm run serve:prod                 # http://127.0.0.1:8788
 *   npm run serve:prod -- --hello      # plus a hello-world worker in the same setup
 *   PORT=9000 LOG_LEVEL=info npm run serve:prod
 *
 * `--ready-json` prints one `READY {…}` line (urls, database url, metrics token) for tools
 * that start it as a child process (scripts/bench.ts).
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildSite } from './local/site.ts';
import { seedDemo } from './local/seed-demo.ts';
import { startStack } from './local/stack.ts';
import { waitForReady } from './local/wait.ts';
import { startProdRunner } from './prod/runner.ts';
import { SEED_EMAIL_DOMAIN, seededPassword } from './seed/accounts.ts';

const { values: args } = parseArgs({
  options: {
    port: { type: 'string' },
    hello: { type: 'boolean', default: false },
    'ready-json': { type: 'boolean', default: false },
    'log-level': { type: 'string' },
    'rebuild-site': { type: 'boolean', default: false },
  },
});

const root = resolve(import.meta.dirname, '..');
const dataDir = resolve(process.env.DATA_DIR ?? join(root, '.data'));
const port = Number(args.port ?? process.env.SERVE_PROD_PORT ?? process.env.PORT ?? 8788);
const logLevel = (args['log-level'] ?? process.env.LOG_LEVEL ?? 'warn') as 'debug' | 'info' | 'warn' | 'error';
const started = Date.now();
const say = (line: string) => console.log(`[serve:prod] ${line}`);

/** The embedded cluster is single-owner: a running `npm start` holds it. */
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

mkdirSync(dataDir, { recursive: true });
if (!process.env.DATABASE_URL) {
  const busy = embeddedPostgresBusy(dataDir);
  if (busy) {
    say(`the embedded Postgres in ${dataDir} is already running (pid ${busy}), probably under \`npm start\`.`);
    say('Stop it first, or use another data folder (DATA_DIR=.data/prod-stack) or DATABASE_URL.');
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
  preferredPorts: { postgres: 54329, neon: 54330, upstash: 54331, redis: 54332 },
  log: (l) => process.env.VERBOSE && say(l),
});
say(`postgres: ${stack.postgres.kind} · redis: ${stack.redis.kind}`);

let runner: Awaited<ReturnType<typeof startProdRunner>> | undefined;
let stopping = false;
async function shutdown(code = 0) {
  if (stopping) return;
  stopping = true;
  say('stopping…');
  await runner?.stop().catch(() => {});
  await stack.stop();
  process.exit(code);
}
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

try {
  const accounts = await seedDemo({ databaseUrl: stack.postgres.url, dataDir, pepper: stack.secrets.PASSWORD_PEPPER });
  if (args['rebuild-site'] || !existsSync(join(root, 'site', 'dist', 'index.html'))) await buildSite({ root, log: say });

  runner = await startProdRunner({
    root,
    workerVars: stack.workerVars,
    port,
    persistDir: join(dataDir, 'prod', 'state'),
    logLevel,
    hello: args.hello,
    log: say,
  });
  await waitForReady(`${runner.url}/api/ready`, 60_000);

  say(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s (bundle ${(runner.bundleBytes / 1024 / 1024).toFixed(1)} MB, LOG_LEVEL=${logLevel})`);
  say(`url:     ${runner.url}/`);
  say(`api:     ${runner.url}/api/health · ${runner.url}/api/metrics (Authorization: Bearer <METRICS_TOKEN from ${join(dataDir, 'secrets.json')}>)`);
  if (runner.helloUrl) say(`hello:   ${runner.helloUrl}/ (hello-world worker, same runtime)`);
  for (const a of accounts) say(`${a.role.padEnd(8)} ${a.email}  password: ${a.password}`);
  say(`seeded accounts (npm run seed:scale): <role>.<n>@${SEED_EMAIL_DOMAIN}  password: ${seededPassword()}`);
  if (args['ready-json']) {
    // Started by a tool: go away with it (its stdin pipe closes when it exits, however it exits).
    process.stdin.on('close', () => void shutdown(0));
    process.stdin.resume();
    console.log(
      `READY ${JSON.stringify({
        url: runner.url,
        helloUrl: runner.helloUrl,
        databaseUrl: stack.postgres.url,
        metricsToken: stack.secrets.METRICS_TOKEN,
        upstash: stack.upstash,
        bundleBytes: runner.bundleBytes,
        logLevel,
      })}`,
    );
  }
} catch (err) {
  console.error(err);
  await shutdown(1);
}
