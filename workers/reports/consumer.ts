import { z } from 'zod';
import type { Env } from '../env.ts';
import type { Ctx } from '../lib/context.ts';
import { errorFields } from '../lib/logger.ts';
import { metricsFor, type JobOutcome } from '../lib/metrics.ts';
import { jobCtx } from '../lib/job-context.ts';
import { PermanentJobError, defaultRenderers, markReportFailed, processReportJob, r2Store, type ReportDeps } from './jobs.ts';
import { REPORTS_DLQ_NAME, REPORTS_QUEUE_NAME } from './queues.ts';
import type { ReportJob } from './reports.ts';

/**
 * Queue consumer for report jobs and its dead-letter queue (names as in wrangler.toml).
 * Each message is acked or retried on its own: one bad message never holds back the batch.
 * Transient failures retry with exponential backoff; after max_retries the platform moves the
 * message to the dead-letter queue, whose consumer marks the report failed and tells the owner.
 * Failures that no retry can fix are dead-lettered at once.
 */
export { REPORTS_DLQ_NAME, REPORTS_QUEUE_NAME };

const BACKOFF_BASE_SEC = 10;
const BACKOFF_MAX_SEC = 15 * 60;
/** Another consumer holds the report: look again when its lease is likely over. */
const BUSY_DELAY_SEC = 30;

/** Delay before delivery number `attempts + 1`: 10 s, 20 s, 40 s, 80 s, 160 s … capped at 15 min. */
export const backoffSeconds = (attempts: number) => Math.min(BACKOFF_BASE_SEC * 2 ** Math.max(0, attempts - 1), BACKOFF_MAX_SEC);

const JobSchema = z.object({
  v: z.literal(1),
  reportId: z.string().uuid(),
  createdAt: z.string(),
  /** Set when the consumer dead-letters a job itself. */
  reason: z.string().optional(),
});

export type ReportMessage = ReportJob & { reason?: string };

/** Acks or retries the message and records the outcome (queue depth, age and duration metrics). */
function settle(
  env: Env,
  queue: string,
  msg: Message<unknown>,
  outcome: JobOutcome,
  started: number,
  ageMs: number | undefined,
  delaySeconds?: number,
) {
  if (outcome === 'retry') msg.retry({ delaySeconds });
  else msg.ack();
  metricsFor(env).job(queue, Date.now() - started, outcome, ageMs);
}

async function handleJob(ctx: Ctx, env: Env, deps: Partial<ReportDeps>, msg: Message<ReportMessage>): Promise<void> {
  const started = Date.now();
  const parsed = JobSchema.safeParse(msg.body);
  if (!parsed.success) {
    // Nothing names a report to fail: log it and drop it rather than retry it forever.
    ctx.log.error('report job: unreadable message dropped', { messageId: msg.id, body: JSON.stringify(msg.body)?.slice(0, 500) });
    settle(env, REPORTS_QUEUE_NAME, msg, 'dead', started, undefined);
    return;
  }
  const job = parsed.data;
  const ageMs = started - Date.parse(job.createdAt);
  const log = ctx.log.child({ reportId: job.reportId, messageId: msg.id, attempts: msg.attempts, ageMs });
  const bucket = env.REPORTS_BUCKET;
  const store = deps.store ?? (bucket ? r2Store(bucket) : undefined);
  if (!store) {
    log.error('report job: no REPORTS_BUCKET binding; retrying later');
    settle(env, REPORTS_QUEUE_NAME, msg, 'retry', started, ageMs, backoffSeconds(msg.attempts));
    return;
  }
  try {
    const result = await processReportJob(ctx, { store, render: deps.render ?? defaultRenderers }, job.reportId);
    log.info('report job', { ...result, ms: Date.now() - started });
    if (result.outcome === 'busy') settle(env, REPORTS_QUEUE_NAME, msg, 'retry', started, ageMs, BUSY_DELAY_SEC);
    else settle(env, REPORTS_QUEUE_NAME, msg, 'ack', started, ageMs);
  } catch (err) {
    if (err instanceof PermanentJobError) {
      log.error('report job failed for good; dead-lettering', errorFields(err));
      try {
        if (env.REPORTS_DLQ) {
          await env.REPORTS_DLQ.send({ ...job, reason: err.message } satisfies ReportMessage, { contentType: 'json' });
          metricsFor(env).queueSent(REPORTS_DLQ_NAME);
        } else {
          await markReportFailed(ctx, job.reportId, err.message);
        }
        settle(env, REPORTS_QUEUE_NAME, msg, 'dead', started, ageMs);
      } catch (sendErr) {
        log.error('dead-lettering failed; retrying', errorFields(sendErr));
        settle(env, REPORTS_QUEUE_NAME, msg, 'retry', started, ageMs, backoffSeconds(msg.attempts));
      }
      return;
    }
    const delaySeconds = backoffSeconds(msg.attempts);
    log.warn('report job failed; retrying', { ...errorFields(err), delaySeconds, ms: Date.now() - started });
    settle(env, REPORTS_QUEUE_NAME, msg, 'retry', started, ageMs, delaySeconds);
  }
}

async function handleDeadLetter(ctx: Ctx, env: Env, msg: Message<ReportMessage>): Promise<void> {
  const started = Date.now();
  const m = metricsFor(env);
  m.dlq(REPORTS_DLQ_NAME);
  const parsed = JobSchema.safeParse(msg.body);
  if (!parsed.success) {
    ctx.log.error('dead letter: unreadable message dropped', { messageId: msg.id });
    settle(env, REPORTS_DLQ_NAME, msg, 'ack', started, undefined);
    return;
  }
  const ageMs = started - Date.parse(parsed.data.createdAt);
  // Moved here by the platform after max_retries: for this isolate's depth gauge it has left the main queue.
  if (parsed.data.reason === undefined && msg.attempts === 1) m.job(REPORTS_QUEUE_NAME, 0, 'dead');
  try {
    const reason = parsed.data.reason ?? 'gave up after the retries';
    const outcome = await markReportFailed(ctx, parsed.data.reportId, reason);
    ctx.log.warn('report dead-lettered', { reportId: parsed.data.reportId, outcome, ageMs });
    settle(env, REPORTS_DLQ_NAME, msg, 'ack', started, ageMs);
  } catch (err) {
    ctx.log.error('dead letter handling failed; retrying', { reportId: parsed.data.reportId, ...errorFields(err) });
    settle(env, REPORTS_DLQ_NAME, msg, 'retry', started, ageMs, backoffSeconds(msg.attempts));
  }
}

/**
 * The Worker's `queue` handler. `deps` replaces the storage or the renderers (tests inject
 * failures with it); by default PDFs go to the REPORTS_BUCKET binding.
 */
export function createQueueHandler(deps: Partial<ReportDeps> = {}) {
  return async (batch: MessageBatch<ReportMessage>, env: Env, exec: ExecutionContext): Promise<void> => {
    const ctx = jobCtx(env, exec, { queue: batch.queue, batchSize: batch.messages.length });
    if (batch.queue === REPORTS_DLQ_NAME) {
      await Promise.all(batch.messages.map((m) => handleDeadLetter(ctx, env, m)));
      return;
    }
    if (batch.queue === REPORTS_QUEUE_NAME) {
      await Promise.all(batch.messages.map((m) => handleJob(ctx, env, deps, m)));
      return;
    }
    ctx.log.error('batch from an unknown queue; retrying it', { queue: batch.queue });
    batch.retryAll({ delaySeconds: BACKOFF_MAX_SEC });
  };
}
