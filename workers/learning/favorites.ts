import { and, desc, eq, sql } from 'drizzle-orm';
import { categories, courses, favorites, users } from '../../db/schema/index.ts';
import { cardColumns } from '../catalog/filters.ts';
import type { Lang } from '../catalog/localize.ts';
import { toCard } from '../catalog/views.ts';
import { isId, type Actor, type Ctx } from '../lib/context.ts';
import { decodeCursor, toPage, type Page } from '../lib/cursor.ts';
import { AppError, notFound } from '../lib/errors.ts';
import { col, exactTs, iso, queryRows } from '../lib/sql.ts';
import { z } from '@hono/zod-openapi';
import type { FavoriteItem } from './schemas.ts';

export type { FavoriteItem };

const Favorited = z.object({ found: z.boolean(), inserted_at: col.ts.nullable(), prior_at: col.ts.nullable() });
/** PUT /api/me/favorites/:courseId — idempotent; published courses only. */
export async function addFavorite(
  ctx: Ctx,
  actor: Actor,
  courseId: string,
): Promise<{ created: boolean; courseId: string; favoritedAt: string }> {
  if (!isId(courseId)) throw notFound('Course');
  const [row] = await queryRows(
    ctx.services.db.db,
    sql`with c as (
        select id from courses where id = ${courseId}::uuid and published
      ), ins as (
        insert into favorites (user_id, course_id) select ${actor.id}::uuid, c.id from c
        on conflict (user_id, course_id) do nothing
        returning created_at
      )
      select exists (select 1 from c) as found, (select created_at from ins) as inserted_at,
        (select created_at from favorites where user_id = ${actor.id}::uuid and course_id = ${courseId}::uuid) as prior_at`,
    Favorited,
  );
  if (!row?.found) throw notFound('Course');
  const at = row.inserted_at ?? row.prior_at ?? ctx.services.now().toISOString();
  return { created: Boolean(row.inserted_at), courseId, favoritedAt: iso(at)! };
}

/** DELETE /api/me/favorites/:courseId — idempotent. */
export async function removeFavorite(ctx: Ctx, actor: Actor, courseId: string): Promise<void> {
  if (!isId(courseId)) throw notFound('Course');
  await ctx.services.db.db.delete(favorites).where(and(eq(favorites.userId, actor.id), eq(favorites.courseId, courseId)));
}

/** GET /api/me/favorites — newest first, cursor-paginated, one statement; unpublished courses are left out. */
export async function listFavorites(
  ctx: Ctx,
  actor: Actor,
  q: { lang: Lang; cursor?: string; limit: number },
): Promise<Page<FavoriteItem>> {
  let where = and(eq(favorites.userId, actor.id), eq(courses.published, true))!;
  if (q.cursor) {
    const [at, id] = await decodeCursor(q.cursor, ctx.config.JWT_SECRET);
    if (typeof at !== 'string' || typeof id !== 'string' || !isId(id))
      throw new AppError('invalid_cursor', 'The cursor is invalid', { fields: { cursor: 'invalid' } });
    where = and(where, sql`(${favorites.createdAt}, ${favorites.courseId}) < (${at}::timestamptz, ${id}::uuid)`)!;
  }
  const rows = await ctx.services.db.db
    .select({ ...cardColumns, favoritedAt: favorites.createdAt, cursorAt: exactTs(favorites.createdAt) })
    .from(favorites)
    .innerJoin(courses, eq(courses.id, favorites.courseId))
    .innerJoin(users, eq(users.id, courses.teacherId))
    .leftJoin(categories, eq(categories.id, courses.categoryId))
    .where(where)
    .orderBy(desc(favorites.createdAt), desc(favorites.courseId))
    .limit(q.limit + 1);
  const page = await toPage(rows, q.limit, (r) => [r.cursorAt, r.id], ctx.config.JWT_SECRET);
  return { nextCursor: page.nextCursor, items: page.items.map((r) => ({ course: toCard(r, q.lang), favoritedAt: iso(r.favoritedAt)! })) };
}
