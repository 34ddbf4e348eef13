/** Learning-loop helpers for Worker tests: enrollments, completions, reviews and the live socket. */
import { SELF } from 'cloudflare:test';
import { createCourse, type CourseFixture, type CourseSpec } from './catalog.ts';
import { api, show } from './http.ts';
import { registerUser, verifiedTeacher, type TestUser } from './users.ts';

export async function expectStatus(res: Promise<{ status: number; body: any; text: string; headers: Headers }>, expected: number) {
  const r = await res;
  if (r.status !== expected) throw new Error(`expected ${expected}, got ${show(r)}`);
  return r.body;
}

export const enroll = (u: TestUser, courseId: string) => api('POST', `/api/courses/${courseId}/enrollment`, { token: u.token });
export const complete = (u: TestUser, lessonId: string) => api('POST', `/api/lessons/${lessonId}/completion`, { token: u.token });
export const review = (u: TestUser, courseId: string, body: Record<string, unknown>) =>
  api('POST', `/api/courses/${courseId}/reviews`, { token: u.token, body });

/** A teacher, one published course, and a learner enrolled in it. */
export async function enrolledLearner(spec: CourseSpec = {}): Promise<{ teacher: TestUser; learner: TestUser; course: CourseFixture }> {
  const teacher = await verifiedTeacher();
  const course = await createCourse(teacher, spec);
  const learner = await registerUser('learner');
  await expectStatus(enroll(learner, course.id), 201);
  return { teacher, learner, course };
}

export interface LiveClient {
  messages: any[];
  /** Resolves with the first message (after `ready`) that matches, or rejects after `ms`. */
  next(match?: (m: any) => boolean, ms?: number): Promise<any>;
  close(): void;
  /** Resolves with the close code once the server side closes the socket. */
  closed: Promise<number>;
}

/** Opens GET /api/me/live as a WebSocket inside workerd and collects its JSON messages. */
export async function openLive(opts: { token?: string; ticket?: string; headers?: Record<string, string> }): Promise<LiveClient> {
  const headers: Record<string, string> = { Upgrade: 'websocket', ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  const url = `http://sabaq.test/api/me/live${opts.ticket ? `?ticket=${encodeURIComponent(opts.ticket)}` : ''}`;
  const res = await SELF.fetch(url, { headers });
  if (res.status !== 101 || !res.webSocket) throw new Error(`expected 101, got ${res.status} ${await res.text()}`);
  const ws = res.webSocket;
  const messages: any[] = [];
  const waiters: { match: (m: any) => boolean; resolve: (m: any) => void }[] = [];
  ws.accept();
  const closed = new Promise<number>((resolve) => ws.addEventListener('close', (e) => resolve(e.code)));
  ws.addEventListener('message', (e) => {
    const m = JSON.parse(typeof e.data === 'string' ? e.data : new TextDecoder().decode(e.data as ArrayBuffer));
    messages.push(m);
    for (const w of [...waiters]) {
      if (w.match(m)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  });
  const client: LiveClient = {
    messages,
    closed,
    next(match = () => true, ms = 5000) {
      const seen = messages.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching live message within ${ms} ms; got ${JSON.stringify(messages)}`)), ms);
        waiters.push({
          match,
          resolve: (m) => {
            clearTimeout(timer);
            resolve(m);
          },
        });
      });
    },
    close() {
      try {
        ws.close(1000, 'done');
      } catch {
        // already closed
      }
    },
  };
  await client.next((m) => m.type === 'ready');
  return client;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
