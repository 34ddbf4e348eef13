import { and, asc, eq, gt, sql } from 'drizzle-orm';
import { courses } from '../../db/schema/index.ts';
import { isId, type Ctx } from '../lib/context.ts';
import { CACHE_TTL, gens } from './invalidation.ts';

/**
 * A sitemap file holds at most 50,000 URLs; every course is listed once per language (3 URLs),
 * so a file covers 16,666 courses.
 */
export const SITEMAP_COURSES_PER_FILE = Math.floor(50_000 / 3);

export interface SitemapCourse {
  id: string;
  updatedAt: string;
}

/**
 * The files of the sitemap index: the id each file starts after (keyset), `''` for the first.
 * One pass over the published ids numbers them; cached under the catalog generation, so a
 * publish, unpublish or delete recomputes it on the next read.
 */
export async function sitemapFiles(ctx: Ctx, perFile = SITEMAP_COURSES_PER_FILE): Promise<{ after: string[] }> {
  return ctx.services.cache.getOrLoad({
    family: 'sitemap',
    key: `sitemap:files:${perFile}`,
    gens: [gens.catalog],
    ttlSec: CACHE_TTL.list,
    load: async () => {
      const numbered = ctx.services.db.read
        .select({
          id: courses.id,
          rn: sql<number>`row_number() over (order by ${courses.id})`.as('rn'),
          total: sql<number>`count(*) over ()`.as('total'),
        })
        .from(courses)
        .where(eq(courses.published, true))
        .as('numbered');
      // The last id of every full file that is followed by another one.
      const bounds = await ctx.services.db.read
        .select({ id: numbered.id })
        .from(numbered)
        .where(sql`${numbered.rn} % ${perFile} = 0 and ${numbered.rn} < ${numbered.total}`)
        .orderBy(asc(numbered.id));
      return { after: ['', ...bounds.map((b) => b.id)] };
    },
  });
}

/** One sitemap file: published courses with an id after `after`, in id order (keyset cursor). */
export async function sitemapCourses(ctx: Ctx, after: string, limit = SITEMAP_COURSES_PER_FILE): Promise<SitemapCourse[]> {
  const published = eq(courses.published, true);
  const rows = await ctx.services.db.read
    .select({ id: courses.id, updatedAt: courses.updatedAt })
    .from(courses)
    .where(after && isId(after) ? and(published, gt(courses.id, after)) : published)
    .orderBy(asc(courses.id))
    .limit(limit);
  return rows.map((r) => ({ id: r.id, updatedAt: new Date(r.updatedAt).toISOString() }));
}
