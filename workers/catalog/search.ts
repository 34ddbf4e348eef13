import { and, desc, eq, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import {
  categories,
  courses,
  KK_FROM,
  KK_TO,
  results,
  searchWords,
  tests,
  testVersions,
  titleVector,
  users,
  type LocalizedText,
  type TestKind,
} from '../../db/schema/index.ts';
import type { Ctx } from '../lib/context.ts';
import { decodeTaggedCursor, decodeTimeIdCursor, encodeCursor, type CursorValue } from '../lib/cursor.ts';
import { AppError } from '../lib/errors.ts';
import { exactTs, queryRows } from '../lib/sql.ts';
import { cardColumns, filterConditions, filterKey, type CatalogFilters } from './filters.ts';
import { CACHE_TTL, gens } from './invalidation.ts';
import { pick, type Lang } from './localize.ts';
import { toCard, type CourseCard } from './views.ts';

export const QUERY_MAX = 200;

export const SEARCH_SORTS = ['relevance', 'newest', 'rating', 'popularity'] as const;
export type SearchSort = (typeof SEARCH_SORTS)[number];

export interface SearchQuery extends CatalogFilters {
  q: string;
  lang: Lang;
  sort?: SearchSort;
  /** Only courses or only tests; both when absent. */
  kind?: 'course' | 'test';
  cursor?: string;
  limit: number;
}

interface HitCommon {
  /** The title, HTML-escaped, with the matched words wrapped in <mark>. */
  highlight: string;
  /** Text rank (0 when not sorted by relevance is still the rank: it says how well the hit matched). */
  score: number;
}

export type CourseHit = CourseCard & HitCommon & { kind: 'course' };

/** A published quiz or assessment found by its title or description. */
export interface TestHit extends HitCommon {
  kind: 'test';
  id: string;
  testKind: TestKind;
  courseId: string | null;
  title: string;
  titleLang: Lang;
  description: string | null;
  questionCount: number;
  timeLimitSec: number | null;
  /** Submitted attempts: the tests' "popularity". */
  attemptCount: number;
  publishedAt: string;
}

export type SearchHit = CourseHit | TestHit;

/**
 * Exact up to this many matches, else "more than": counting every match of a common word costs
 * what ranking them does. It also bounds what relevance ranks (RANK_CAP): 200 instead of 1,000
 * halved a cold search's Postgres time (scripts/explain-search.ts: median 6 → 3 ms, p90 12–15 →
 * 8–9 ms at 100,000 courses) — ten pages of twenty, more than a searcher reads before refining.
 */
export const COUNT_CAP = 200;

export interface SearchPage {
  items: SearchHit[];
  nextCursor: string | null;
  /** Matches of the query (courses and tests); only on the first page, null on later ones. */
  total: { count: number; capped: boolean } | null;
}

/** Same folding as the search columns (db/schema/catalog.ts). */
export function foldKazakh(s: string): string {
  let out = '';
  for (const ch of s.toLowerCase()) {
    const i = KK_FROM.indexOf(ch);
    out += i >= 0 ? KK_TO[i] : ch;
  }
  return out;
}

function commonPrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/**
 * Marks title words sharing a long enough prefix with a query word (covers stems and most
 * typos: "матемтика" marks "Математика"), matched on the folded text.
 */
export function highlight(title: string, q: string): string {
  const words = foldKazakh(q)
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length >= 2);
  if (!words.length) return escapeHtml(title);
  const folded = foldKazakh(title);
  const marks: [number, number][] = [];
  const re = /[\p{L}\p{N}]+/gu;
  for (let m = re.exec(folded); m; m = re.exec(folded)) {
    const token = m[0];
    const hit = words.some((w) => commonPrefix(w, token) >= Math.max(3, Math.ceil(Math.min(w.length, token.length) / 2)));
    if (hit) marks.push([m.index, m.index + token.length]);
  }
  let out = '';
  let at = 0;
  for (const [s, e] of marks) {
    out += `${escapeHtml(title.slice(at, s))}<mark>${escapeHtml(title.slice(s, e))}</mark>`;
    at = e;
  }
  return out + escapeHtml(title.slice(at));
}

/** Query words worth correcting: folded, distinct, at least 3 letters (as the dictionary keeps them), at most 8. */
export function dictionaryWords(folded: string): string[] {
  return [...new Set(folded.split(/[^\p{L}\p{N}]+/u).filter((w) => w.length >= 3))].slice(0, 8);
}

/**
 * The query as a tsquery: the words as typed (Russian and English stemming, Kazakh folded
 * through `simple`) or'ed with the same words corrected against the dictionary of title words
 * (db/schema/search.ts): each query word is replaced by its nearest dictionary word by trigram
 * distance (itself when spelt right) — so "матемтика" finds "математика" without
 * trigram-ranking thousands of course rows.
 */
export function searchTsQuery(text: string): SQL {
  const folded = foldKazakh(text);
  const words = dictionaryWords(folded);
  // One KNN lookup per word on the dictionary's trigram index; `%` keeps only close enough words.
  const corrected = words.length
    ? sql`(select string_agg(coalesce((select d.word from ${searchWords} d where d.word % t.w order by d.word <-> t.w limit 1), t.w), ' ' order by t.n) from unnest(array[${sql.join(
        words.map((w) => sql`${w}`),
        sql`, `,
      )}]::text[]) with ordinality as t(w, n))`
    : sql`''`;
  return sql`(websearch_to_tsquery('russian', ${text}) || websearch_to_tsquery('english', ${text}) || websearch_to_tsquery('simple', ${folded}) || websearch_to_tsquery('russian', ${corrected}) || websearch_to_tsquery('english', ${corrected}) || websearch_to_tsquery('simple', ${corrected}))`;
}

/** The corrected tsquery as text ('' when the query has only stop words). */
const TsQueryRow = z.object({ q: z.string().nullable() });

/** Filters that only courses have: with any of them, tests are left out of the results. */
const courseOnly = (q: CatalogFilters) =>
  Boolean(q.category || q.tag || q.language || q.level || q.price || q.minRating !== undefined || q.featured);

/**
 * The sort key of each order and how its cursor is read. Newest keeps the cursor shape it
 * always had ([timestamp, id]); relevance, rating and popularity are numbers, so their cursors
 * carry the order's name — a cursor of one cannot page another (nor a relevance cursor from
 * before title matches were ranked first, whose key meant something else).
 */
interface SortKey {
  /** What each kind is ordered and compared by. */
  course: SQL;
  test: SQL;
  /** The key as the cursor carries it (a timestamp at full precision as text). */
  out?: (column: SQL) => SQL;
  /** Casts a decoded cursor value for the row comparison. */
  cast: (v: string | number) => SQL;
  decode: (cursor: string, secret: string) => Promise<[string | number, string]>;
  encode: (key: string | number, id: string) => CursorValue;
}

function sortKey(sort: SearchSort, testPopularity: SQL): SortKey {
  switch (sort) {
    case 'relevance':
      // Read from the ranked candidates (rankedMatches), not from a column.
      return {
        course: sql`"ranked"."rank_key"`,
        test: sql`"ranked"."rank_key"`,
        cast: (v) => sql`${v}::float8`,
        decode: (c, s) => decodeTaggedCursor(c, s, 'relevance', 'score'),
        encode: (k, id) => ['relevance', k, id],
      };
    case 'newest':
      return {
        course: sql`${courses.publishedAt}`,
        test: sql`${tests.publishedAt}`,
        out: (column) => exactTs(column),
        cast: (v) => sql`${v}::timestamptz`,
        decode: decodeTimeIdCursor,
        encode: (k, id) => [k, id],
      };
    case 'rating':
      // Tests are not rated: they come after every rated course.
      return {
        course: sql`${courses.ratingAvg}::float8`,
        test: sql`0::float8`,
        cast: (v) => sql`${v}::float8`,
        decode: (c, s) => decodeTaggedCursor(c, s, 'rating', 'score'),
        encode: (k, id) => ['rating', k, id],
      };
    case 'popularity':
      return {
        course: sql`${courses.popularity}::float8`,
        test: sql`${testPopularity}::float8`,
        cast: (v) => sql`${v}::float8`,
        decode: (c, s) => decodeTaggedCursor(c, s, 'popularity', 'score'),
        encode: (k, id) => ['popularity', k, id],
      };
  }
}

/** Splits a tsquery's text at the operators of its top level that are not inside a quoted lexeme. */
function topLevel(tsquery: string, op: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let from = 0;
  for (let i = 0; i < tsquery.length; i++) {
    const c = tsquery[i];
    // A quote inside a lexeme is doubled: toggling twice leaves `quoted` as it was.
    if (c === "'") quoted = !quoted;
    else if (!quoted && c === '(') depth++;
    else if (!quoted && c === ')') depth--;
    else if (!quoted && depth === 0 && tsquery.startsWith(op, i)) {
      parts.push(tsquery.slice(from, i));
      from = i + op.length;
      i += op.length - 1;
    }
  }
  parts.push(tsquery.slice(from));
  return parts;
}

/**
 * The query's alternatives once each: the words as typed and as corrected, through three
 * configurations, are mostly the same lexemes — each repeat would cost the index another
 * posting list and ts_rank another term for every row it ranks.
 */
export function distinctAlternatives(tsquery: string): string {
  return [...new Set(topLevel(tsquery, ' | ').map((p) => p.trim()))].filter(Boolean).join(' | ');
}

/**
 * The tsquery with every word restricted to weight A (`'word'` → `'word':A`): it matches a
 * vector only where the words are title words. Lexemes are quoted in a tsquery's text, a quote
 * inside one doubled.
 */
export function titleOnly(tsquery: string): string {
  return tsquery.replace(
    /('(?:[^']|'')*')(?::(\*?)[A-D]*)?/g,
    (_m, lexeme: string, star: string | undefined) => `${lexeme}:${star ?? ''}A`,
  );
}

/** Whether the tsquery excludes a word (`-word` in the search box): outside the quoted lexemes. */
const negates = (tsquery: string) => tsquery.replace(/'(?:[^']|'')*'/g, '').includes('!');

/** Matches ranked per search, at most: the ones the count counts, never every match of a common word. */
export const RANK_CAP = COUNT_CAP + 1;

interface Ranked {
  /** The rows searched, the id and search vector of each, and which of them may be shown. */
  from: SQL;
  id: SQL;
  vector: SQL;
  /** The title words alone, as the GIN expression index has them (titleVector). */
  title: SQL;
  where: SQL;
  tsq: SQL;
  titleTsq: SQL;
  /**
   * The query excludes a word: the title index says only that the title lacks it, so the whole
   * vector is checked too. Otherwise it is not — the planner would AND in the much larger
   * posting lists of the full-text index for nothing.
   */
  negates: boolean;
  after?: [SQL, SQL];
  limit: number;
}

/**
 * One page of matches in relevance order, from a bounded set: the first RANK_CAP matches,
 * title matches first — read from the title expression index, so a common word's thousands of
 * description and tag matches are neither read nor ranked while enough titles match — then
 * the others in index order. Only these are ranked (ts_rank, plus 2 for a title match so every
 * title match comes first); the same set gives the count (`matched`, exact up to RANK_CAP).
 * A derived table named "ranked": id, score, rank_key, matched.
 */
function rankedMatches(r: Ranked): SQL {
  const cap = sql.raw(String(RANK_CAP));
  const score = sql`ts_rank(${r.vector}, ${r.tsq})::float8`;
  return sql`(with m as (
      (select ${r.id} as id, ${score} as score, 2 as tier from ${r.from}
        where ${r.where} and ${r.title} @@ ${r.tsq}${r.negates ? sql` and ${r.vector} @@ ${r.tsq}` : sql``} limit ${cap})
      union all
      (select ${r.id}, ${score}, 0 from ${r.from}
        where ${r.where} and ${r.vector} @@ ${r.tsq} and not (${r.vector} @@ ${r.titleTsq}) limit ${cap})
      limit ${cap}
    )
    select id, score, tier + score as rank_key, (select count(*) from m)::int as matched from m
    ${r.after ? sql`where (tier + score, id) < (${r.after[0]}, ${r.after[1]})` : sql``}
    order by rank_key desc, id desc limit ${r.limit + 1}) as "ranked"`;
}

/** The order's key as stored in a cursor: numbers as numbers, timestamps as Postgres printed them. */
const keyOf = (v: unknown): string | number => (typeof v === 'string' && Number.isNaN(Number(v)) ? v : Number(v));

interface Keyed {
  key: string | number;
  id: string;
}

/** Descending by (key, id), as both statements order: the merge of two sorted pages is the page of the union. */
function byKeyDesc(a: Keyed, b: Keyed): number {
  if (a.key !== b.key) {
    if (typeof a.key === 'number' && typeof b.key === 'number') return b.key - a.key;
    // Timestamps as Postgres prints them in one zone compare as instants.
    return Date.parse(String(b.key)) - Date.parse(String(a.key)) || (String(b.key) > String(a.key) ? 1 : -1);
  }
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

/**
 * Full-text search over published courses and published tests (their published version),
 * typo-tolerant through the dictionary of title words, over the GIN indexes only. Two round
 * trips: the corrected tsquery, then one batch. Sorted by relevance (text rank), newest,
 * rating or popularity, keyset-paginated on (key, id) in every order: each kind is read in
 * that order after the cursor, and the two pages are merged. Relevance ranks a bounded set —
 * the first RANK_CAP matches of each kind, title matches first (rankedMatches) — so its pages
 * end there; the other orders page through every match. The first page also says how many
 * match — exactly up to COUNT_CAP.
 */
export async function searchCatalog(ctx: Ctx, q: SearchQuery): Promise<SearchPage> {
  const text = q.q.trim();
  if (!text) throw new AppError('validation_failed', 'Enter something to search for', { fields: { q: 'empty' } });
  const sort = q.sort ?? 'relevance';
  const key = `search:${q.lang}:${q.limit}:${q.cursor ?? ''}:${filterKey({ ...q, sort, lang: undefined, limit: undefined, cursor: undefined })}`;
  return ctx.services.cache.getOrLoad({
    family: 'search',
    key,
    gens: [gens.catalog],
    ttlSec: CACHE_TTL.search,
    load: async () => {
      const db = ctx.services.db.read;
      const testPopularity = sql<number>`(select count(*) from ${results} r where r.test_id = ${tests.id})::int`;
      const order = sortKey(sort, testPopularity);
      let after: [string | number, string] | undefined;
      if (q.cursor) after = await order.decode(q.cursor, ctx.config.JWT_SECRET);
      // The corrected tsquery first, as a value: sent as a constant, the planner weighs how many
      // rows it matches (as suggest.ts does). Computed inside the statements it was an unknown.
      const [first] = await queryRows(db, sql`select (${searchTsQuery(text)})::text as q`, TsQueryRow);
      // Only stop words (or nothing searchable): nothing matches.
      if (!first?.q) return { items: [], nextCursor: null, total: q.cursor ? null : { count: 0, capped: false } };
      const query = distinctAlternatives(first.q);
      const tsq = sql`${query}::tsquery`;
      const titleTsq = sql`${titleOnly(query)}::tsquery`;
      const relevance = sort === 'relevance';
      const courseScore = sql<number>`ts_rank(${courses.searchVector}, ${tsq})::float8`;
      const testScore = sql<number>`ts_rank(${testVersions.searchVector}, ${tsq})::float8`;
      const withCourses = q.kind !== 'test';
      const withTests = q.kind !== 'course' && !courseOnly(q);
      const cast = after ? ([order.cast(after[0]), sql`${after[1]}::uuid`] as [SQL, SQL]) : undefined;

      // A kind left out is a constant-false condition, which Postgres answers without reading anything.
      const courseFilter = and(filterConditions(q), withCourses ? undefined : sql`false`)!;
      const testFilter = and(
        sql`${tests.publishedVersion} is not null`,
        // Implied by the join (a published version), said again so the partial GIN indexes apply.
        eq(testVersions.status, 'published'),
        withTests ? undefined : sql`false`,
      )!;
      const testFrom = sql`${tests} join ${testVersions} on ${testVersions.testId} = ${tests.id} and ${testVersions.version} = ${tests.publishedVersion}`;
      const testColumns = {
        id: tests.id,
        testKind: tests.kind,
        courseId: tests.courseId,
        title: sql<LocalizedText>`${testVersions.document}->'title'`,
        description: sql<LocalizedText | null>`${testVersions.document}->'description'`,
        questionCount: sql<number>`jsonb_array_length(${testVersions.document}->'questions')::int`,
        timeLimitSec: sql<number | null>`(${testVersions.document}->>'timeLimitSec')::int`,
        attemptCount: testPopularity,
        publishedAt: tests.publishedAt,
      };
      const ranked = sql`"ranked"`;
      const testJoin = and(eq(testVersions.testId, tests.id), eq(testVersions.version, tests.publishedVersion));

      const courseRows = relevance
        ? db
            .select({
              ...cardColumns,
              score: sql<number>`${ranked}.score`,
              key: sql<number>`${ranked}.rank_key`,
              matched: sql<number>`${ranked}.matched`,
            })
            .from(
              rankedMatches({
                from: sql`${courses}`,
                id: sql`${courses.id}`,
                vector: sql`${courses.searchVector}`,
                title: titleVector(sql`${courses.title}`),
                where: courseFilter,
                tsq,
                titleTsq,
                negates: negates(query),
                after: cast,
                limit: q.limit,
              }),
            )
            .innerJoin(courses, eq(courses.id, sql`${ranked}.id`))
            .innerJoin(users, eq(users.id, courses.teacherId))
            .leftJoin(categories, eq(categories.id, courses.categoryId))
            .orderBy(sql`${ranked}.rank_key desc`, sql`${ranked}.id desc`)
        : db
            .select({
              ...cardColumns,
              score: courseScore,
              key: order.out ? order.out(order.course) : order.course,
              matched: sql<number | null>`null::int`,
            })
            .from(courses)
            .innerJoin(users, eq(users.id, courses.teacherId))
            .leftJoin(categories, eq(categories.id, courses.categoryId))
            .where(
              and(
                courseFilter,
                sql`${courses.searchVector} @@ ${tsq}`,
                cast ? sql`(${order.course}, ${courses.id}) < (${cast[0]}, ${cast[1]})` : undefined,
              ),
            )
            .orderBy(desc(order.course), desc(courses.id))
            .limit(q.limit + 1);
      const testRows = relevance
        ? db
            .select({
              ...testColumns,
              score: sql<number>`${ranked}.score`,
              key: sql<number>`${ranked}.rank_key`,
              matched: sql<number>`${ranked}.matched`,
            })
            .from(
              rankedMatches({
                from: testFrom,
                id: sql`${tests.id}`,
                vector: sql`${testVersions.searchVector}`,
                title: titleVector(sql`(${testVersions.document}->'title')`),
                where: testFilter,
                tsq,
                titleTsq,
                negates: negates(query),
                after: cast,
                limit: q.limit,
              }),
            )
            .innerJoin(tests, eq(tests.id, sql`${ranked}.id`))
            .innerJoin(testVersions, testJoin)
            .orderBy(sql`${ranked}.rank_key desc`, sql`${ranked}.id desc`)
        : db
            .select({
              ...testColumns,
              score: testScore,
              key: order.out ? order.out(order.test) : order.test,
              matched: sql<number | null>`null::int`,
            })
            .from(tests)
            .innerJoin(testVersions, testJoin)
            .where(
              and(
                testFilter,
                sql`${testVersions.searchVector} @@ ${tsq}`,
                cast ? sql`(${order.test}, ${tests.id}) < (${cast[0]}, ${cast[1]})` : undefined,
              ),
            )
            .orderBy(desc(order.test), desc(tests.id))
            .limit(q.limit + 1);
      // Relevance counts its ranked set (exact up to RANK_CAP); the other orders count apart, exact
      // up to the cap: the subquery stops at COUNT_CAP + 1 matches. Later pages keep the first page's count.
      const capped = (from: SQL) => sql<number>`(select count(*) from (${from} limit ${COUNT_CAP + 1}) m)::int`;
      const countCourses = capped(sql`select 1 from ${courses} where ${courseFilter} and ${courses.searchVector} @@ ${tsq}`);
      const countTests = capped(sql`select 1 from ${testFrom} where ${testFilter} and ${testVersions.searchVector} @@ ${tsq}`);
      const counting = !q.cursor && !relevance;
      // One round trip for the rest (a non-interactive batch over HTTP, one transaction).
      const [, cs, ts, counts] = await db.batch([
        // The ranked set is the first matches in the order the scan reads them. A sequential scan
        // (the planner's choice when very many rows match) would start where the last one on the
        // table stopped, and parallel workers would interleave their rows, so the set — and the
        // pages — would change from one request to the next.
        db.execute(sql`select set_config('synchronize_seqscans', 'off', true), set_config('max_parallel_workers_per_gather', '0', true)`),
        courseRows,
        testRows,
        db.execute<{ courses: number | null; tests: number | null }>(
          counting ? sql`select ${countCourses} as courses, ${countTests} as tests` : sql`select null as courses, null as tests`,
        ),
      ]);

      const merged: (Keyed & { hit: SearchHit })[] = [
        ...cs.map((r) => {
          const card = toCard(r, q.lang);
          const hit: CourseHit = { kind: 'course', ...card, highlight: highlight(card.title, text), score: round(r.score) };
          return { key: keyOf(r.key), id: r.id, hit };
        }),
        ...ts.map((r) => {
          const title = pick(r.title, q.lang);
          const description = r.description ? pick(r.description, title.lang) : null;
          const hit: TestHit = {
            kind: 'test',
            id: r.id,
            testKind: r.testKind,
            courseId: r.courseId,
            title: title.value,
            titleLang: title.lang,
            description: description?.value || null,
            questionCount: r.questionCount,
            timeLimitSec: r.timeLimitSec,
            attemptCount: Number(r.attemptCount),
            publishedAt: new Date(r.publishedAt!).toISOString(),
            highlight: highlight(title.value, text),
            score: round(r.score),
          };
          return { key: keyOf(r.key), id: r.id, hit };
        }),
      ].sort(byKeyDesc);
      const page = merged.slice(0, q.limit);
      const last = page.at(-1);
      const nextCursor =
        merged.length > q.limit && last ? await encodeCursor(order.encode(last.key, last.id), ctx.config.JWT_SECRET) : null;
      let total: SearchPage['total'] = null;
      if (!q.cursor) {
        const row = counts.rows[0];
        const n = relevance
          ? Number(cs[0]?.matched ?? 0) + Number(ts[0]?.matched ?? 0)
          : Number(row?.courses ?? 0) + Number(row?.tests ?? 0);
        total = { count: Math.min(n, COUNT_CAP), capped: n > COUNT_CAP };
      }
      return { items: page.map((m) => m.hit), nextCursor, total };
    },
  });
}

const round = (score: number) => Math.round(Number(score) * 1000) / 1000;
