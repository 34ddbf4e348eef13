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
 */
import { and, eq, inArray, isNull, lt, or, sql } from 'drizzle-orm';
import { sessionTypes, specialists } from '../../db/schema/index.ts';
import type { Ctx } from '../lib/context.ts';
import { planQueries, toParts } from './availability.ts';
import { HORIZON_DAYS, MIN_NOTICE_HOURS, firstFreeSlot } from './slots.ts';
import { gens } from './specialists.ts';

const H = 3_600_000;

/** The earliest bookable start of any offered session type, or null; and the computing transaction's start. */
export async function computeNextFree(ctx: Ctx, specialistId: string): Promise<{ at: number | null; checkedAt: string } | null> {
  const db = ctx.services.db.db;
  const now = ctx.services.now().getTime();
  // UTC dates a day wider than the window: whatever the zone, its local dates are inside.
  const from = new Date(now + MIN_NOTICE_HOURS * H - 24 * H).toISOString().slice(0, 10);
  const to = new Date(now + (HORIZON_DAYS + 1) * 24 * H).toISOString().slice(0, 10);
  const [heads, types, ...plan] = await db.batch([
    db
      .select({
        timeZone: specialists.timeZone,
        bufferMinutes: specialists.bufferMinutes,
        // The start of this batch's transaction: what it reads is at least that recent.
        checkedAt: sql<string>`now()::text`,
      })
      .from(specialists)
      .where(eq(specialists.id, specialistId)),
    db
      .select({ durationMinutes: sessionTypes.durationMinutes })
      .from(sessionTypes)
      .where(and(eq(sessionTypes.specialistId, specialistId), eq(sessionTypes.active, true))),
    ...planQueries(ctx, specialistId, from, to, true),
  ]);
  const head = heads[0];
  if (!head) return null;
  const parts = toParts(plan);
  const best = firstFreeSlot(
    { ...parts, timeZone: head.timeZone, bufferMinutes: head.bufferMinutes },
    types.map((t) => t.durationMinutes),
    from,
    to,
    now,
  );
  return { at: best, checkedAt: head.checkedAt };
}

/**
 * Recomputes and stores one specialist's next free slot. A computation that started before
 * the stored one is dropped (two refreshes racing: the later reader wins). Returns whether the
 * stored value changed.
 */
export async function refreshNextFree(ctx: Ctx, specialistId: string): Promise<boolean> {
  const next = await computeNextFree(ctx, specialistId);
  if (!next) return false;
  const at = next.at === null ? null : new Date(next.at);
  const rows = await ctx.services.db.db.execute<{ changed: boolean }>(sql`
    update specialists s set next_free_at = ${at?.toISOString() ?? null}::timestamptz,
      next_free_checked_at = ${next.checkedAt}::timestamptz
    from (select next_free_at as old from specialists where id = ${specialistId}::uuid) o
    where s.id = ${specialistId}::uuid
      and (s.next_free_checked_at is null or s.next_free_checked_at <= ${next.checkedAt}::timestamptz)
    returning o.old is distinct from s.next_free_at as changed`);
  return rows.rows[0]?.changed === true;
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
  let changed = false;
  for (const id of ids) {
    try {
      if (await refreshNextFree(ctx, id)) changed = true;
    } catch (err) {
      ctx.log.warn('next free slot not refreshed', { specialistId: id, err: String(err) });
    }
  }
  if (changed) await ctx.services.cache.bump(gens.directory);
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
