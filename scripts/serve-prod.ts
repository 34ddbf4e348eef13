/**
 * `npm run serve:prod`: the platform as production runs it — the built Worker bundle in
 * workerd (through Miniflare's API, no dev-server proxy) — against the local stack that
 * `npm start` uses (same data folder, same ports when free). What benchmarks run against.
 *
 *   npm run serve:prod                 # http://127.0.0.1:8788
 *   npm run serve:prod -- --hello      # plus a hello-world worker in the same setup
 *   PORT=9000 LOG_LEVEL=info npm run serve:prod
 *   SERVE_PROD_DIRECT_PORT=8789 npm run serve:prod   # the direct socket on a fixed port
 *
 * `--ready-json` prints one `READY {…}` line (urls, database url, metrics token) for tools
 * that start it as a child process (scripts/bench.ts).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openLocalSession, ROOT } from './local/session.ts';
import { buildSite } from './local/site.ts';
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

const port = Number(args.port ?? process.env.SERVE_PROD_PORT ?? process.env.PORT ?? 8788);
const logLevel = (args['log-level'] ?? process.env.LOG_LEVEL ?? 'warn') as 'debug' | 'info' | 'warn' | 'error';
const started = Date.now();
const say = (line: string) => console.log(`[serve:prod] ${line}`);

const session = await openLocalSession(say);
const { stack, dataDir, shutdown } = session;

try {
  if (args['rebuild-site'] || !existsSync(join(ROOT, 'site', 'dist', 'index.html'))) await buildSite({ root: ROOT, log: say });

  const runner = await startProdRunner({
    root: ROOT,
    workerVars: stack.workerVars,
    port,
    directPort: Number(process.env.SERVE_PROD_DIRECT_PORT ?? 0),
    persistDir: join(dataDir, 'prod', 'state'),
    logLevel,
    hello: args.hello,
    log: say,
  });
  session.onStop(() => runner.stop());
  await waitForReady(`${runner.url}/api/ready`, 60_000);

  say(
    `ready in ${((Date.now() - started) / 1000).toFixed(1)} s (bundle ${(runner.bundleBytes / 1024 / 1024).toFixed(1)} MB, LOG_LEVEL=${logLevel})`,
  );
  say(`url:     ${runner.url}/`);
  say(`direct:  ${runner.directUrl}/ (the Worker with nothing of Miniflare's in front: what the bench measures)`);
  say(
    `api:     ${runner.url}/api/health · ${runner.url}/api/metrics (Authorization: Bearer <METRICS_TOKEN from ${join(dataDir, 'secrets.json')}>)`,
  );
  if (runner.helloUrl) say(`hello:   ${runner.helloUrl}/ (hello-world worker, same runtime)`);
  session.printAccounts();
  say(`seeded accounts (npm run seed:scale): <role>.<n>@${SEED_EMAIL_DOMAIN}  password: ${seededPassword()}`);
  if (args['ready-json']) {
    // Started by a tool: go away with it (its stdin pipe closes when it exits, however it exits).
    process.stdin.on('close', () => void shutdown(0));
    process.stdin.resume();
    console.log(
      `READY ${JSON.stringify({
        url: runner.url,
        directUrl: runner.directUrl,
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
