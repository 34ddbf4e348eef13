import { and, arrayContains, eq, gt, gte, sql, type SQL } from 'drizzle-orm';
import { categories, courses, users } from '../../db/schema/index.ts';

export interface CatalogFilters {
  category?: string;
  tag?: string;
  language?: 'ru' | 'kk' | 'en';
  level?: 'beginner' | 'intermediate' | 'advanced';
  price?: 'free' | 'paid';
  minRating?: number;
  featured?: boolean;
}

/** WHERE conditions shared by the catalog list and search: published courses matching the filters. */
export function filterConditions(f: CatalogFilters): SQL {
  const conds: (SQL | undefined)[] = [eq(courses.published, true)];
  // By id, resolved once (an InitPlan), so the planner can use courses_category_idx; a
  // condition on the joined categories.slug made it fetch and sort the whole category.
  if (f.category)
    conds.push(sql`${courses.categoryId} = (select ${categories.id} from ${categories} where ${categories.slug} = ${f.category})`);
  if (f.tag) conds.push(arrayContains(courses.tags, [f.tag.toLowerCase()]));
  if (f.language) conds.push(eq(courses.language, f.language));
  if (f.level) conds.push(eq(courses.level, f.level));
  if (f.price === 'free') conds.push(eq(courses.priceAmount, 0));
  if (f.price === 'paid') conds.push(gt(courses.priceAmount, 0));
  if (f.minRating !== undefined) conds.push(gte(courses.ratingAvg, f.minRating));
  if (f.featured) conds.push(eq(courses.featured, true));
  return and(...conds)!;
}

/** Columns of a course card, with its teacher and category, in one statement. */
export const cardColumns = {
  id: courses.id,
  title: courses.title,
  description: courses.description,
  language: courses.language,
  level: courses.level,
  tags: courses.tags,
  priceAmount: courses.priceAmount,
  currency: courses.currency,
  ratingAvg: courses.ratingAvg,
  ratingCount: courses.ratingCount,
  enrollmentCount: courses.enrollmentCount,
  popularity: courses.popularity,
  featured: courses.featured,
  coverUrl: courses.coverUrl,
  publishedAt: courses.publishedAt,
  teacherId: courses.teacherId,
  teacherName: users.name,
  categoryId: categories.id,
  categorySlug: categories.slug,
  categoryTitle: categories.title,
};

/** A stable string for cache keys: same filters, same key, whatever the order. */
export function filterKey(f: CatalogFilters & Record<string, unknown>): string {
  return Object.keys(f)
    .filter((k) => f[k] !== undefined && f[k] !== '')
    .sort()
    .map((k) => `${k}=${String(f[k])}`)
    .join('&');
}

export const isoOrNull = (d: Date | string | null) => (d ? new Date(d).toISOString() : null);
export { sql };
