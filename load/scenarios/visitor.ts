/**
 * Visitors browsing the catalog anonymously: the home page, catalog pages with filters,
 * course pages (a few popular courses, a long tail) and searches from a realistic pool of
 * queries (typos included) — all with warm caches. Budget: 1,000 req/s, p99 < 100 ms, 0 errors.
 */
import { weightedPicker, type Rng } from '../lib/rng.ts';
import type { Scenario } from '../lib/scenario.ts';
import { LANGS, categorySlugs, samplePublishedCourses, searchQuery } from './data.ts';

interface State {
  courses: string[];
  categories: string[];
  lists: { weight: number; query: Record<string, string> }[];
  pickList: (rng: Rng) => Record<string, string>;
  queries: string[];
  /** Simulated visitors, each with an address and a language. */
  visitors: number;
  ip(n: number): string;
}

const visitor = (s: State, rng: Rng) => {
  const v = rng.int(s.visitors);
  return { headers: { 'cf-connecting-ip': s.ip(v), 'accept-language': LANGS[v % 3]! }, lang: LANGS[v % 3]! };
};

/** Catalog pages a visitor can open: the plain list and one filter at a time, in each language. */
function listVariants(categories: string[]): { weight: number; query: Record<string, string> }[] {
  const out: { weight: number; query: Record<string, string> }[] = [{ weight: 35, query: {} }];
  for (const [i, category] of categories.entries()) out.push({ weight: 35 / (i + 1.5), query: { category } });
  out.push({ weight: 10, query: { price: 'free' } }, { weight: 5, query: { featured: 'true' } });
  for (const level of ['beginner', 'intermediate', 'advanced']) out.push({ weight: 3, query: { level } });
  for (const language of LANGS) out.push({ weight: 2, query: { language } });
  return out;
}

export const visitorScenario: Scenario<State> = {
  name: 'visitor',
  title: 'visitor: catalog list, course page, search (cache warm)',
  description:
    'Anonymous browsing from many addresses: home page, catalog pages with filters, popular course pages, searches from a pool of realistic queries.',
  thinkTimeMs: 8000,
  async setup(ctx) {
    const courses = (await samplePublishedCourses(ctx.db, ctx.smoke ? 50 : 500, 11)).map((c) => c.id);
    const queries = new Set<string>();
    for (let i = 0; queries.size < (ctx.smoke ? 20 : 200) && i < 10_000; i++) queries.add(searchQuery(ctx.rng));
    const categories = await categorySlugs(ctx.db);
    const lists = listVariants(categories);
    const pickList = weightedPicker(lists.map((l) => ({ weight: l.weight, item: l.query })));
    return { courses, categories, lists, pickList, queries: [...queries], visitors: 20_000, ip: ctx.ip };
  },
  unavailable: (s) => (s.courses.length ? undefined : 'no published courses (run npm run seed:scale)'),
  mix: [
    {
      endpoint: 'GET /api/courses/:id',
      weight: 45,
      build: (s, rng) => {
        const v = visitor(s, rng);
        return { path: `/api/courses/${s.courses[rng.zipf(s.courses.length)]}?lang=${v.lang}`, headers: v.headers };
      },
    },
    {
      endpoint: 'GET /api/courses',
      weight: 27,
      build: (s, rng) => {
        const v = visitor(s, rng);
        return { path: `/api/courses?${new URLSearchParams({ lang: v.lang, ...s.pickList(rng) })}`, headers: v.headers };
      },
    },
    {
      endpoint: 'GET /api/search',
      weight: 20,
      build: (s, rng) => {
        const v = visitor(s, rng);
        return {
          path: `/api/search?${new URLSearchParams({ q: s.queries[rng.zipf(s.queries.length, 0.9)]!, lang: v.lang })}`,
          headers: v.headers,
        };
      },
    },
    {
      endpoint: 'GET /api/categories',
      weight: 3,
      build: (s, rng) => {
        const v = visitor(s, rng);
        return { path: `/api/categories?lang=${v.lang}`, headers: v.headers };
      },
    },
    {
      endpoint: 'GET site:page',
      weight: 5,
      build: (s, rng) => {
        const v = visitor(s, rng);
        return { path: `/${v.lang}/`, headers: v.headers };
      },
    },
  ],
  warmup(s) {
    // Every URL of the hot set once, in every language: course pages first (5 min TTL), then
    // lists and searches (1 min TTL), so the short-lived entries are the freshest when measuring starts.
    const get = (path: string) => ({ endpoint: 'warm', method: 'GET' as const, path });
    const specs = [
      ...LANGS.flatMap((lang) => s.courses.map((id) => get(`/api/courses/${id}?lang=${lang}`))),
      ...LANGS.map((lang) => get(`/api/categories?lang=${lang}`)),
      ...LANGS.flatMap((lang) => s.lists.map((l) => get(`/api/courses?${new URLSearchParams({ lang, ...l.query })}`))),
      ...LANGS.flatMap((lang) => s.queries.map((q) => get(`/api/search?${new URLSearchParams({ q, lang })}`))),
    ];
    return specs.map((spec, i) => ({ ...spec, headers: { 'cf-connecting-ip': s.ip(50_000 + (i % 5000)) } }));
  },
};
