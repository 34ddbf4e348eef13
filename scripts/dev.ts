/**
 * `npm start`: the whole platform on this machine — embedded Postgres (or DATABASE_URL),
 * a real Redis, the local Neon and Upstash endpoints, the built site, and `wrangler dev`
 * running the Worker with its queues, R2 and Durable Objects as miniflare runs them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildSite } from './local/site.ts';
import { seedDemo } from './local/seed-demo.ts';
import { startStack } from './local/stack.ts';
import { waitForReady } from './local/wait.ts';

const root = resolve(import.meta.dirname, '..');
const dataDir = resolve(process.env.DATA_DIR ?? join(root, '.data'));
const port = Number(process.env.PORT ?? 8787);
const started = Date.now();
const say = (line: string) => console.log(`[sabaq] ${line}`);

mkdirSync(dataDir, { recursive: true });
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
say(`postgres: ${stack.postgres.kind} · redis: ${stack.redis.kind}${stack.redis.kind === 'in-process' ? ' (WARNING: in-process engine, data is not kept)' : ''}`);

const accounts = await seedDemo({ databaseUrl: stack.postgres.url, dataDir, pepper: stack.secrets.PASSWORD_PEPPER });
await buildSite({ root, log: say });

const env = {
  ...process.env,
  CLOUDFLARE_CF_FETCH_ENABLED: 'false',
  WRANGLER_SEND_METRICS: 'false',
  XDG_CONFIG_HOME: join(dataDir, 'config'),
};
const vars = Object.entries(stack.workerVars).flatMap(([k, v]) => ['--var', `${k}:${v}`]);
const wrangler: ChildProcess = spawn(
  'npx',
  ['wrangler', 'dev', '--port', String(port), '--ip', '127.0.0.1', '--persist-to', join(dataDir, 'wrangler'), '--show-interactive-dev-session=false', ...vars],
  { cwd: root, env, stdio: ['ignore', 'inherit', 'inherit'] },
);

let stopping = false;
async function shutdown(code = 0) {
  if (stopping) return;
  stopping = true;
  say('stopping…');
  wrangler.kill('SIGTERM');
  await stack.stop();
  process.exit(code);
}
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));
wrangler.on('exit', (code) => {
  if (!stopping) {
    say(`wrangler exited with ${code}`);
    void shutdown(code ?? 1);
  }
});

const url = `http://127.0.0.1:${port}`;
await waitForReady(`${url}/api/ready`, 90_000);
const warmed = await fetch(`${url}/api/ops/warm`, { method: 'POST', headers: { authorization: `Bearer ${stack.secrets.METRICS_TOKEN}` } });
say(`cache warmed: ${warmed.ok ? ((await warmed.json()) as { keys: number }).keys + ' keys' : `failed (${warmed.status})`}`);
say(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
say(`site:  ${url}/`);
say(`api:   ${url}/api/health · ${url}/api/openapi.json`);
for (const a of accounts) say(`${a.role.padEnd(8)} ${a.email}  password: ${a.password}`);
say('Ctrl-C stops everything; `npm run reset` wipes the data folder.');
