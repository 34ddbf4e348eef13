import { asc, desc, eq, sql } from 'drizzle-orm';
import { categories, courses, lessons, modules, users, type Course, type LocalizedText } from '../../db/schema/index.ts';
import type { HttpDb, Tx } from '../../db/client.ts';
import { isId, type Actor, type Ctx } from '../lib/context.ts';
import type { AuthoredCourse, AuthoredCourseDetail, AuthoredLesson, AuthoredModule } from './schemas.ts';
import { AppError, forbidden, notFound, validationError } from '../lib/errors.ts';
import { courseChanged } from './invalidation.ts';
import { LANGS } from './localize.ts';
import { renderLesson } from './markdown.ts';
import { assertEmailVerified } from '../identity/recovery.ts';

/**
 * Authoring: only a verified teacher who owns the course, or an admin. Someone else's
 * course answers 404 (it is not theirs to know about); an unverified teacher gets 403.
 */
async function assertAuthor(ctx: Ctx, actor: Actor): Promise<void> {
  if (actor.role === 'admin') return;
  if (actor.role !== 'teacher') throw forbidden('Only teachers author courses');
  // From the database, not the token: verification may have changed since login.
  const [u] = await ctx.services.db.db.select({ status: users.teacherStatus }).from(users).where(eq(users.id, actor.id)).limit(1);
  if (u?.status !== 'verified') throw forbidden('Your teacher account is not verified yet');
}

/** The course if `actor` may author it (its verified teacher, or an admin); anyone else: 404. */
export async function ownedCourse(ctx: Ctx, actor: Actor, courseId: string): Promise<Course> {
  await assertAuthor(ctx, actor);
  if (!isId(courseId)) throw notFound('Course');
  const [course] = await ctx.services.db.db.select().from(courses).where(eq(courses.id, courseId)).limit(1);
  if (!course || (actor.role !== 'admin' && course.teacherId !== actor.id)) throw notFound('Course');
  return course;
}

async function ownedModule(ctx: Ctx, actor: Actor, moduleId: string) {
  if (!isId(moduleId)) throw notFound('Module');
  const [row] = await ctx.services.db.db
    .select({ module: modules, course: courses })
    .from(modules)
    .innerJoin(courses, eq(courses.id, modules.courseId))
    .where(eq(modules.id, moduleId))
    .limit(1);
  if (!row) throw notFound('Module');
  await ownedCourse(ctx, actor, row.course.id);
  return row;
}

async function ownedLesson(ctx: Ctx, actor: Actor, lessonId: string) {
  if (!isId(lessonId)) throw notFound('Lesson');
  const [row] = await ctx.services.db.db
    .select({ lesson: lessons, course: courses })
    .from(lessons)
    .innerJoin(courses, eq(courses.id, lessons.courseId))
    .where(eq(lessons.id, lessonId))
    .limit(1);
  if (!row) throw notFound('Lesson');
  await ownedCourse(ctx, actor, row.course.id);
  return row;
}

export interface CourseInput {
  title: LocalizedText;
  description?: LocalizedText;
  outcomes?: LocalizedText[];
  language: 'ru' | 'kk' | 'en';
  level?: Course['level'];
  category?: string | null;
  tags?: string[];
  price?: { amount: number; currency: string } | null;
  coverUrl?: string | null;
  featured?: boolean;
  featuredRank?: number;
}

async function categoryId(ctx: Ctx, slug: string | null | undefined): Promise<string | null | undefined> {
  if (slug === undefined) return undefined;
  if (slug === null) return null;
  const [c] = await ctx.services.db.db.select({ id: categories.id }).from(categories).where(eq(categories.slug, slug)).limit(1);
  if (!c) throw validationError({ category: `Unknown category "${slug}"` });
  return c.id;
}

function courseValues(input: Partial<CourseInput>, actor: Actor) {
  if ((input.featured !== undefined || input.featuredRank !== undefined) && actor.role !== 'admin') {
    throw forbidden('Only admins feature courses');
  }
  return {
    ...(input.title !== undefined ? { title: input.title } : {}),
    ...(input.description !== undefined ? { description: input.description } : {}),
    ...(input.outcomes !== undefined ? { outcomes: input.outcomes } : {}),
    ...(input.language !== undefined ? { language: input.language } : {}),
    ...(input.level !== undefined ? { level: input.level } : {}),
    ...(input.tags !== undefined ? { tags: [...new Set(input.tags.map((t) => t.trim().toLowerCase()).filter(Boolean))] } : {}),
    ...(input.price !== undefined ? { priceAmount: input.price?.amount ?? 0, currency: input.price?.currency ?? 'KZT' } : {}),
    ...(input.coverUrl !== undefined ? { coverUrl: input.coverUrl } : {}),
    ...(input.featured !== undefined ? { featured: input.featured } : {}),
    ...(input.featuredRank !== undefined ? { featuredRank: input.featuredRank } : {}),
  };
}

export async function createCourse(ctx: Ctx, actor: Actor, input: CourseInput) {
  await assertAuthor(ctx, actor);
  const catId = await categoryId(ctx, input.category);
  const [row] = await ctx.services.db.db
    .insert(courses)
    .values({
      teacherId: actor.id,
      title: input.title,
      language: input.language,
      ...courseValues(input, actor),
      ...(catId !== undefined ? { categoryId: catId } : {}),
    })
    .returning();
  return authorView(row!);
}

export async function updateCourse(ctx: Ctx, actor: Actor, courseId: string, input: Partial<CourseInput>) {
  const course = await ownedCourse(ctx, actor, courseId);
  const catId = await categoryId(ctx, input.category);
  const set = { ...courseValues(input, actor), ...(catId !== undefined ? { categoryId: catId } : {}) };
  if (!Object.keys(set).length) return authorView(course);
  const [row] = await ctx.services.db.db.update(courses).set(set).where(eq(courses.id, course.id)).returning();
  await courseChanged(ctx, course.id, { listed: course.published });
  return authorView(row!);
}

export async function deleteCourse(ctx: Ctx, actor: Actor, courseId: string) {
  const course = await ownedCourse(ctx, actor, courseId);
  // One statement: a course that was ever public leaves a tombstone, so its page answers 410 Gone.
  await (ctx.services.db.db as HttpDb).execute(
    sql`with d as (delete from courses where id = ${course.id}::uuid returning id, published_at)
        insert into course_tombstones (course_id) select id from d where published_at is not null on conflict do nothing`,
  );
  await courseChanged(ctx, course.id, { listed: course.published });
}

export async function setPublished(ctx: Ctx, actor: Actor, courseId: string, published: boolean) {
  const course = await ownedCourse(ctx, actor, courseId);
  if (published) {
    await assertEmailVerified(ctx, actor.id);
    const [{ n } = { n: 0 }] = await ctx.services.db.db
      .select({ n: sql<number>`count(*)::int` })
      .from(lessons)
      .where(eq(lessons.courseId, course.id));
    if (n === 0) throw new AppError('conflict', 'Add at least one lesson before publishing', { reason: 'no_lessons' });
    if (!LANGS.some((l) => course.title[l]?.trim())) throw validationError({ title: 'A published course needs a title' });
  }
  const [row] = await ctx.services.db.db
    .update(courses)
    // The first publication date orders the catalog; republishing keeps the place.
    .set({ published, publishedAt: published ? sql`coalesce(${courses.publishedAt}, now())` : courses.publishedAt })
    .where(eq(courses.id, course.id))
    .returning();
  await courseChanged(ctx, course.id, { listed: true });
  return authorView(row!);
}

export function authorView(c: Course): AuthoredCourse {
  return {
    id: c.id,
    title: c.title,
    description: c.description,
    outcomes: c.outcomes,
    language: c.language,
    level: c.level,
    tags: c.tags,
    categoryId: c.categoryId,
    price: c.priceAmount > 0 ? { amount: c.priceAmount, currency: c.currency } : null,
    coverUrl: c.coverUrl,
    published: c.published,
    publishedAt: c.publishedAt ? new Date(c.publishedAt).toISOString() : null,
    featured: c.featured,
    rating: { average: Number(c.ratingAvg), count: c.ratingCount },
    enrollmentCount: c.enrollmentCount,
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
  };
}

/** The teacher's own courses (drafts included), newest first; admins see all. */
export async function listTeacherCourses(ctx: Ctx, actor: Actor): Promise<{ items: AuthoredCourse[]; nextCursor: null }> {
  await assertAuthor(ctx, actor);
  const rows = await ctx.services.db.db
    .select()
    .from(courses)
    .where(actor.role === 'admin' ? undefined : eq(courses.teacherId, actor.id))
    .orderBy(desc(courses.createdAt))
    .limit(200);
  return { items: rows.map(authorView), nextCursor: null };
}

export async function getTeacherCourse(ctx: Ctx, actor: Actor, courseId: string): Promise<AuthoredCourseDetail> {
  const course = await ownedCourse(ctx, actor, courseId);
  const mods = await ctx.services.db.db.select().from(modules).where(eq(modules.courseId, course.id)).orderBy(asc(modules.position));
  const ls = mods.length
    ? await ctx.services.db.db.select().from(lessons).where(eq(lessons.courseId, course.id)).orderBy(asc(lessons.position))
    : [];
  return {
    ...authorView(course),
    modules: mods.map((m) => ({
      id: m.id,
      title: m.title,
      position: m.position,
      lessons: ls
        .filter((l) => l.moduleId === m.id)
        .map((l) => ({ id: l.id, title: l.title, preview: l.preview, position: l.position, durationMin: l.durationMin })),
    })),
  };
}

// ---- modules ---------------------------------------------------------------------------

export async function addModule(ctx: Ctx, actor: Actor, courseId: string, input: { title: LocalizedText }): Promise<AuthoredModule> {
  const course = await ownedCourse(ctx, actor, courseId);
  const [row] = await ctx.services.db.db
    .insert(modules)
    .values({
      courseId: course.id,
      title: input.title,
      position: sql`coalesce((select max(${modules.position}) from ${modules} where ${modules.courseId} = ${course.id}), -1) + 1`,
    })
    .returning();
  await courseChanged(ctx, course.id, { listed: false });
  return { id: row!.id, courseId: course.id, title: row!.title, position: row!.position };
}

export async function updateModule(ctx: Ctx, actor: Actor, moduleId: string, input: { title?: LocalizedText }): Promise<AuthoredModule> {
  const { module, course } = await ownedModule(ctx, actor, moduleId);
  const [row] = input.title
    ? await ctx.services.db.db.update(modules).set({ title: input.title }).where(eq(modules.id, module.id)).returning()
    : [module];
  await courseChanged(ctx, course.id, { listed: false });
  return { id: row!.id, courseId: course.id, title: row!.title, position: row!.position };
}

export async function deleteModule(ctx: Ctx, actor: Actor, moduleId: string) {
  const { module, course } = await ownedModule(ctx, actor, moduleId);
  await ctx.services.db.db.delete(modules).where(eq(modules.id, module.id));
  await courseChanged(ctx, course.id, { listed: false });
}

/**
 * Sets positions from a full list of ids, in one transaction. The list must name exactly
 * the current children — no more, no fewer, no repeats — or nothing changes.
 */
async function reorder(
  tx: Tx,
  table: typeof modules | typeof lessons,
  parent: { column: typeof modules.courseId | typeof lessons.moduleId; id: string },
  ids: string[],
) {
  const current = await tx.select({ id: table.id }).from(table).where(eq(parent.column, parent.id)).for('update');
  const have = new Set(current.map((r) => r.id));
  const unique = new Set(ids);
  if (unique.size !== ids.length || unique.size !== have.size || ids.some((id) => !have.has(id))) {
    throw validationError({ ids: `Give every id of the ${table === modules ? 'course’s modules' : 'module’s lessons'} exactly once` });
  }
  await tx.execute(sql`update ${table} set position = o.pos - 1, updated_at = now()
    from unnest(${sql.param(ids)}::uuid[]) with ordinality as o(id, pos)
    where ${table.id} = o.id`);
}

export async function reorderModules(ctx: Ctx, actor: Actor, courseId: string, ids: string[]) {
  const course = await ownedCourse(ctx, actor, courseId);
  await ctx.services.db.transaction((tx) => reorder(tx, modules, { column: modules.courseId, id: course.id }, ids));
  await courseChanged(ctx, course.id, { listed: false });
  return { ids };
}

// ---- lessons ---------------------------------------------------------------------------

export interface LessonInput {
  title: LocalizedText;
  body?: LocalizedText;
  videoUrl?: string | null;
  preview?: boolean;
  durationMin?: number;
}

function renderBodies(body: LocalizedText): LocalizedText {
  const out: LocalizedText = {};
  for (const l of LANGS) if (body[l] !== undefined) out[l] = renderLesson(body[l]!);
  return out;
}

export async function addLesson(ctx: Ctx, actor: Actor, moduleId: string, input: LessonInput) {
  const { module, course } = await ownedModule(ctx, actor, moduleId);
  const body = input.body ?? {};
  const [row] = await ctx.services.db.db
    .insert(lessons)
    .values({
      moduleId: module.id,
      courseId: course.id,
      title: input.title,
      body,
      bodyHtml: renderBodies(body),
      videoUrl: input.videoUrl ?? null,
      preview: input.preview ?? false,
      durationMin: input.durationMin ?? 0,
      position: sql`coalesce((select max(${lessons.position}) from ${lessons} where ${lessons.moduleId} = ${module.id}), -1) + 1`,
    })
    .returning();
  await courseChanged(ctx, course.id, { listed: false });
  return lessonAuthorView(row!);
}

export async function updateLesson(ctx: Ctx, actor: Actor, lessonId: string, input: Partial<LessonInput>) {
  const { lesson, course } = await ownedLesson(ctx, actor, lessonId);
  const set = {
    ...(input.title !== undefined ? { title: input.title } : {}),
    ...(input.body !== undefined ? { body: input.body, bodyHtml: renderBodies(input.body) } : {}),
    ...(input.videoUrl !== undefined ? { videoUrl: input.videoUrl } : {}),
    ...(input.preview !== undefined ? { preview: input.preview } : {}),
    ...(input.durationMin !== undefined ? { durationMin: input.durationMin } : {}),
  };
  const [row] = Object.keys(set).length
    ? await ctx.services.db.db.update(lessons).set(set).where(eq(lessons.id, lesson.id)).returning()
    : [lesson];
  await courseChanged(ctx, course.id, { listed: false });
  return lessonAuthorView(row!);
}

export async function deleteLesson(ctx: Ctx, actor: Actor, lessonId: string) {
  const { lesson, course } = await ownedLesson(ctx, actor, lessonId);
  await ctx.services.db.db.delete(lessons).where(eq(lessons.id, lesson.id));
  await courseChanged(ctx, course.id, { listed: false });
}

export async function reorderLessons(ctx: Ctx, actor: Actor, moduleId: string, ids: string[]) {
  const { module, course } = await ownedModule(ctx, actor, moduleId);
  await ctx.services.db.transaction((tx) => reorder(tx, lessons, { column: lessons.moduleId, id: module.id }, ids));
  await courseChanged(ctx, course.id, { listed: false });
  return { ids };
}

function lessonAuthorView(l: typeof lessons.$inferSelect): AuthoredLesson {
  return {
    id: l.id,
    moduleId: l.moduleId,
    courseId: l.courseId,
    title: l.title,
    body: l.body,
    bodyHtml: l.bodyHtml,
    videoUrl: l.videoUrl,
    preview: l.preview,
    durationMin: l.durationMin,
    position: l.position,
  };
}
