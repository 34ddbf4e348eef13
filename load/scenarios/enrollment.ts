/**
 * Enrollment + checkout writes: logged-in learners enroll in free courses they are not in yet,
 * and (one request in four) start a checkout for a paid course with an Idempotency-Key; one
 * request in twenty repeats an earlier one (a double click, a retry: same pair, same key).
 * Afterwards the database must hold exactly one row for every pair that was answered 2xx
 * (nothing lost, nothing duplicated) and each touched course's enrollment counter must equal
 * its rows. Then (unmeasured) every checkout is paid on the mock provider's hosted page with
 * the test card, its signed webhooks arrive through the queue (some twice, out of order), and
 * every succeeded payment must have exactly one enrollment and every bought pair one payment.
 * Budget: 200 req/s, p99 < 200 ms, no lost or duplicated rows.
 */
import type { Outcome } from '../lib/client.ts';
import type { Check, Scenario } from '../lib/scenario.ts';
import { auth, login, samplePublishedCourses, tableExists, type Session } from './data.ts';

interface State {
  learners: Session[];
  courses: string[];
  /** Pairs each learner is already in (seeded), to be avoided. */
  taken: Set<string>;
  sent: { session: Session; course: string }[];
  /** Paid courses, and the checkouts sent (key + body, for repeats). */
  paid: string[];
  checkouts: { session: Session; course: string; key: string }[];
  baseUrl: string;
  /**
   * Makes this run's Idempotency-Keys its own: the learners and courses are drawn the same way
   * every run, so a key made only of them would replay an earlier run's answer on the same
   * database (keys live 24 h) — a checkout whose session has expired since, which no card can pay.
   */
  run: string;
}

const pairKey = (userId: string, courseId: string) => `${userId}:${courseId}`;
const courseOf = (o: Outcome) => /\/api\/courses\/([^/]+)\/enrollment/.exec(o.spec.path)?.[1];

export const enrollmentScenario: Scenario<State> = {
  name: 'enrollment',
  title: 'enrollment + checkout writes',
  description: 'Learners enrolling in free courses (5 % repeated requests); verified against the database afterwards.',
  thinkTimeMs: 30_000,
  keepOutcomes: true,
  async setup(ctx) {
    const n = ctx.smoke ? 3 : 300;
    const { rows: users } = await ctx.db.query<{ email: string }>(
      `select email from users where email like 'learner.%@seed.sabaq.local' order by md5(id::text || 'enroll') limit $1`,
      [n],
    );
    const learners = await login(
      ctx,
      users.map((u) => u.email),
    );
    const courses = (await samplePublishedCourses(ctx.db, ctx.smoke ? 30 : 5000, 23, 'c.price_amount = 0')).map((c) => c.id);
    const taken = new Set<string>();
    if (await tableExists(ctx.db, 'enrollments')) {
      const { rows } = await ctx.db.query<{ user_id: string; course_id: string }>(
        'select user_id, course_id from enrollments where user_id = any($1)',
        [learners.map((l) => l.userId)],
      );
      for (const r of rows) taken.add(pairKey(r.user_id, r.course_id));
    }
    const paid = (await tableExists(ctx.db, 'payments'))
      ? (await samplePublishedCourses(ctx.db, ctx.smoke ? 30 : 5000, 29, 'c.price_amount > 0')).map((c) => c.id)
      : [];
    return { learners, courses, taken, sent: [], paid, checkouts: [], baseUrl: ctx.baseUrl, run: Date.now().toString(36) };
  },
  unavailable: (s) => (!s.learners.length ? 'no seeded learner could log in' : !s.courses.length ? 'no free published course' : undefined),
  mix: [
    {
      endpoint: 'POST /api/courses/:id/enrollment',
      weight: 1,
      ok: (status) => status === 200 || status === 201,
      build: (s, rng) => {
        if (s.sent.length && rng.chance(0.05)) {
          const again = s.sent[rng.int(s.sent.length)]!;
          return { path: `/api/courses/${again.course}/enrollment`, headers: auth(again.session) };
        }
        for (let attempt = 0; attempt < 20; attempt++) {
          const session = s.learners[rng.int(s.learners.length)]!;
          const course = s.courses[rng.int(s.courses.length)]!;
          const key = pairKey(session.userId, course);
          if (s.taken.has(key)) continue;
          s.taken.add(key);
          s.sent.push({ session, course });
          return { path: `/api/courses/${course}/enrollment`, headers: auth(session) };
        }
        return null;
      },
    },
    {
      endpoint: 'POST /api/checkout',
      weight: 1 / 3,
      ok: (status) => status === 200 || status === 201,
      build: (s, rng) => {
        const send = (c: { session: Session; course: string; key: string }) => ({
          path: '/api/checkout',
          headers: { ...auth(c.session), 'idempotency-key': c.key },
          body: { purchase: { kind: 'course', id: c.course } },
          readBody: true,
        });
        if (s.checkouts.length && rng.chance(0.05)) return send(s.checkouts[rng.int(s.checkouts.length)]!);
        for (let attempt = 0; s.paid.length && attempt < 20; attempt++) {
          const session = s.learners[rng.int(s.learners.length)]!;
          const course = s.paid[rng.int(s.paid.length)]!;
          const pair = pairKey(session.userId, course);
          if (s.taken.has(pair)) continue;
          s.taken.add(pair);
          const c = { session, course, key: `bench-${s.run}-${session.userId.slice(0, 8)}-${course}` };
          s.checkouts.push(c);
          return send(c);
        }
        return null;
      },
    },
  ],
  async verify(s, outcomes, db) {
    const checks: Check[] = [];
    if (!(await tableExists(db, 'enrollments'))) return [{ name: 'rows', ok: false, detail: 'no enrollments table' }];
    checks.push(...(await verifyCheckouts(s, outcomes, db)));
    const answered = new Map<string, { userId: string; courseId: string }>();
    for (const o of outcomes) {
      if (!o.ok || o.spec.path === '/api/checkout') continue;
      const courseId = courseOf(o);
      const userId = s.learners.find((l) => l.token === o.spec.headers?.authorization?.slice(7))?.userId;
      if (courseId && userId) answered.set(pairKey(userId, courseId), { userId, courseId });
    }
    const pairs = [...answered.values()];
    if (!pairs.length) return [{ name: 'rows', ok: false, detail: 'no enrollment was answered 2xx' }];
    const { rows } = await db.query<{ user_id: string; course_id: string; n: number }>(
      `select e.user_id, e.course_id, count(*)::int as n from enrollments e
       join unnest($1::uuid[], $2::uuid[]) as p(u, c) on e.user_id = p.u and e.course_id = p.c
       group by e.user_id, e.course_id`,
      [pairs.map((p) => p.userId), pairs.map((p) => p.courseId)],
    );
    const found = rows.length;
    const duplicated = rows.filter((r) => r.n > 1).length;
    checks.push({
      name: 'no lost rows',
      ok: found === pairs.length,
      detail: `${found} of ${pairs.length} enrollments answered 2xx are in the database`,
    });
    checks.push({ name: 'no duplicated rows', ok: duplicated === 0, detail: `${duplicated} pairs with more than one row` });
    const courses = [...new Set(pairs.map((p) => p.courseId))];
    const { rows: off } = await db.query<{ id: string }>(
      `select c.id from courses c where c.id = any($1::uuid[])
         and c.enrollment_count <> (select count(*) from enrollments e where e.course_id = c.id)`,
      [courses],
    );
    checks.push({
      name: 'course counters exact',
      ok: off.length === 0,
      detail: `${off.length} of ${courses.length} touched courses have enrollment_count ≠ rows`,
    });
    return checks;
  },
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Checkout half of the verification: one payment per key (repeats answered the same payment),
 * then every checkout paid with the test card and settled by its webhooks, and
 * succeeded payment ⇔ exactly one enrollment for every pair the run bought.
 */
async function verifyCheckouts(s: State, outcomes: Outcome[], db: import('pg').Pool): Promise<Check[]> {
  const byKey = new Map<string, Set<string>>();
  for (const o of outcomes) {
    if (!o.ok || o.spec.path !== '/api/checkout') continue;
    const key = o.spec.headers?.['idempotency-key'];
    const id = (o.body as { id?: string } | undefined)?.id;
    if (key && id) byKey.set(key, (byKey.get(key) ?? new Set()).add(id));
  }
  if (!byKey.size) return s.paid.length ? [{ name: 'checkouts', ok: false, detail: 'no checkout was answered 2xx' }] : [];
  const split = [...byKey.values()].filter((ids) => ids.size > 1).length;
  const checks: Check[] = [
    { name: 'one payment per idempotency key', ok: split === 0, detail: `${split} of ${byKey.size} keys answered more than one payment` },
  ];
  const ids = [...new Set([...byKey.values()].flatMap((v) => [...v]))];
  const { rows: sessions } = await db.query<{ id: string; checkout_url: string | null }>(
    'select id, checkout_url from payments where id = any($1::uuid[])',
    [ids],
  );
  checks.push({
    name: 'no lost payments',
    ok: sessions.length === ids.length,
    detail: `${sessions.length} of ${ids.length} payments answered 2xx are in the database`,
  });
  // Pay each on the hosted page (unmeasured), a few at a time. Right after the measured load the
  // server may still shed a request (503): the buyer presses Pay again, as a person would.
  // The hosted page's last answer to each payment it did not accept (what to look at when one stays open).
  const refused = new Map<string, number>();
  const pay = async (url: string) => {
    let status = 0;
    for (let attempt = 0; attempt < 6; attempt++) {
      status = await fetch(new URL(url, s.baseUrl), {
        method: 'POST',
        body: new URLSearchParams({ card: '4242424242424242' }),
        redirect: 'manual',
      })
        .then(async (r) => {
          await r.arrayBuffer();
          return r.status;
        })
        .catch(() => 0);
      if (status > 0 && status < 400) return;
      if (status >= 400 && status < 500) break;
      await sleep(500 * 2 ** attempt);
    }
    refused.set(url, status);
  };
  for (let i = 0; i < sessions.length; i += 20) {
    await Promise.all(sessions.slice(i, i + 20).map((p) => (p.checkout_url ? pay(p.checkout_url) : undefined)));
  }
  const deadline = Date.now() + 120_000;
  let open = ids.length;
  while (Date.now() < deadline) {
    const { rows } = await db.query<{ n: number }>(
      `select count(*)::int as n from payments where id = any($1::uuid[]) and status <> 'succeeded'`,
      [ids],
    );
    open = rows[0]!.n;
    if (!open) break;
    await sleep(1_000);
  }
  let stuck = '';
  if (open) {
    const { rows } = await db.query<{ id: string; status: string; checkout_url: string | null }>(
      `select id, status, checkout_url from payments where id = any($1::uuid[]) and status <> 'succeeded' limit 5`,
      [ids],
    );
    stuck = `; not settled: ${rows
      .map(
        (r) =>
          `${r.id} (${r.status}, ${r.checkout_url ? `hosted page answered ${refused.get(r.checkout_url) ?? 'a redirect'}` : 'no checkout session'})`,
      )
      .join(', ')}`;
  }
  checks.push({
    name: 'every paid checkout settled by its webhooks',
    ok: open === 0,
    detail: `${ids.length - open} of ${ids.length} payments succeeded within 120 s of paying${stuck}`,
  });
  const {
    rows: [bad],
  } = await db.query<{ orphans: number; dup: number; unpaid: number }>(
    `with p as (select * from payments where id = any($1::uuid[]))
     select (select count(*)::int from p where p.status = 'succeeded'
               and not exists (select 1 from enrollments e where e.user_id = p.user_id and e.course_id = p.purchase_id)) as orphans,
            (select count(*)::int from (select user_id, purchase_id from p where status = 'succeeded' group by 1, 2 having count(*) > 1) d) as dup,
            (select count(*)::int from enrollments e join p on p.user_id = e.user_id and p.purchase_id = e.course_id
               where not exists (select 1 from payments q where q.user_id = e.user_id and q.purchase_id = e.course_id and q.status = 'succeeded')) as unpaid`,
    [ids],
  );
  checks.push({
    name: 'succeeded payment ⇔ one enrollment',
    ok: !bad!.orphans && !bad!.dup && !bad!.unpaid,
    detail: `${bad!.orphans} succeeded without enrollment, ${bad!.dup} pairs paid twice, ${bad!.unpaid} bought enrollments without a succeeded payment`,
  });
  return checks;
}
