/**
 * `npm start`: the whole platform on this machine — embedded Postgres (or DATABASE_URL),
 * a real Redis, the local Neon and Upstash endpoints, the built site, and `wrangler dev`
 * running the Worker with its queues, R2 and Durable Objects as miniflare runs them, and its
 * cron triggers each minute (local/cron-ticker.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { unstable_readConfig } from 'wrangler';
import { startCronTicker } from './local/cron-ticker.ts';
import { openLocalSession, ROOT } from './local/session.ts';
import { buildSite } from './local/site.ts';
import { waitForReady } from './local/wait.ts';

const port = Number(process.env.PORT ?? 8787);
const started = Date.now();
const say = (line: string) => console.log(`[sabaq] ${line}`);

const session = await openLocalSession(say);
const { stack, dataDir } = session;
await buildSite({ root: ROOT, log: say });

const env = {
  ...process.env,
  CLOUDFLARE_CF_FETCH_ENABLED: 'false',
  WRANGLER_SEND_METRICS: 'false',
  XDG_CONFIG_HOME: join(dataDir, 'config'),
};
const vars = Object.entries(stack.workerVars).flatMap(([k, v]) => ['--var', `${k}:${v}`]);
const wrangler: ChildProcess = spawn(
  'npx',
  [
    'wrangler',
    'dev',
    '--port',
    String(port),
    '--ip',
    '127.0.0.1',
    '--persist-to',
    join(dataDir, 'wrangler'),
    '--show-interactive-dev-session=false',
    // /__scheduled: the cron ticker below fires wrangler.toml's triggers through it.
    '--test-scheduled',
    ...vars,
  ],
  // Its own process group: npx → wrangler → workerd are stopped together, not just npx.
  { cwd: ROOT, env, stdio: ['ignore', 'inherit', 'inherit'], detached: true },
);
let wranglerExited = false;
let stoppingWrangler = false;
session.onStop(async () => {
  if (wranglerExited || !wrangler.pid) return;
  stoppingWrangler = true;
  const exited = new Promise((r) => wrangler.once('exit', r));
  process.kill(-wrangler.pid, 'SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
});
wrangler.on('exit', (code) => {
  wranglerExited = true;
  if (!stoppingWrangler) say(`wrangler exited with ${code}`);
  void session.shutdown(code ?? 1);
});

const url = `http://127.0.0.1:${port}`;
await waitForReady(`${url}/api/ready`, 90_000);
const warmed = await fetch(`${url}/api/ops/warm`, { method: 'POST', headers: { authorization: `Bearer ${stack.secrets.METRICS_TOKEN}` } });
say(`cache warmed: ${warmed.ok ? `${((await warmed.json()) as { keys: number }).keys} keys` : `failed (${warmed.status})`}`);
const stopCrons = startCronTicker(url, unstable_readConfig({ config: join(ROOT, 'wrangler.toml') }).triggers.crons ?? [], say);
session.onStop(stopCrons);
say(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
say(`site:  ${url}/`);
say(`api:   ${url}/api/health · ${url}/api/openapi.json`);
session.printAccounts();
say('Ctrl-C stops everything; `npm run reset` wipes the data folder.');
