import type { Env } from '../env.ts';
import { errorFields } from '../lib/logger.ts';
import { runConsultationJobs } from '../consultations/jobs.ts';
import { flushOpsNow } from '../dashboards/ops-rollup.ts';
import { reconcilePayments } from '../payments/reconcile.ts';
import { jobCtx } from '../lib/job-context.ts';
import { sweepExpiredAttempts } from './attempts.ts';
import { refreshStats } from './stats.ts';
import { refreshPopularity } from '../catalog/popularity.ts';

/** Cron expressions of wrangler.toml [triggers]. */
export const CRON_SWEEP = '* * * * *';
export const CRON_STATS = '*/5 * * * *';

/**
 * The Worker's `scheduled` handler: every minute it submits attempts whose time ran out,
 * settles stuck payments, runs the consultation jobs and refreshes the catalog's popular order;
 * every five minutes it refreshes the statistics views. A run without an expression (a manual
 * trigger) does both; other expressions belong to other jobs and are left alone here.
 */
export async function runScheduled(controller: ScheduledController, env: Env, exec: ExecutionContext): Promise<void> {
  const ctx = jobCtx(env, exec, { cron: controller.cron, scheduledTime: new Date(controller.scheduledTime).toISOString() });
  const all = !controller.cron;
  const started = Date.now();
  const failures: unknown[] = [];
  if (all || controller.cron === CRON_SWEEP) {
    try {
      ctx.log.info('attempt sweep', { ...(await sweepExpiredAttempts(ctx)), ms: Date.now() - started });
    } catch (err) {
      failures.push(err);
      ctx.log.error('attempt sweep failed', errorFields(err));
    }
  }
  if (all || controller.cron === CRON_SWEEP) {
    // Payments stuck open without a webhook are settled from the provider's answer.
    try {
      ctx.log.info('payment reconciliation', { ...(await reconcilePayments(ctx)), ms: Date.now() - started });
    } catch (err) {
      failures.push(err);
      ctx.log.error('payment reconciliation failed', errorFields(err));
    }
  }
  if (all || controller.cron === CRON_SWEEP) {
    // Consultations: lapsed holds, reminders (24 h / 1 h), owed refunds (workers/consultations/jobs.ts).
    try {
      ctx.log.info('consultation jobs', { ...(await runConsultationJobs(ctx)), ms: Date.now() - started });
    } catch (err) {
      failures.push(err);
      ctx.log.error('consultation jobs failed', errorFields(err));
    }
  }
  if (all || controller.cron === CRON_SWEEP) {
    // The catalog's popular order catches up with the enrollment counters (workers/catalog/popularity.ts).
    try {
      ctx.log.info('popularity refresh', { ...(await refreshPopularity(ctx.services.db.db)), ms: Date.now() - started });
    } catch (err) {
      failures.push(err);
      ctx.log.error('popularity refresh failed', errorFields(err));
    }
  }
  if (all || controller.cron === CRON_SWEEP) {
    // The admin's operations charts: this isolate's counts (queue consumers run here too) and a
    // sample of the report backlog every minute, even when no request flushes them.
    try {
      await flushOpsNow(ctx.services.db);
    } catch (err) {
      failures.push(err);
      ctx.log.error('ops rollup flush failed', errorFields(err));
    }
  }
  if (all || controller.cron === CRON_STATS) {
    try {
      await refreshStats(ctx);
      ctx.log.info('stats refreshed', { ms: Date.now() - started });
    } catch (err) {
      failures.push(err);
      ctx.log.error('stats refresh failed', errorFields(err));
    }
  }
  // A failed run shows as failed in the dashboard (and is not silently counted as fine).
  if (failures.length) throw failures[0];
}
