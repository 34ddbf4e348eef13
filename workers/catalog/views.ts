import type { Category, Course, LocalizedText } from '../../db/schema/index.ts';
import { pick, type Lang } from './localize.ts';
import type { CourseCard } from './schemas.ts';

export type { CourseCard } from './schemas.ts';

type CardRow = Pick<
  Course,
  | 'id'
  | 'title'
  | 'description'
  | 'language'
  | 'level'
  | 'tags'
  | 'priceAmount'
  | 'currency'
  | 'ratingAvg'
  | 'ratingCount'
  | 'enrollmentCount'
  | 'featured'
  | 'coverUrl'
  | 'publishedAt'
  | 'teacherId'
> & {
  teacherName: string;
  categoryId: string | null;
  categorySlug: string | null;
  categoryTitle: LocalizedText | null;
};

export function toCard(row: CardRow, lang: Lang): CourseCard {
  const title = pick(row.title, lang, row.language);
  return {
    id: row.id,
    title: title.value,
    titleLang: title.lang,
    description: pick(row.description, lang, row.language).value,
    language: row.language,
    level: row.level,
    tags: row.tags,
    price: row.priceAmount > 0 ? { amount: row.priceAmount, currency: row.currency } : null,
    rating: { average: Number(row.ratingAvg), count: row.ratingCount },
    enrollmentCount: row.enrollmentCount,
    teacher: { id: row.teacherId, name: row.teacherName },
    category: row.categoryId ? { id: row.categoryId, slug: row.categorySlug ?? '', title: pick(row.categoryTitle, lang).value } : null,
    featured: row.featured,
    coverUrl: row.coverUrl,
    publishedAt: row.publishedAt ? new Date(row.publishedAt).toISOString() : null,
  };
}

export const categoryView = (c: Category, lang: Lang) => ({ id: c.id, slug: c.slug, title: pick(c.title, lang).value });
