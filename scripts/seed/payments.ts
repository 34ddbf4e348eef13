/**
 * Payments consistent with enrollments: every seeded enrollment in a paid course has exactly
 * one succeeded payment (at the course's price, a few minutes before the enrollment), and
 * every succeeded payment its enrollment. The rest of the plan's payments are failed or
 * refunded attempts on (learner, paid course) pairs WITHOUT an enrollment — a refund
 * revokes access — so "succeeded ⇔ enrolled" holds for the whole seeded set.
 */
import type pg from 'pg';
import { enrolledAt, enrollmentPlanSql, type TableSeeder } from './tables.ts';

const rows = (r: pg.QueryResult) => r.rowCount ?? 0;

const payments: TableSeeder = {
  table: 'payments',
  needs: ['enrollments', 'courses', 'users'],
  expected: (p) => p.payments,
  async run(ctx) {
    const c = await ctx.connect();
    try {
      const succeeded = rows(
        await c.query(
          `insert into payments (id, user_id, purchase_kind, purchase_id, description, amount, currency, status, provider,
                                 provider_session_id, status_changed_at, succeeded_at, created_at, updated_at)
           select pg_temp.sid('payment', p.i), pg_temp.sid('user', p.u), 'course', pg_temp.sid('course', p.c),
                  pg_temp.c_title(p.c, pg_temp.c_lang(p.c)), pg_temp.c_price(p.c), 'KZT', 'succeeded', 'mock',
                  'cs_seed_' || p.i, ${enrolledAt}, ${enrolledAt}, ${enrolledAt} - interval '3 minutes', ${enrolledAt}
           from (${enrollmentPlanSql(ctx.plan)}) p
           where pg_temp.c_price(p.c) > 0
           on conflict do nothing`,
        ),
      );
      const [{ n: have } = { n: '0' }] = (
        await c.query<{ n: string }>(
          `select count(*) as n from payments where provider_session_id like 'cs_seed_%' and status = 'succeeded'`,
        )
      ).rows;
      // The plan's total when paid enrollments leave room; always some failed and refunded ones.
      const others = Math.max(ctx.plan.payments - Number(have), Math.ceil(ctx.plan.payments * 0.15));
      // Attempts that did not end in access: 75 % declined, 25 % refunded (succeeded first).
      const rest = rows(
        await c.query(
          `insert into payments (id, user_id, purchase_kind, purchase_id, description, amount, currency, status, provider,
                                 provider_session_id, failure_reason, status_changed_at, succeeded_at, refunded_at, created_at, updated_at)
           select pg_temp.sid('payment-other', x.i), pg_temp.sid('user', x.u), 'course', pg_temp.sid('course', x.c),
                  pg_temp.c_title(x.c, pg_temp.c_lang(x.c)), pg_temp.c_price(x.c), 'KZT',
                  (case when pg_temp.h(x.i, 71) % 4 = 0 then 'refunded' else 'failed' end)::payment_status, 'mock',
                  'cs_seed_other_' || x.i,
                  case when pg_temp.h(x.i, 71) % 4 <> 0 then 'declined' end,
                  x.at + interval '2 days', case when pg_temp.h(x.i, 71) % 4 = 0 then x.at + interval '2 minutes' end,
                  case when pg_temp.h(x.i, 71) % 4 = 0 then x.at + interval '2 days' end, x.at, x.at + interval '2 days'
           from (
             select i, u, c, least(timestamptz '2026-11-01', greatest(pg_temp.u_created(u), pg_temp.c_published_at(c)) + make_interval(secs => pg_temp.h(i, 73) % (45 * 86400))) as at
             from (
               select i, pg_temp.learner_user(1 + pg_temp.h(i, 70) % ${ctx.plan.learners}) as u, (1 + pg_temp.h(i, 72) % ${ctx.plan.courses})::bigint as c
               from generate_series(1, ${Math.ceil(others * 3)}) i
             ) cand
             where pg_temp.c_published(c) and pg_temp.c_price(c) > 0
               and not exists (select 1 from enrollments e where e.user_id = pg_temp.sid('user', cand.u) and e.course_id = pg_temp.sid('course', cand.c))
             order by i
             limit ${others}
           ) x
           on conflict do nothing`,
        ),
      );
      // The invariant the bench checks too: succeeded ⇔ enrolled, for every seeded payment.
      const {
        rows: [check],
      } = await c.query<{ orphans: string; unpaid: string }>(
        `select (select count(*) from payments p where p.provider_session_id like 'cs_seed_%' and p.status = 'succeeded'
                   and not exists (select 1 from enrollments e where e.user_id = p.user_id and e.course_id = p.purchase_id)) as orphans,
                (select count(*) from enrollments e join courses c on c.id = e.course_id
                   where c.price_amount > 0 and e.id in (select pg_temp.sid('enrollment', p.i) from (${enrollmentPlanSql(ctx.plan)}) p)
                   and not exists (select 1 from payments p where p.user_id = e.user_id and p.purchase_id = e.course_id and p.status = 'succeeded')) as unpaid`,
      );
      if (Number(check?.orphans) || Number(check?.unpaid)) {
        throw new Error(
          `seeded payments disagree with enrollments: ${check?.orphans} succeeded without enrollment, ${check?.unpaid} paid enrollments without payment`,
        );
      }
      return succeeded + rest;
    } finally {
      c.release();
    }
  },
};

export const PAYMENT_SEEDERS: TableSeeder[] = [payments];
