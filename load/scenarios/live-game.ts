/**
 * 1,000 players in one live quiz room (SPEC capability 11). Setup registers a teacher (made
 * verified in the database), publishes a three-question quiz and starts a game. Each flow is
 * one player arriving at the offered rate (100/s for 10 s = 1,000): HTTP join, then a real
 * WebSocket (Node's built-in client) that answers every question after a random think time
 * spread over the first 70 % of the limit; 10 % of players drop their socket after the first
 * question and reconnect into their seat. A host driver, started by the first arrival, opens
 * the host socket, starts the game once everyone joined (or 15 s passed), shows the results
 * when everyone answered, moves on and ends the game.
 *
 * Recorded (synthetic endpoints): the join, the socket opening, broadcast latency from the
 * game's send timestamp `t` to receipt (same machine, same clock), the time from the host's
 * action to a player's receipt, and the reconnects. Checks: every arrival got a seat and a
 * final message, and every player's final score equals the one stored in Postgres.
 */
import { randomBytes } from 'node:crypto';
import type { Scenario } from '../lib/scenario.ts';

const QUESTION_SEC = 10;
const JOIN_WINDOW_MS = 15_000;
const PASSWORD = 'live game load test password';

interface Final {
  seatId: string;
  score: number;
}

interface State {
  problem?: string;
  baseUrl: string;
  wsBase: string;
  teacherToken: string;
  gameId: string;
  pin: string;
  /** Arrivals so far (flows started) and seats taken. */
  arrivals: number;
  seated: number;
  finals: Final[];
  /** Sent time of the host's last action by question index (-1 = end). */
  hostSentAt: Map<number, number>;
  driver?: Promise<void>;
  ended?: Promise<void>;
  endedResolve?: () => void;
  hostLog: string[];
}

const t = (en: string, ru: string) => ({ en, ru });
const QUIZ = {
  kind: 'quiz',
  courseId: null,
  title: t('Load test quiz', 'Нагрузочный квиз'),
  timeLimitSec: null,
  passMark: 0.5,
  scales: [],
  questions: [
    {
      key: 'q1',
      type: 'single',
      text: t('2 + 2', '2 + 2'),
      options: [
        { key: 'a', text: t('4', '4'), correct: true },
        { key: 'b', text: t('5', '5') },
        { key: 'c', text: t('3', '3') },
        { key: 'd', text: t('22', '22') },
      ],
    },
    {
      key: 'q2',
      type: 'multiple',
      text: t('Even numbers', 'Чётные'),
      options: [
        { key: 'a', text: t('2', '2'), correct: true },
        { key: 'b', text: t('3', '3') },
        { key: 'c', text: t('4', '4'), correct: true },
      ],
    },
    {
      key: 'q3',
      type: 'single',
      text: t('Capital', 'Столица'),
      options: [
        { key: 'a', text: t('Almaty', 'Алматы') },
        { key: 'b', text: t('Astana', 'Астана'), correct: true },
      ],
    },
  ],
};

async function call(base: string, method: string, path: string, body?: unknown, token?: string, ip?: string) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(ip ? { 'cf-connecting-ip': ip } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as any) : undefined };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Msg = { type: string; t?: number; [k: string]: any };

/** A WebSocket with a queue of parsed messages and a wait-for-match helper. */
function open(url: string): Promise<{
  ws: WebSocket;
  wait: (match: (m: Msg) => boolean, ms: number) => Promise<Msg>;
  onMessage: (fn: (m: Msg, at: number) => void) => void;
}> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const listeners: ((m: Msg, at: number) => void)[] = [];
    const seen: Msg[] = [];
    ws.addEventListener('message', (e) => {
      const at = Date.now();
      if (typeof e.data !== 'string' || e.data === 'pong') return;
      const m = JSON.parse(e.data) as Msg;
      seen.push(m);
      for (const l of [...listeners]) l(m, at);
    });
    ws.addEventListener('error', () => reject(new Error('socket error')), { once: true });
    ws.addEventListener('open', () =>
      resolve({
        ws,
        onMessage: (fn) => listeners.push(fn),
        wait: (match, ms) =>
          new Promise((res, rej) => {
            const hit = seen.find(match);
            if (hit) return res(hit);
            const timer = setTimeout(() => rej(new Error('timed out waiting for a message')), ms);
            listeners.push((m) => {
              if (match(m)) {
                clearTimeout(timer);
                res(m);
              }
            });
          }),
      }),
    );
  });
}

/** The host: waits for the room to fill, then plays every question and ends the game. */
async function drive(s: State, expected: () => number): Promise<void> {
  const { ticket } = (await call(s.baseUrl, 'POST', '/api/me/live/ticket', undefined, s.teacherToken)).body as { ticket: string };
  const host = await open(`${s.wsBase}/api/games/${s.gameId}/host?ticket=${encodeURIComponent(ticket)}`);
  let players = 0;
  host.onMessage((m) => {
    if (m.type === 'joined') players = m.players;
  });
  const firstArrival = Date.now();
  // The arrivals run for 10 s; start once every arrival so far has a seat and none came for 1 s.
  while (Date.now() - firstArrival < JOIN_WINDOW_MS) {
    await sleep(250);
    if (Date.now() - firstArrival > 10_000 && players >= expected() && s.seated >= expected()) break;
  }
  s.hostLog.push(`start with ${players} players`);
  for (let i = 0; i < QUIZ.questions.length; i++) {
    s.hostSentAt.set(i, Date.now());
    host.ws.send(JSON.stringify({ type: i === 0 ? 'start' : 'next' }));
    const reveal = await host.wait((m) => m.type === 'reveal' && m.index === i, (QUESTION_SEC + 10) * 1000);
    s.hostLog.push(`q${i + 1}: ${reveal.answered}/${reveal.players} answered`);
    await sleep(1500);
  }
  s.hostSentAt.set(-1, Date.now());
  host.ws.send(JSON.stringify({ type: 'end' }));
  await host.wait((m) => m.type === 'ended', 30_000);
  host.ws.close(1000, 'done');
}

export const liveGameScenario: Scenario<State> = {
  name: 'live-game',
  title: 'live game: one room, players joining at the offered rate for 10 s (1,000 at --rate-scale 1)',
  description:
    'One room, 1,000 WebSocket players joining within 10 s, answering three questions, 10 % reconnecting; broadcast latency and stored scores.',
  thinkTimeMs: 0,
  // Recorded as WebSocket measurements or made by the host, not as generator requests.
  uncountedRoutes: [
    'GET /api/games/:pin/play',
    'GET /api/games/:id/host',
    'POST /api/games/:id/actions',
    'GET /api/games/:id',
    'POST /api/games',
    'POST /api/me/live/ticket',
  ],
  async setup(ctx) {
    const base = ctx.baseUrl;
    const state: State = {
      baseUrl: base,
      wsBase: base.replace(/^http/, 'ws'),
      teacherToken: '',
      gameId: '',
      pin: '',
      arrivals: 0,
      seated: 0,
      finals: [],
      hostSentAt: new Map(),
      hostLog: [],
    };
    const email = `live-game.${Date.now()}.${randomBytes(3).toString('hex')}@load.sabaq.local`;
    const ip = ctx.ip(9_000_000);
    const reg = await call(
      base,
      'POST',
      '/api/auth/register',
      { email, password: PASSWORD, name: 'Load host', language: 'ru', role: 'teacher' },
      undefined,
      ip,
    );
    if (reg.status !== 201) return { ...state, problem: `registering the host teacher answered ${reg.status}` };
    await ctx.db.query(`update users set teacher_status = 'verified', email_verified_at = now() where email = $1`, [email]);
    const token = reg.body.accessToken as string;
    const test = await call(base, 'POST', '/api/tests', QUIZ, token, ip);
    if (test.status !== 201) return { ...state, problem: `POST /api/tests answered ${test.status}` };
    const pub = await call(base, 'POST', `/api/tests/${test.body.id}/publish`, undefined, token, ip);
    if (pub.status !== 200) return { ...state, problem: `publishing the quiz answered ${pub.status}` };
    const game = await call(base, 'POST', '/api/games', { testId: test.body.id, questionTimeSec: QUESTION_SEC }, token, ip);
    if (game.status !== 201) return { ...state, problem: `POST /api/games answered ${game.status} ${JSON.stringify(game.body)}` };
    ctx.log(`  game ${game.body.id}, PIN ${game.body.pin}`);
    let endedResolve!: () => void;
    const ended = new Promise<void>((r) => (endedResolve = r));
    return { ...state, teacherToken: token, gameId: game.body.id, pin: game.body.pin, ended, endedResolve };
  },
  unavailable: (s) => s.problem,
  keepOutcomes: false,
  async flow({ state: s, rng, send, record }) {
    const n = ++s.arrivals;
    s.driver ??= drive(s, () => s.arrivals).then(
      () => s.endedResolve?.(),
      (err: unknown) => {
        s.hostLog.push(`host failed: ${String(err)}`);
        s.endedResolve?.();
      },
    );
    const joined = await send({
      endpoint: 'POST /api/games/:pin/join',
      method: 'POST',
      path: `/api/games/${s.pin}/join`,
      headers: { 'cf-connecting-ip': `100.64.${(n >> 8) & 255}.${n & 255}` },
      body: { nickname: `p${n}` },
      readBody: true,
      ok: (status) => status === 201,
    });
    const seat = joined.body as { seatId: string; seatToken: string } | undefined;
    if (joined.status !== 201 || !seat) return;
    s.seated++;
    const url = `${s.wsBase}/api/games/${s.pin}/play?token=${encodeURIComponent(seat.seatToken)}`;
    const reconnectAfter = rng.next() < 0.1 ? 0 : -1;
    let last: Msg | undefined;
    let final: Msg | undefined;
    let lastScore = 0;

    const connect = async (): Promise<{ c: Awaited<ReturnType<typeof open>>; welcome: Msg; at: number } | undefined> => {
      const started = Date.now();
      try {
        const c = await open(url);
        const welcome = await c.wait((m) => m.type === 'welcome', 20_000);
        record('WS connect + welcome', Date.now() - started, true);
        return { c, welcome, at: Date.now() };
      } catch {
        record('WS connect + welcome', Date.now() - started, false);
        return undefined;
      }
    };

    const first = await connect();
    if (!first) return;
    let socket: Awaited<ReturnType<typeof open>> | undefined = first.c;
    // Only messages the host's action caused while this socket was open measure action → receipt.
    let openedAt = first.at;
    const answered = new Set<number>();
    const attach = (c: Awaited<ReturnType<typeof open>>) =>
      c.onMessage((m, at) => {
        last = m;
        if (m.type === 'question' || m.type === 'reveal' || m.type === 'ended') {
          if (typeof m.t === 'number') record('WS broadcast (DO send → receipt)', Math.max(0, at - m.t), true);
          const hostAt = s.hostSentAt.get(m.type === 'ended' ? -1 : m.index);
          if (m.type !== 'reveal' && hostAt !== undefined && hostAt >= openedAt)
            record('WS host action → receipt', Math.max(0, at - hostAt), true);
        }
        if (m.type === 'question' && !answered.has(m.index)) {
          answered.add(m.index);
          const q = m.question;
          const limit = q.limitMs as number;
          // Realistic spread: most answer within the first 70 % of the time; 80 % right.
          const delay = Math.round(rng.next() * limit * 0.7);
          const right = rng.next() < 0.8;
          setTimeout(() => {
            const frame =
              q.type === 'single'
                ? {
                    type: 'answer',
                    index: m.index,
                    option: right
                      ? QUIZ.questions[m.index]!.options.find((o) => (o as { correct?: boolean }).correct)!.key
                      : q.options[q.options.length - 1].key,
                  }
                : { type: 'answer', index: m.index, options: right ? ['a', 'c'] : ['b'] };
            try {
              socket?.ws.send(JSON.stringify(frame));
            } catch {
              // reconnecting: the answer is lost like a real dropped tap
            }
          }, delay);
        }
        if (m.type === 'you') {
          lastScore = m.score;
          if (m.final) final = m;
        }
      });
    attach(socket);

    // 10 % drop their socket after the first reveal and come back into their seat.
    let reconnectStarted = 0;
    if (reconnectAfter === 0) {
      try {
        await socket.wait((m) => m.type === 'you' && m.index === 0, 60_000);
        socket.ws.close(1000, 'network switch');
        reconnectStarted = Date.now();
        await sleep(200 + rng.int(800));
        const again = await connect();
        if (again) {
          // Back in the same seat with the score it had.
          const kept = again.welcome.you?.score === lastScore;
          record('WS reconnect keeps score', again.at - reconnectStarted, kept, kept ? 200 : 409);
          socket = again.c;
          openedAt = again.at;
          attach(again.c);
        } else socket = undefined;
      } catch {
        // the game ended before the first reveal: nothing to reconnect for
      }
    }
    await Promise.race([s.ended, sleep(180_000)]);
    // The final message may arrive a moment after the host saw "ended".
    for (let i = 0; i < 20 && !final; i++) await sleep(250);
    record('WS final standing received', 0, Boolean(final), final ? 200 : 'timeout');
    if (final) s.finals.push({ seatId: seat.seatId, score: final.score });
    void last;
    socket?.ws.close(1000, 'done');
  },
  async verify(s, _outcomes, db) {
    await s.ended;
    s.hostLog.forEach((l) => void l);
    const stored = new Map<string, number>();
    for (let i = 0; i < 20; i++) {
      const { rows } = await db.query<{ seat_id: string; score: number }>('select seat_id, score from game_players where game_id = $1', [
        s.gameId,
      ]);
      if (rows.length) {
        for (const r of rows) stored.set(r.seat_id, r.score);
        break;
      }
      await sleep(500);
    }
    const mismatched = s.finals.filter((f) => stored.get(f.seatId) !== f.score);
    return [
      {
        name: 'every arrival seated',
        ok: s.seated === s.arrivals,
        detail: `${s.seated} of ${s.arrivals} joined; host: ${s.hostLog.join(', ')}`,
      },
      { name: 'every player got a final standing', ok: s.finals.length === s.seated, detail: `${s.finals.length} of ${s.seated}` },
      {
        name: 'final scores equal the stored ones',
        ok: stored.size === s.seated && mismatched.length === 0,
        detail: `${stored.size} stored rows, ${mismatched.length} mismatches`,
      },
    ];
  },
};
