import { SELF, createExecutionContext, createMessageBatch, env, getQueueResult } from 'cloudflare:test';
import { and, eq } from 'drizzle-orm';
import { extractText, getDocumentProxy } from 'unpdf';
import { describe, expect, it, vi } from 'vitest';
import { notifications, reports } from '../../db/schema/index.ts';
import { KAZAKH_LETTERS, childResult, expectStatus } from '../../tests/support/assessments.ts';
import { createCourse } from '../../tests/support/catalog.ts';
import { testCtx } from '../../tests/support/ctx.ts';
import { api, show } from '../../tests/support/http.ts';
import { bucket, deliver, flakyStore, queuedReport } from '../../tests/support/reports.ts';
import { registerUser, testDb, vars, verifiedTeacher } from '../../tests/support/users.ts';
import type { Env } from '../env.ts';
import { REPORTS_DLQ_NAME, REPORTS_QUEUE_NAME, backoffSeconds, createQueueHandler, type ReportMessage } from './consumer.ts';
import { r2Store, type ReportStore } from './jobs.ts';
import { renderCertificate, renderResultReport } from './render.ts';
import { requestCertificate, resultReportKey } from './reports.ts';
import { URL_TTL_SEC, presignR2, signDownload } from './signing.ts';

async function pdfText(bytes: Uint8Array | ArrayBuffer): Promise<string> {
  const pdf = await getDocumentProxy(new Uint8Array(bytes));
  const { text } = await extractText(pdf, { mergePages: true });
  return text;
}

/** Polls the owner's view until the report leaves the queue (real queue delivery). */
async function waitForReport(token: string, id: string, status: 'ready' | 'failed' = 'ready') {
  return vi.waitFor(
    async () => {
      const res = await api('GET', `/api/reports/${id}`, { token });
      expect(res.status, show(res)).toBe(200);
      expect(res.body.status, show(res)).toBe(status);
      return res.body;
    },
    { timeout: 20_000, interval: 100 },
  );
}

const notificationsOf = (userId: string, kind: string) =>
  testDb()
    .db.select()
    .from(notifications)
    .where(and(eq(notifications.userId, userId), eq(notifications.kind, kind)));

describe('rendering', () => {
  const scales = [
    {
      title: { ru: 'Тревожность', kk: 'Мазасыздық' },
      score: 11,
      min: 0,
      max: 13,
      bandIndex: 1,
      bands: [
        { min: 0, max: 7, label: { kk: 'қалыпты' }, text: { kk: 'Бәрі жақсы.' } },
        { min: 8, max: 20, label: { kk: 'жоғары деңгей' }, text: { kk: 'Маманмен сөйлесіңіз: өңір һәм үй іші ұйқы ғана.' } },
      ],
    },
    {
      title: { kk: 'Көңіл-күй' },
      score: 0,
      min: 0,
      max: 3,
      bandIndex: null,
      bands: [{ min: 1, max: 3, label: { kk: 'құбылмалы' }, text: { kk: '…' } }],
    },
  ];

  it('a Kazakh result report carries the name, every scale score and band, the date and version', async () => {
    const bytes = await renderResultReport({
      language: 'kk',
      subjectName: 'Әлихан Құрманғали',
      testTitle: { ru: 'Шкала тревожности', kk: 'Мазасыздық шкаласы' },
      kind: 'assessment',
      version: 3,
      date: new Date('2026-05-04T10:00:00Z'),
      scales,
      reference: 'ref-1',
    });
    const text = await pdfText(bytes);
    for (const expected of [
      'Мазасыздық шкаласы',
      'Әлихан Құрманғали',
      '04.05.2026',
      'Тест нұсқасы: 3',
      'Ұпай: 11 (0–13)',
      '11 / 13',
      'Деңгей: жоғары деңгей',
      'Ұпай: 0 (0–3)',
      'Деңгей: ауқымнан тыс',
    ]) {
      expect(text).toContain(expected);
    }
    for (const letter of KAZAKH_LETTERS) expect(text).toContain(letter);
  });

  it('rendering is deterministic: the same data gives the same bytes', async () => {
    const data = {
      language: 'ru' as const,
      subjectName: 'Тимур',
      testTitle: { ru: 'Тест' },
      kind: 'quiz' as const,
      version: 1,
      date: new Date('2026-01-02T00:00:00Z'),
      scales: [],
      score: 0.5,
      correct: 1,
      total: 2,
      passed: true,
      reference: 'x',
    };
    const [a, b] = await Promise.all([renderResultReport(data), renderResultReport(data)]);
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    expect(await pdfText(a)).toContain('Результат: 50% (1/2) — тест пройден');
  });

  it('a long band text flows onto more pages instead of being cut', async () => {
    const long = Array.from({ length: 2500 }, (_, i) => `сөз${i}`).join(' ');
    const bytes = await renderResultReport({
      language: 'kk',
      subjectName: 'Ұлан',
      testTitle: { kk: 'Ұзын' },
      kind: 'assessment',
      version: 1,
      date: new Date('2026-01-02T00:00:00Z'),
      scales: [{ ...scales[0]!, bands: [scales[0]!.bands[0]!, { ...scales[0]!.bands[1]!, text: { kk: `${long} соңы` } }] }],
      reference: 'x',
    });
    const pdf = await getDocumentProxy(new Uint8Array(bytes));
    expect(pdf.numPages).toBeGreaterThan(1);
    expect(await pdfText(bytes)).toContain('соңы');
  });

  it('a certificate lists the learner, the course and the date', async () => {
    const bytes = await renderCertificate({
      language: 'kk',
      learnerName: 'Айгерім Сәрсенбай',
      courseTitle: { kk: 'Қазақ тілі: бастауыш деңгей' },
      date: new Date('2026-03-01T12:00:00Z'),
      reference: 'c-1',
    });
    const text = await pdfText(bytes);
    for (const expected of ['Сертификат', 'Айгерім Сәрсенбай', 'Қазақ тілі: бастауыш деңгей', '01.03.2026', 'курсын сәтті аяқтады'])
      expect(text).toContain(expected);
  });
});

describe('report of a result — end to end through the real queue', () => {
  it('202 → consumer renders → ready with a signed link → the PDF names the child, scores, bands in Kazakh', async () => {
    const { parent, result, child } = await childResult();
    const started = Date.now();
    const asked = await api('POST', `/api/results/${result.id}/report`, { token: parent.token });
    expect(asked.status, show(asked)).toBe(202);
    expect(asked.body).toEqual({ id: expect.any(String), status: 'queued' });
    // Asking again is the same report.
    const again = await api('POST', `/api/results/${result.id}/report`, { token: parent.token });
    expect(again.body.id).toBe(asked.body.id);

    const ready = await waitForReport(parent.token, asked.body.id);
    const elapsed = Date.now() - started;
    console.log(`report end to end: ${elapsed} ms`);
    expect(ready.url).toMatch(new RegExp(`/api/reports/${asked.body.id}/download\\?exp=\\d+&sig=`));
    const ttl = Date.parse(ready.expiresAt) - Date.now();
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(URL_TTL_SEC * 1000);

    const download = await SELF.fetch(ready.url);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('application/pdf');
    expect(download.headers.get('cache-control')).toContain('no-store');
    const text = await pdfText(await download.arrayBuffer());
    expect(text).toContain(child.name);
    for (const expected of [
      'Мазасыздық шкаласы',
      'Ұпай: 11 (0–13)',
      'Деңгей: жоғары деңгей',
      'Ұпай: 3 (0–3)',
      'Деңгей: құбылмалы',
      'Мазасыздық жоғары',
      'Тест нұсқасы: 1',
    ]) {
      expect(text).toContain(expected);
    }
    for (const letter of KAZAKH_LETTERS) expect(text).toContain(letter);

    // One file at the deterministic key, one notification.
    const listed = await bucket().list({ prefix: `reports/${result.id}/` });
    expect(listed.objects.map((o) => o.key)).toEqual([resultReportKey(result.id, 1)]);
    const ready1 = await notificationsOf(parent.id, 'report_ready');
    expect(ready1).toHaveLength(1);
    expect(ready1[0]!.data).toMatchObject({ reportId: asked.body.id, resultId: result.id });

    // The job shows in the queue metrics (age and outcome), scraped like Prometheus would.
    const scraped = await api('GET', '/api/metrics', { headers: { authorization: `Bearer ${vars.METRICS_TOKEN}` } });
    expect(scraped.status, show(scraped)).toBe(200);
    expect(scraped.text).toMatch(/sabaq_queue_jobs_total\{[^}]*queue="sabaq-reports"[^}]*\} [1-9]/);
    expect(scraped.text).toMatch(/sabaq_queue_message_age_seconds_count\{[^}]*queue="sabaq-reports"[^}]*\} [1-9]/);

    // Asking after it is ready answers ready at once and queues nothing new.
    const later = await api('POST', `/api/results/${result.id}/report`, { token: parent.token });
    expect(later.status, show(later)).toBe(202);
    expect(later.body).toEqual({ id: asked.body.id, status: 'ready' });
  });

  it("someone else's result or report is 404; only the signed link or the owner's session reaches the PDF", async () => {
    const { parent, result } = await childResult({ childName: 'Dana', language: 'en' });
    const stranger = await registerUser('parent');
    const foreign = await api('POST', `/api/results/${result.id}/report`, { token: stranger.token });
    expect(foreign.status, show(foreign)).toBe(404);
    expect(await testDb().db.select().from(reports).where(eq(reports.resultId, result.id))).toHaveLength(0);

    const asked = await expectStatus(api('POST', `/api/results/${result.id}/report`, { token: parent.token }), 202);
    const ready = await waitForReport(parent.token, asked.id);
    expect((await api('GET', `/api/reports/${asked.id}`, { token: stranger.token })).status).toBe(404);
    expect((await api('GET', `/api/reports/${asked.id}`)).status).toBe(401);

    const url = new URL(ready.url);
    const exp = Number(url.searchParams.get('exp'));
    const sig = url.searchParams.get('sig')!;
    const past = Math.floor(Date.now() / 1000) - 1;
    const cases: [string, string][] = [
      ['a tampered signature', `/api/reports/${asked.id}/download?exp=${exp}&sig=${sig.startsWith('A') ? 'B' : 'A'}${sig.slice(1)}`],
      ['a tampered expiry', `/api/reports/${asked.id}/download?exp=${exp + 600}&sig=${sig}`],
      ['another report id', `/api/reports/${crypto.randomUUID()}/download?exp=${exp}&sig=${sig}`],
      ['an expired link', `/api/reports/${asked.id}/download?exp=${past}&sig=${await signDownload(vars.JWT_SECRET!, asked.id, past)}`],
      [
        'a link valid for too long',
        `/api/reports/${asked.id}/download?exp=${exp + 3600}&sig=${await signDownload(vars.JWT_SECRET!, asked.id, exp + 3600)}`,
      ],
      ['no signature', `/api/reports/${asked.id}/download`],
      ['garbage', `/api/reports/${asked.id}/download?exp=abc&sig=%%%`],
    ];
    for (const [label, path] of cases) {
      const res = await api('GET', path);
      expect(res.status, `${label}: ${show(res)}`).toBe(403);
      expect(res.body.error.code).toBe('forbidden');
    }
    const ok = await SELF.fetch(ready.url);
    expect(ok.status).toBe(200);
    await ok.arrayBuffer();
  });

  it('in production the link is an S3-presigned R2 URL valid for 15 minutes, signed locally', async () => {
    const url = new URL(
      await presignR2(
        { accountId: 'acc123', accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret-example-key', bucket: 'sabaq-reports' },
        'reports/r1/v1.pdf',
        'sabaq-report-1.pdf',
      ),
    );
    expect(url.host).toBe('sabaq-reports.acc123.r2.cloudflarestorage.com');
    expect(url.pathname).toBe('/reports/r1/v1.pdf');
    expect(url.searchParams.get('X-Amz-Expires')).toBe(String(URL_TTL_SEC));
    expect(url.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    expect(url.searchParams.get('response-content-disposition')).toContain('sabaq-report-1.pdf');
    expect([...url.searchParams.keys()].some((k) => /checksum/i.test(k))).toBe(false);
  });
});

describe("a child's data: export and deletion", () => {
  it('the parent exports everything stored about the child; nobody else can', async () => {
    const { parent, child, attempt, result } = await childResult({ childName: 'Әлия Export' });
    const asked = await api('POST', `/api/results/${result.id}/report`, { token: parent.token });
    expect(asked.status, show(asked)).toBe(202);

    const res = await api('GET', `/api/me/children/${child.id}/export`, { token: parent.token });
    expect(res.status, show(res)).toBe(200);
    expect(res.headers.get('content-disposition')).toContain(`sabaq-child-${child.id}.json`);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.body.child).toMatchObject({ id: child.id, name: 'Әлия Export' });
    expect(res.body.attempts).toHaveLength(1);
    expect(res.body.attempts[0]).toMatchObject({ id: attempt.id, status: 'submitted' });
    const answers = res.body.attempts[0].answers as { questionKey: string; answer: unknown }[];
    expect(answers.map((a) => a.questionKey)).toEqual(['q1', 'q2', 'q3', 'q4', 'q5']);
    expect(answers.find((a) => a.questionKey === 'q5')!.answer).toEqual({ text: 'Мектепте қиын' });
    expect(res.body.results.map((r: { id: string }) => r.id)).toEqual([result.id]);
    expect(res.body.reports.map((r: { id: string }) => r.id)).toEqual([asked.body.id]);

    const stranger = await registerUser('parent');
    expect((await api('GET', `/api/me/children/${child.id}/export`, { token: stranger.token })).status).toBe(404);
    expect((await api('GET', `/api/me/children/${child.id}/export`)).status).toBe(401);
    expect((await api('GET', '/api/me/children/not-an-id/export', { token: parent.token })).status).toBe(404);
  });

  it('deleting a child removes its report PDFs from storage, and only its own', async () => {
    const { parent, child, result } = await childResult();
    const other = await childResult();
    const ids = [];
    for (const [p, r] of [
      [parent, result],
      [other.parent, other.result],
    ] as const) {
      const asked = await api('POST', `/api/results/${r.id}/report`, { token: p.token });
      await waitForReport(p.token, asked.body.id);
      ids.push(asked.body.id);
    }
    expect(await bucket().head(resultReportKey(result.id, 1))).not.toBeNull();

    expect((await api('DELETE', `/api/me/children/${child.id}`, { token: parent.token })).status).toBe(204);
    expect(await bucket().head(resultReportKey(result.id, 1))).toBeNull();
    expect((await api('GET', `/api/reports/${ids[0]}`, { token: parent.token })).status).toBe(404);
    // The other family's report is untouched.
    expect(await bucket().head(resultReportKey(other.result.id, 1))).not.toBeNull();
  });

  it("deleting an account removes every report PDF it owned, its children's included", async () => {
    const { parent, result } = await childResult();
    const asked = await api('POST', `/api/results/${result.id}/report`, { token: parent.token });
    await waitForReport(parent.token, asked.body.id);
    expect(await bucket().head(resultReportKey(result.id, 1))).not.toBeNull();
    const res = await api('DELETE', '/api/me', { token: parent.token, body: { password: parent.password } });
    expect(res.status, show(res)).toBe(204);
    expect(await bucket().head(resultReportKey(result.id, 1))).toBeNull();
    expect(await testDb().db.select().from(reports).where(eq(reports.id, asked.body.id))).toHaveLength(0);
  });
});

describe('queue consumer — retries, duplicates, dead letters', () => {
  it('fails twice, then succeeds: backoff between tries, one file, one notification; a duplicate message changes nothing', async () => {
    const { parent, result, report } = await queuedReport();
    const { store, calls } = flakyStore(2);
    const handler = createQueueHandler({ store });
    const body: ReportMessage = { v: 1, reportId: report.id, createdAt: new Date().toISOString() };
    const id = crypto.randomUUID();

    const first = await deliver(handler, REPORTS_QUEUE_NAME, body, 1, id);
    expect(first.retryMessages).toEqual([{ msgId: id, delaySeconds: 10 }]);
    expect(first.explicitAcks).toEqual([]);
    const [afterFirst] = await testDb().db.select().from(reports).where(eq(reports.id, report.id));
    expect(afterFirst).toMatchObject({ status: 'queued', tries: 1, leaseUntil: null });
    expect(afterFirst!.error).toContain('injected storage failure 1');

    const second = await deliver(handler, REPORTS_QUEUE_NAME, body, 2, id);
    expect(second.retryMessages).toEqual([{ msgId: id, delaySeconds: 20 }]);

    const third = await deliver(handler, REPORTS_QUEUE_NAME, body, 3, id);
    expect(third.explicitAcks).toEqual([id]);
    expect(third.retryMessages).toEqual([]);
    const [done] = await testDb().db.select().from(reports).where(eq(reports.id, report.id));
    expect(done).toMatchObject({ status: 'ready', tries: 3, error: null });

    // The same message delivered again (at-least-once delivery): acked, nothing rendered or sent.
    const dup = await deliver(handler, REPORTS_QUEUE_NAME, body, 1);
    expect(dup.explicitAcks).toHaveLength(1);
    expect(calls).toEqual({ put: 3, stored: 1 });
    const listed = await bucket().list({ prefix: `reports/${result.id}/` });
    expect(listed.objects).toHaveLength(1);
    expect(await notificationsOf(parent.id, 'report_ready')).toHaveLength(1);
  });

  it('a stored file from a try that died before marking ready is not written again', async () => {
    const { parent, report } = await queuedReport();
    await bucket().put(report.storageKey, new Uint8Array([37, 80, 68, 70]));
    const { store, calls } = flakyStore(0);
    const res = await deliver(
      createQueueHandler({ store }),
      REPORTS_QUEUE_NAME,
      { v: 1, reportId: report.id, createdAt: new Date().toISOString() },
      1,
    );
    expect(res.explicitAcks).toHaveLength(1);
    expect(calls.put).toBe(0);
    expect(await notificationsOf(parent.id, 'report_ready')).toHaveLength(1);
  });

  it('a child deleted while its report renders leaves no file and no notification behind', async () => {
    const { parent, child, result } = await childResult();
    const [report] = await testDb()
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
    const real = r2Store(bucket());
    // The deletion commits (and removes the files it can list) between the upload and "ready".
    const store: ReportStore = {
      ...real,
      async put(key, bytes, meta) {
        await real.put(key, bytes, meta);
        expect((await api('DELETE', `/api/me/children/${child.id}`, { token: parent.token })).status).toBe(204);
      },
    };
    const res = await deliver(
      createQueueHandler({ store }),
      REPORTS_QUEUE_NAME,
      { v: 1, reportId: report!.id, createdAt: new Date().toISOString() },
      1,
    );
    expect(res.explicitAcks).toHaveLength(1);
    expect(res.retryMessages).toEqual([]);
    expect(await bucket().head(report!.storageKey)).toBeNull();
    expect(await notificationsOf(parent.id, 'report_ready')).toHaveLength(0);
  });

  it('a report another consumer holds is retried later, not rendered twice', async () => {
    const { report } = await queuedReport();
    await testDb()
      .db.update(reports)
      .set({ status: 'rendering', leaseUntil: new Date(Date.now() + 60_000) })
      .where(eq(reports.id, report.id));
    const { store, calls } = flakyStore(0);
    const res = await deliver(
      createQueueHandler({ store }),
      REPORTS_QUEUE_NAME,
      { v: 1, reportId: report.id, createdAt: new Date().toISOString() },
      1,
    );
    expect(res.retryMessages).toHaveLength(1);
    expect(calls.put).toBe(0);
  });

  it('a poison message retries with exponential backoff, then the dead-letter consumer marks it failed and tells the owner once', async () => {
    const { parent, report } = await queuedReport();
    const { store } = flakyStore(Infinity);
    const handler = createQueueHandler({ store });
    const body: ReportMessage = { v: 1, reportId: report.id, createdAt: new Date().toISOString() };
    const delays: (number | undefined)[] = [];
    // max_retries = 5 in wrangler.toml: the first delivery and five retries, then the platform dead-letters it.
    for (let attempt = 1; attempt <= 6; attempt++) {
      const r = await deliver(handler, REPORTS_QUEUE_NAME, body, attempt);
      expect(r.explicitAcks).toEqual([]);
      delays.push(r.retryMessages[0]?.delaySeconds);
    }
    expect(delays).toEqual([10, 20, 40, 80, 160, 320]);
    expect(delays).toEqual([1, 2, 3, 4, 5, 6].map(backoffSeconds));

    for (const _ of [1, 2]) {
      const dead = await deliver(handler, REPORTS_DLQ_NAME, body, 1);
      expect(dead.explicitAcks).toHaveLength(1);
    }
    const [failed] = await testDb().db.select().from(reports).where(eq(reports.id, report.id));
    expect(failed).toMatchObject({ status: 'failed', leaseUntil: null });
    expect(failed!.failedAt).not.toBeNull();
    const told = await notificationsOf(parent.id, 'report_failed');
    expect(told).toHaveLength(1);
    expect(told[0]!.data).toMatchObject({ reportId: report.id });
    const view = await expectStatus(api('GET', `/api/reports/${report.id}`, { token: parent.token }), 200);
    expect(view).toMatchObject({ status: 'failed' });
    expect(view).not.toHaveProperty('url');
  });

  it('a job that can never succeed is dead-lettered at once through the real queues and marked failed', async () => {
    const learner = await registerUser('learner');
    // A certificate whose course title was lost: no retry can render it.
    const [row] = await testDb()
      .db.insert(reports)
      .values({
        kind: 'certificate',
        userId: learner.id,
        version: 1,
        storageKey: `certificates/${learner.id}/${crypto.randomUUID()}.pdf`,
        status: 'queued',
        data: {},
      })
      .returning();
    await (env as unknown as Env).REPORTS_QUEUE!.send({
      v: 1,
      reportId: row!.id,
      createdAt: new Date().toISOString(),
    } satisfies ReportMessage);
    const failed = await waitForReport(learner.token, row!.id, 'failed');
    expect(failed.error).toBeTruthy();
    expect(await notificationsOf(learner.id, 'report_failed')).toHaveLength(1);
  });

  it('an unreadable message is dropped (acked) without touching any report', async () => {
    const batch = createMessageBatch<unknown>(REPORTS_QUEUE_NAME, [
      { id: 'bad', timestamp: new Date(), attempts: 1, body: { hello: 'world' } },
    ]);
    const exec = createExecutionContext();
    await createQueueHandler()(batch as MessageBatch<ReportMessage>, env as unknown as Env, exec);
    const r = await getQueueResult(batch, exec);
    expect(r.explicitAcks).toEqual(['bad']);
  });

  it('asking again after a failure queues a fresh try', async () => {
    const { parent, result, report } = await queuedReport();
    await testDb().db.update(reports).set({ status: 'failed', error: 'boom', failedAt: new Date() }).where(eq(reports.id, report.id));
    const asked = await expectStatus(api('POST', `/api/results/${result.id}/report`, { token: parent.token }), 202);
    expect(asked).toEqual({ id: report.id, status: 'queued' });
    await waitForReport(parent.token, report.id);
  });
});

describe('certificates', () => {
  it('requestCertificate renders a certificate once per learner and course', async () => {
    const teacher = await verifiedTeacher();
    const course = await createCourse(teacher, { title: { ru: 'Казахский язык', kk: 'Қазақ тілі' } });
    const learner = await registerUser('learner');
    const ctx = testCtx();
    const input = {
      userId: learner.id,
      courseId: course.id,
      courseTitle: { ru: 'Казахский язык', kk: 'Қазақ тілі' },
      completedAt: new Date('2026-06-01T08:00:00Z'),
    };
    const first = await requestCertificate(ctx, input);
    const second = await requestCertificate(ctx, input);
    expect(second.id).toBe(first.id);
    const ready = await waitForReport(learner.token, first.id);
    const text = await pdfText(await (await SELF.fetch(ready.url)).arrayBuffer());
    for (const expected of ['Test learner', 'Казахский язык', '01.06.2026', 'Сертификат']) expect(text).toContain(expected);
    expect(await notificationsOf(learner.id, 'report_ready')).toHaveLength(1);
  });
});
