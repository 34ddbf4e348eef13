import { and, desc, eq, sql, type SQL } from 'drizzle-orm';
import {
  categories,
  courses,
  KK_FROM,
  KK_TO,
  results,
  searchWords,
  tests,
  testVersions,
  users,
  type LocalizedText,
  type TestKind,
} from '../../db/schema/index.ts';
import type { Ctx } from '../lib/context.ts';
import { decodeScoreIdCursor, decodeTaggedCursor, decodeTimeIdCursor, encodeCursor, type CursorValue } from '../lib/cursor.ts';
import { AppError } from '../lib/errors.ts';
import { exactTs } from '../lib/sql.ts';
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

/** Exact up to this many matches, else "more than": counting every match of a common word costs what ranking them does. */
export const COUNT_CAP = 1000;

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

/** Filters that only courses have: with any of them, tests are left out of the results. */
const courseOnly = (q: CatalogFilters) =>
  Boolean(q.category || q.tag || q.language || q.level || q.price || q.minRating !== undefined || q.featured);

/**
 * The sort key of each order and how its cursor is read. Relevance and newest keep the
 * cursor shapes they always had ([score, id], [timestamp, id]); rating and popularity are
 * numbers too, so their cursors carry the order's name — a cursor of one cannot page another.
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

function sortKey(sort: SearchSort, courseScore: SQL, testScore: SQL, testPopularity: SQL): SortKey {
  switch (sort) {
    case 'relevance':
      return {
        course: courseScore,
        test: testScore,
        cast: (v) => sql`${v}::float8`,
        decode: decodeScoreIdCursor,
        encode: (k, id) => [k, id],
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
        course: sql`${courses.enrollmentCount}::float8`,
        test: sql`${testPopularity}::float8`,
        cast: (v) => sql`${v}::float8`,
        decode: (c, s) => decodeTaggedCursor(c, s, 'popularity', 'score'),
        encode: (k, id) => ['popularity', k, id],
      };
  }
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
 * typo-tolerant through the dictionary of title words, over the GIN indexes only. Sorted by
 * relevance (text rank), newest, rating or popularity, keyset-paginated on (key, id) in every
 * order: each kind is read in that order after the cursor, and the two pages are merged. The
 * first page also says how many match — exactly up to COUNT_CAP.
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
      const tsq = searchTsQuery(text);
      const courseScore = sql<number>`ts_rank(${courses.searchVector}, ${tsq})::float8`;
      const testScore = sql<number>`ts_rank(${testVersions.searchVector}, ${tsq})::float8`;
      const testPopularity = sql<number>`(select count(*) from ${results} r where r.test_id = ${tests.id})::int`;
      const order = sortKey(sort, courseScore, testScore, testPopularity);
      let after: [string | number, string] | undefined;
      if (q.cursor) after = await order.decode(q.cursor, ctx.config.JWT_SECRET);
      const withCourses = q.kind !== 'test';
      const withTests = q.kind !== 'course' && !courseOnly(q);

      const courseWhere = and(filterConditions(q), sql`${courses.searchVector} @@ ${tsq}`);
      const testWhere = and(
        sql`${tests.publishedVersion} is not null`,
        // Implied by the join (a published version), said again so the partial GIN index applies.
        eq(testVersions.status, 'published'),
        sql`${testVersions.searchVector} @@ ${tsq}`,
      );
      const db = ctx.services.db.read;
      const courseRows = db
        .select({ ...cardColumns, score: courseScore, key: order.out ? order.out(order.course) : order.course })
        .from(courses)
        .innerJoin(users, eq(users.id, courses.teacherId))
        .leftJoin(categories, eq(categories.id, courses.categoryId))
        .where(
          and(
            courseWhere,
            withCourses ? undefined : sql`false`,
            after ? sql`(${order.course}, ${courses.id}) < (${order.cast(after[0])}, ${after[1]}::uuid)` : undefined,
          ),
        )
        .orderBy(desc(order.course), desc(courses.id))
        .limit(q.limit + 1);
      const testRows = db
        .select({
          id: tests.id,
          testKind: tests.kind,
          courseId: tests.courseId,
          title: sql<LocalizedText>`${testVersions.document}->'title'`,
          description: sql<LocalizedText | null>`${testVersions.document}->'description'`,
          questionCount: sql<number>`jsonb_array_length(${testVersions.document}->'questions')::int`,
          timeLimitSec: sql<number | null>`(${testVersions.document}->>'timeLimitSec')::int`,
          attemptCount: testPopularity,
          publishedAt: tests.publishedAt,
          score: testScore,
          key: order.out ? order.out(order.test) : order.test,
        })
        .from(tests)
        .innerJoin(testVersions, and(eq(testVersions.testId, tests.id), eq(testVersions.version, tests.publishedVersion)))
        .where(
          and(
            testWhere,
            withTests ? undefined : sql`false`,
            after ? sql`(${order.test}, ${tests.id}) < (${order.cast(after[0])}, ${after[1]}::uuid)` : undefined,
          ),
        )
        .orderBy(desc(order.test), desc(tests.id))
        .limit(q.limit + 1);
      // Exact up to the cap: the subquery stops at COUNT_CAP + 1 matches.
      const capped = (from: SQL) => sql<number>`(select count(*) from (${from} limit ${COUNT_CAP + 1}) m)::int`;
      const countCourses = withCourses ? capped(sql`select 1 from ${courses} where ${courseWhere}`) : sql<number>`0`;
      const countTests = withTests
        ? capped(
            sql`select 1 from ${tests} join ${testVersions} on ${testVersions.testId} = ${tests.id} and ${testVersions.version} = ${tests.publishedVersion} where ${testWhere}`,
          )
        : sql<number>`0`;
      // One round trip for all of it (a non-interactive batch over HTTP); a kind left out is a
      // constant-false condition, which Postgres answers without reading anything.
      const [cs, ts, counts] = await db.batch([
        courseRows,
        testRows,
        // Later pages keep the first page's count.
        db.execute<{ courses: number; tests: number }>(
          q.cursor ? sql`select null as courses, null as tests` : sql`select ${countCourses} as courses, ${countTests} as tests`,
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
      const row = counts.rows[0];
      if (row && row.courses !== null) {
        const n = Number(row.courses) + Number(row.tests);
        total = { count: Math.min(n, COUNT_CAP), capped: n > COUNT_CAP };
      }
      return { items: page.map((m) => m.hit), nextCursor, total };
    },
  });
}

const round = (score: number) => Math.round(Number(score) * 1000) / 1000;
