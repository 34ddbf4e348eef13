import { and, asc, inArray, lt, sql } from 'drizzle-orm';
import { payments } from '../../db/schema/payments.ts';
import type { Ctx } from '../lib/context.ts';
import { errorFields } from '../lib/logger.ts';
import { providerFor, type ProviderStatus } from './provider.ts';
import { expireStaleCheckouts } from './expiry.ts';
import { settle } from './settle.ts';
import { OPEN_STATUSES } from './state.ts';

/** A payment open this long without a webhook is asked about (webhooks normally land in seconds). */
export const RECONCILE_AFTER_SEC = 10 * 60;
/** A checkout the provider never heard of (the process died before creating it) is canceled after this. */
export const ABANDON_AFTER_SEC = 60 * 60;
const BATCH = 50;

/**
 * The cron's reconciliation: payments stuck in created/pending are asked of the provider and
 * settled through the same path as a webhook (event id `reconcile:<payment>:<status>`), so a
 * lost webhook never leaves a paid buyer without access, and a late webhook changes nothing.
 */
export async function reconcilePayments(
  ctx: Ctx,
  opts: { olderThanSec?: number } = {},
): Promise<{ checked: number; settled: number; failed: number; expired: number }> {
  // Checkouts past their 30 minutes are closed first; what is left open is asked about below.
  const expiry = await expireStaleCheckouts(ctx);
  const olderThan = opts.olderThanSec ?? RECONCILE_AFTER_SEC;
  const stuck = await ctx.services.db.db
    .select()
    .from(payments)
    .where(
      and(inArray(payments.status, [...OPEN_STATUSES]), lt(payments.statusChangedAt, sql`now() - make_interval(secs => ${olderThan})`)),
    )
    .orderBy(asc(payments.statusChangedAt))
    .limit(BATCH);
  const provider = providerFor(ctx);
  let settled = 0;
  let failed = expiry.failed;
  for (const p of stuck) {
    try {
      const remote = await provider.retrieve({ sessionId: p.providerSessionId, paymentId: p.id });
      const base = { provider: p.provider, paymentId: p.id, amount: p.amount, currency: p.currency, payload: { source: 'reconciliation' } };
      let steps: ProviderStatus[] = [];
      if (!remote) {
        const ageSec = (ctx.services.now().getTime() - p.createdAt.getTime()) / 1000;
        if (ageSec > ABANDON_AFTER_SEC) steps = ['canceled'];
      } else if (remote.status === 'refunded') {
        steps = ['succeeded', 'refunded'];
      } else if (remote.status !== 'open' && remote.status !== 'pending') {
        steps = [remote.status];
      }
      for (const status of steps) {
        const r = await settle(ctx, {
          ...base,
          sessionId: remote?.sessionId ?? null,
          status,
          eventId: `reconcile:${p.id}:${status}`,
          type: `reconcile.${status}`,
        });
        if (r.outcome === 'applied') settled++;
      }
    } catch (err) {
      failed++;
      ctx.log.error('reconciliation of a payment failed', { paymentId: p.id, ...errorFields(err) });
    }
  }
  return { checked: stuck.length, settled, failed, expired: expiry.expired };
}
