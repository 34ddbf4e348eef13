import { and, asc, desc, eq, sql } from 'drizzle-orm';
import { categories, courses, enrollments, lessons, modules, users } from '../../db/schema/index.ts';
import { isId, type Actor, type Ctx } from '../lib/context.ts';
import { decodeTaggedCursor, decodeTimeIdCursor, toPage, type Page } from '../lib/cursor.ts';
import { AppError, notFound } from '../lib/errors.ts';
import { cardColumns, filterConditions, filterKey, type CatalogFilters } from './filters.ts';
import { CACHE_TTL, gens } from './invalidation.ts';
import { pick, type Lang } from './localize.ts';
import { videoEmbedUrl } from './markdown.ts';
import type { CourseCard, CourseDetail, CurriculumModule, LessonView } from './schemas.ts';
import { categoryView, toCard } from './views.ts';

export type { CourseDetail, CurriculumModule, LessonView };

export const LIST_SORTS = ['newest', 'rating', 'popularity'] as const;
export type ListSort = (typeof LIST_SORTS)[number];

export interface ListQuery extends CatalogFilters {
  lang: Lang;
  /** Default newest. */
  sort?: ListSort;
  cursor?: string;
  limit: number;
}

/**
 * Published courses, newest first (or best rated, or most enrolled — ./popularity.ts), keyset-paginated on
 * (key, id) — each order has its index (courses_published_created_idx, courses_rating_idx,
 * courses_popularity_idx); one SQL statement per page. The newest order keeps its old cursor
 * shape [timestamp, id]; the others name their order in the cursor ([order, number, id]).
 */
export async function listCourses(ctx: Ctx, q: ListQuery): Promise<Page<CourseCard>> {
  const sort = q.sort ?? 'newest';
  // The default order keeps its old cache key (warmed by workers/catalog/warm.ts).
  const key = `courses:list:${q.lang}:${q.limit}:${q.cursor ?? ''}:${filterKey({ ...q, sort: sort === 'newest' ? undefined : sort, lang: undefined, limit: undefined, cursor: undefined })}`;
  return ctx.services.cache.getOrLoad({
    family: 'courses:list',
    key,
    gens: [gens.catalog],
    ttlSec: CACHE_TTL.list,
    load: async () => {
      let where = filterConditions(q);
      const column = sort === 'rating' ? courses.ratingAvg : sort === 'popularity' ? courses.popularity : courses.publishedAt;
      if (q.cursor) {
        if (sort === 'newest') {
          const [at, id] = await decodeTimeIdCursor(q.cursor, ctx.config.JWT_SECRET);
          where = and(where, sql`(${courses.publishedAt}, ${courses.id}) < (${at}::timestamptz, ${id}::uuid)`)!;
        } else {
          const [n, id] = await decodeTaggedCursor(q.cursor, ctx.config.JWT_SECRET, sort, 'score');
          where = and(where, sql`(${column}, ${courses.id}) < (${n}, ${id}::uuid)`)!;
        }
      }
      const rows = await ctx.services.db.read
        .select(cardColumns)
        .from(courses)
        .innerJoin(users, eq(users.id, courses.teacherId))
        .leftJoin(categories, eq(categories.id, courses.categoryId))
        .where(where)
        .orderBy(desc(column), desc(courses.id))
        .limit(q.limit + 1);
      const page = await toPage(
        rows,
        q.limit,
        (r) =>
          sort === 'newest'
            ? [new Date(r.publishedAt!).toISOString(), r.id]
            : [sort, sort === 'rating' ? Number(r.ratingAvg) : r.popularity, r.id],
        ctx.config.JWT_SECRET,
      );
      return { items: page.items.map((r) => toCard(r, q.lang)), nextCursor: page.nextCursor };
    },
  });
}

async function loadCurriculum(ctx: Ctx, courseId: string, lang: Lang, primary: Lang): Promise<CurriculumModule[]> {
  const rows = await ctx.services.db.read
    .select({
      moduleId: modules.id,
      moduleTitle: modules.title,
      modulePosition: modules.position,
      lessonId: lessons.id,
      lessonTitle: lessons.title,
      preview: lessons.preview,
      durationMin: lessons.durationMin,
      lessonPosition: lessons.position,
    })
    .from(modules)
    .leftJoin(lessons, eq(lessons.moduleId, modules.id))
    .where(eq(modules.courseId, courseId))
    .orderBy(asc(modules.position), asc(modules.createdAt), asc(lessons.position), asc(lessons.createdAt));
  const byId = new Map<string, CurriculumModule>();
  for (const r of rows) {
    let m = byId.get(r.moduleId);
    if (!m) {
      m = { id: r.moduleId, title: pick(r.moduleTitle, lang, primary).value, position: r.modulePosition, lessons: [] };
      byId.set(r.moduleId, m);
    }
    if (r.lessonId) {
      m.lessons.push({
        id: r.lessonId,
        title: pick(r.lessonTitle, lang, primary).value,
        preview: r.preview ?? false,
        durationMin: r.durationMin ?? 0,
        position: r.lessonPosition ?? 0,
      });
    }
  }
  return [...byId.values()];
}

/** A published course with its curriculum; 404 for unknown and unpublished ones alike. */
export async function getCourse(ctx: Ctx, courseId: string, lang: Lang): Promise<CourseDetail> {
  if (!isId(courseId)) throw notFound('Course');
  return ctx.services.cache.getOrLoad({
    family: 'course',
    key: `course:${courseId}:${lang}`,
    gens: [gens.course(courseId)],
    ttlSec: CACHE_TTL.course,
    load: async () => {
      const [row] = await ctx.services.db.read
        .select({ ...cardColumns, outcomes: courses.outcomes })
        .from(courses)
        .innerJoin(users, eq(users.id, courses.teacherId))
        .leftJoin(categories, eq(categories.id, courses.categoryId))
        .where(and(eq(courses.id, courseId), eq(courses.published, true)))
        .limit(1);
      if (!row) throw notFound('Course');
      const mods = await loadCurriculum(ctx, courseId, lang, row.language);
      return {
        ...toCard(row, lang),
        outcomes: (row.outcomes ?? []).map((o) => pick(o, lang, row.language).value).filter(Boolean),
        modules: mods,
        lessonCount: mods.reduce((n, m) => n + m.lessons.length, 0),
      };
    },
  });
}

/**
 * Whether `actor` may see an unpublished course (its author or an admin). Only asked for
 * requests that carry a session, after the public read said 404.
 */
export async function canSeeUnpublished(ctx: Ctx, actor: Actor, courseId: string): Promise<boolean> {
  if (!isId(courseId)) return false;
  if (actor.role === 'admin') return true;
  const [row] = await ctx.services.db.db
    .select({ id: courses.id })
    .from(courses)
    .where(and(eq(courses.id, courseId), eq(courses.teacherId, actor.id)))
    .limit(1);
  return Boolean(row);
}

export async function getCurriculum(ctx: Ctx, courseId: string, lang: Lang): Promise<{ courseId: string; modules: CurriculumModule[] }> {
  const course = await getCourse(ctx, courseId, lang);
  return { courseId, modules: course.modules };
}

export async function listCategories(ctx: Ctx, lang: Lang) {
  return ctx.services.cache.getOrLoad({
    family: 'categories',
    key: `categories:${lang}`,
    gens: [gens.categories],
    ttlSec: CACHE_TTL.categories,
    load: async () => {
      const rows = await ctx.services.db.read.select().from(categories).orderBy(asc(categories.position), asc(categories.slug));
      return { items: rows.map((c) => categoryView(c, lang)) };
    },
  });
}

/**
 * A lesson's content: for free previews, enrolled learners, the course's teacher and admins.
 * Unpublished courses do not exist for anyone else.
 */
export async function getLesson(ctx: Ctx, actor: Actor | undefined, lessonId: string, lang: Lang): Promise<LessonView> {
  if (!isId(lessonId)) throw notFound('Lesson');
  const [row] = await ctx.services.db.db
    .select({
      lesson: lessons,
      published: courses.published,
      teacherId: courses.teacherId,
      language: courses.language,
      enrolled: actor
        ? sql<boolean>`exists(select 1 from ${enrollments} where ${enrollments.courseId} = ${courses.id} and ${enrollments.userId} = ${actor.id})`
        : sql<boolean>`false`,
    })
    .from(lessons)
    .innerJoin(courses, eq(courses.id, lessons.courseId))
    .where(eq(lessons.id, lessonId))
    .limit(1);
  if (!row) throw notFound('Lesson');
  const isAuthor = actor && (actor.role === 'admin' || actor.id === row.teacherId);
  if (!row.published && !isAuthor) throw notFound('Lesson');
  if (!isAuthor && !row.lesson.preview && !row.enrolled) {
    if (!actor) throw new AppError('unauthorized', 'Log in and enroll to read this lesson');
    throw new AppError('not_enrolled', 'Enroll in the course to read this lesson', {
      reason: 'not_enrolled',
      courseId: row.lesson.courseId,
    });
  }
  const l = row.lesson;
  const title = pick(l.title, lang, row.language);
  const html = pick(l.bodyHtml, lang, row.language).value;
  return {
    id: l.id,
    courseId: l.courseId,
    moduleId: l.moduleId,
    title: title.value,
    titleLang: title.lang,
    html,
    videoEmbedUrl: l.videoUrl ? (videoEmbedUrl(l.videoUrl) ?? null) : null,
    preview: l.preview,
    durationMin: l.durationMin,
    position: l.position,
    ...(isAuthor ? { body: l.body, titles: l.title, videoUrl: l.videoUrl } : {}),
  };
}
