import { and, desc, eq, sql } from 'drizzle-orm';
import { categories, courses, KK_FROM, KK_TO, searchWords, users } from '../../db/schema/index.ts';
import type { Ctx } from '../lib/context.ts';
import { decodeScoreIdCursor, toPage, type Page } from '../lib/cursor.ts';
import { AppError } from '../lib/errors.ts';
import { cardColumns, filterConditions, filterKey, type CatalogFilters } from './filters.ts';
import { CACHE_TTL, gens } from './invalidation.ts';
import type { Lang } from './localize.ts';
import type { SearchHit } from './schemas.ts';
import { toCard } from './views.ts';

export const QUERY_MAX = 200;

export interface SearchQuery extends CatalogFilters {
  q: string;
  lang: Lang;
  cursor?: string;
  limit: number;
}

export type { SearchHit };

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
 * Full-text search (Russian and English stemming, Kazakh folded through `simple`) over the
 * GIN index, with typo tolerance through the dictionary of title words (db/schema/search.ts):
 * each query word is replaced by its nearest dictionary word by trigram distance (itself when
 * spelt right), and the corrected words are searched too — so "матемтика" finds "математика"
 * without trigram-ranking thousands of course rows. Ranked by text rank; keyset-paginated on
 * (score, id).
 */
export async function searchCourses(ctx: Ctx, q: SearchQuery): Promise<Page<SearchHit>> {
  const text = q.q.trim();
  if (!text) throw new AppError('validation_failed', 'Enter something to search for', { fields: { q: 'empty' } });
  const key = `search:${q.lang}:${q.limit}:${q.cursor ?? ''}:${filterKey({ ...q, lang: undefined, limit: undefined, cursor: undefined })}`;
  return ctx.services.cache.getOrLoad({
    family: 'search',
    key,
    gens: [gens.catalog],
    ttlSec: CACHE_TTL.search,
    load: async () => {
      const folded = foldKazakh(text);
      const words = dictionaryWords(folded);
      // One KNN lookup per word on the dictionary's trigram index; `%` keeps only close enough words.
      const corrected = words.length
        ? sql`(select string_agg(coalesce((select d.word from ${searchWords} d where d.word % t.w order by d.word <-> t.w limit 1), t.w), ' ' order by t.n) from unnest(array[${sql.join(
            words.map((w) => sql`${w}`),
            sql`, `,
          )}]::text[]) with ordinality as t(w, n))`
        : sql`''`;
      const tsq = sql`(websearch_to_tsquery('russian', ${text}) || websearch_to_tsquery('english', ${text}) || websearch_to_tsquery('simple', ${folded}) || websearch_to_tsquery('russian', ${corrected}) || websearch_to_tsquery('english', ${corrected}) || websearch_to_tsquery('simple', ${corrected}))`;
      const score = sql<number>`ts_rank(${courses.searchVector}, ${tsq})::float8`;
      const match = sql`${courses.searchVector} @@ ${tsq}`;
      let cursorCond = sql`true`;
      if (q.cursor) {
        const [s, id] = await decodeScoreIdCursor(q.cursor, ctx.config.JWT_SECRET);
        cursorCond = sql`(${score}, ${courses.id}) < (${s}::float8, ${id}::uuid)`;
      }
      const rows = await ctx.services.db.read
        .select({ ...cardColumns, score })
        .from(courses)
        .innerJoin(users, eq(users.id, courses.teacherId))
        .leftJoin(categories, eq(categories.id, courses.categoryId))
        .where(and(filterConditions(q), match, cursorCond))
        .orderBy(desc(score), desc(courses.id))
        .limit(q.limit + 1);
      const page = await toPage(rows, q.limit, (r) => [r.score, r.id], ctx.config.JWT_SECRET);
      return {
        items: page.items.map((r) => {
          const card = toCard(r, q.lang);
          return { ...card, highlight: highlight(card.title, text), score: Math.round(r.score * 1000) / 1000 };
        }),
        nextCursor: page.nextCursor,
      };
    },
  });
}
