/**
 * Teachers' dashboards: 100 seeded teachers with courses read their pulse, overview, voices
 * and a course's seams (the rollup reads, cached 5–30 s per teacher), while 100 live sockets
 * (`/api/me/live`, where the pulse events arrive) are held open. Reported: read latencies
 * and the share of sockets that connected (issue 19 budgets: reads p95 < 250 ms at 100
 * viewers; ≥ 99 % of 100 sockets connect). Live event latency is not measured here yet.
 */
import type { Rng } from '../lib/rng.ts';
import type { Scenario } from '../lib/scenario.ts';
import { auth, login, type Session } from './data.ts';

interface Viewer {
  session: Session;
  courses: string[];
}

interface State {
  viewers: Viewer[];
  sockets: WebSocket[];
  socketsTried: number;
  socketsOpen: number;
  connectMs: number[];
}

const SOCKETS = 100;

const pick = (s: State, rng: Rng) => s.viewers[rng.int(s.viewers.length)];

function openSocket(url: string, timeoutMs: number): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const timer = setTimeout(() => {
      ws.close();
      reject(new Error('timeout'));
    }, timeoutMs);
    ws.addEventListener('message', (e) => {
      // The server's first message is `ready`: the socket reached the user's Durable Object.
      if (typeof e.data === 'string' && e.data.includes('"ready"')) {
        clearTimeout(timer);
        resolve(ws);
      }
    });
    ws.addEventListener('error', () => {
      clearTimeout(timer);
      reject(new Error('socket error'));
    });
  });
}

export const dashboardScenario: Scenario<State> = {
  name: 'dashboard',
  title: 'teacher dashboards (rollup reads) and 100 live sockets',
  description: 'Seeded teachers reading pulse, overview, voices and seams while 100 /api/me/live sockets are open.',
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
      viewers: sessions.map((session) => ({ session, courses: rows.find((r) => r.teacher_id === session.userId)?.ids ?? [] })),
      sockets: [],
      socketsTried: 0,
      socketsOpen: 0,
      connectMs: [],
    };
    // The sockets: each viewer's page holds one; with fewer viewers than SOCKETS, some hold two (two tabs).
    const wsBase = ctx.baseUrl.replace(/^http/, 'ws');
    const want = ctx.smoke ? 4 : SOCKETS;
    await Promise.all(
      Array.from({ length: want }, async (_, i) => {
        const v = state.viewers[i % Math.max(1, state.viewers.length)];
        if (!v) return;
        state.socketsTried++;
        const started = Date.now();
        try {
          const res = await fetch(`${ctx.baseUrl}/api/me/live/ticket`, { method: 'POST', headers: auth(v.session) });
          const { ticket } = (await res.json()) as { ticket: string };
          state.sockets.push(await openSocket(`${wsBase}/api/me/live?ticket=${encodeURIComponent(ticket)}`, 10_000));
          state.socketsOpen++;
          state.connectMs.push(Date.now() - started);
        } catch (err) {
          ctx.log(`dashboard: socket ${i} failed: ${String(err)}`);
        }
      }),
    );
    const sorted = [...state.connectMs].sort((a, b) => a - b);
    ctx.log(
      `dashboard: ${state.socketsOpen}/${state.socketsTried} live sockets open; connect p50 ${sorted[Math.floor(sorted.length / 2)] ?? '-'} ms, p95 ${sorted[Math.floor(sorted.length * 0.95)] ?? '-'} ms`,
    );
    return state;
  },
  unavailable: (s) => (s.viewers.length ? undefined : 'no seeded teacher with courses could log in'),
  uncountedRoutes: ['POST /api/me/live/ticket', 'GET /api/me/live'],
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
  async verify(s) {
    // Still open after the run, then closed.
    const stillOpen = s.sockets.filter((ws) => ws.readyState === WebSocket.OPEN).length;
    for (const ws of s.sockets) ws.close(1000, 'bench done');
    const share = s.socketsTried ? s.socketsOpen / s.socketsTried : 0;
    return [
      {
        name: 'live sockets connect (≥ 99 %)',
        ok: share >= 0.99,
        detail: `${s.socketsOpen}/${s.socketsTried} connected, ${stillOpen} still open after the run`,
      },
    ];
  },
};
