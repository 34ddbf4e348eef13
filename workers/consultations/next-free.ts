/**
 * Each specialist's next free slot, for the directory's "free within N days" filter and its
 * cards. Generating slots for every listed specialist on each directory read would cost one
 * plan query and ~60 days of slot generation per card; instead the earliest slot is stored
 * in `specialists.next_free_at` and recomputed only when the specialist's free time changes
 * (`slotsChanged`, called wherever the `gen:slots:<id>` generation is bumped: bookings, holds,
 * cancellations, hours, profile) — and by the minute cron for rows the clock has overtaken
 * (the stored slot went inside the 12-hour notice) or that were last computed a day ago (the
 * 60-day horizon moved). Between a change and its recomputation the directory may be off by
 * one slot for a moment; the slots endpoint and the exclusion constraint stay exact.
 * The cron's share is one read batch and one update for all its specialists; measured locally,
 * 50 specialists took 0.09–0.15 s (before: two round trips each and the whole 60-day horizon
 * generated per specialist, 1.4–2.9 s on the same loaded machine).
 */
import { and, eq, inArray, isNull, lt, or, sql } from 'drizzle-orm';
import { sessionTypes, specialists } from '../../db/schema/index.ts';
import type { Ctx } from '../lib/context.ts';
import { planQueries, toPartsBySpecialist } from './availability.ts';
import { HORIZON_DAYS, MIN_NOTICE_HOURS, firstFreeSlot } from './slots.ts';
import { gens } from './specialists.ts';

const H = 3_600_000;

/**
 * The earliest bookable start of each specialist's offered session types (null: none), and the
 * computing transaction's start. One batch of five queries whatever the number of specialists
 * (each query covers them all), so the cron's 50 cost one round trip, not 50.
 */
export async function computeNextFree(ctx: Ctx, ids: string[]): Promise<{ at: Map<string, number | null>; checkedAt: string } | null> {
  if (!ids.length) return null;
  const db = ctx.services.db.db;
  const now = ctx.services.now().getTime();
  // UTC dates a day wider than the window: whatever the zone, its local dates are inside.
  const from = new Date(now + MIN_NOTICE_HOURS * H - 24 * H).toISOString().slice(0, 10);
  const to = new Date(now + (HORIZON_DAYS + 1) * 24 * H).toISOString().slice(0, 10);
  const [heads, types, ...plan] = await db.batch([
    db
      .select({
        id: specialists.id,
        timeZone: specialists.timeZone,
        bufferMinutes: specialists.bufferMinutes,
        // The start of this batch's transaction: what it reads is at least that recent.
        checkedAt: sql<string>`now()::text`,
      })
      .from(specialists)
      .where(inArray(specialists.id, ids)),
    db
      .select({ specialistId: sessionTypes.specialistId, durationMinutes: sessionTypes.durationMinutes })
      .from(sessionTypes)
      .where(and(inArray(sessionTypes.specialistId, ids), eq(sessionTypes.active, true))),
    ...planQueries(ctx, ids, from, to, true),
  ]);
  if (!heads.length) return null;
  const parts = toPartsBySpecialist(ids, plan);
  const at = new Map<string, number | null>();
  for (const head of heads) {
    const durations = types.filter((t) => t.specialistId === head.id).map((t) => t.durationMinutes);
    const p = parts.get(head.id)!;
    at.set(head.id, firstFreeSlot({ ...p, timeZone: head.timeZone, bufferMinutes: head.bufferMinutes }, durations, from, to, now));
  }
  return { at, checkedAt: heads[0]!.checkedAt };
}

/**
 * Recomputes and stores these specialists' next free slots in one read batch and one update.
 * A computation that started before the stored one is dropped row by row (two refreshes
 * racing: the later reader wins). Returns how many stored values changed.
 */
export async function refreshNextFree(ctx: Ctx, ids: string[]): Promise<number> {
  const next = await computeNextFree(ctx, ids);
  if (!next) return 0;
  const found = [...next.at];
  const rows = await ctx.services.db.db.execute<{ changed: boolean }>(sql`
    update specialists s set next_free_at = v.at, next_free_checked_at = ${next.checkedAt}::timestamptz
    from unnest(${sql.param(found.map(([id]) => id))}::uuid[],
                ${sql.param(found.map(([, at]) => (at === null ? null : new Date(at).toISOString())))}::timestamptz[]) as v(id, at),
      specialists o
    where s.id = v.id and o.id = v.id
      and (s.next_free_checked_at is null or s.next_free_checked_at <= ${next.checkedAt}::timestamptz)
    returning o.next_free_at is distinct from s.next_free_at as changed`);
  return rows.rows.filter((r) => r.changed === true).length;
}

/**
 * After a commit that changed when specialists are free: their cached slots are forgotten at
 * once (a read after the write sees it); their next free slot is recomputed after the response
 * (the directory's cache moves only if a card changed, and the cron repairs a lost refresh).
 */
export async function slotsChanged(ctx: Ctx, ...specialistIds: string[]): Promise<void> {
  if (!specialistIds.length) return;
  await ctx.services.cache.bump(...specialistIds.map(gens.slots));
  ctx.defer(refreshMany(ctx, [...new Set(specialistIds)]));
}

async function refreshMany(ctx: Ctx, ids: string[]): Promise<void> {
  try {
    if ((await refreshNextFree(ctx, ids)) > 0) await ctx.services.cache.bump(gens.directory);
  } catch (err) {
    // The rows stay due: the cron (or a directory read) tries them again.
    ctx.log.warn('next free slots not refreshed', { specialistIds: ids.slice(0, 10), count: ids.length, err: String(err) });
  }
}

/**
 * The cron's share: rows the clock has overtaken, never computed, or computed a day ago.
 * `among` narrows it to some specialists (tests, whose database holds many).
 */
export async function refreshStaleNextFree(ctx: Ctx, opts: { limit?: number; among?: string[] } = {}): Promise<number> {
  const now = ctx.services.now();
  const due = await ctx.services.db.db
    .select({ id: specialists.id })
    .from(specialists)
    .where(
      and(
        eq(specialists.verified, true),
        opts.among ? inArray(specialists.id, opts.among) : undefined,
        or(
          isNull(specialists.nextFreeCheckedAt),
          lt(specialists.nextFreeAt, new Date(now.getTime() + MIN_NOTICE_HOURS * H)),
          lt(specialists.nextFreeCheckedAt, new Date(now.getTime() - 24 * H)),
        ),
      ),
    )
    .orderBy(sql`${specialists.nextFreeCheckedAt} nulls first`)
    .limit(opts.limit ?? 50);
  await refreshMany(
    ctx,
    due.map((d) => d.id),
  );
  return due.length;
}

/**
 * Directory reads repair what the cron has not reached yet (e.g. `wrangler dev`, where crons
 * do not fire): cards whose stored slot the clock has overtaken are recomputed after the
 * response, a few per read; the re-check in SQL makes repeats harmless.
 */
export function repairOvertaken(ctx: Ctx, cards: { id: string; nextFreeAt: string | null }[]): void {
  const soon = ctx.services.now().getTime() + MIN_NOTICE_HOURS * H;
  const stale = cards.filter((c) => c.nextFreeAt !== null && Date.parse(c.nextFreeAt) < soon).map((c) => c.id);
  if (stale.length) ctx.defer(refreshStaleNextFree(ctx, { among: stale.slice(0, 5) }));
}
