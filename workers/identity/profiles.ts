/**
 * Public teacher profiles: photo, "about me" in the asked language (with fallback), published
 * courses and the rating across them. Only verified teachers have a public page; any other id
 * (a learner, a pending teacher, nothing at all) is a 404.
 */
import { and, desc, eq } from 'drizzle-orm';
import { categories, courses, users } from '../../db/schema/index.ts';
import { cardColumns } from '../catalog/filters.ts';
import { pick, type Lang } from '../catalog/localize.ts';
import { toCard } from '../catalog/views.ts';
import { isId, type Ctx } from '../lib/context.ts';
import { notFound } from '../lib/errors.ts';
import type { TeacherProfile } from './schemas.ts';

export const PROFILE_COURSES_LIMIT = 50;

export async function getTeacherProfile(ctx: Ctx, id: string, lang: Lang): Promise<TeacherProfile> {
  if (!isId(id)) throw notFound('Teacher');
  const { db } = ctx.services.db;
  const [teacher] = await db
    .select({ id: users.id, name: users.name, avatarUrl: users.avatarUrl, bio: users.bio, language: users.language })
    .from(users)
    .where(and(eq(users.id, id), eq(users.role, 'teacher'), eq(users.teacherStatus, 'verified')))
    .limit(1);
  if (!teacher) throw notFound('Teacher');
  const rows = await db
    .select(cardColumns)
    .from(courses)
    .innerJoin(users, eq(users.id, courses.teacherId))
    .leftJoin(categories, eq(categories.id, courses.categoryId))
    .where(and(eq(courses.teacherId, teacher.id), eq(courses.published, true)))
    .orderBy(desc(courses.publishedAt), desc(courses.id))
    .limit(PROFILE_COURSES_LIMIT);
  const cards = rows.map((r) => toCard(r, lang));
  const count = cards.reduce((n, c) => n + c.rating.count, 0);
  const average = count ? Math.round((cards.reduce((s, c) => s + c.rating.average * c.rating.count, 0) / count) * 100) / 100 : 0;
  const bio = pick(teacher.bio, lang, teacher.language);
  return {
    id: teacher.id,
    name: teacher.name,
    avatarUrl: teacher.avatarUrl,
    bio: bio.value,
    bioLang: bio.lang,
    rating: { average, count },
    courses: cards,
  };
}

/** The public pages of a teacher, one per language (edge purges). */
export const teacherPaths = (id: string) => (['ru', 'kk', 'en'] as const).map((l) => `/${l}/teachers/${id}`);
