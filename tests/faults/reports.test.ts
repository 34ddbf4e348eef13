/**
 * Report jobs under faults: a consumer killed mid-render (its claim left behind), a consumer
 * that stalls past its lease and wakes up after another finished the job, and R2 writes that
 * fail. Messages are delivered by hand (tests/support/reports.ts) so that redeliveries and the
 * lease running out happen at once instead of after the platform's backoff.
 */
import { and, eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { notifications, reports } from '../../db/schema/index.ts';
import { expectStatus } from '../../tests/support/assessments.ts';
import { api } from '../../tests/support/http.ts';
import { recordTally } from '../../tests/support/outage.ts';
import { bucket, deliver, flakyStore, queuedReport } from '../../tests/support/reports.ts';
import { testDb } from '../../tests/support/users.ts';
import { REPORTS_DLQ_NAME, REPORTS_QUEUE_NAME, createQueueHandler, type ReportMessage } from '../../workers/reports/consumer.ts';
import { defaultRenderers, r2Store, type Renderers } from '../../workers/reports/jobs.ts';

const db = () => testDb().db;
const told = (userId: string, kind: 'report_ready' | 'report_failed', reportId: string) =>
  db()
    .select({ id: notifications.id })
    .from(notifications)
    .where(and(eq(notifications.userId, userId), eq(notifications.kind, kind), sql`${notifications.data}->>'reportId' = ${reportId}`));

/** The claim's lease runs out (2 minutes in real life). */
const leaseRunsOut = (reportId: string) =>
  db()
    .update(reports)
    .set({ leaseUntil: new Date(Date.now() - 1000) })
    .where(eq(reports.id, reportId));

/** Renderers whose next `result()` call never returns until released: the consumer is stuck (or dead) mid-render. */
function stallingRenderer() {
  let release: () => void = () => {};
  const gate = new Promise<void>((r) => (release = r));
  let stalls = 1;
  const render: Renderers = {
    ...defaultRenderers,
    async result(data) {
      if (stalls-- > 0) await gate;
      return defaultRenderers.result(data);
    },
  };
  return { render, release };
}

describe('report consumer faults', () => {
  it('killed mid-render: the redelivery waits for the lease, then the report ends ready exactly once', async () => {
    const cases = 3;
    let lost = 0;
    let failedAsDesigned = 0;
    for (let i = 0; i < cases; i++) {
      const { parent, report } = await queuedReport();
      const body: ReportMessage = { v: 1, reportId: report.id, createdAt: new Date().toISOString() };
      const { render } = stallingRenderer();
      const store = r2Store(bucket());
      // First delivery: the consumer dies while rendering — never acks, never releases its claim.
      void deliver(createQueueHandler({ store, render }), REPORTS_QUEUE_NAME, body, 1).catch(() => {});
      await expect
        .poll(async () => (await db().select({ s: reports.status }).from(reports).where(eq(reports.id, report.id)))[0]!.s, {
          timeout: 10_000,
        })
        .toBe('rendering');

      // The platform redelivers; the claim is still held, so it is retried later, not rendered twice.
      const healthy = createQueueHandler({ store });
      const second = await deliver(healthy, REPORTS_QUEUE_NAME, body, 2);
      expect(second.retryMessages).toHaveLength(1);
      failedAsDesigned++;

      await leaseRunsOut(report.id);
      const third = await deliver(healthy, REPORTS_QUEUE_NAME, body, 3);
      expect(third.explicitAcks).toHaveLength(1);
      const [done] = await db().select().from(reports).where(eq(reports.id, report.id));
      const ok =
        done!.status === 'ready' &&
        (await told(parent.id, 'report_ready', report.id)).length === 1 &&
        (await bucket().head(report.storageKey)) !== null;
      if (!ok) lost++;
      const view = await expectStatus(api('GET', `/api/reports/${report.id}`, { token: parent.token }), 200);
      expect(view.status).toBe('ready');
    }
    expect(lost).toBe(0);
    await recordTally({ scenario: 'report consumer killed mid-render', tried: cases, failedAsDesigned, lost });
  });

  it('a consumer stalled past its lease wakes up after another finished: it changes nothing (no second "ready", file kept)', async () => {
    const { parent, report } = await queuedReport();
    const body: ReportMessage = { v: 1, reportId: report.id, createdAt: new Date().toISOString() };
    const { render, release } = stallingRenderer();
    const store = r2Store(bucket());
    const zombie = deliver(createQueueHandler({ store, render }), REPORTS_QUEUE_NAME, body, 1);
    await expect
      .poll(async () => (await db().select({ s: reports.status }).from(reports).where(eq(reports.id, report.id)))[0]!.s, {
        timeout: 10_000,
      })
      .toBe('rendering');

    await leaseRunsOut(report.id);
    const taken = await deliver(createQueueHandler({ store }), REPORTS_QUEUE_NAME, body, 2);
    expect(taken.explicitAcks).toHaveLength(1);
    const [ready] = await db().select().from(reports).where(eq(reports.id, report.id));
    expect(ready!.status).toBe('ready');

    release();
    const late = await zombie;
    expect(late.explicitAcks).toHaveLength(1);
    const [after] = await db().select().from(reports).where(eq(reports.id, report.id));
    // Ready once: the stale consumer neither marks it again nor removes the stored file.
    expect({ status: after!.status, readyAt: after!.readyAt, tries: after!.tries }).toEqual({
      status: 'ready',
      readyAt: ready!.readyAt,
      tries: ready!.tries,
    });
    expect(await bucket().head(report.storageKey)).not.toBeNull();
    expect(await told(parent.id, 'report_ready', report.id)).toHaveLength(1);
    await recordTally({ scenario: 'report consumer stalled past its lease', tried: 1, failedAsDesigned: 0, lost: 0 });
  });

  it('R2 writes failing half the time: retried until stored, each report ready exactly once', async () => {
    const cases = 4;
    const { store, calls } = flakyStore(0, 0.5);
    const handler = createQueueHandler({ store });
    let lost = 0;
    let failedAsDesigned = 0;
    for (let i = 0; i < cases; i++) {
      const { parent, report } = await queuedReport();
      const body: ReportMessage = { v: 1, reportId: report.id, createdAt: new Date().toISOString() };
      let acked = false;
      // max_retries = 5: six deliveries before the platform dead-letters.
      for (let attempt = 1; attempt <= 6 && !acked; attempt++) {
        const r = await deliver(handler, REPORTS_QUEUE_NAME, body, attempt);
        acked = r.explicitAcks.length === 1;
        if (!acked) failedAsDesigned++;
      }
      if (!acked) {
        // 1 in 64 per report: the dead-letter path must then tell the owner.
        await deliver(handler, REPORTS_DLQ_NAME, body, 1);
        if ((await told(parent.id, 'report_failed', report.id)).length !== 1) lost++;
        continue;
      }
      const [row] = await db().select().from(reports).where(eq(reports.id, report.id));
      if (row!.status !== 'ready' || (await told(parent.id, 'report_ready', report.id)).length !== 1) lost++;
    }
    expect(calls.put).toBeGreaterThanOrEqual(cases);
    expect(lost).toBe(0);
    await recordTally({ scenario: 'R2 writes failing 50%', tried: calls.put, failedAsDesigned, lost });
  });

  it('R2 writes failing every time: retried with backoff, then failed and the owner told once', async () => {
    const cases = 2;
    const { store, calls } = flakyStore(Infinity);
    const handler = createQueueHandler({ store });
    let lost = 0;
    let failedAsDesigned = 0;
    for (let i = 0; i < cases; i++) {
      const { parent, report } = await queuedReport();
      const body: ReportMessage = { v: 1, reportId: report.id, createdAt: new Date().toISOString() };
      const delays = [];
      for (let attempt = 1; attempt <= 6; attempt++)
        delays.push((await deliver(handler, REPORTS_QUEUE_NAME, body, attempt)).retryMessages[0]?.delaySeconds);
      expect(delays).toEqual([10, 20, 40, 80, 160, 320]);
      // Then the platform moves it to the dead-letter queue (delivered twice: at least once).
      for (const _ of [1, 2]) expect((await deliver(handler, REPORTS_DLQ_NAME, body, 1)).explicitAcks).toHaveLength(1);
      const [row] = await db().select().from(reports).where(eq(reports.id, report.id));
      const owner = await told(parent.id, 'report_failed', report.id);
      if (row!.status === 'failed' && owner.length === 1) failedAsDesigned++;
      else lost++;
      const view = await expectStatus(api('GET', `/api/reports/${report.id}`, { token: parent.token }), 200);
      expect(view.status).toBe('failed');
    }
    expect(calls.stored).toBe(0);
    expect(lost).toBe(0);
    await recordTally({ scenario: 'R2 writes failing 100%', tried: calls.put, failedAsDesigned, lost });
  });
});
