/**
 * Search over the full catalog with a cold cache: every query is new (words of the seeded
 * titles in ru/kk/en, a third of them mistyped, some with filters), so each one reaches
 * Postgres' full-text and trigram indexes. Budget: 200 req/s, p99 < 150 ms.
 */
import type { Scenario } from '../lib/scenario.ts';
import { LANGS, categorySlugs, searchQuery } from './data.ts';

interface State {
  categories: string[];
  used: Set<string>;
  ip(n: number): string;
}

export const searchColdScenario: Scenario<State> = {
  name: 'search-cold',
  title: 'search on 100,000 courses, cache cold',
  description: 'Never-repeated search queries (typos, three languages, optional filters) from many addresses.',
  thinkTimeMs: 10_000,
  async setup(ctx) {
    return { categories: await categorySlugs(ctx.db), used: new Set(), ip: ctx.ip };
  },
  mix: [
    {
      endpoint: 'GET /api/search',
      weight: 1,
      build: (s, rng) => {
        // A fresh combination each time: query, display language, filter.
        for (let attempt = 0; attempt < 50; attempt++) {
          const lang = LANGS[rng.int(3)]!;
          const params = new URLSearchParams({ q: searchQuery(rng, lang), lang: LANGS[rng.int(3)]! });
          const r = rng.next();
          if (r < 0.15 && s.categories.length) params.set('category', rng.pick(s.categories));
          else if (r < 0.25) params.set('price', rng.pick(['free', 'paid']));
          else if (r < 0.3) params.set('level', rng.pick(['beginner', 'intermediate', 'advanced']));
          else if (r < 0.35) params.set('minRating', String(3 + rng.int(3)));
          else if (r < 0.45) params.set('language', lang);
          const key = params.toString();
          if (s.used.has(key)) continue;
          s.used.add(key);
          return { path: `/api/search?${key}`, headers: { 'cf-connecting-ip': s.ip(rng.int(50_000)) } };
        }
        return null;
      },
    },
  ],
};
