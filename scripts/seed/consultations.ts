/**
 * Consultations at scale: ~500 verified teachers become listed specialists (weekly hours,
 * a 30- and a 60-minute session type) and ~50,000 bookings spread over the 60 days before and
 * the 25 after the seeding day. Each specialist's bookings sit on distinct 80-minute slots
 * of distinct days, so the no-overlap constraint holds by construction; past ones are held,
 * no-shows or cancelled, future ones confirmed or cancelled. Bookings are free-standing (no
 * seeded payments): the payments seeder keeps its "succeeded ⇔ enrolled" invariant for courses.
 */
import type pg from 'pg';
import type { TableSeeder } from './tables.ts';

const rows = (r: pg.QueryResult) => r.rowCount ?? 0;

/** Specialists and bookings of this plan (scale 1: 500 and 50,000). */
export const consultationPlan = (scale: number, verifiedTeachers: number) => {
  const specialists = Math.max(2, Math.min(verifiedTeachers, Math.round(500 * scale)));
  return { specialists, bookings: Math.max(10, Math.round(50_000 * scale)) };
};

const SPECIALTIES = ['psychologist', 'speech_therapist', 'tutor', 'defectologist'];
const ZONES = ['Asia/Almaty', 'Asia/Almaty', 'Asia/Almaty', 'Asia/Aqtobe', 'Europe/Moscow'];

const specialists: TableSeeder = {
  table: 'specialists',
  needs: ['users'],
  expected: (p) => consultationPlan(p.scale, p.verifiedTeachers).specialists,
  async run(ctx) {
    const { specialists: n } = consultationPlan(ctx.plan.scale, ctx.plan.verifiedTeachers);
    const c = await ctx.connect();
    try {
      const inserted = rows(
        await c.query(
          `insert into specialists (id, bio, photo_url, languages, specialties, time_zone, buffer_minutes, verified, verified_at, min_price, created_at, updated_at)
           select pg_temp.sid('user', pg_temp.teacher_user(k)),
                  jsonb_build_object('ru', 'Специалист с опытом ' || (3 + k % 15) || ' лет.', 'en', 'Specialist with ' || (3 + k % 15) || ' years of experience.'),
                  null,
                  case k % 3 when 0 then array['ru','kk'] when 1 then array['ru'] else array['ru','en'] end,
                  array[(${JSON.stringify(SPECIALTIES).replace(/"/g, "'").replace('[', 'array[')})[1 + k % ${SPECIALTIES.length}]],
                  (${JSON.stringify(ZONES).replace(/"/g, "'").replace('[', 'array[')})[1 + k % ${ZONES.length}],
                  10, true, pg_temp.at(k, 301), case when k % 10 = 0 then 0 else 200000 + (k % 8) * 50000 end,
                  pg_temp.at(k, 301), pg_temp.at(k, 301)
           from generate_series(1, ${n}) k
           on conflict do nothing`,
        ),
      );
      // Two session types each (every tenth specialist's 30-minute one is free), hours Mon–Fri 09–18, Sat 10–14.
      await c.query(
        `insert into specialist_session_types (id, specialist_id, duration_minutes, price_amount, currency, created_at, updated_at)
         select pg_temp.sid('session-type', k * 2 + d), pg_temp.sid('user', pg_temp.teacher_user(k)),
                case d when 0 then 30 else 60 end,
                case when d = 0 and k % 10 = 0 then 0 when d = 0 then 200000 + (k % 8) * 50000 else 400000 + (k % 8) * 100000 end,
                'KZT', now(), now()
         from generate_series(1, ${n}) k cross join generate_series(0, 1) d
         on conflict do nothing`,
      );
      await c.query(
        `insert into availability_rules (id, specialist_id, weekday, start_minute, end_minute)
         select pg_temp.sid('availability', k * 10 + w), pg_temp.sid('user', pg_temp.teacher_user(k)), w,
                case when w = 6 then 600 else 540 end, case when w = 6 then 840 else 1080 end
         from generate_series(1, ${n}) k cross join generate_series(1, 6) w
         on conflict do nothing`,
      );
      return inserted;
    } finally {
      c.release();
    }
  },
};

const bookings: TableSeeder = {
  table: 'bookings',
  needs: ['specialists', 'users'],
  expected: (p) => consultationPlan(p.scale, p.verifiedTeachers).bookings,
  async run(ctx) {
    const plan = consultationPlan(ctx.plan.scale, ctx.plan.verifiedTeachers);
    const perSpecialist = Math.ceil(plan.bookings / plan.specialists);
    const c = await ctx.connect();
    try {
      // Booking i: specialist s = 1 + i % S, its k-th booking (k = i / S). Slot k % 6 of day
      // (k / 6) * 5 - 60 from today: 6 slots of 80 min from 09:00 Almaty (04:00 UTC), distinct per specialist.
      // Weekends included: the seeded hours are not re-checked (they are history, not offers).
      return rows(
        await c.query(
          `insert into bookings (id, specialist_id, client_id, child_id, session_type_id, starts_at, ends_at, occupied_until, status,
                                 amount, currency, confirmed_at, cancelled_at, cancelled_by, refund, review_rating, reviewed_at, created_at, updated_at)
           select pg_temp.sid('booking', i), pg_temp.sid('user', pg_temp.teacher_user(s)),
                  pg_temp.sid('user', pg_temp.parent_user(1 + pg_temp.h(i, 311) % ${ctx.plan.parents})), null,
                  pg_temp.sid('session-type', s * 2 + 1), st, st + interval '60 minutes', st + interval '70 minutes',
                  (case when st < now() then (case when pg_temp.h(i, 312) % 20 < 16 then 'completed' when pg_temp.h(i, 312) % 20 < 17 then 'no_show' else 'cancelled' end)
                        else (case when pg_temp.h(i, 312) % 20 < 17 then 'confirmed' else 'cancelled' end) end)::booking_status,
                  400000 + (s % 8) * 100000, 'KZT', least(st - interval '5 days', now() - interval '1 hour'),
                  case when pg_temp.h(i, 312) % 20 >= 17 then least(st - interval '2 days', now() - interval '1 hour') end,
                  case when pg_temp.h(i, 312) % 20 >= 17 then 'client' end,
                  'none',
                  case when st < now() and pg_temp.h(i, 312) % 20 < 6 then (1 + pg_temp.h(i, 313) % 5)::smallint end,
                  case when st < now() and pg_temp.h(i, 312) % 20 < 6 then st + interval '1 day' end,
                  least(st - interval '5 days', now() - interval '1 hour'), least(st - interval '5 days', now() - interval '1 hour')
           from (
             select i, s, date_trunc('day', now()) + make_interval(days => ((k / 6) * 5 - 60)::int) + interval '4 hours' + make_interval(mins => ((k % 6) * 80)::int) as st
             from (select i, 1 + i % ${plan.specialists} as s, i / ${plan.specialists} as k from generate_series(0, ${plan.bookings - 1}) i) x
             where k < ${perSpecialist}
           ) b
           on conflict do nothing`,
        ),
      );
    } finally {
      c.release();
    }
  },
};

/** Ratings follow the seeded reviews. */
const ratings: TableSeeder = {
  table: 'specialists',
  needs: ['bookings'],
  async run(ctx) {
    return rows(
      await ctx.query(
        `update specialists s set rating_sum = r.sum, rating_count = r.n
         from (select specialist_id, sum(review_rating)::int as sum, count(*)::int as n from bookings where review_rating is not null group by specialist_id) r
         where s.id = r.specialist_id and (s.rating_sum, s.rating_count) is distinct from (r.sum, r.n)`,
      ),
    );
  },
};

export const CONSULTATION_SEEDERS: TableSeeder[] = [specialists, bookings, ratings];
