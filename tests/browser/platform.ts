/**
 * The whole platform, as `npm start` runs it but ephemeral: a throwaway data folder, a
 * fresh database (embedded Postgres, or a scratch database on TEST_DATABASE_URL), its own
 * Redis, the demo accounts and courses, the built site, and `wrangler dev` on a free port.
 * Used once per browser test run by `setup.ts`; usable on its own from a script too.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '../../scripts/local/ports.ts';
import { seedDemo, type DemoAccount } from '../../scripts/local/seed-demo.ts';
import { buildSite } from '../../scripts/local/site.ts';
import { startStack } from '../../scripts/local/stack.ts';
import { waitForReady } from '../../scripts/local/wait.ts';

export const ROOT = resolve(import.meta.dirname, '../..');

export interface PlatformInfo {
  /** `http://127.0.0.1:<port>` — the site and `/api`. */
  url: string;
  /** The seeded demo accounts (admin, learner, parent, teacher) with their passwords. */
  accounts: DemoAccount[];
  dataDir: string;
  /** The platform's Postgres, for the few set-ups no API offers (e.g. a session that has already happened). */
  databaseUrl: string;
}

export interface Platform extends PlatformInfo {
  stop(): Promise<void>;
}

export interface PlatformOptions {
  log?: (line: string) => void;
  /** Stream wrangler's output (else only shown when it fails). Default: VERBOSE is set. */
  verbose?: boolean;
  readyTimeoutMs?: number;
}

/** Newest modification time (ms) of any file below `dir`. */
function newestMtime(dir: string): number {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name === '.astro') continue;
    const path = join(dir, name);
    const st = statSync(path);
    newest = Math.max(newest, st.isDirectory() ? newestMtime(path) : st.mtimeMs);
  }
  return newest;
}

/** Why the site must be (re)built, or null when site/dist is present and newer than its sources. */
export function siteBuildReason(root = ROOT): string | null {
  const marker = join(root, 'site', 'dist', 'index.html');
  if (!existsSync(marker)) return 'site/dist is missing';
  const built = statSync(marker).mtimeMs;
  const sources = Math.max(
    newestMtime(join(root, 'site', 'src')),
    newestMtime(join(root, 'site', 'public')),
    statSync(join(root, 'site', 'astro.config.mjs')).mtimeMs,
  );
  return sources > built ? 'site/src changed since the last build' : null;
}

export async function startPlatform(opts: PlatformOptions = {}): Promise<Platform> {
  const log = opts.log ?? ((line: string) => console.log(`[browser] ${line}`));
  const verbose = opts.verbose ?? Boolean(process.env.VERBOSE);
  const started = Date.now();
  const dataDir = mkdtempSync(join(tmpdir(), 'sabaq-browser-'));
  const stops: (() => Promise<void>)[] = [async () => rmSync(dataDir, { recursive: true, force: true })];
  const stop = async () => {
    for (const fn of stops.splice(0).reverse()) await fn().catch((e: unknown) => log(`stop failed: ${String(e)}`));
  };

  try {
    const external = process.env.TEST_DATABASE_URL;
    const stack = await startStack({
      dataDir,
      persistent: false,
      databaseUrl: external,
      scratchDatabase: external ? `sabaq_browser_${process.pid}` : undefined,
      // Always a Redis of its own: the outage tests pause the shared one, and cache keys
      // from two databases must not meet.
      redisUrl: undefined,
      keepSecrets: false,
      log: (l) => verbose && log(`[stack] ${l}`),
    });
    stops.push(() => stack.stop());
    log(`stack up (postgres: ${stack.postgres.kind}, redis: ${stack.redis.kind}) in ${Date.now() - started} ms`);

    const accounts = await seedDemo({ databaseUrl: stack.postgres.url, dataDir, pepper: stack.secrets.PASSWORD_PEPPER });

    const reason = siteBuildReason();
    if (reason) {
      log(`building the site (${reason})…`);
      await buildSite({ root: ROOT });
    }

    const [port, inspectorPort] = [await freePort(), await freePort()];
    // Chromium, workerd, Postgres and the local endpoints share two cores here: a stall of
    // half a second is the machine, not Redis, and must not fail a fail-closed limit.
    const vars = Object.entries({
      ...stack.workerVars,
      APP_ENV: 'test',
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
      REDIS_TIMEOUT_MS: '1000',
    }).flatMap(([k, v]) => ['--var', `${k}:${v}`]);
    const output: string[] = [];
    const wrangler: ChildProcess = spawn(
      'npx',
      [
        'wrangler',
        'dev',
        '--port',
        String(port),
        '--ip',
        '127.0.0.1',
        '--inspector-port',
        String(inspectorPort),
        '--persist-to',
        join(dataDir, 'wrangler'),
        '--show-interactive-dev-session=false',
        '--log-level',
        verbose ? 'info' : 'warn',
        ...vars,
      ],
      {
        cwd: ROOT,
        // Its own process group, so stopping it also stops workerd underneath npx.
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          ...process.env,
          CLOUDFLARE_CF_FETCH_ENABLED: 'false',
          WRANGLER_SEND_METRICS: 'false',
          XDG_CONFIG_HOME: join(dataDir, 'config'),
        },
      },
    );
    // A bundling error leaves wrangler running (it waits for a fix): fail at once instead.
    let buildFailed: (reason: Error) => void = () => {};
    const broken = new Promise<never>((_, reject) => (buildFailed = reject));
    broken.catch(() => {});
    const keep = (chunk: Buffer) => {
      const text = chunk.toString();
      output.push(text);
      if (output.length > 400) output.splice(0, output.length - 400);
      if (verbose) process.stdout.write(text.replace(/^/gm, '[wrangler] '));
      if (/Build failed|runtime failed to start/i.test(text)) buildFailed(new Error('wrangler dev could not build or start the Worker'));
    };
    wrangler.stdout?.on('data', keep);
    wrangler.stderr?.on('data', keep);
    const exited = new Promise<number | null>((done) => wrangler.once('exit', (code) => done(code)));
    stops.push(async () => {
      if (wrangler.exitCode !== null || wrangler.signalCode !== null || !wrangler.pid) return;
      try {
        process.kill(-wrangler.pid, 'SIGTERM');
      } catch {
        return;
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-wrangler.pid!, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }, 5000);
      await exited;
      clearTimeout(timer);
    });

    const url = `http://127.0.0.1:${port}`;
    const early = exited.then((code) => {
      throw new Error(`wrangler dev exited with ${code} before it was ready`);
    });
    early.catch(() => {});
    try {
      await Promise.race([waitForReady(`${url}/api/ready`, opts.readyTimeoutMs ?? 120_000), early, broken]);
    } catch (err) {
      await new Promise((r) => setTimeout(r, 300)); // let the rest of the error text arrive
      throw new Error(`${err instanceof Error ? err.message : String(err)}\n--- wrangler output ---\n${output.join('').slice(-4000)}`);
    }
    log(`platform ready at ${url} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return { url, accounts, dataDir, databaseUrl: stack.postgres.url, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
