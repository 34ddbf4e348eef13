import { and, desc, eq, sql, type SQL } from 'drizzle-orm';
import { courses, searchWords, tests, testVersions, type LocalizedText } from '../../db/schema/index.ts';
import { z } from 'zod';
import type { Ctx } from '../lib/context.ts';
import { queryRows } from '../lib/sql.ts';
import { gens, CACHE_TTL } from './invalidation.ts';
import { pick, type Lang } from './localize.ts';
import { foldKazakh, highlight, searchTsQuery } from './search.ts';

/** Suggestions shown while typing: a few titles, most popular first. */
export const SUGGEST_COURSES = 6;
export const SUGGEST_TESTS = 2;
/** Fewer letters than this suggest nothing: one letter matches a good part of the catalog. */
export const SUGGEST_MIN = 2;
/** Dictionary words the word being typed may stand for (its completions, then its near misses). */
const COMPLETIONS = 8;
const NEAR_MISSES = 3;

export interface Suggestion {
  kind: 'course' | 'test';
  id: string;
  title: string;
  titleLang: Lang;
  /** The title, HTML-escaped, with the matched words in <mark>. */
  highlight: string;
}

/**
 * The query split for completion: the words already typed (searched as the search does, typo
 * correction included) and the word being typed — the last one, unless the text ends with a
 * space — which stands for any dictionary word it begins, or, when it begins none because of a
 * typo, for its nearest dictionary words by trigram distance.
 */
export function splitTyped(text: string): { done: string; typing: string | null } {
  const folded = foldKazakh(text);
  const words = folded.split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  const typing = /[\p{L}\p{N}]$/u.test(folded) ? (words.pop() ?? null) : null;
  return { done: words.join(' '), typing };
}

/**
 * The tsquery of the word being typed. Dictionary words are letters and digits only (split on
 * everything else), so joining them with `|` is a valid to_tsquery text; each is stemmed by
 * the Russian and English configurations as the course vectors were, and matched as a prefix
 * through `simple` too (a stem such as "математик" does not begin with "математика").
 */
function typingTsQuery(word: string): { tsq: SQL; known: SQL } {
  // A range on the pattern operators (byte order; UTF-8 keeps code point order), which only the
  // text_pattern_ops btree serves: `like 'ге%'` went to the trigram index, poor for 2–3 letters.
  const last = word.codePointAt(word.length - 1)!;
  const upper = `${word.slice(0, word.length - (last > 0xffff ? 2 : 1))}${String.fromCodePoint(last + 1)}`;
  const alternatives = sql`(select string_agg(w, ' | ') from (
      (select ${searchWords.word} as w from ${searchWords} where ${searchWords.word} ~>=~ ${word} and ${searchWords.word} ~<~ ${upper} order by length(${searchWords.word}), ${searchWords.word} limit ${COMPLETIONS})
      union
      (select ${searchWords.word} from ${searchWords} where ${searchWords.word} % ${word} order by ${searchWords.word} <-> ${word} limit ${NEAR_MISSES})
    ) a)`;
  const alt = sql`coalesce(${alternatives}, '')`;
  return {
    tsq: sql`(to_tsquery('simple', ${`${word}:*`}) || to_tsquery('simple', ${alt}) || to_tsquery('russian', ${alt}) || to_tsquery('english', ${alt}))`,
    // Whether some course title word begins like it or is near it (the dictionary holds the
    // words of course titles): when none does, no course can match.
    known: sql`${alternatives} is not null`,
  };
}

/** The tsquery of what was typed, as text, and whether any course title word can match it. */
const TsQueryRow = z.object({ q: z.string().nullable(), known: z.boolean() });

export async function suggest(ctx: Ctx, q: { q: string; lang: Lang }): Promise<{ items: Suggestion[] }> {
  const text = q.q.trim();
  const { done, typing } = splitTyped(q.q);
  // Only letters and digits reach the dictionary: a word shorter than SUGGEST_MIN is not worth a round trip.
  if (foldKazakh(text).replace(/[^\p{L}\p{N}]+/gu, '').length < SUGGEST_MIN || (typing !== null && typing.length < SUGGEST_MIN && !done))
    return { items: [] };
  const key = `suggest:${q.lang}:${done}|${typing ?? ''}`;
  return ctx.services.cache.getOrLoad({
    family: 'suggest',
    key,
    gens: [gens.catalog],
    ttlSec: CACHE_TTL.search,
    load: async () => {
      const parts: SQL[] = [];
      const typed = typing ? typingTsQuery(typing) : undefined;
      if (done) parts.push(searchTsQuery(done));
      if (typed) parts.push(typed.tsq);
      if (!parts.length) return { items: [] };
      const combined = sql`(${sql.join(parts, sql` && `)})`;
      const db = ctx.services.db.read;
      // The tsquery first, as a value. Sent as a constant, the planner estimates how many
      // courses it matches and picks accordingly: the "most enrolled first" index walk when
      // there are many, the full-text index when there are few. Computed inside the course
      // statement it was an unknown, so the walk was chosen every time — and a rare or
      // misspelt word read the whole catalog (0.7–1.4 s at 100,000 courses).
      const [first] = await queryRows(db, sql`select (${combined})::text as q, ${typed?.known ?? sql`true`} as known`, TsQueryRow);
      if (!first?.q) return { items: [] };
      const tsq = sql`${first.q}::tsquery`;
      const coursesQuery = db
        .select({ id: courses.id, title: courses.title, language: courses.language })
        .from(courses)
        .where(and(eq(courses.published, true), sql`${courses.searchVector} @@ ${tsq}`))
        // Most enrolled first: what most people typing this are after. With two words or more the
        // planner takes them as independent and expects many matches, so it walks the
        // popularity index — while few titles have both, and the walk reads most of the catalog.
        // `+ 0` keeps that index out: the full-text index finds the few, which are then sorted.
        .orderBy(done ? sql`${courses.popularity} + 0 desc` : desc(courses.popularity), desc(courses.id))
        .limit(SUGGEST_COURSES);
      const testsQuery = db
        .select({ id: tests.id, title: sql<LocalizedText>`${testVersions.document}->'title'` })
        .from(tests)
        .innerJoin(testVersions, and(eq(testVersions.testId, tests.id), eq(testVersions.version, tests.publishedVersion)))
        .where(
          and(
            sql`${tests.publishedVersion} is not null`,
            eq(testVersions.status, 'published'),
            sql`${testVersions.searchVector} @@ ${tsq}`,
          ),
        )
        .orderBy(desc(tests.publishedAt), desc(tests.id))
        .limit(SUGGEST_TESTS);
      // A typed word no course title word begins like or is near: no course can match, only tests are asked.
      const [cs, ts] = first.known ? await db.batch([coursesQuery, testsQuery]) : [[], await testsQuery];
      const items: Suggestion[] = [
        ...cs.map((r) => ({ kind: 'course' as const, ...pick(r.title, q.lang, r.language), id: r.id })),
        ...ts.map((r) => ({ kind: 'test' as const, ...pick(r.title, q.lang), id: r.id })),
      ].map((s) => ({ kind: s.kind, id: s.id, title: s.value, titleLang: s.lang, highlight: highlight(s.value, text) }));
      return { items };
    },
  });
}
