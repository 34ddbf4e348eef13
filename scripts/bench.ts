/**
 * `npm run bench`: the performance budgets of SPEC.md, measured with the project's own
 * open-model load generator against the production-like runner, with a Markdown and a JSON
 * report under load/reports/. Exits non-zero when a budget fails. `npm run bench:smoke` is
 * the same machinery at a tiny rate for a few seconds (it fails only when the machinery is
 * broken: no answers, 5xx, counts that disagree with the server's metrics).
 *
 *   npm run bench                                   # starts serve:prod on the .data stack itself
 *   npm run bench -- --scenario visitor,search-cold # only these
 *   npm run bench -- --all                          # plus teacher authoring and assessment sessions
 *   npm run bench -- --duration 60 --rate-scale 0.5 # longer, at half the budget rates
 *   npm run bench -- --url http://127.0.0.1:8788    # against a serve:prod already running
 *     (DATABASE_URL, METRICS_TOKEN from the environment or the data folder; UPSTASH_REDIS_REST_URL and
 *      SERVE_PROD_PID optional, for Redis command counts and CPU per process)
 *   npm run bench -- --knee                         # also: the highest rate meeting each budget
 *
 * Seed the database first (npm run seed:scale): scenarios pick their ids from it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { planScenarios, runBench, UnknownScenarioError, type BenchTarget } from '../load/bench.ts';
import { writeReport } from '../load/report.ts';
import { startHelloWorker } from './prod/runner.ts';

const { values: args } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    scenario: { type: 'string' },
    all: { type: 'boolean', default: false },
    duration: { type: 'string' },
    'rate-scale': { type: 'string' },
    concurrency: { type: 'string' },
    url: { type: 'string' },
    knee: { type: 'boolean', default: false },
  },
});

const root = resolve(import.meta.dirname, '..');
const dataDir = resolve(process.env.DATA_DIR ?? join(root, '.data'));
const say = (line: string) => console.log(`[bench] ${line}`);

/** Starts `serve:prod` as a child process and waits for its READY line. */
function startServer(): Promise<{ child: ChildProcess; ready: BenchTarget }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'scripts', 'serve-prod.ts'), '--ready-json', '--port', '0'], {
      cwd: root,
      env: { ...process.env },
      // stdin stays open as a lifeline: serve:prod stops when it closes (this process is gone).
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      if (line.startsWith('READY ')) done({ child, ready: JSON.parse(line.slice(6)) as BenchTarget });
      else if (process.env.VERBOSE || /error|fail/i.test(line)) console.log(line);
    });
    child.on('exit', (code) => fail(new Error(`serve:prod exited with ${code} before it was ready`)));
  });
}

function externalTarget(url: string): BenchTarget {
  const secretsFile = join(dataDir, 'secrets.json');
  const secrets = existsSync(secretsFile) ? (JSON.parse(readFileSync(secretsFile, 'utf8')) as Record<string, string>) : {};
  let databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    const pidFile = join(dataDir, 'pg', 'postmaster.pid');
    const port = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').split('\n')[3]) : 0;
    if (port) databaseUrl = `postgres://postgres:sabaq-local@127.0.0.1:${port}/sabaq`;
  }
  const metricsToken = process.env.METRICS_TOKEN ?? secrets.METRICS_TOKEN;
  if (!databaseUrl || !metricsToken)
    throw new Error('with --url, set DATABASE_URL and METRICS_TOKEN (or run it where the data folder of that server is)');
  const upstash = process.env.UPSTASH_REDIS_REST_URL
    ? { url: process.env.UPSTASH_REDIS_REST_URL, token: process.env.UPSTASH_REDIS_REST_TOKEN ?? secrets.UPSTASH_REDIS_REST_TOKEN ?? '' }
    : undefined;
  // The serve:prod process, when it runs here: CPU per component is read from /proc.
  const serverPid = process.env.SERVE_PROD_PID ? Number(process.env.SERVE_PROD_PID) : undefined;
  return { url: url.replace(/\/$/, ''), databaseUrl, metricsToken, upstash, serverPid };
}

let child: ChildProcess | undefined;
let stopHello: (() => Promise<void>) | undefined;
async function cleanup() {
  if (child && child.exitCode === null) {
    const exited = new Promise((r) => child!.once('exit', r));
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))]);
  }
  await stopHello?.().catch(() => {});
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void cleanup().then(() => process.exit(130)));

const only = args.scenario
  ?.split(',')
  .map((s) => s.trim())
  .filter(Boolean);
try {
  // Checked before serve:prod starts: a misspelt name is an error, not an empty run that passes.
  planScenarios({ only, all: args.all });
} catch (err) {
  if (!(err instanceof UnknownScenarioError)) throw err;
  console.error(`[bench] ${err.message}`);
  process.exit(2);
}

let code = 1;
try {
  let target: BenchTarget;
  if (args.url) {
    target = externalTarget(args.url);
  } else {
    say('starting serve:prod (the production bundle in workerd, local stack)…');
    const started = await startServer();
    child = started.child;
    // The Worker's direct socket, and the hello-world's: both without Miniflare's entry worker (scripts/prod/runner.ts).
    const { directUrl, ...ready } = started.ready as BenchTarget & { directUrl?: string };
    target = { ...ready, url: directUrl ?? ready.url, serverPid: started.child.pid };
  }
  const hello = await startHelloWorker({ root });
  stopHello = hello.stop;
  target.helloUrl = hello.directUrl;
  say(`app ${target.url} · hello-world ${target.helloUrl}`);

  const report = await runBench({
    target,
    smoke: args.smoke,
    only,
    all: args.all,
    durationMs: args.duration ? Number(args.duration) * 1000 : undefined,
    rateScale: args['rate-scale'] ? Number(args['rate-scale']) : undefined,
    concurrency: args.concurrency ? Number(args.concurrency) : undefined,
    knee: args.knee,
    log: say,
  });
  const files = writeReport(report, join(root, 'load', 'reports'));
  say('');
  for (const s of report.scenarios) {
    const r = s.result;
    say(
      `${s.verdict.padEnd(4)} ${s.scenario.padEnd(12)} ${r ? `${r.achievedRate}/${r.offeredRate} per s, p99 ${r.total.latency.p99} ms, errors ${r.errors}` : ''}${s.reasons.length ? `  (${s.reasons.join('; ')})` : ''}`,
    );
  }
  say(`report: ${files.md}`);
  code = report.passed ? 0 : 1;
} catch (err) {
  console.error(err);
  code = 2;
} finally {
  await cleanup();
}
process.exit(code);
