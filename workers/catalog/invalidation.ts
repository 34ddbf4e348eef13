import type { Ctx } from '../lib/context.ts';

/** Generation counters (see lib/cache.ts): bumping one hides every entry built on it. */
export const gens = {
  /** Lists, search and anything showing many courses. */
  catalog: 'gen:catalog',
  course: (id: string) => `gen:course:${id}`,
  categories: 'gen:categories',
};

/**
 * Seconds an entry is fresh (lib/cache.ts serves it stale for 10× longer while one reader
 * refreshes it). Writes that change what an entry shows bump its generation, so these only
 * bound how old the counters no generation tracks (ratings, enrollments) may get — and how
 * often Postgres recomputes a key: a search costs 50–80 ms at 100,000 courses, so searches
 * are refreshed least often.
 */
export const CACHE_TTL = { course: 300, list: 60, search: 300, categories: 3600 } as const;

const LANGS = ['ru', 'kk', 'en'];
const withLangs = (p: string) => [p, ...LANGS.map((l) => `${p}?lang=${l}`)];

/** Public URLs that show a course, for purging the edge cache when it changes. */
export function coursePublicPaths(courseId: string): string[] {
  return [
    ...withLangs(`/api/courses/${courseId}`),
    ...withLangs(`/api/courses/${courseId}/curriculum`),
    // The course page and its preview image rendered at the edge (workers/site/pages.ts).
    ...LANGS.flatMap((l) => [`/${l}/courses/${courseId}`, `/${l}/courses/${courseId}/cover.svg`]),
  ];
}

/** Pages rendered at the edge that list courses: home and the unfiltered catalog (filtered ones age out in 60 s). */
export const LISTED_PAGE_PATHS = ['ru', 'kk', 'en'].flatMap((l) => [`/${l}/`, `/${l}/courses`]);

/**
 * Called after a committed change to a course: hides cached entries (Redis) and drops the
 * edge-cached responses of this colo. `listed` = the change can alter lists or search.
 */
export async function courseChanged(ctx: Ctx, courseId: string, opts: { listed: boolean }) {
  await ctx.services.cache.bump(gens.course(courseId), ...(opts.listed ? [gens.catalog] : []));
  ctx.defer(ctx.services.edge.purge([...coursePublicPaths(courseId), ...(opts.listed ? LISTED_PAGE_PATHS : [])]));
}
