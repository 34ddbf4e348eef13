import { and, desc, eq } from 'drizzle-orm';
import { courses } from '../../db/schema/index.ts';
import type { Ctx } from '../lib/context.ts';
import { getCourse, listCategories, listCourses } from './browse.ts';
import { LANGS } from './localize.ts';

/**
 * Loads what a visitor sees first into the cache — categories, the first catalog page, the
 * featured courses and the most enrolled course pages — so the first visitors after a
 * start or a deploy do not all queue on Postgres. Safe to run any time (cache-aside).
 */
export async function warmCatalog(ctx: Ctx, opts: { topCourses?: number } = {}): Promise<{ keys: number }> {
  const top = await ctx.services.db.read
    .select({ id: courses.id })
    .from(courses)
    .where(and(eq(courses.published, true)))
    .orderBy(desc(courses.featured), desc(courses.popularity))
    .limit(opts.topCourses ?? 20);
  const jobs: Promise<unknown>[] = [];
  for (const lang of LANGS) {
    jobs.push(listCategories(ctx, lang));
    jobs.push(listCourses(ctx, { lang, limit: 20 }));
    jobs.push(listCourses(ctx, { lang, limit: 20, featured: true }));
    for (const { id } of top) jobs.push(getCourse(ctx, id, lang));
  }
  const results = await Promise.allSettled(jobs);
  const failed = results.filter((r) => r.status === 'rejected');
  if (failed.length) ctx.log.warn('cache warm-up: some keys failed', { failed: failed.length });
  return { keys: results.length - failed.length };
}
