import { sql, type SQL } from 'drizzle-orm';
import {
  boolean,
  check,
  customType,
  index,
  integer,
  jsonb,
  numeric,
  pgEnum,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { createdAt, id, timestamps } from './columns.ts';
import { languageEnum, users } from './identity.ts';

/** A text in up to three languages; readers fall back ru → kk → en (or the asked one first). */
export type LocalizedText = { ru?: string; kk?: string; en?: string };

const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' });

export const levelEnum = pgEnum('course_level', ['beginner', 'intermediate', 'advanced']);

export const categories = pgTable(
  'categories',
  {
    id: id(),
    slug: text('slug').notNull(),
    title: jsonb('title').$type<LocalizedText>().notNull(),
    position: integer('position').notNull().default(0),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('categories_slug_key').on(t.slug)],
);

/**
 * Kazakh has no Postgres stemmer: its text goes through the `simple` configuration with the
 * Kazakh-specific letters folded to their nearest Russian ones (ә→а, ғ→г, қ→к, ң→н, ө→о,
 * ұ/ү→у, һ→х, і→и), so "қазақ" and "казак" meet. Queries fold the same way.
 */
export const KK_FROM = 'әғқңөұүһі';
export const KK_TO = 'агкноуухи';
export const fold = (expr: string) => `translate(lower(${expr}), '${KK_FROM}', '${KK_TO}')`;

const searchVector: SQL = sql.raw(`
  setweight(to_tsvector('russian', coalesce(title->>'ru', '')), 'A') ||
  setweight(to_tsvector('english', coalesce(title->>'en', '')), 'A') ||
  setweight(to_tsvector('simple', ${fold("coalesce(title->>'kk', '')")}), 'A') ||
  setweight(to_tsvector('simple', ${fold('sabaq_join_words(tags)')}), 'B') ||
  setweight(to_tsvector('russian', coalesce(description->>'ru', '')), 'C') ||
  setweight(to_tsvector('english', coalesce(description->>'en', '')), 'C') ||
  setweight(to_tsvector('simple', ${fold("coalesce(description->>'kk', '')")}), 'C')`);

/**
 * The title words alone — the lexemes that carry weight A in `search_vector`, at the same
 * positions — for the GIN expression indexes that find title matches without reading the
 * rows whose description or tags match (workers/catalog/search.ts ranks those first). The
 * search statement must repeat this expression exactly for the planner to use the index.
 */
export function titleVector(localized: SQL): SQL {
  const kk = sql`translate(lower(coalesce(${localized}->>'kk', '')), ${sql.raw(`'${KK_FROM}', '${KK_TO}'`)})`;
  return sql`(to_tsvector('russian', coalesce(${localized}->>'ru', '')) || to_tsvector('english', coalesce(${localized}->>'en', '')) || to_tsvector('simple', ${kk}))`;
}

/** Folded titles of every language: what trigram similarity compares a mistyped query with. */
const searchTitle: SQL = sql.raw(
  fold(`coalesce(title->>'ru', '') || ' ' || coalesce(title->>'kk', '') || ' ' || coalesce(title->>'en', '')`),
);

export const courses = pgTable(
  'courses',
  {
    id: id(),
    teacherId: uuid('teacher_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    categoryId: uuid('category_id').references(() => categories.id, { onDelete: 'set null' }),
    title: jsonb('title').$type<LocalizedText>().notNull(),
    description: jsonb('description').$type<LocalizedText>().notNull().default({}),
    /** "What you will learn": short points, each localized; optional for authors. */
    outcomes: jsonb('outcomes').$type<LocalizedText[]>().notNull().default([]),
    /** Main language of the course content. */
    language: languageEnum('language').notNull(),
    level: levelEnum('level').notNull().default('beginner'),
    tags: text('tags').array().notNull().default(sql`'{}'::text[]`),
    /** Minor units (tiyn/cents); 0 = free. */
    priceAmount: integer('price_amount').notNull().default(0),
    currency: text('currency').notNull().default('KZT'),
    coverUrl: text('cover_url'),
    published: boolean('published').notNull().default(false),
    publishedAt: timestamp('published_at', { withTimezone: true }),
    featured: boolean('featured').notNull().default(false),
    featuredRank: integer('featured_rank').notNull().default(0),
    /** Kept exact by the reviews and enrollment operations, in their transactions. */
    ratingSum: integer('rating_sum').notNull().default(0),
    ratingCount: integer('rating_count').notNull().default(0),
    ratingAvg: numeric('rating_avg', { precision: 3, scale: 2, mode: 'number' }).notNull().default(0),
    /** Exact, kept by the enrollment operations in their own statements. Not indexed: see popularity. */
    enrollmentCount: integer('enrollment_count').notNull().default(0),
    /**
     * The enrollment count the catalog ranks by, copied from enrollment_count by the minute cron
     * (workers/catalog/popularity.ts). Indexing the live counter made every enrollment a non-HOT
     * update writing into all of the row's indexes, the GIN search indexes included.
     */
    popularity: integer('popularity').notNull().default(0),
    searchVector: tsvector('search_vector').generatedAlwaysAs(searchVector),
    searchTitle: text('search_title').generatedAlwaysAs(searchTitle),
    ...timestamps(),
  },
  // DESC NULLS FIRST is what ORDER BY … DESC means in Postgres: an index declared NULLS LAST
  // cannot return rows in that order (even for NOT NULL columns), so every list page sorted.
  (t) => [
    index('courses_teacher_idx').on(t.teacherId, t.createdAt),
    index('courses_published_created_idx').on(t.publishedAt.desc().nullsFirst(), t.id.desc().nullsFirst()).where(sql`${t.published}`),
    index('courses_featured_idx')
      .on(t.publishedAt.desc().nullsFirst(), t.id.desc().nullsFirst())
      .where(sql`${t.published} and ${t.featured}`),
    index('courses_category_idx').on(t.categoryId, t.publishedAt.desc().nullsFirst(), t.id.desc().nullsFirst()).where(sql`${t.published}`),
    // The list's single-column filters, each ordered like the list so a page reads ~limit rows.
    index('courses_level_idx').on(t.level, t.publishedAt.desc().nullsFirst(), t.id.desc().nullsFirst()).where(sql`${t.published}`),
    index('courses_language_idx').on(t.language, t.publishedAt.desc().nullsFirst(), t.id.desc().nullsFirst()).where(sql`${t.published}`),
    index('courses_rating_idx').on(t.ratingAvg.desc().nullsFirst(), t.id.desc().nullsFirst()).where(sql`${t.published}`),
    // The catalog's "popular" order (keyset on popularity, id).
    index('courses_popularity_idx').on(t.popularity.desc().nullsFirst(), t.id.desc().nullsFirst()).where(sql`${t.published}`),
    index('courses_tags_idx').using('gin', t.tags),
    index('courses_search_idx').using('gin', t.searchVector),
    index('courses_search_title_idx').using('gin', titleVector(sql`${t.title}`)),
    index('courses_search_title_trgm_idx').using('gin', sql`${t.searchTitle} gin_trgm_ops`),
    check('courses_price_check', sql`${t.priceAmount} >= 0`),
    check('courses_rating_check', sql`${t.ratingCount} >= 0 and ${t.enrollmentCount} >= 0`),
  ],
);

export const modules = pgTable(
  'modules',
  {
    id: id(),
    courseId: uuid('course_id')
      .notNull()
      .references(() => courses.id, { onDelete: 'cascade' }),
    title: jsonb('title').$type<LocalizedText>().notNull(),
    position: integer('position').notNull(),
    ...timestamps(),
  },
  (t) => [index('modules_course_idx').on(t.courseId, t.position)],
);

export const lessons = pgTable(
  'lessons',
  {
    id: id(),
    moduleId: uuid('module_id')
      .notNull()
      .references(() => modules.id, { onDelete: 'cascade' }),
    /** Denormalized from the module: progress and access checks read lessons by course. */
    courseId: uuid('course_id')
      .notNull()
      .references(() => courses.id, { onDelete: 'cascade' }),
    title: jsonb('title').$type<LocalizedText>().notNull(),
    /** Markdown as the author wrote it, per language. */
    body: jsonb('body').$type<LocalizedText>().notNull().default({}),
    /** Sanitized HTML rendered from `body` on write, per language. */
    bodyHtml: jsonb('body_html').$type<LocalizedText>().notNull().default({}),
    videoUrl: text('video_url'),
    /** Free preview: readable without enrolling. */
    preview: boolean('preview').notNull().default(false),
    durationMin: integer('duration_min').notNull().default(0),
    position: integer('position').notNull(),
    ...timestamps(),
  },
  (t) => [index('lessons_module_idx').on(t.moduleId, t.position), index('lessons_course_idx').on(t.courseId)],
);

export type Course = typeof courses.$inferSelect;
export type Module = typeof modules.$inferSelect;
export type Lesson = typeof lessons.$inferSelect;
export type Category = typeof categories.$inferSelect;
