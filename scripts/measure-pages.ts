/**
 * `npm run measure:pages`: what visitors of the pages rendered at the edge get, on the
 * production bundle (serve:prod) with the data of `npm run seed:scale`:
 *   - time to first byte of a course page on an edge miss (first request of a course never
 *     asked before) and on an edge hit (the same URL again): p50 / p99 over N courses,
 *     requests one at a time;
 *   - HTML bytes of those pages;
 *   - Lighthouse (npm `lighthouse`, Debian's chromium, mobile profile) on home, catalog and
 *     a course page: performance, accessibility, best practices, SEO.
 * Writes load/reports/pages-latest.json and .md. The machine may be shared: the report says
 * so, and its numbers are for comparison on the same machine.
 *
 *   npm run measure:pages                       # starts serve:prod itself
 *   npm run measure:pages -- --courses 200 --no-lighthouse
 *   npm run measure:pages -- --url http://127.0.0.1:8788 --database-url postgres://…
 *   LOCAL_PORTS=ephemeral npm run measure:pages   # when another checkout's stack holds the usual ports
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import pg from 'pg';

const { values: args } = parseArgs({
  options: {
    url: { type: 'string' },
    'database-url': { type: 'string' },
    courses: { type: 'string', default: '200' },
    lang: { type: 'string', default: 'ru' },
    'no-lighthouse': { type: 'boolean', default: false },
  },
});

const root = resolve(import.meta.dirname, '..');
const say = (line: string) => console.log(`[measure:pages] ${line}`);
const CHROMIUM = process.env.CHROME_PATH ?? '/usr/bin/chromium';

function startServer(): Promise<{ child: ChildProcess; url: string; databaseUrl: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'scripts', 'serve-prod.ts'), '--ready-json', '--port', '0'], {
      cwd: root,
      env: { ...process.env },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.startsWith('READY ')) {
        const ready = JSON.parse(line.slice(6)) as { url: string; databaseUrl: string };
        done({ child, url: ready.url, databaseUrl: ready.databaseUrl });
      }
    });
    child.on('exit', (code) => fail(new Error(`serve:prod exited with ${code} before it was ready`)));
  });
}

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
const round = (n: number) => Math.round(n * 10) / 10;

/** Time to the response headers (the first byte), then the whole body. */
async function timed(url: string): Promise<{ ttfb: number; status: number; edge: string; bytes: number }> {
  const t0 = performance.now();
  const res = await fetch(url, { headers: { 'accept-encoding': 'identity' } });
  const ttfb = performance.now() - t0;
  const body = await res.arrayBuffer();
  return { ttfb, status: res.status, edge: res.headers.get('x-edge-cache') ?? '', bytes: body.byteLength };
}

function summary(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  return { n: sorted.length, p50: round(pct(sorted, 50)), p99: round(pct(sorted, 99)), max: round(sorted.at(-1) ?? NaN) };
}

function lighthouse(url: string): Record<string, number> {
  const out = spawnSync(
    process.execPath,
    [
      join(root, 'node_modules', 'lighthouse', 'cli', 'index.js'),
      url,
      '--output=json',
      '--quiet',
      '--only-categories=performance,accessibility,best-practices,seo',
      `--chrome-flags=--headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update --disable-sync --no-first-run`,
    ],
    { env: { ...process.env, CHROME_PATH: CHROMIUM }, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' },
  );
  if (out.status !== 0) throw new Error(`lighthouse failed on ${url}: ${out.stderr.slice(-2000)}`);
  const report = JSON.parse(out.stdout) as {
    categories: Record<string, { score: number }>;
    audits: Record<string, { numericValue?: number }>;
  };
  const scores: Record<string, number> = {};
  for (const [k, v] of Object.entries(report.categories)) scores[k] = Math.round(v.score * 100);
  scores['LCP ms'] = Math.round(report.audits['largest-contentful-paint']?.numericValue ?? NaN);
  scores.CLS = round((report.audits['cumulative-layout-shift']?.numericValue ?? NaN) * 1000) / 1000;
  // Total blocking time and Chromium's CPU benchmark: on a busy machine both explain a low performance score.
  scores['TBT ms'] = Math.round(report.audits['total-blocking-time']?.numericValue ?? NaN);
  scores.benchmarkIndex = Math.round((report as { environment?: { benchmarkIndex?: number } }).environment?.benchmarkIndex ?? NaN);
  return scores;
}

const server = args.url ? undefined : await startServer();
const base = (args.url ?? server!.url).replace(/\/$/, '');
const databaseUrl = args['database-url'] ?? process.env.DATABASE_URL ?? server?.databaseUrl;
if (!databaseUrl) throw new Error('with --url, pass --database-url (to pick published courses)');
const lang = args.lang;
const n = Number(args.courses);

try {
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  const published = Number((await db.query<{ n: string }>('select count(*) as n from courses where published')).rows[0]!.n);
  // Random published courses: on a fresh server none of them has been rendered yet.
  const { rows } = await db.query<{ id: string }>('select id from courses where published order by random() limit $1', [n]);
  await db.end();
  say(`${published} published courses; measuring ${rows.length} at ${base}`);

  await timed(`${base}/${lang}/`); // warm the isolate
  const miss: number[] = [];
  const hit: number[] = [];
  const bytes: number[] = [];
  const states = new Map<string, number>();
  for (const { id } of rows) {
    const url = `${base}/${lang}/courses/${id}`;
    const first = await timed(url);
    const second = await timed(url);
    if (first.status !== 200 || second.status !== 200) throw new Error(`${url}: ${first.status}/${second.status}`);
    states.set(`${first.edge}→${second.edge}`, (states.get(`${first.edge}→${second.edge}`) ?? 0) + 1);
    miss.push(first.ttfb);
    hit.push(second.ttfb);
    bytes.push(first.bytes);
  }
  const result: Record<string, unknown> = {
    at: new Date().toISOString(),
    url: base,
    publishedCourses: published,
    note: 'one machine shared with other processes (2 cores); requests one at a time; TTFB = time to response headers, uncompressed',
    loadAverage: loadavg().map((l) => round(l)),
    ttfbMissMs: summary(miss),
    ttfbHitMs: summary(hit),
    htmlBytes: summary(bytes),
    edgeStates: Object.fromEntries(states),
  };
  say(
    `TTFB miss ${JSON.stringify(result.ttfbMissMs)} · hit ${JSON.stringify(result.ttfbHitMs)} · HTML bytes ${JSON.stringify(result.htmlBytes)} · ${JSON.stringify(result.edgeStates)}`,
  );

  if (!args['no-lighthouse']) {
    const pages = { home: `${base}/${lang}/`, catalog: `${base}/${lang}/courses`, course: `${base}/${lang}/courses/${rows[0]!.id}` };
    const scores: Record<string, Record<string, number>> = {};
    for (const [name, url] of Object.entries(pages)) {
      scores[name] = lighthouse(url);
      say(`lighthouse ${name}: ${JSON.stringify(scores[name])}`);
    }
    result.lighthouseMobile = scores;
  }

  const dir = join(root, 'load', 'reports');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'pages-latest.json'), `${JSON.stringify(result, null, 2)}\n`);
  const md = [
    `# Pages rendered at the edge — ${result.at}`,
    '',
    `${result.note}. ${published} published courses. Load average at the start: ${(result.loadAverage as number[]).join(' / ')}.`,
    '',
    '| course page | n | p50 ms | p99 ms | max ms |',
    '|---|---|---|---|---|',
    ...(['ttfbMissMs', 'ttfbHitMs'] as const).map((k) => {
      const s = result[k] as ReturnType<typeof summary>;
      return `| TTFB ${k === 'ttfbMissMs' ? 'edge miss' : 'edge hit'} | ${s.n} | ${s.p50} | ${s.p99} | ${s.max} |`;
    }),
    '',
    `HTML bytes (uncompressed): p50 ${(result.htmlBytes as ReturnType<typeof summary>).p50}, max ${(result.htmlBytes as ReturnType<typeof summary>).max}.`,
    '',
    ...(result.lighthouseMobile
      ? [
          '| Lighthouse (mobile) | performance | accessibility | best practices | SEO | LCP ms | TBT ms | CLS | benchmarkIndex |',
          '|---|---|---|---|---|---|---|---|---|',
          ...Object.entries(result.lighthouseMobile as Record<string, Record<string, number>>).map(
            ([k, s]) =>
              `| ${k} | ${s.performance} | ${s.accessibility} | ${s['best-practices']} | ${s.seo} | ${s['LCP ms']} | ${s['TBT ms']} | ${s.CLS} | ${s.benchmarkIndex} |`,
          ),
        ]
      : []),
    '',
  ].join('\n');
  writeFileSync(join(dir, 'pages-latest.md'), md);
  say(`report: load/reports/pages-latest.md`);
} finally {
  server?.child.stdin?.end();
  server?.child.kill('SIGTERM');
}
