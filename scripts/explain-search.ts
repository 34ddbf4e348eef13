/**
 * Postgres time of cold searches: runs 35 realistic queries (words of the seeded titles, some
 * mistyped, one or two words, a few filters — the bench's search-cold generator) through
 * `searchCatalog` against a database, captures every statement it sends, and runs each again
 * under EXPLAIN (ANALYZE, BUFFERS). Prints per query and the median / p90 of the summed
 * execution and planning times. Read-only: the session is opened read-only.
 *
 *   npx tsx scripts/explain-search.ts postgres://…/sabaq [--json out.json]
 */
import pg from 'pg';
import { createDatabase } from '../db/client.ts';
import { createRng } from '../load/lib/rng.ts';
import { LANGS, searchQuery } from '../load/scenarios/data.ts';
import type { Ctx } from '../workers/lib/context.ts';
import type { SearchQuery } from '../workers/catalog/search.ts';
import { startNeonEndpoint } from './local/neon-endpoint.ts';

const url = process.argv[2];
if (!url) throw new Error('usage: explain-search.ts DATABASE_URL [--json FILE]');
// --module: another build of the operation (e.g. the previous statement kept beside it for a comparison).
const modulePath = process.argv.includes('--module') ? process.argv[process.argv.indexOf('--module') + 1]! : '../workers/catalog/search.ts';
const { searchCatalog } = (await import(
  modulePath.startsWith('.') ? modulePath : `${process.cwd()}/${modulePath}`
)) as typeof import('../workers/catalog/search.ts');
// --show TEXT: print the text plans of the queries whose label contains TEXT.
const show = process.argv.includes('--show') ? process.argv[process.argv.indexOf('--show') + 1] : undefined;
const jsonOut = process.argv.includes('--json') ? process.argv[process.argv.indexOf('--json') + 1] : undefined;
// Every session of this script is read-only, through the endpoint too.
const readOnlyUrl = `${url}${url.includes('?') ? '&' : '?'}options=${encodeURIComponent('-c default_transaction_read_only=on')}`;

const direct = new pg.Client({ connectionString: readOnlyUrl });
await direct.connect();
const categories = (await direct.query<{ slug: string }>('select slug from categories order by slug')).rows.map((r) => r.slug);

/** 35 queries: the bench's generator (a third or so mistyped), every fourth with a filter, a few second pages. */
function queries(): { q: Omit<SearchQuery, 'cursor'>; page2: boolean }[] {
  const rng = createRng(15);
  const out: { q: Omit<SearchQuery, 'cursor'>; page2: boolean }[] = [];
  for (let i = 0; i < 30; i++) {
    const lang = LANGS[i % 3]!;
    const q: Omit<SearchQuery, 'cursor'> = { q: searchQuery(rng, lang), lang, limit: 20 };
    if (i % 4 === 1) q.category = categories[rng.int(categories.length)];
    if (i % 8 === 3) q.price = 'free';
    if (i % 8 === 7) q.language = lang;
    if (i % 10 === 9) q.sort = 'newest';
    out.push({ q, page2: i % 10 === 5 });
  }
  // Filters that keep matches: a subject's word within its own category, and other narrowing filters.
  out.push({ q: { q: 'математика', lang: 'ru', limit: 20, category: 'mathematics' }, page2: false });
  out.push({ q: { q: 'programming', lang: 'en', limit: 20, category: 'programming' }, page2: false });
  out.push({ q: { q: 'Қазақ тарихы', lang: 'kk', limit: 20, category: 'history-kz' }, page2: true });
  out.push({ q: { q: 'химия', lang: 'ru', limit: 20, minRating: 4 }, page2: false });
  out.push({ q: { q: 'music', lang: 'en', limit: 20, level: 'advanced', sort: 'popularity' }, page2: false });
  return out;
}

const endpoint = await startNeonEndpoint({ poolSize: 2 });
const sent: { sql: string; params: unknown[] }[] = [];
const db = createDatabase({ url: readOnlyUrl, httpEndpoint: endpoint.httpEndpoint, onQuery: (sql, params) => sent.push({ sql, params }) });
const ctx = {
  config: { JWT_SECRET: 'explain-search' },
  services: { db, cache: { getOrLoad: ({ load }: { load: () => Promise<unknown> }) => load() } },
} as unknown as Ctx;

interface Plan {
  'Execution Time': number;
  'Planning Time': number;
  Plan: { 'Shared Hit Blocks': number; 'Shared Read Blocks': number };
}
const rows: { query: string; statements: number; exec: number; plan: number; buffers: number; items: number }[] = [];
for (const { q, page2 } of queries()) {
  sent.length = 0;
  let page = await searchCatalog(ctx, q);
  if (page2 && page.nextCursor) {
    sent.length = 0;
    page = await searchCatalog(ctx, { ...q, cursor: page.nextCursor });
  }
  const label0 = `${q.q}${page2 ? ' (page 2)' : ''}${q.category ? ` category=${q.category}` : ''}${q.price ? ` price=${q.price}` : ''}${q.language ? ` language=${q.language}` : ''}${q.level ? ` level=${q.level}` : ''}${q.minRating ? ` minRating=${q.minRating}` : ''}${q.sort ? ` sort=${q.sort}` : ''}`;
  let exec = 0;
  let planning = 0;
  let buffers = 0;
  for (const st of sent) {
    const res = await direct.query(`explain (analyze, buffers, format json) ${st.sql}`, st.params);
    if (show && label0.includes(show)) {
      const text = await direct.query(`explain (analyze, buffers) ${st.sql}`, st.params);
      console.log(st.sql, '\n', text.rows.map((r) => r['QUERY PLAN']).join('\n'));
    }
    const p = (res.rows[0] as { 'QUERY PLAN': Plan[] })['QUERY PLAN'][0]!;
    exec += p['Execution Time'];
    planning += p['Planning Time'];
    buffers += p.Plan['Shared Hit Blocks'] + p.Plan['Shared Read Blocks'];
  }
  rows.push({ query: label0, statements: sent.length, exec, plan: planning, buffers, items: page.items.length });
  console.log(
    `${exec.toFixed(2).padStart(8)} ms exec ${planning.toFixed(2).padStart(6)} ms plan ${String(buffers).padStart(6)} buf ${String(page.items.length).padStart(3)} hits  ${label0}`,
  );
}
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
};
const ex = rows.map((r) => r.exec);
const pl = rows.map((r) => r.plan);
console.log(
  `execution median ${pct(ex, 0.5).toFixed(2)} ms, p90 ${pct(ex, 0.9).toFixed(2)} ms, max ${Math.max(...ex).toFixed(2)} ms; planning median ${pct(pl, 0.5).toFixed(2)} ms, p90 ${pct(pl, 0.9).toFixed(2)} ms`,
);
if (jsonOut) (await import('node:fs')).writeFileSync(jsonOut, JSON.stringify(rows, null, 2));
await direct.end();
await endpoint.close();
