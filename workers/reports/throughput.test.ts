/**
 * Report throughput on the local stack, through the real queue and consumer. A measurement,
 * not a gate: it runs only when asked, and prints what it saw.
 *
 *   VITE_REPORTS_BENCH=200 npx vitest run --project workers workers/reports/throughput.test.ts
 */
import { env } from 'cloudflare:test';
import { and, count, eq, inArray, like } from 'drizzle-orm';
import { describe, expect, it, vi } from 'vitest';
import { notifications, reports } from '../../db/schema/index.ts';
import { childResult } from '../../tests/support/assessments.ts';
import { testDb } from '../../tests/support/users.ts';
import type { Env } from '../env.ts';
import type { ReportMessage } from './consumer.ts';

// Vite replaces import.meta.env.VITE_* with the host's environment when it transforms this file.
const jobs = Number((import.meta as unknown as { env: Record<string, string | undefined> }).env.VITE_REPORTS_BENCH ?? 0);

describe.skipIf(!jobs)('report throughput (manual)', () => {
  it(`renders ${jobs} queued reports once each`, { timeout: 600_000 }, async () => {
    const { parent, result } = await childResult();
    const db = testDb().db;
    // One result, many report rows with their own keys: every job renders and stores a PDF.
    const prefix = `reports/${result.id}/bench-${Date.now()}`;
    const rows = await db
      .insert(reports)
      .values(
        Array.from({ length: jobs }, (_, i) => ({
          kind: 'result' as const,
          userId: parent.id,
          resultId: result.id,
          version: 1,
          storageKey: `${prefix}-${i}.pdf`,
          status: 'queued' as const,
        })),
      )
      .returning({ id: reports.id });
    const ids = rows.map((r) => r.id);
    const queue = (env as unknown as Env).REPORTS_QUEUE!;
    const started = Date.now();
    for (let i = 0; i < ids.length; i += 100) {
      await queue.sendBatch(
        ids
          .slice(i, i + 100)
          .map((reportId) => ({ body: { v: 1, reportId, createdAt: new Date().toISOString() } satisfies ReportMessage })),
      );
    }
    const enqueuedMs = Date.now() - started;
    await vi.waitFor(
      async () => {
        const [{ n }] = (await db
          .select({ n: count() })
          .from(reports)
          .where(and(inArray(reports.id, ids), eq(reports.status, 'ready')))) as [{ n: number }];
        expect(n).toBe(jobs);
      },
      { timeout: 590_000, interval: 250 },
    );
    const ms = Date.now() - started;
    const [{ n: told }] = (await db
      .select({ n: count() })
      .from(notifications)
      .where(and(eq(notifications.userId, parent.id), eq(notifications.kind, 'report_ready')))) as [{ n: number }];
    const [{ n: tries }] = (await db
      .select({ n: count() })
      .from(reports)
      .where(and(like(reports.storageKey, `${prefix}%`), eq(reports.tries, 1)))) as [{ n: number }];
    const listed = await (env as unknown as Env).REPORTS_BUCKET!.list({ prefix, limit: 1000 });
    console.log(
      JSON.stringify({
        jobs,
        enqueuedMs,
        totalMs: ms,
        perMinute: Math.round((jobs / ms) * 60_000),
        msPerReport: +(ms / jobs).toFixed(1),
        notifications: told,
        renderedOnce: tries,
        files: listed.objects.length,
      }),
    );
    expect(told).toBe(jobs);
    expect(listed.objects).toHaveLength(jobs);
  });
});
