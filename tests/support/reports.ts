/** Report-job helpers for Worker tests: a queued report, an R2 store that fails on demand, hand delivery. */
import { createExecutionContext, createMessageBatch, env, getQueueResult } from 'cloudflare:test';
import { reports } from '../../db/schema/index.ts';
import type { Env } from '../../workers/env.ts';
import type { ReportMessage, createQueueHandler } from '../../workers/reports/consumer.ts';
import { r2Store, type ReportStore } from '../../workers/reports/jobs.ts';
import { resultReportKey } from '../../workers/reports/reports.ts';
import { childResult } from './assessments.ts';
import { testDb } from './users.ts';

export const bucket = () => (env as unknown as Env).REPORTS_BUCKET!;

/** A report row waiting for its job, without a real message (the tests deliver by hand). */
export async function queuedReport() {
  const { parent, result } = await childResult({ childName: 'Нұрсұлтан', language: 'ru' });
  const [row] = await testDb()
    .db.insert(reports)
    .values({
      kind: 'result',
      userId: parent.id,
      resultId: result.id,
      version: result.version,
      storageKey: resultReportKey(result.id, result.version),
      status: 'queued',
    })
    .returning();
  return { parent, result, report: row! };
}

/**
 * The real R2 store, failing the first `failures` puts (or every put), or — with
 * `probability` — each put with that chance.
 */
export function flakyStore(failures: number, probability?: number) {
  const real = r2Store(bucket());
  const calls = { put: 0, stored: 0 };
  const store: ReportStore = {
    exists: (key) => real.exists(key),
    remove: (key) => real.remove(key),
    async put(key, bytes, meta) {
      calls.put++;
      const fails = probability === undefined ? calls.put <= failures : Math.random() < probability;
      if (fails) throw new Error(`injected storage failure ${calls.put}`);
      await real.put(key, bytes, meta);
      calls.stored++;
    },
  };
  return { store, calls };
}

/**
 * Delivers one message as the platform would on its `attempts`-th try. getQueueResult does not
 * report retry delays, so the messages are wrapped to record them.
 */
export async function deliver(
  handler: ReturnType<typeof createQueueHandler>,
  queue: string,
  body: ReportMessage,
  attempts: number,
  id = crypto.randomUUID(),
) {
  const batch = createMessageBatch<ReportMessage>(queue, [{ id, timestamp: new Date(), attempts, body }]);
  const delays: (number | undefined)[] = [];
  const messages = batch.messages.map((m) => ({
    id: m.id,
    timestamp: m.timestamp,
    body: m.body,
    attempts: m.attempts,
    ack: () => m.ack(),
    retry: (options?: QueueRetryOptions) => {
      delays.push(options?.delaySeconds);
      m.retry(options);
    },
  }));
  const spied = {
    queue: batch.queue,
    messages,
    ackAll: () => batch.ackAll(),
    retryAll: (o?: QueueRetryOptions) => batch.retryAll(o),
  } as unknown as MessageBatch<ReportMessage>;
  const exec = createExecutionContext();
  await handler(spied, env as unknown as Env, exec);
  const result = await getQueueResult(batch, exec);
  return { ...result, retryMessages: result.retryMessages.map((r, i) => ({ ...r, delaySeconds: delays[i] })) };
}
