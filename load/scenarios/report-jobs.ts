/**
 * 1,000 PDF report jobs: learners ask for the report of their assessment results (POST
 * /api/results/:id/report → 202, one in twenty asked twice), then poll GET /api/reports/:id
 * until it is ready. Each job's time from request to ready is recorded as `job: queued →
 * ready`. Afterwards the database must hold exactly one report per result, all ready:
 * all done, none lost, none duplicated. The results are made through the API at setup
 * (a one-question assessment, attempted and submitted).
 */
import type { Check, Scenario } from '../lib/scenario.ts';
import { auth, login, tableExists, type Session } from './data.ts';

interface State {
  results: { id: string; owner: Session }[];
  next: number;
  requested: { id: string; owner: Session }[];
  problem?: string;
}

const ONE_QUESTION = {
  kind: 'assessment',
  courseId: null,
  title: { ru: 'Настроение сегодня (нагрузочный тест отчётов)', kk: 'Бүгінгі көңіл-күй', en: 'Mood today (report load test)' },
  timeLimitSec: null,
  scales: [
    {
      key: 'mood',
      title: { ru: 'Настроение', kk: 'Көңіл-күй', en: 'Mood' },
      bands: [
        {
          min: 0,
          max: 2,
          label: { ru: 'спокойное', kk: 'сабырлы', en: 'calm' },
          text: { ru: 'Всё хорошо.', kk: 'Бәрі жақсы.', en: 'All good.' },
        },
        {
          min: 3,
          max: 4,
          label: { ru: 'напряжённое', kk: 'шиеленісті', en: 'tense' },
          text: { ru: 'Стоит отдохнуть.', kk: 'Демалған жөн.', en: 'Take a rest.' },
        },
      ],
    },
  ],
  questions: [
    {
      key: 'q1',
      type: 'likert',
      text: { ru: 'Я сегодня волнуюсь', kk: 'Мен бүгін уайымдаймын', en: 'I feel worried today' },
      min: 0,
      max: 4,
      scores: [{ scale: 'mood', reverse: false }],
    },
  ],
};

export const reportJobsScenario: Scenario<State> = {
  name: 'report-jobs',
  title: 'report jobs',
  description: 'Report requests for assessment results, polled until ready; verified against the database.',
  thinkTimeMs: 1000,
  keepOutcomes: true,
  async setup(ctx) {
    const wanted = ctx.smoke ? 3 : 1000;
    const { rows: teachers } = await ctx.db.query<{ email: string }>(
      `select email from users where email like 'teacher.%@seed.sabaq.local' and teacher_status = 'verified' order by email limit 1`,
    );
    const [teacher] = await login(
      ctx,
      teachers.map((t) => t.email),
    );
    if (!teacher) return { results: [], next: 0, requested: [], problem: 'no verified seeded teacher' };
    const created = await ctx.client.send({
      endpoint: 'setup',
      method: 'POST',
      path: '/api/tests',
      headers: auth(teacher),
      body: ONE_QUESTION,
      readBody: true,
    });
    const testId = (created.body as { id?: string } | undefined)?.id;
    if (!testId) return { results: [], next: 0, requested: [], problem: `POST /api/tests answered ${created.status}` };
    await ctx.client.send({ endpoint: 'setup', method: 'POST', path: `/api/tests/${testId}/publish`, headers: auth(teacher) });

    const { rows: users } = await ctx.db.query<{ email: string }>(
      `select email from users where email like 'learner.%@seed.sabaq.local' order by md5(id::text || 'reports') limit $1`,
      [ctx.smoke ? 3 : 100],
    );
    const learners = await login(
      ctx,
      users.map((u) => u.email),
    );
    const results: State['results'] = [];
    let made = 0;
    ctx.log(`  making ${wanted} results through the API…`);
    await Promise.all(
      learners.map(async (owner, i) => {
        const h = auth(owner);
        for (let k = i; k < wanted; k += learners.length) {
          const a = await ctx.client.send({
            endpoint: 'setup',
            method: 'POST',
            path: `/api/tests/${testId}/attempts`,
            headers: h,
            body: {},
            readBody: true,
          });
          const attemptId = (a.body as { id?: string } | undefined)?.id;
          if (!attemptId) continue;
          await ctx.client.send({
            endpoint: 'setup',
            method: 'PUT',
            path: `/api/attempts/${attemptId}/answers/q1`,
            headers: h,
            body: { value: (k * 7) % 5 },
          });
          const r = await ctx.client.send({
            endpoint: 'setup',
            method: 'POST',
            path: `/api/attempts/${attemptId}/submit`,
            headers: h,
            readBody: true,
          });
          const resultId = (r.body as { id?: string } | undefined)?.id;
          if (resultId) results.push({ id: resultId, owner });
          if (++made % 200 === 0) ctx.log(`  ${made} results`);
        }
      }),
    );
    return { results, next: 0, requested: [], problem: results.length ? undefined : 'no result could be made through the API' };
  },
  unavailable: (s) => s.problem,
  async flow({ state, rng, send, wait, record, now }) {
    // One job per arrival; one arrival in twenty also asks again for a report requested earlier
    // (a double click, a client retry), which must not make a second one.
    const target = state.results[state.next++];
    if (!target) return;
    if (state.requested.length && rng.chance(0.05)) {
      const again = state.requested[rng.int(state.requested.length)]!;
      void send({
        endpoint: 'POST /api/results/:id/report',
        method: 'POST',
        path: `/api/results/${again.id}/report`,
        headers: auth(again.owner),
        ok: (s) => s === 202,
      });
    }
    state.requested.push(target);
    const h = auth(target.owner);
    const started = now();
    const asked = await send({
      endpoint: 'POST /api/results/:id/report',
      method: 'POST',
      path: `/api/results/${target.id}/report`,
      headers: h,
      readBody: true,
      ok: (s) => s === 202,
    });
    const reportId = (asked.body as { id?: string } | undefined)?.id;
    if (!asked.ok || !reportId) return;
    // Poll like a page would: every 2 s, backing off to 10 s.
    const deadline = started + 10 * 60_000;
    for (let pause = 2000; now() < deadline; pause = Math.min(10_000, pause * 1.5)) {
      await wait(pause * (0.8 + rng.next() * 0.4));
      const polled = await send({
        endpoint: 'GET /api/reports/:id',
        method: 'GET',
        path: `/api/reports/${reportId}`,
        headers: h,
        readBody: true,
      });
      const status = (polled.body as { status?: string } | undefined)?.status;
      if (status === 'ready' || status === 'failed') {
        record('job: queued → ready', now() - started, status === 'ready', status === 'ready' ? 200 : 500);
        return;
      }
    }
    record('job: queued → ready', now() - started, false, 'timeout');
  },
  async verify(s, _outcomes, db) {
    if (!(await tableExists(db, 'reports'))) return [{ name: 'reports', ok: false, detail: 'no reports table' }];
    const ids = [...new Set(s.requested.map((r) => r.id))];
    if (!ids.length) return [{ name: 'reports', ok: false, detail: 'no report was requested' }];
    const { rows } = await db.query<{ result_id: string; n: number; ready: number; failed: number }>(
      `select result_id, count(*)::int as n, count(*) filter (where status = 'ready')::int as ready, count(*) filter (where status = 'failed')::int as failed
       from reports where kind = 'result' and result_id = any($1::uuid[]) group by result_id`,
      [ids],
    );
    const ready = rows.filter((r) => r.ready === r.n).length;
    const checks: Check[] = [
      { name: 'none lost', ok: rows.length === ids.length, detail: `${rows.length} of ${ids.length} requested results have a report row` },
      {
        name: 'none duplicated',
        ok: rows.every((r) => r.n === 1),
        detail: `${rows.filter((r) => r.n > 1).length} results with more than one report`,
      },
      {
        name: 'all done',
        ok: ready === ids.length,
        detail: `${ready} of ${ids.length} reports ready, ${rows.reduce((a, r) => a + r.failed, 0)} failed`,
      },
    ];
    return checks;
  },
};
