/**
 * `npm run measure:pages`: what visitors of the pages rendered at the edge get, on the
 * production bundle (serve:prod) with the data of `npm run seed:scale`:
 *   - time to first byte of a course page on an edge miss (first request of a course never
 *     asked before) and on an edge hit (the same URL again): p50 / p99 over N courses,
 *     requests one at a time;
 *   - HTML bytes of those pages;
 *   - Lighthouse (npm `lighthouse`, Debian's chromium, mobile profile) on home, catalog and
 *     a course page: performance, accessibility, best practices, SEO; with `--first-hour`
 *     also the public pages of issue 21: the course's teacher profile, a certificate's
 *     verification page and search with a word of the course title (a database without
 *     certificates, like the scale seed, gets one marked as made by this script). The
 *     report names the audits that cost accessibility, best-practices or SEO points.
 * Writes load/reports/pages-latest.json and .md. The machine may be shared: the report says
 * so, and its numbers are for comparison on the same machine.
 *
 *   npm run measure:pages                       # starts serve:prod itself
 *   npm run measure:pages -- --courses 200 --no-lighthouse
 *   npm run measure:pages -- --first-hour       # + teacher profile, certificate verification, search
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
    'first-hour': { type: 'boolean', default: false },
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

/** Per page, the audits that lowered its accessibility, best-practices or SEO score (ids), filled by lighthouse(). */
const failedAudits: Record<string, string[]> = {};

function lighthouse(url: string, name: string): Record<string, number> {
  // Lighthouse itself says "run again" when a trace comes out broken (NO_NAVSTART and such
  // on a busy machine): up to three tries.
  let out = runLighthouse(url);
  for (let i = 1; i < 3 && out.status !== 0 && /Runtime error encountered/.test(out.stderr); i++) {
    say(`lighthouse ${name}: ${out.stderr.trim().split('\n').at(-1)} — trying again`);
    out = runLighthouse(url);
  }
  if (out.status !== 0) throw new Error(`lighthouse failed on ${url}: ${out.stderr.slice(-2000)}`);
  return scoresOf(JSON.parse(out.stdout), name);
}

function runLighthouse(url: string) {
  return spawnSync(
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
}

function scoresOf(
  report: {
    categories: Record<string, { score: number; auditRefs?: { id: string; weight: number }[] }>;
    audits: Record<string, { numericValue?: number; score?: number | null }>;
  },
  name: string,
): Record<string, number> {
  // What lowered the scores other than performance (weighted audits scored below 1), to fix by
  // name — or to explain, like the noindex of a certificate's page (SEO "is-crawlable").
  failedAudits[name] = (['accessibility', 'best-practices', 'seo'] as const).flatMap((category) =>
    (report.categories[category]?.auditRefs ?? [])
      .filter((a) => a.weight > 0 && typeof report.audits[a.id]?.score === 'number' && report.audits[a.id]!.score! < 1)
      .map((a) => `${category}: ${a.id}`),
  );
  const scores: Record<string, number> = {};
  for (const [k, v] of Object.entries(report.categories)) scores[k] = Math.round(v.score * 100);
  scores['LCP ms'] = Math.round(report.audits['largest-contentful-paint']?.numericValue ?? NaN);
  scores.CLS = round((report.audits['cumulative-layout-shift']?.numericValue ?? NaN) * 1000) / 1000;
  // Total blocking time and Chromium's CPU benchmark: on a busy machine both explain a low performance score.
  scores['TBT ms'] = Math.round(report.audits['total-blocking-time']?.numericValue ?? NaN);
  scores.benchmarkIndex = Math.round((report as { environment?: { benchmarkIndex?: number } }).environment?.benchmarkIndex ?? NaN);
  return scores;
}

/** Crockford base32 as certificate codes use it (workers/reports/certificates.ts). */
const CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const randomCode = () => {
  const c = Array.from(crypto.getRandomValues(new Uint8Array(12)), (b) => CODE_ALPHABET[b & 31]).join('');
  return `${c.slice(0, 4)}-${c.slice(4, 8)}-${c.slice(8)}`;
};

/**
 * The issue-21 pages to measure beside the course page: its teacher's profile, a certificate's
 * verification page, and search for a word of its title. A database without certificates
 * (the scale seed has none) gets one for a seeded learner in that course, marked as made by
 * this script (storage key `measure-pages/…`, status failed: there is no PDF behind it).
 */
async function firstHourPages(db: pg.Client, courseId: string): Promise<{ pages: Record<string, string>; note: string }> {
  const course = (
    await db.query<{ teacher_id: string; title: Record<string, string>; language: string }>(
      'select teacher_id, title, language from courses where id = $1',
      [courseId],
    )
  ).rows[0]!;
  const title = course.title[lang] || course.title[course.language] || Object.values(course.title)[0] || '';
  const word = title.split(/[^\p{L}\p{N}]+/u).find((w) => w.length >= 4) ?? title;
  let code = (
    await db.query<{ verify_code: string }>(
      "select verify_code from reports where kind = 'certificate' and verify_code is not null and revoked_at is null limit 1",
    )
  ).rows[0]?.verify_code;
  let note = 'certificate: an existing one';
  if (!code) {
    const learner = (await db.query<{ id: string }>("select id from users where role = 'learner' order by created_at limit 1")).rows[0];
    if (!learner) throw new Error('--first-hour: no certificate and no learner to make one for');
    code = randomCode();
    await db.query(
      `insert into reports (kind, user_id, course_id, storage_key, status, data, verify_code, error)
       values ('certificate', $1, $2, $3, 'failed', $4, $5, 'made by measure:pages for its verification page; no PDF')`,
      [
        learner.id,
        courseId,
        `measure-pages/${code}.pdf`,
        JSON.stringify({ courseTitle: course.title, completedAt: new Date().toISOString() }),
        code,
      ],
    );
    note = `certificate: none in the database, so measure:pages added ${code} (storage key measure-pages/…, no PDF)`;
  }
  return {
    pages: {
      teacher: `${base}/${lang}/teachers/${course.teacher_id}`,
      certificate: `${base}/${lang}/certificates/${code}`,
      search: `${base}/${lang}/search?q=${encodeURIComponent(word.toLowerCase())}`,
    },
    note,
  };
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
  const firstHour = args['first-hour'] && !args['no-lighthouse'] ? await firstHourPages(db, rows[0]!.id) : undefined;
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
    const pages = {
      home: `${base}/${lang}/`,
      catalog: `${base}/${lang}/courses`,
      course: `${base}/${lang}/courses/${rows[0]!.id}`,
      ...firstHour?.pages,
    };
    if (firstHour) {
      result.firstHour = { pages: firstHour.pages, note: firstHour.note };
      say(firstHour.note);
    }
    const scores: Record<string, Record<string, number>> = {};
    for (const [name, url] of Object.entries(pages)) {
      scores[name] = lighthouse(url, name);
      say(
        `lighthouse ${name}: ${JSON.stringify(scores[name])}${failedAudits[name]?.length ? ` · failed audits: ${failedAudits[name].join(', ')}` : ''}`,
      );
    }
    result.lighthouseMobile = scores;
    result.lighthouseFailedAudits = failedAudits;
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
          '',
          ...Object.entries(failedAudits).map(
            ([k, ids]) =>
              `- ${k}: ${ids.length ? `failed audits: ${ids.join(', ')}` : 'every accessibility, best-practices and SEO audit passed'}`,
          ),
          ...(result.firstHour ? ['', `Pages of the first hour (issue 21): ${(result.firstHour as { note: string }).note}.`] : []),
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
