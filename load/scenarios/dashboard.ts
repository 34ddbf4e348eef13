/**
 * Teachers' dashboards (issue 19): 100 seeded teachers with courses read their pulse,
 * overview, voices and a course's seams (the rollup reads, cached 5–30 s per teacher), while
 * 100 live sockets (`/api/me/live`, where the pulse events arrive) are held open.
 *
 * Measured:
 * - the reads (the generator's requests; budget p95 < 250 ms);
 * - the sockets: opened all at once like 100 pages after a deploy (a ticket, then the
 *   upgrade). A refused one is retried once after its Retry-After, as the site's live client
 *   backs off and retries; first-try and eventual connects are reported separately;
 * - live events: during the measured window, seeded learners enrolled in one viewer's courses
 *   complete a lesson every 500 ms (and undo it, so the seed is left as it was and every
 *   completion is a new one); from the write's send to the `pulse` event on that teacher's
 *   socket (`WS pulse (completion sent → dashboard)`, budget p95 < 250 ms), and from its
 *   answer (`WS pulse (completion answered → dashboard)`, 0 when the event came first).
 */
import WebSocket from 'ws';
import type { Rng } from '../lib/rng.ts';
import type { Scenario } from '../lib/scenario.ts';
import { auth, login, type Session } from './data.ts';

interface Viewer {
  session: Session;
  courses: string[];
}

/** A learner and a lesson of the live teacher's course they have not completed (nor the course). */
interface Completer {
  session: Session;
  lessonId: string;
  courseId: string;
}

interface PulseWaiter {
  courseId: string;
  resolve: (at: number) => void;
}

interface State {
  baseUrl: string;
  viewers: Viewer[];
  sockets: WebSocket[];
  socketsTried: number;
  /** Connected on the first attempt. */
  firstTry: number;
  /** Connected after one retry that honoured Retry-After. */
  afterRetry: number;
  /** Why sockets were refused: `ticket 503`, `upgrade 503`, `timeout`… */
  refusals: Record<string, number>;
  connectMs: number[];
  /** The teacher whose dashboard the learners' completions reach, its socket, and the learners. */
  liveTeacher?: string;
  liveSockets: WebSocket[];
  completers: Completer[];
  waiters: PulseWaiter[];
  events: { sent: number; arrived: number; failedWrites: number; restored: number };
}

const SOCKETS = 100;
const EVENT_EVERY_MS = 500;
const PULSE_TIMEOUT_MS = 5_000;
export const PULSE_SENT = 'WS pulse (completion sent → dashboard)';
export const PULSE_ANSWERED = 'WS pulse (completion answered → dashboard)';

const pick = (s: State, rng: Rng) => s.viewers[rng.int(s.viewers.length)];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

class Refused extends Error {
  constructor(
    readonly reason: string,
    /** Seconds, from Retry-After; undefined: not worth retrying. */
    readonly retryAfter?: number,
  ) {
    super(reason);
  }
}

const retryAfterOf = (status: number, header: string | null | undefined) =>
  status === 503 || status === 429 ? Math.min(10, Number(header) || 1) : undefined;

/** Opens one socket: resolves once the server's `ready` came (the socket reached the user's Durable Object). */
function openSocket(url: string, timeoutMs: number): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Refused('timeout'));
    }, timeoutMs);
    // A refused handshake: its HTTP status is the reason (the browser's WebSocket never shows it).
    ws.on('unexpected-response', (_req, res) => {
      clearTimeout(timer);
      res.resume();
      ws.terminate();
      reject(new Refused(`upgrade ${res.statusCode}`, retryAfterOf(res.statusCode ?? 0, res.headers['retry-after'] as string)));
    });
    ws.on('message', (data) => {
      if (String(data).includes('"ready"')) {
        clearTimeout(timer);
        resolve(ws);
      }
    });
    ws.on('error', (err) => {
      clearTimeout(timer);
      reject(new Refused(`socket error: ${err.message}`));
    });
  });
}

async function connect(baseUrl: string, v: Viewer): Promise<WebSocket> {
  const res = await fetch(`${baseUrl}/api/me/live/ticket`, { method: 'POST', headers: auth(v.session) });
  if (res.status !== 200) {
    await res.arrayBuffer();
    throw new Refused(`ticket ${res.status}`, retryAfterOf(res.status, res.headers.get('retry-after')));
  }
  const { ticket } = (await res.json()) as { ticket: string };
  return openSocket(`${baseUrl.replace(/^http/, 'ws')}/api/me/live?ticket=${encodeURIComponent(ticket)}`, 10_000);
}

/** The `pulse` events of the live teacher's socket settle the oldest waiter of their course. */
function listen(s: State, ws: WebSocket) {
  ws.on('message', (data) => {
    const at = performance.now();
    let m: { type?: string; kind?: string; courseId?: string };
    try {
      m = JSON.parse(String(data));
    } catch {
      return;
    }
    if (m.type !== 'pulse' || m.kind !== 'lesson_completed') return;
    const i = s.waiters.findIndex((w) => w.courseId === m.courseId);
    if (i >= 0) s.waiters.splice(i, 1)[0]!.resolve(at);
  });
}

/**
 * One live event: the learner completes their lesson; the time from the write's send to the
 * `pulse` on the teacher's socket, and to its answer; then the completion is undone (the seed
 * stays as it was, and the next completion of this lesson is a new one, which is what pulses).
 */
async function completeAndUndo(
  s: State,
  c: Completer,
): Promise<{ status: number | 'timeout'; answeredMs: number; pulseMs?: number; restored: boolean }> {
  const url = `${s.baseUrl}/api/lessons/${c.lessonId}/completion`;
  let resolve!: (at: number) => void;
  const arrived = new Promise<number>((r) => (resolve = r));
  const waiter: PulseWaiter = { courseId: c.courseId, resolve };
  s.waiters.push(waiter);
  const drop = () => {
    const i = s.waiters.indexOf(waiter);
    if (i >= 0) s.waiters.splice(i, 1);
  };
  const sent = performance.now();
  const res = await fetch(url, { method: 'POST', headers: auth(c.session) }).catch(() => undefined);
  const answeredMs = performance.now() - sent;
  await res?.arrayBuffer();
  if (res?.status !== 200) {
    drop();
    return { status: res?.status ?? 'timeout', answeredMs, restored: false };
  }
  const at = await Promise.race([arrived, sleep(PULSE_TIMEOUT_MS).then(() => undefined)]);
  drop();
  const undo = await fetch(url, { method: 'DELETE', headers: auth(c.session) }).catch(() => undefined);
  await undo?.arrayBuffer();
  return { status: 200, answeredMs, pulseMs: at === undefined ? undefined : at - sent, restored: undo?.status === 200 };
}

export const dashboardScenario: Scenario<State> = {
  name: 'dashboard',
  title: 'teacher dashboards (rollup reads), 100 live sockets, live pulse latency',
  description:
    'Seeded teachers reading pulse, overview, voices and seams while 100 /api/me/live sockets are open and learners complete lessons in one of their courses.',
  thinkTimeMs: 5_000,
  async setup(ctx) {
    const n = ctx.smoke ? 2 : 100;
    const { rows: users } = await ctx.db.query<{ id: string; email: string }>(
      `select u.id, u.email from users u
       where u.email like 'teacher.%@seed.sabaq.local' and u.teacher_status = 'verified'
         and exists (select 1 from courses c where c.teacher_id = u.id)
       order by md5(u.id::text) limit $1`,
      [n],
    );
    const sessions = await login(
      ctx,
      users.map((u) => u.email),
    );
    const { rows } = await ctx.db.query<{ teacher_id: string; ids: string[] }>(
      'select teacher_id, array_agg(id) as ids from courses where teacher_id = any($1) group by teacher_id',
      [sessions.map((s) => s.userId)],
    );
    const state: State = {
      baseUrl: ctx.baseUrl,
      viewers: sessions.map((session) => ({ session, courses: rows.find((r) => r.teacher_id === session.userId)?.ids ?? [] })),
      sockets: [],
      socketsTried: 0,
      firstTry: 0,
      afterRetry: 0,
      refusals: {},
      connectMs: [],
      liveSockets: [],
      completers: [],
      waiters: [],
      events: { sent: 0, arrived: 0, failedWrites: 0, restored: 0 },
    };

    // Learners who can complete a lesson in a viewer's published course without completing the
    // course (two or more lessons left): their completions are the live events.
    const { rows: pairs } = await ctx.db.query<{ teacher_id: string; email: string; lesson_id: string; course_id: string }>(
      `select distinct on (e.user_id) c.teacher_id, u.email, l.id as lesson_id, c.id as course_id
       from enrollments e
       join courses c on c.id = e.course_id and c.published and c.teacher_id = any($1)
       join users u on u.id = e.user_id and u.email like 'learner.%@seed.sabaq.local'
       join lessons l on l.course_id = c.id
       where e.status = 'active'
         and not exists (select 1 from lesson_progress p where p.user_id = e.user_id and p.lesson_id = l.id)
         and (select count(*) from lessons l2 where l2.course_id = c.id
              and not exists (select 1 from lesson_progress p2 where p2.user_id = e.user_id and p2.lesson_id = l2.id)) >= 2
       order by e.user_id, md5(l.id::text)`,
      [sessions.map((s) => s.userId)],
    );
    const byTeacher = new Map<string, typeof pairs>();
    for (const p of pairs) byTeacher.set(p.teacher_id, [...(byTeacher.get(p.teacher_id) ?? []), p]);
    const [liveTeacher, mine] = [...byTeacher].sort((a, b) => b[1].length - a[1].length)[0] ?? [];
    if (liveTeacher && mine) {
      const chosen = mine.slice(0, ctx.smoke ? 2 : 8);
      // Addresses of their own (ctx.ip 2,000,000+), apart from the teachers' logins.
      const learners = await login(
        { ...ctx, ip: (k) => ctx.ip(1_000_000 + k + 1_000) },
        chosen.map((p) => p.email),
      );
      state.liveTeacher = liveTeacher;
      state.completers = learners.map((session) => {
        const p = chosen.find((c) => c.email === session.email)!;
        return { session, lessonId: p.lesson_id, courseId: p.course_id };
      });
    } else ctx.log('dashboard: no seeded learner can complete a lesson in a viewer’s course; live latency is not measured');

    // The sockets, all at once: each viewer's page holds one; with fewer viewers than SOCKETS, some hold two (two tabs).
    const want = ctx.smoke ? 4 : SOCKETS;
    // The live teacher's page is the first one opened.
    const order = [...state.viewers].sort((a, b) => Number(b.session.userId === liveTeacher) - Number(a.session.userId === liveTeacher));
    await Promise.all(
      Array.from({ length: want }, async (_, i) => {
        const v = order[i % Math.max(1, order.length)];
        if (!v) return;
        state.socketsTried++;
        const started = Date.now();
        let ws: WebSocket | undefined;
        try {
          ws = await connect(ctx.baseUrl, v);
          state.firstTry++;
        } catch (err) {
          const r = err instanceof Refused ? err : new Refused(String(err));
          state.refusals[r.reason] = (state.refusals[r.reason] ?? 0) + 1;
          // Like the site's client: back off (at least Retry-After), then once more.
          if (r.retryAfter !== undefined) {
            await sleep(r.retryAfter * 1000 + Math.random() * 500);
            try {
              ws = await connect(ctx.baseUrl, v);
              state.afterRetry++;
            } catch (again) {
              const r2 = again instanceof Refused ? again.reason : String(again);
              state.refusals[`retry: ${r2}`] = (state.refusals[`retry: ${r2}`] ?? 0) + 1;
            }
          }
        }
        if (!ws) return;
        state.sockets.push(ws);
        state.connectMs.push(Date.now() - started);
        if (v.session.userId === liveTeacher) {
          listen(state, ws);
          state.liveSockets.push(ws);
        }
      }),
    );
    const sorted = [...state.connectMs].sort((a, b) => a - b);
    const refused = Object.entries(state.refusals).map(([k, c]) => `${k}×${c}`);
    ctx.log(
      `dashboard: live sockets open: ${state.firstTry}/${state.socketsTried} at the first try, ${state.firstTry + state.afterRetry}/${state.socketsTried} in the end (one retry after Retry-After); ` +
        `connect p50 ${sorted[Math.floor(sorted.length / 2)] ?? '-'} ms, p95 ${sorted[Math.floor(sorted.length * 0.95)] ?? '-'} ms` +
        (refused.length ? `; refused: ${refused.join(', ')}` : ''),
    );
    // Each learner's first completion is unmeasured, as the reads' caches are warmed: a cold
    // session's first write is not what a learner in the middle of a course sees.
    if (state.liveSockets.length) {
      const warm = await Promise.all(state.completers.map((c) => completeAndUndo(state, c)));
      const arrived = warm.filter((w) => w.pulseMs !== undefined).length;
      ctx.log(
        `dashboard: ${state.completers.length} learners complete lessons in the courses of the live teacher; warm-up: ${arrived}/${warm.length} pulses arrived`,
      );
    } else ctx.log('dashboard: the live teacher has no open socket; live latency is not measured');
    return state;
  },
  unavailable: (s) => (s.viewers.length ? undefined : 'no seeded teacher with courses could log in'),
  uncountedRoutes: [
    'POST /api/me/live/ticket',
    'GET /api/me/live',
    'POST /api/lessons/:id/completion',
    'DELETE /api/lessons/:id/completion',
  ],
  mix: [
    {
      endpoint: 'GET /api/dashboard/pulse',
      weight: 40,
      build: (s, rng) => {
        const v = pick(s, rng);
        return v ? { path: '/api/dashboard/pulse', headers: auth(v.session) } : null;
      },
    },
    {
      endpoint: 'GET /api/dashboard/overview',
      weight: 25,
      build: (s, rng) => {
        const v = pick(s, rng);
        return v ? { path: `/api/dashboard/overview${rng.int(2) ? '?bucket=week' : ''}`, headers: auth(v.session) } : null;
      },
    },
    {
      endpoint: 'GET /api/dashboard/voices',
      weight: 15,
      build: (s, rng) => {
        const v = pick(s, rng);
        return v ? { path: '/api/dashboard/voices', headers: auth(v.session) } : null;
      },
    },
    {
      endpoint: 'GET /api/dashboard/courses/:id/seams',
      weight: 20,
      build: (s, rng) => {
        const v = pick(s, rng);
        const c = v?.courses.length ? v.courses[rng.int(v.courses.length)] : undefined;
        return v && c ? { path: `/api/dashboard/courses/${c}/seams`, headers: auth(v.session) } : null;
      },
    },
  ],
  /** The live events: one completion every EVENT_EVERY_MS, one at a time, each undone after its pulse came. */
  async during({ state: s, record, signal }) {
    // Nothing to time without the teacher's open page (verify closes the sockets after a run).
    if (!s.completers.length || !s.liveSockets.some((ws) => ws.readyState === WebSocket.OPEN)) return;
    let k = 0;
    while (!signal.aborted) {
      const tick = performance.now();
      const c = s.completers[k++ % s.completers.length]!;
      const r = await completeAndUndo(s, c);
      s.events.sent++;
      if (r.restored) s.events.restored++;
      if (r.status !== 200) {
        s.events.failedWrites++;
        record(PULSE_SENT, r.answeredMs, false, r.status);
      } else if (r.pulseMs === undefined) record(PULSE_SENT, PULSE_TIMEOUT_MS, false, 'timeout');
      else {
        s.events.arrived++;
        record(PULSE_SENT, r.pulseMs, true);
        record(PULSE_ANSWERED, Math.max(0, r.pulseMs - r.answeredMs), true);
      }
      const left = EVENT_EVERY_MS - (performance.now() - tick);
      if (left > 0 && !signal.aborted) await sleep(left);
    }
  },
  async verify(s) {
    // Still open after the run, then closed.
    const stillOpen = s.sockets.filter((ws) => ws.readyState === WebSocket.OPEN).length;
    for (const ws of s.sockets) ws.close(1000, 'bench done');
    const eventual = s.firstTry + s.afterRetry;
    const share = s.socketsTried ? eventual / s.socketsTried : 0;
    const refused = Object.entries(s.refusals).map(([k, c]) => `${k}×${c}`);
    const e = s.events;
    return [
      {
        name: 'live sockets connect (≥ 99 %, at most one retry after Retry-After)',
        ok: share >= 0.99,
        detail:
          `${s.firstTry}/${s.socketsTried} at the first try, ${eventual}/${s.socketsTried} in the end (one retry after Retry-After), ${stillOpen} still open after the run` +
          (refused.length ? `; refused: ${refused.join(', ')}` : ''),
      },
      {
        name: 'every lesson completion reached the teacher’s open dashboard',
        ok: s.completers.length > 0 && e.sent > 0 && e.arrived === e.sent,
        detail: s.completers.length
          ? `${e.arrived} of ${e.sent} pulses arrived within ${PULSE_TIMEOUT_MS / 1000} s (${e.failedWrites} writes failed); ${e.restored} completions undone`
          : 'no learner of a viewer’s course to complete lessons (seed the database: npm run seed:scale)',
      },
    ];
  },
};
