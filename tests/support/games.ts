/** Live game helpers for Worker tests: a quiz, a game, seats and WebSocket clients inside workerd. */
import { SELF } from 'cloudflare:test';
import { expectStatus, publishedTest, quizDoc } from './assessments.ts';
import { api } from './http.ts';
import type { TestUser } from './users.ts';

/** A published quiz: s1 single (a correct), m1 multiple (a + c correct), s2 single (b correct). */
export async function hostedGame(opts: { questionTimeSec?: number; questionTimes?: Record<string, number>; author?: TestUser } = {}) {
  const doc = quizDoc();
  doc.questions.push({
    key: 's2',
    type: 'single',
    text: { ru: 'Столица Казахстана', kk: 'Қазақстан астанасы', en: 'Capital of Kazakhstan' },
    options: [
      { key: 'a', text: { ru: 'Алматы' } },
      { key: 'b', text: { ru: 'Астана' }, correct: true },
    ],
  });
  const { teacher, test } = await publishedTest(doc, opts.author);
  const game = await expectStatus(
    api('POST', '/api/games', {
      token: teacher.token,
      body: { testId: test.id, questionTimeSec: opts.questionTimeSec ?? 20, questionTimes: opts.questionTimes },
    }),
    201,
  );
  return { teacher, test, game: game as { id: string; pin: string; questionCount: number } };
}

export const join = (pin: string, nickname: string, token?: string) => api('POST', `/api/games/${pin}/join`, { body: { nickname }, token });

export async function seat(pin: string, nickname: string, token?: string) {
  return (await expectStatus(join(pin, nickname, token), 201)) as { gameId: string; seatId: string; seatToken: string; nickname: string };
}

export const act = (teacher: TestUser, gameId: string, action: string) =>
  api('POST', `/api/games/${gameId}/actions`, { token: teacher.token, body: { action } });

export interface GameSocket {
  messages: any[];
  closed: Promise<{ code: number; reason: string }>;
  next(match?: (m: any) => boolean, ms?: number): Promise<any>;
  /** Waits for the n-th matching message (1-based), counting those already received. */
  nth(n: number, match: (m: any) => boolean, ms?: number): Promise<any>;
  send(data: unknown): void;
  raw(data: string | ArrayBuffer): void;
  close(): void;
}

function wrap(ws: WebSocket): GameSocket {
  const messages: any[] = [];
  const waiters: { check: () => boolean }[] = [];
  let closedResolve!: (v: { code: number; reason: string }) => void;
  const closed = new Promise<{ code: number; reason: string }>((r) => (closedResolve = r));
  ws.accept();
  ws.addEventListener('message', (e) => {
    const text = typeof e.data === 'string' ? e.data : new TextDecoder().decode(e.data as ArrayBuffer);
    messages.push(text === 'pong' ? { type: 'pong' } : JSON.parse(text));
    for (const w of [...waiters]) if (w.check()) waiters.splice(waiters.indexOf(w), 1);
  });
  ws.addEventListener('close', (e) => closedResolve({ code: e.code, reason: e.reason }));
  const socket: GameSocket = {
    messages,
    closed,
    next: (match = () => true, ms) => socket.nth(1, match, ms),
    nth(n, match, ms = 8000) {
      const found = () => messages.filter(match)[n - 1];
      const seen = found();
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no message #${n} matching within ${ms} ms; got ${JSON.stringify(messages).slice(0, 2000)}`)),
          ms,
        );
        waiters.push({
          check: () => {
            const m = found();
            if (m) {
              clearTimeout(timer);
              resolve(m);
            }
            return Boolean(m);
          },
        });
      });
    },
    send: (data) => ws.send(JSON.stringify(data)),
    raw: (data) => ws.send(data),
    close() {
      try {
        ws.close(1000, 'done');
      } catch {
        // already closed
      }
    },
  };
  return socket;
}

export async function openUpgrade(path: string, headers: Record<string, string> = {}): Promise<Response> {
  return SELF.fetch(`http://sabaq.test${path}`, { headers: { Upgrade: 'websocket', ...headers } });
}

export async function playSocket(pin: string, seatToken: string): Promise<GameSocket> {
  const res = await openUpgrade(`/api/games/${pin}/play?token=${encodeURIComponent(seatToken)}`);
  if (res.status !== 101 || !res.webSocket) throw new Error(`expected 101, got ${res.status} ${await res.text()}`);
  const s = wrap(res.webSocket);
  await s.next((m) => m.type === 'welcome');
  return s;
}

export async function hostSocket(teacher: TestUser, gameId: string): Promise<GameSocket> {
  const res = await openUpgrade(`/api/games/${gameId}/host`, { authorization: `Bearer ${teacher.token}` });
  if (res.status !== 101 || !res.webSocket) throw new Error(`expected 101, got ${res.status} ${await res.text()}`);
  const s = wrap(res.webSocket);
  await s.next((m) => m.type === 'welcome');
  return s;
}
