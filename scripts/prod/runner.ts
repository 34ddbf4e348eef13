/**
 * The production-like runner: the bundle `wrangler deploy --dry-run` builds, run by workerd
 * through Miniflare's API with the bindings wrangler.toml declares (assets, R2, queues,
 * Durable Objects… whatever the config holds when it starts) and the vars of the local stack.
 * No dev-server proxy in front (wrangler dev's costs >10x, see shared/notes/toolchain.md):
 * requests reach Miniflare's entry worker inside workerd, and a direct socket reaches the
 * Worker itself (directFront) — what benchmarks measure.
 *
 * A hello-world worker can run beside it in an identical Miniflare/workerd setup, so every
 * benchmark can state the runtime's own ceiling measured in the same run.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Log, LogLevel, Miniflare, convertV4MiniflareOptions, type V4MiniflareOptions, type V4WorkerOptions } from 'miniflare';
import { unstable_getMiniflareWorkerOptions } from 'wrangler';

/** Env that keeps wrangler offline (no cf lookup, no telemetry, config under .data). */
export function offlineEnv(root: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    CLOUDFLARE_CF_FETCH_ENABLED: 'false',
    WRANGLER_SEND_METRICS: 'false',
    XDG_CONFIG_HOME: process.env.XDG_CONFIG_HOME ?? join(root, '.data', 'config'),
  };
}

/** Builds the production bundle offline into `outDir` (what `wrangler deploy` would upload). */
export function buildBundle(root: string, outDir: string, log: (s: string) => void = () => {}): Promise<void> {
  log(`building the Worker bundle (wrangler deploy --dry-run) into ${outDir}…`);
  return new Promise((done, fail) => {
    let output = '';
    const child = spawn(
      'npx',
      ['wrangler', 'deploy', '--dry-run', '--env', '', '--outdir', outDir, '--config', join(root, 'wrangler.toml')],
      {
        cwd: root,
        env: offlineEnv(root),
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', fail);
    child.on('exit', (code) => (code === 0 ? done() : fail(new Error(`wrangler deploy --dry-run exited with ${code}:\n${output}`))));
  });
}

function dirBytes(dir: string): number {
  let total = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const s = statSync(p);
    total += s.isDirectory() ? dirBytes(p) : name.endsWith('.map') ? 0 : s.size;
  }
  return total;
}

/** Bundle folders left by runners that were killed before they could clean up. */
function removeStaleBundles(prodDir: string) {
  for (const name of readdirSync(prodDir)) {
    if (!name.startsWith('bundle-')) continue;
    const dir = join(prodDir, name);
    // A folder just made by another runner may not have its pid file yet.
    if (Date.now() - statSync(dir).mtimeMs < 60_000) continue;
    let alive = false;
    try {
      const pid = Number(readFileSync(join(dir, '.owner-pid'), 'utf8'));
      if (pid > 0) {
        process.kill(pid, 0);
        alive = true;
      }
    } catch {
      alive = false;
    }
    if (!alive) rmSync(dir, { recursive: true, force: true });
  }
}

export interface ProdRunnerOptions {
  /** Repository root (wrangler.toml, site/dist). */
  root: string;
  /** Vars of the local stack (startStack().workerVars); override the config's [vars]. */
  workerVars: Record<string, string>;
  host?: string;
  /** 0 = any free port. */
  port?: number;
  /** Durable Object / R2 / queue state. Kept apart from `wrangler dev`'s so both can run. */
  persistDir: string;
  /** Where the bundle goes; a fresh folder under .data/prod by default, removed on stop. */
  bundleDir?: string;
  /** Worker LOG_LEVEL. `warn` by default: one stdout line per request costs workerd real time. */
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** Port of the direct socket (directFront); 0 = any free port. */
  directPort?: number;
  /** Also start a hello-world worker in an identical setup (for the runtime's ceiling). */
  hello?: boolean;
  /** Fail when the built site is missing (default); false serves the API alone then. */
  requireAssets?: boolean;
  log?: (line: string) => void;
}

export interface ProdRunner {
  /** Through Miniflare's entry worker (pretty error pages, compression as Cloudflare's front line does). */
  url: string;
  /** The same Worker with nothing in front (see directFront): what benchmarks measure. */
  directUrl: string;
  /** The hello-world worker, when asked for. */
  helloUrl?: string;
  /** Size of the bundle without source maps. */
  bundleBytes: number;
  stop(): Promise<void>;
}

interface ModuleRule {
  type: string;
  include: string[];
}

type ModuleType = 'ESModule' | 'CommonJS' | 'Text' | 'Data' | 'CompiledWasm';

/** `**\/*.ttf` → a regular expression over slash-separated relative paths. */
function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i]!;
    if (ch === '*' && glob[i + 1] === '*') {
      re += glob[i + 2] === '/' ? '(?:.*/)?' : '.*';
      i += glob[i + 2] === '/' ? 2 : 1;
    } else if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else re += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** The bundle as Miniflare modules: index.js first (the entry), then every other emitted file. */
export function bundleModules(dir: string, rules: ModuleRule[]): { type: ModuleType; path: string }[] {
  const matchers = rules.map((r) => ({ type: r.type as ModuleType, res: r.include.map(globToRegExp) }));
  const out: { type: ModuleType; path: string }[] = [{ type: 'ESModule', path: join(dir, 'index.js') }];
  const walk = (sub: string) => {
    for (const name of readdirSync(join(dir, sub))) {
      const rel = sub ? `${sub}/${name}` : name;
      if (statSync(join(dir, rel)).isDirectory()) {
        walk(rel);
        continue;
      }
      if (rel === 'index.js' || rel.endsWith('.map') || rel === 'README.md' || rel === '.owner-pid') continue;
      const rule = matchers.find((m) => m.res.some((re) => re.test(rel)));
      const type: ModuleType = rule?.type ?? (/\.(m?js)$/.test(rel) ? 'ESModule' : /\.cjs$/.test(rel) ? 'CommonJS' : 'Data');
      out.push({ type, path: join(dir, rel) });
    }
  };
  walk('');
  return out;
}

/** The trivial worker measuring what workerd costs by itself (through its direct socket, as the app is measured). */
const HELLO_WORKER = `export default { fetch() { return new Response('ok', { headers: { 'content-type': 'text/plain' } }); } };`;

/**
 * The hello-world worker alone, in a Miniflare/workerd setup identical to the app's (same
 * compatibility date and flags, request logging off), with a direct socket beside Miniflare's entry.
 */
export async function startHelloWorker(opts: {
  root: string;
  host?: string;
  port?: number;
}): Promise<{ url: string; directUrl: string; stop(): Promise<void> }> {
  const { workerOptions } = unstable_getMiniflareWorkerOptions(join(opts.root, 'wrangler.toml'), undefined);
  const hello = new Miniflare(
    convertV4MiniflareOptions({
      host: opts.host ?? '127.0.0.1',
      port: opts.port ?? 0,
      log: new Log(LogLevel.WARN),
      logRequests: false,
      telemetry: { enabled: false },
      cf: false,
      workers: [
        {
          name: 'hello',
          modules: true,
          script: HELLO_WORKER,
          compatibilityDate: workerOptions.compatibilityDate as string,
          compatibilityFlags: workerOptions.compatibilityFlags as string[],
          unsafeDirectSockets: [{ host: opts.host ?? '127.0.0.1', port: 0 }],
        },
      ],
    }),
  );
  const url = (await hello.ready).toString().replace(/\/$/, '');
  const directUrl = (await hello.unsafeGetDirectURL('hello')).toString().replace(/\/$/, '');
  return { url, directUrl, stop: () => hello.dispose() };
}

const DIRECT_FRONT = 'sabaq-direct';

/**
 * A socket straight into the app Worker. Through Miniflare's entry socket a request crosses
 * three JavaScript workers before ours — the entry worker, the assets RPC proxy and the assets
 * router (which, with `run_worker_first`, always hands it on) — each making its own Request and
 * Response on workerd's one thread, and each with a heap of its own whose full GCs (120–210 ms
 * seen under the enrollment bench, `--trace-gc`) stall every request in flight. On Cloudflare
 * those run elsewhere and in parallel. Miniflare points a direct socket of a worker with static
 * assets at that proxy, so the socket belongs to this empty worker and names the app as its
 * service. The bench (load generator) sets CF-Connecting-IP itself, as Cloudflare's edge would.
 */
function directFront(app: V4WorkerOptions, host: string, port: number): V4WorkerOptions {
  return {
    name: DIRECT_FRONT,
    modules: true,
    script: 'export default {};',
    compatibilityDate: app.compatibilityDate,
    compatibilityFlags: app.compatibilityFlags,
    unsafeDirectSockets: [{ host, port, serviceName: app.name }],
  } as V4WorkerOptions;
}

export async function startProdRunner(opts: ProdRunnerOptions): Promise<ProdRunner> {
  const log = opts.log ?? (() => {});
  const configPath = join(opts.root, 'wrangler.toml');
  const prodDir = join(opts.root, '.data', 'prod');
  mkdirSync(prodDir, { recursive: true });
  const ownBundleDir = !opts.bundleDir;
  if (ownBundleDir) removeStaleBundles(prodDir);
  const bundleDir = opts.bundleDir ?? mkdtempSync(join(prodDir, 'bundle-'));
  if (ownBundleDir) writeFileSync(join(bundleDir, '.owner-pid'), String(process.pid));
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const fn of stops.reverse()) await fn().catch((e: unknown) => log(`stop failed: ${String(e)}`));
    stops.length = 0;
  };
  try {
    if (ownBundleDir) stops.push(async () => rmSync(bundleDir, { recursive: true, force: true }));
    await buildBundle(opts.root, bundleDir, log);
    const main = join(bundleDir, 'index.js');
    if (!existsSync(main)) throw new Error(`the bundle has no index.js in ${bundleDir}`);

    // The top-level environment of wrangler.toml: the same bindings `wrangler dev` gives.
    const { workerOptions, externalWorkers } = unstable_getMiniflareWorkerOptions(configPath, undefined);
    const host = opts.host ?? '127.0.0.1';
    const shared = {
      host,
      log: new Log(LogLevel.WARN),
      // A log line per request would cost the runtime as much as a small handler does.
      logRequests: false,
      telemetry: { enabled: false },
      // No outbound lookup for the cf object.
      cf: false,
    } satisfies Partial<V4MiniflareOptions>;

    // Miniflare 5 takes an explicit module list: the bundle's entry plus the files wrangler
    // emitted beside it (fonts, wasm…), typed by the config's module rules.
    const { modulesRules, ...bindingOptions } = workerOptions as V4WorkerOptions & { modulesRules?: ModuleRule[] };
    const app: V4WorkerOptions = {
      ...(bindingOptions as V4WorkerOptions),
      name: 'sabaq',
      modules: bundleModules(bundleDir, modulesRules ?? []),
      modulesRoot: bundleDir,
      bindings: {
        ...(workerOptions.bindings ?? {}),
        ...opts.workerVars,
        LOG_LEVEL: opts.logLevel ?? 'warn',
      },
      // Subrequests straight to the network, as on Cloudflare, not through Miniflare's interceptor
      // isolate (workers/lib/direct-network.ts): what is measured here is the app, not that hop.
      serviceBindings: {
        ...((workerOptions as V4WorkerOptions).serviceBindings ?? {}),
        DIRECT_NETWORK: { network: { allow: ['public', 'private', 'local'] } },
      },
    } as V4WorkerOptions;
    const assetsDir = (workerOptions.assets as { directory?: string } | undefined)?.directory;
    if (assetsDir && !existsSync(resolve(assetsDir))) {
      if (opts.requireAssets !== false)
        throw new Error(`static assets folder ${assetsDir} is missing: build the site first (npm run build:site)`);
      log(`no ${assetsDir}: serving the API only`);
      delete (app as { assets?: unknown }).assets;
    }
    const persistRoot = resolve(opts.persistDir);
    mkdirSync(persistRoot, { recursive: true });
    const mf = new Miniflare(
      convertV4MiniflareOptions({
        ...shared,
        port: opts.port ?? 0,
        // A CPU profile of the Worker (Chrome DevTools protocol): SERVE_PROD_INSPECTOR_PORT=9229.
        ...(process.env.SERVE_PROD_INSPECTOR_PORT ? { inspectorPort: Number(process.env.SERVE_PROD_INSPECTOR_PORT) } : {}),
        resourcePersistencePath: persistRoot,
        workers: [app, ...externalWorkers, directFront(app, host, opts.directPort ?? 0)],
      }),
    );
    stops.push(() => mf.dispose());
    const url = (await mf.ready).toString().replace(/\/$/, '');
    const directUrl = (await mf.unsafeGetDirectURL(DIRECT_FRONT)).toString().replace(/\/$/, '');
    log(`production bundle running in workerd at ${url} (direct socket ${directUrl})`);

    let helloUrl: string | undefined;
    if (opts.hello) {
      const hello = await startHelloWorker({ root: opts.root, host });
      stops.push(() => hello.stop());
      helloUrl = hello.directUrl;
      log(`hello-world worker at ${helloUrl}`);
    }
    return { url, directUrl, helloUrl, bundleBytes: dirBytes(bundleDir), stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
