import { and, desc, eq, lt, or } from 'drizzle-orm';
import { children, type Child, type Language } from '../../db/schema/index.ts';
import { isId, type Actor, type Ctx } from '../lib/context.ts';
import { decodeCursor, toPage, type Page } from '../lib/cursor.ts';
import { AppError, notFound } from '../lib/errors.ts';

export interface ChildView {
  id: string;
  name: string;
  birthYear: number;
  language: Language;
  createdAt: string;
}

const view = (c: Child): ChildView => ({ id: c.id, name: c.name, birthYear: c.birthYear, language: c.language, createdAt: c.createdAt.toISOString() });

function assertParent(actor: Actor) {
  if (actor.role !== 'parent') throw new AppError('forbidden', 'Only parent accounts manage child profiles');
}

/** Every query filters by the parent in SQL: another parent's child simply is not found. */
const owned = (actor: Actor, childId: string) => and(eq(children.id, childId), eq(children.parentId, actor.id));

export async function listChildren(ctx: Ctx, actor: Actor, q: { cursor?: string; limit: number }): Promise<Page<ChildView>> {
  assertParent(actor);
  let where = eq(children.parentId, actor.id);
  if (q.cursor) {
    const [at, id] = await decodeCursor(q.cursor, ctx.config.JWT_SECRET);
    if (typeof at !== 'string' || typeof id !== 'string') throw new AppError('invalid_cursor', 'The cursor is invalid');
    where = and(where, or(lt(children.createdAt, new Date(at)), and(eq(children.createdAt, new Date(at)), lt(children.id, id))))!;
  }
  const rows = await ctx.services.db.db
    .select()
    .from(children)
    .where(where)
    .orderBy(desc(children.createdAt), desc(children.id))
    .limit(q.limit + 1);
  const page = await toPage(rows, q.limit, (r) => [r.createdAt.toISOString(), r.id], ctx.config.JWT_SECRET);
  return { items: page.items.map(view), nextCursor: page.nextCursor };
}

export async function createChild(ctx: Ctx, actor: Actor, input: { name: string; birthYear: number; language: Language }): Promise<ChildView> {
  assertParent(actor);
  const [row] = await ctx.services.db.db
    .insert(children)
    .values({ parentId: actor.id, name: input.name.trim(), birthYear: input.birthYear, language: input.language })
    .returning();
  return view(row!);
}

export async function getChild(ctx: Ctx, actor: Actor, childId: string): Promise<ChildView> {
  if (!isId(childId)) throw notFound('Child');
  const [row] = await ctx.services.db.db.select().from(children).where(owned(actor, childId)).limit(1);
  if (!row) throw notFound('Child');
  return view(row);
}

export async function updateChild(
  ctx: Ctx,
  actor: Actor,
  childId: string,
  patch: Partial<{ name: string; birthYear: number; language: Language }>,
): Promise<ChildView> {
  if (!isId(childId)) throw notFound('Child');
  const set = { ...patch, ...(patch.name !== undefined ? { name: patch.name.trim() } : {}) };
  if (!Object.keys(set).length) return getChild(ctx, actor, childId);
  const [row] = await ctx.services.db.db.update(children).set(set).where(owned(actor, childId)).returning();
  if (!row) throw notFound('Child');
  return view(row);
}

/** Deletes the profile; attempts, results and reports about the child cascade with it. */
export async function deleteChild(ctx: Ctx, actor: Actor, childId: string): Promise<void> {
  if (!isId(childId)) throw notFound('Child');
  const deleted = await ctx.services.db.db.delete(children).where(owned(actor, childId)).returning({ id: children.id });
  if (!deleted.length) throw notFound('Child');
}
