import type { z } from '@hono/zod-openapi';
import { and, asc, eq, isNull } from 'drizzle-orm';
import type { HttpDb } from '../../db/client.ts';
import { children, consents, type Consent } from '../../db/schema/index.ts';
import { isId, type Actor, type Ctx } from '../lib/context.ts';
import { AppError, notFound, validationError } from '../lib/errors.ts';
import { deleteChild } from '../identity/children.ts';
import type { ConsentRecord } from './schemas.ts';
import { CONSENT_VERSIONS } from './versions.ts';

export { CONSENT_VERSIONS };

/** One consent record as the API shows it. */
export type ConsentView = z.infer<typeof ConsentRecord>;

export const consentView = (c: Consent): ConsentView => ({
  kind: c.kind,
  version: c.version,
  childId: c.childId,
  givenAt: c.givenAt.toISOString(),
  withdrawnAt: c.withdrawnAt ? c.withdrawnAt.toISOString() : null,
});

/** Refuses an acceptance of anything but the current text, naming the field. */
export function assertCurrent(field: string, kind: keyof typeof CONSENT_VERSIONS, version: string) {
  if (version !== CONSENT_VERSIONS[kind]) {
    throw validationError(
      { [field]: `The current version is ${CONSENT_VERSIONS[kind]}: show it and ask again` },
      'This text has a newer version',
    );
  }
}

/** The rows registration writes, in the same batch as the account. */
export function registrationConsents(db: HttpDb, userId: string, accepted: { terms: string; privacy: string }, now: Date) {
  assertCurrent('consent.terms', 'terms', accepted.terms);
  assertCurrent('consent.privacy', 'privacy', accepted.privacy);
  return db.insert(consents).values([
    { userId, kind: 'terms', version: accepted.terms, givenAt: now },
    { userId, kind: 'privacy', version: accepted.privacy, givenAt: now },
  ]);
}

/** The parent's consent to process a child's data, in the same batch as the child. */
export function childConsent(db: HttpDb, parentId: string, childId: string, version: string, now: Date) {
  assertCurrent('consent.version', 'child_data', version);
  return db.insert(consents).values({ userId: parentId, kind: 'child_data', version, childId, givenAt: now });
}

/** Every consent record of the user (their own and their children's), oldest first. */
export async function myConsents(ctx: Ctx, actor: Actor): Promise<ConsentView[]> {
  const rows = await ctx.services.db.db
    .select()
    .from(consents)
    .where(eq(consents.userId, actor.id))
    .orderBy(asc(consents.givenAt), asc(consents.kind), asc(consents.id));
  return rows.map(consentView);
}

/** The consent records about one child (for the child export). */
export async function childConsents(ctx: Ctx, parentId: string, childId: string): Promise<ConsentView[]> {
  const rows = await ctx.services.db.db
    .select()
    .from(consents)
    .where(and(eq(consents.userId, parentId), eq(consents.childId, childId)))
    .orderBy(asc(consents.givenAt), asc(consents.kind), asc(consents.id));
  return rows.map(consentView);
}

/**
 * POST /api/me/children/:id/consent — records the parent's consent for a child added before
 * consent was asked for (or by a client that did not send it). Giving it twice is one record.
 */
export async function giveChildConsent(ctx: Ctx, actor: Actor, childId: string, version: string): Promise<ConsentView> {
  if (!isId(childId)) throw notFound('Child');
  assertCurrent('version', 'child_data', version);
  const { db } = ctx.services.db;
  const [child] = await db
    .select({ id: children.id })
    .from(children)
    .where(and(eq(children.id, childId), eq(children.parentId, actor.id)))
    .limit(1);
  if (!child) throw notFound('Child');
  const [existing] = await db
    .select()
    .from(consents)
    .where(
      and(
        eq(consents.userId, actor.id),
        eq(consents.childId, childId),
        eq(consents.kind, 'child_data'),
        eq(consents.version, version),
        isNull(consents.withdrawnAt),
      ),
    )
    .limit(1);
  if (existing) return consentView(existing);
  const [row] = await db
    .insert(consents)
    .values({ userId: actor.id, kind: 'child_data', version, childId, givenAt: ctx.services.now() })
    .returning();
  return consentView(row!);
}

/**
 * DELETE /api/me/children/:id/consent — the parent withdraws consent: the withdrawal is
 * recorded (it stays with the parent's account) and the child's data is deleted with the
 * usual child deletion (profile, attempts, answers, results, reports and their files).
 */
export async function withdrawChildConsent(ctx: Ctx, actor: Actor, childId: string): Promise<{ withdrawnAt: string }> {
  if (!isId(childId)) throw notFound('Child');
  if (actor.role !== 'parent') throw new AppError('forbidden', 'Only parent accounts manage child profiles');
  const now = ctx.services.now();
  const { db } = ctx.services.db;
  const [child] = await db
    .select({ id: children.id })
    .from(children)
    .where(and(eq(children.id, childId), eq(children.parentId, actor.id)))
    .limit(1);
  if (!child) throw notFound('Child');
  const marked = await db
    .update(consents)
    .set({ withdrawnAt: now })
    .where(and(eq(consents.userId, actor.id), eq(consents.childId, childId), eq(consents.kind, 'child_data'), isNull(consents.withdrawnAt)))
    .returning({ id: consents.id });
  // A child added before consent was recorded still leaves a record of the withdrawal; a retry
  // after a failed deletion finds the withdrawal already there.
  const recorded =
    marked.length > 0 ||
    (
      await db
        .select({ id: consents.id })
        .from(consents)
        .where(and(eq(consents.childId, childId), eq(consents.kind, 'child_data')))
        .limit(1)
    ).length > 0;
  if (!recorded)
    await db
      .insert(consents)
      .values({ userId: actor.id, kind: 'child_data', version: CONSENT_VERSIONS.child_data, childId, givenAt: now, withdrawnAt: now });
  // The deletion sets child_id to null on the consent rows: the record stays, the child does not.
  await deleteChild(ctx, actor, childId);
  return { withdrawnAt: now.toISOString() };
}
