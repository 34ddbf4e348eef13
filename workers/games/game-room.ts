import { DurableObject } from 'cloudflare:workers';
import type { Answer, GameQuestion, LocalizedText } from '../../db/schema/index.ts';
import { createDatabase } from '../../db/client.ts';
import { loadConfig, type Env } from '../env.ts';
import {
  cleanNickname,
  distribution,
  initialState,
  judgeAnswer,
  rank,
  suggestNickname,
  take,
  top,
  transition,
  type Bucket,
  type GameState,
  type HostAction,
  type JudgedAnswer,
  type Phase,
} from './engine.ts';
import { saveGameResults, type GameResultsInput } from './results.ts';
import type { PublicQuestion, PublicState } from './schemas.ts';
import { timingSafeEqual, toBase64Url, toHex } from '../lib/encoding.ts';

export interface GameConfig {
  gameId: string;
  pin: string;
  hostId: string;
  title: LocalizedText;
  questions: GameQuestion[];
}

/** Per-socket limits: frames above this many characters close the socket (1009). */
export const MAX_FRAME_CHARS = 1024;
/** Sustained messages a second and burst per socket; past it the socket is closed (1008). */
export const SOCKET_RATE = 5;
export const SOCKET_BURST = 10;
export const MAX_PLAYERS = 5000;
/** A game nobody drives for this long ends by itself, freeing its PIN. */
export const IDLE_MS = 2 * 60 * 60 * 1000;
/**
 * Join storms: seats taken within this window are written in one storage transaction, and the
 * host's join count goes out at most once per window. Measured (games.test.ts probe): with one
 * SQLite commit per join, 300 concurrent joins took ~2.1 s and every answer waited for the last
 * commit (the output gate holds replies until the writes before them are durable).
 */
export const JOIN_BATCH_MS = 25;
/** Host notices that change with every join or answer (join count, answered count) at most this often. */
export const HOST_NOTICE_MS = 100;
/** After the results are in Postgres, the object's own storage is kept this long, then deleted. */
export const RETENTION_MS = 60 * 60 * 1000;

/** Close codes the clients act on. */
export const CLOSE = {
  binary: 1003,
  rateLimited: 1008,
  tooBig: 1009,
  /** The same seat connected again elsewhere (another tab, a reload): the old socket goes. */
  replaced: 4001,
} as const;

type Attachment = { role: 'player'; seat: string } | { role: 'host' };

interface Seat {
  seat: string;
  nickname: string;
  key: string;
  tokenHash: string;
  userId: string | null;
  score: number;
  correct: number;
  joinedAt: number;
}

export type JoinResult =
  | { ok: true; gameId: string; seatId: string; seatToken: string; nickname: string; phase: Phase }
  | { ok: false; code: 'not_found' | 'conflict' | 'validation_failed'; message: string; suggestion?: string };

export type ControlResult =
  | { ok: true; phase: Phase; index: number; changed: boolean; resultsSaved: boolean }
  | { ok: false; code: 'not_found' | 'conflict'; message: string };

const sha256 = async (s: string) => toHex(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(s)));

/**
 * One Durable Object per live game (named by the game id). It owns the players, their seats,
 * the current question, the answers, the scores and the question timer (an alarm: the
 * server's clock decides). The rules live in engine.ts; this class stores their results in
 * its SQLite storage (so hibernation or eviction loses nothing) and sends them out over
 * hibernatable WebSockets.
 */
export class GameRoom extends DurableObject<Env> {
  private config: GameConfig | null = null;
  private state: GameState = initialState();
  private resultsSaved = false;
  /** When the results reached Postgres: the object's storage is deleted RETENTION_MS later. */
  private savedAt: number | null = null;
  private saveTries = 0;
  private retryAt: number | null = null;
  private touchedAt = 0;
  private readonly seats = new Map<string, Seat>();
  private readonly keys = new Set<string>();
  /** Answers to the current question, by seat. */
  private current = new Map<string, JudgedAnswer>();
  private readonly buckets = new WeakMap<WebSocket, Bucket>();
  private readonly sql: SqlStorage;
  /** Writes waiting for the next batch (seats, answers), and the promise the joins wait on. */
  private pendingWrites: (() => void)[] = [];
  private batch: Promise<void> | null = null;
  /** Host notices waiting for the next tick, by type (the latest wins). */
  private hostNotices = new Map<string, () => Record<string, unknown>>();
  private hostTimer: ReturnType<typeof setTimeout> | null = null;
  private newNicknames: string[] = [];
  /** Counters for tests and the bench: how many storage batches and host notices a storm cost. */
  private stats = { joins: 0, joinBatches: 0, hostNotices: 0 };

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair('ping', 'pong'));
    this.sql.exec(`create table if not exists meta (k text primary key, v text not null);
      create table if not exists players (seat text primary key, nickname text not null, nick_key text not null unique, token_hash text not null,
        user_id text, score integer not null default 0, correct integer not null default 0, joined_at integer not null);
      create table if not exists answers (q integer not null, seat text not null, answer text not null, correct integer not null,
        points integer not null, elapsed integer not null, primary key (q, seat));`);
    this.load();
  }

  private load() {
    const meta = new Map(
      this.sql
        .exec<{ k: string; v: string }>('select k, v from meta')
        .toArray()
        .map((r) => [r.k, JSON.parse(r.v)]),
    );
    this.config = (meta.get('config') as GameConfig | undefined) ?? null;
    if (meta.has('state')) this.state = meta.get('state') as GameState;
    this.resultsSaved = meta.get('saved') === true;
    this.touchedAt = (meta.get('touched') as number | undefined) ?? Date.now();
    this.savedAt = this.resultsSaved ? ((meta.get('savedAt') as number | undefined) ?? this.touchedAt) : null;
    for (const r of this.sql.exec<{
      seat: string;
      nickname: string;
      nick_key: string;
      token_hash: string;
      user_id: string | null;
      score: number;
      correct: number;
      joined_at: number;
    }>('select * from players')) {
      this.seats.set(r.seat, {
        seat: r.seat,
        nickname: r.nickname,
        key: r.nick_key,
        tokenHash: r.token_hash,
        userId: r.user_id,
        score: r.score,
        correct: r.correct,
        joinedAt: r.joined_at,
      });
      this.keys.add(r.nick_key);
    }
    this.current = this.answersOf(this.state.index);
  }

  private answersOf(index: number): Map<string, JudgedAnswer> {
    const map = new Map<string, JudgedAnswer>();
    if (index < 0) return map;
    for (const r of this.sql.exec<{ seat: string; answer: string; correct: number; points: number; elapsed: number }>(
      'select seat, answer, correct, points, elapsed from answers where q = ?',
      index,
    )) {
      map.set(r.seat, { answer: JSON.parse(r.answer) as Answer, correct: r.correct === 1, points: r.points, elapsedMs: r.elapsed });
    }
    return map;
  }

  private putMeta(k: string, v: unknown) {
    this.sql.exec('insert into meta (k, v) values (?, ?) on conflict (k) do update set v = excluded.v', k, JSON.stringify(v));
  }

  // -------------------------------------------------------------------------------------------
  // RPC from the Worker

  /** Sets the game up once; a retried init with the same game is a no-op. */
  async init(config: GameConfig): Promise<void> {
    if (this.config) {
      if (this.config.gameId !== config.gameId) throw new Error('This game room belongs to another game');
      return;
    }
    this.config = config;
    this.touchedAt = Date.now();
    this.ctx.storage.transactionSync(() => {
      this.putMeta('config', config);
      this.putMeta('state', this.state);
      this.putMeta('touched', this.touchedAt);
    });
    await this.schedule();
  }

  async join(input: { nickname: string; userId: string | null }): Promise<JoinResult> {
    const config = this.config;
    if (!config || this.state.phase === 'ended') return { ok: false, code: 'not_found', message: 'No running game with this PIN' };
    const clean = cleanNickname(input.nickname);
    if (!clean.ok) return { ok: false, code: 'validation_failed', message: clean.message };
    if (this.keys.has(clean.key)) {
      return {
        ok: false,
        code: 'conflict',
        message: 'This nickname is taken in this game',
        suggestion: suggestNickname(clean.nickname, (k) => this.keys.has(k)),
      };
    }
    if (this.seats.size >= MAX_PLAYERS) return { ok: false, code: 'conflict', message: 'This game is full' };
    let seat: string;
    do seat = toHex(crypto.getRandomValues(new Uint8Array(6)));
    while (this.seats.has(seat));
    const secret = toBase64Url(crypto.getRandomValues(new Uint8Array(24)));
    const entry: Seat = {
      seat,
      nickname: clean.nickname,
      key: clean.key,
      tokenHash: await sha256(secret),
      userId: input.userId,
      score: 0,
      correct: 0,
      joinedAt: Date.now(),
    };
    // Re-checked after the await: another join may have taken the name meanwhile.
    if (this.keys.has(clean.key)) {
      return {
        ok: false,
        code: 'conflict',
        message: 'This nickname is taken in this game',
        suggestion: suggestNickname(clean.nickname, (k) => this.keys.has(k)),
      };
    }
    // Taken in memory at once (so the name is unique from now on), stored with the batch; the
    // seat token is answered only after that batch is durable.
    this.seats.set(seat, entry);
    this.keys.add(clean.key);
    this.stats.joins++;
    this.newNicknames.push(entry.nickname);
    this.noticeHost('joined', () => {
      const nicknames = this.newNicknames.splice(0);
      return { type: 'joined', players: this.seats.size, nickname: nicknames.at(-1), nicknames: nicknames.slice(-20) };
    });
    await this.write(() =>
      this.sql.exec(
        'insert into players (seat, nickname, nick_key, token_hash, user_id, joined_at) values (?, ?, ?, ?, ?, ?)',
        seat,
        entry.nickname,
        entry.key,
        entry.tokenHash,
        entry.userId,
        entry.joinedAt,
      ),
    );
    return {
      ok: true,
      gameId: config.gameId,
      seatId: seat,
      seatToken: `${seat}.${secret}`,
      nickname: entry.nickname,
      phase: this.state.phase,
    };
  }

  async control(action: HostAction): Promise<ControlResult> {
    if (!this.config) return { ok: false, code: 'not_found', message: 'Game not found' };
    const result = this.apply(action, Date.now());
    if (!result.ok) return result;
    if (this.state.phase === 'ended' && !this.resultsSaved) await this.saveResults();
    return { ...result, resultsSaved: this.resultsSaved };
  }

  async publicState(): Promise<PublicState | null> {
    const config = this.config;
    if (!config) return null;
    const now = Date.now();
    const { phase, index, deadline } = this.state;
    return {
      gameId: config.gameId,
      title: config.title,
      phase,
      index,
      count: config.questions.length,
      players: this.seats.size,
      question: phase === 'question' || phase === 'reveal' ? this.publicQuestion(index) : null,
      deadline: phase === 'question' ? deadline : null,
      remainingMs: phase === 'question' && deadline !== null ? Math.max(0, deadline - now) : null,
      serverTime: now,
      top: top(this.ranked()),
    };
  }

  // -------------------------------------------------------------------------------------------
  // WebSockets

  /** Upgrades forwarded by the Worker: `/host` after it checked the host, `/player` with a seat token. */
  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get('upgrade')?.toLowerCase() !== 'websocket') return new Response('Expected a WebSocket upgrade', { status: 426 });
    if (!this.config) return new Response('No such game', { status: 404 });
    const path = new URL(request.url).pathname;
    let attachment: Attachment;
    let tags: string[];
    if (path === '/host') {
      attachment = { role: 'host' };
      tags = ['host'];
    } else if (path === '/player') {
      const seat = await this.verifySeat(request.headers.get('x-seat-token') ?? '');
      if (!seat) return new Response('Invalid seat token', { status: 401 });
      for (const old of this.ctx.getWebSockets(`seat:${seat.seat}`))
        closeQuietly(old, CLOSE.replaced, 'Connected again from another place');
      attachment = { role: 'player', seat: seat.seat };
      tags = ['player', `seat:${seat.seat}`];
    } else {
      return new Response('Not found', { status: 404 });
    }
    const pair = new WebSocketPair();
    const [client, server] = [pair[0], pair[1]];
    this.ctx.acceptWebSocket(server, tags);
    server.serializeAttachment(attachment);
    for (const message of this.greeting(attachment)) server.send(message);
    return new Response(null, { status: 101, webSocket: client });
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    if (typeof message !== 'string') return closeQuietly(ws, CLOSE.binary, 'Binary frames are not accepted');
    if (message.length > MAX_FRAME_CHARS) return closeQuietly(ws, CLOSE.tooBig, `Frames are limited to ${MAX_FRAME_CHARS} characters`);
    const now = Date.now();
    let bucket = this.buckets.get(ws);
    if (!bucket) this.buckets.set(ws, (bucket = { tokens: SOCKET_BURST, at: now }));
    if (!take(bucket, now, SOCKET_RATE, SOCKET_BURST))
      return closeQuietly(ws, CLOSE.rateLimited, `At most ${SOCKET_RATE} messages a second`);
    let frame: { type?: unknown; index?: unknown; option?: unknown; options?: unknown; id?: unknown };
    try {
      const parsed: unknown = JSON.parse(message);
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
      frame = parsed as typeof frame;
    } catch {
      return send(ws, { type: 'error', code: 'bad_frame', message: 'Send JSON objects like {"type":"answer",…}' });
    }
    const who = ws.deserializeAttachment() as Attachment | null;
    if (!who) return closeQuietly(ws, 1011, 'Unknown socket');
    if (frame.type === 'ping')
      return send(ws, { type: 'pong', id: typeof frame.id === 'string' || typeof frame.id === 'number' ? frame.id : null });
    if (who.role === 'player' && frame.type === 'answer') return this.answer(ws, who.seat, frame, now);
    if (who.role === 'host' && (frame.type === 'start' || frame.type === 'next' || frame.type === 'reveal' || frame.type === 'end')) {
      const r = await this.control(frame.type);
      if (!r.ok) send(ws, { type: 'error', code: r.code, message: r.message });
      return;
    }
    send(ws, { type: 'error', code: 'unknown_type', message: 'Unknown message type' });
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    closeQuietly(ws, code === 1005 || code === 1006 ? 1000 : code, reason);
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    closeQuietly(ws, 1011, 'Socket error');
  }

  override async alarm(): Promise<void> {
    if (!this.config) return;
    const now = Date.now();
    if (this.savedAt !== null && now >= this.savedAt + RETENTION_MS) return this.forget();
    if (this.state.phase === 'question' && this.state.deadline !== null && now >= this.state.deadline) this.apply('reveal', now);
    else if (this.state.phase !== 'ended' && now - this.touchedAt >= IDLE_MS) this.apply('end', now);
    if (this.state.phase === 'ended' && !this.resultsSaved && (this.retryAt === null || now >= this.retryAt)) await this.saveResults();
    await this.schedule();
  }

  // -------------------------------------------------------------------------------------------

  private async verifySeat(token: string): Promise<Seat | undefined> {
    const dot = token.indexOf('.');
    if (dot <= 0 || token.length > 200) return undefined;
    const seat = this.seats.get(token.slice(0, dot));
    if (!seat) return undefined;
    const given = new TextEncoder().encode(await sha256(token.slice(dot + 1)));
    const expected = new TextEncoder().encode(seat.tokenHash);
    return timingSafeEqual(given, expected) ? seat : undefined;
  }

  private apply(action: HostAction, now: number): ControlResult {
    const config = this.config!;
    const t = transition(this.state, action, config.questions, now);
    if (!t.ok) return { ok: false, code: 'conflict', message: t.message };
    if (!t.changed) return { ok: true, phase: this.state.phase, index: this.state.index, changed: false, resultsSaved: this.resultsSaved };
    const before = this.state;
    this.state = t.state;
    this.touchedAt = now;
    if (t.state.phase === 'reveal' || (t.state.phase === 'ended' && before.phase === 'question')) {
      // Points count when the question closes, so nobody's score moves before the reveal.
      this.ctx.storage.transactionSync(() => {
        this.flushWrites();
        for (const [seatId, a] of this.current) {
          const seat = this.seats.get(seatId);
          if (!seat) continue;
          seat.score += a.points;
          if (a.correct) seat.correct++;
          this.sql.exec('update players set score = ?, correct = ? where seat = ?', seat.score, seat.correct, seatId);
        }
        this.putMeta('state', this.state);
        this.putMeta('touched', now);
      });
    } else {
      this.ctx.storage.transactionSync(() => {
        this.flushWrites();
        this.putMeta('state', this.state);
        this.putMeta('touched', now);
      });
    }
    // A phase message supersedes the host's pending join/answer counts (it carries them).
    this.flushHostNotices();
    if (t.state.phase === 'question') this.current = new Map();
    this.announce();
    void this.schedule();
    return { ok: true, phase: this.state.phase, index: this.state.index, changed: true, resultsSaved: this.resultsSaved };
  }

  private answer(ws: WebSocket, seatId: string, frame: { index?: unknown; option?: unknown; options?: unknown }, now: number) {
    const index = typeof frame.index === 'number' ? frame.index : -1;
    const q = this.config!.questions[this.state.index];
    const r = judgeAnswer(this.state, q, { index, option: frame.option, options: frame.options }, this.current.has(seatId), now);
    if (!r.ok) return send(ws, { type: 'error', code: r.code, message: REJECTIONS[r.code], index });
    const a = r.judged;
    const qIndex = this.state.index;
    this.current.set(seatId, a);
    // Acknowledged once the answer's batch is written (the same rule as a seat token).
    this.write(() =>
      this.sql.exec(
        'insert into answers (q, seat, answer, correct, points, elapsed) values (?, ?, ?, ?, ?, ?)',
        qIndex,
        seatId,
        JSON.stringify(a.answer),
        a.correct ? 1 : 0,
        a.points,
        a.elapsedMs,
      ),
    ).then(
      () => {
        send(ws, { type: 'answered', index, answer: a.answer });
        // Everyone has answered: no reason to wait out the clock (after the ack, so it comes first).
        if (this.state.phase === 'question' && this.state.index === qIndex && this.current.size >= this.seats.size) {
          this.apply('reveal', Date.now());
        }
      },
      (err: unknown) => console.error(JSON.stringify({ level: 'error', msg: 'answer not stored', err: String(err) })),
    );
    this.noticeHost('progress', () => ({ type: 'progress', index, answered: this.current.size, players: this.seats.size }));
  }

  private ranked() {
    return rank(this.seats.values());
  }

  private publicQuestion(index: number): PublicQuestion | null {
    const q = this.config!.questions[index];
    if (!q) return null;
    return { index, key: q.key, type: q.type, text: q.text, options: q.options, limitMs: q.limitMs };
  }

  /** The messages of the current phase: shared ones to everyone, one small personal one per player. */
  private announce() {
    const shared = this.phaseMessage();
    const text = stamp(shared);
    for (const ws of this.ctx.getWebSockets()) trySend(ws, text);
    if (this.state.phase === 'reveal' || this.state.phase === 'ended') {
      const places = new Map(this.ranked().map((p) => [p.seat, p.place]));
      const t = Date.now();
      for (const ws of this.ctx.getWebSockets('player')) {
        const who = ws.deserializeAttachment() as Attachment | null;
        if (who?.role === 'player') trySend(ws, JSON.stringify(this.personal(who.seat, places, t)));
      }
    }
  }

  private phaseMessage(): Record<string, unknown> {
    const { phase, index } = this.state;
    const count = this.config!.questions.length;
    if (phase === 'question')
      return { type: 'question', index, count, question: this.publicQuestion(index), deadline: this.state.deadline };
    if (phase === 'reveal') {
      const q = this.config!.questions[index]!;
      const answers = [...this.current.values()];
      const correct = answers.filter((a) => a.correct).length;
      return {
        type: 'reveal',
        index,
        count,
        correct: q.correct,
        distribution: distribution(
          q,
          answers.map((a) => a.answer),
        ),
        answered: answers.length,
        correctCount: correct,
        averageMs: answers.length ? Math.round(answers.reduce((s, a) => s + a.elapsedMs, 0) / answers.length) : null,
        players: this.seats.size,
        top: top(this.ranked()),
      };
    }
    if (phase === 'ended') return { type: 'ended', count, players: this.seats.size, top: top(this.ranked()) };
    return { type: 'lobby', count, players: this.seats.size };
  }

  private personal(seatId: string, places: Map<string, number>, t: number) {
    const seat = this.seats.get(seatId);
    const a = this.current.get(seatId);
    return {
      type: 'you',
      index: this.state.index,
      final: this.state.phase === 'ended',
      score: seat?.score ?? 0,
      correctCount: seat?.correct ?? 0,
      place: places.get(seatId) ?? null,
      players: this.seats.size,
      answered: Boolean(a),
      correct: a?.correct ?? false,
      points: a?.points ?? 0,
      t,
    };
  }

  private greeting(who: Attachment): string[] {
    const config = this.config!;
    const base = {
      title: config.title,
      phase: this.state.phase,
      index: this.state.index,
      count: config.questions.length,
      players: this.seats.size,
    };
    if (who.role === 'host') {
      return [
        stamp({ type: 'welcome', role: 'host', pin: config.pin, gameId: config.gameId, ...base, answered: this.current.size }),
        stamp(this.phaseMessage()),
      ];
    }
    const seat = this.seats.get(who.seat)!;
    const answer = this.state.phase === 'question' || this.state.phase === 'reveal' ? (this.current.get(seat.seat)?.answer ?? null) : null;
    const messages = [
      stamp({ type: 'welcome', role: 'player', ...base, you: { seat: seat.seat, nickname: seat.nickname, score: seat.score }, answer }),
      stamp(this.phaseMessage()),
    ];
    if (this.state.phase === 'reveal' || this.state.phase === 'ended') {
      messages.push(JSON.stringify(this.personal(seat.seat, new Map(this.ranked().map((p) => [p.seat, p.place])), Date.now())));
    }
    return messages;
  }

  /**
   * Queues a storage write for the next batch (one transaction per JOIN_BATCH_MS) and returns
   * the batch's promise: resolved once the batch is written, after which the runtime releases
   * replies only when it is durable. One promise per object, never shared across objects.
   */
  private write(w: () => void): Promise<void> {
    this.pendingWrites.push(w);
    this.batch ??= new Promise<void>((resolve, reject) => {
      setTimeout(() => {
        try {
          this.ctx.storage.transactionSync(() => this.flushWrites());
          resolve();
        } catch (err) {
          reject(err);
        }
      }, JOIN_BATCH_MS);
    });
    return this.batch;
  }

  /** Runs the queued writes (inside the caller's transaction); the timer then finds nothing to do. */
  private flushWrites() {
    const writes = this.pendingWrites;
    this.pendingWrites = [];
    this.batch = null;
    if (writes.length) this.stats.joinBatches++;
    for (const w of writes) w();
  }

  /** Coalesces a host notice: the latest of each type goes out once per HOST_NOTICE_MS. */
  private noticeHost(type: string, build: () => Record<string, unknown>) {
    this.hostNotices.set(type, build);
    this.hostTimer ??= setTimeout(() => this.flushHostNotices(), HOST_NOTICE_MS);
  }

  private flushHostNotices() {
    if (this.hostTimer) clearTimeout(this.hostTimer);
    this.hostTimer = null;
    const notices = [...this.hostNotices.values()];
    this.hostNotices.clear();
    for (const build of notices) {
      this.stats.hostNotices++;
      this.sendTo('host', build());
    }
  }

  /** For tests and the bench: what a join storm cost. */
  async counters(): Promise<{ joins: number; joinBatches: number; hostNotices: number; stored: boolean }> {
    return { ...this.stats, stored: this.config !== null };
  }

  private sendTo(tag: string, message: Record<string, unknown>) {
    const text = stamp(message);
    for (const ws of this.ctx.getWebSockets(tag)) trySend(ws, text);
  }

  /**
   * The game is over and its results are in Postgres (which serves them from now on): the
   * object's own copy — seats, token hashes, answers — is deleted, and the object answers as
   * an unknown game. A game id is never reused, so the object is not set up again.
   */
  private async forget() {
    for (const ws of this.ctx.getWebSockets()) closeQuietly(ws, 1000, 'The game is over');
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    this.config = null;
    this.state = initialState();
    this.seats.clear();
    this.keys.clear();
    this.current = new Map();
    this.savedAt = null;
  }

  /** One alarm serves the question deadline, the results retry, the idle timeout and the storage clean-up. */
  private async schedule() {
    if (!this.config) return;
    const { phase, deadline } = this.state;
    let at: number | null = null;
    if (phase === 'question' && deadline !== null) at = deadline;
    else if (phase === 'ended') at = this.resultsSaved ? (this.savedAt ?? Date.now()) + RETENTION_MS : (this.retryAt ?? Date.now());
    else at = this.touchedAt + IDLE_MS;
    if (at === null) await this.ctx.storage.deleteAlarm();
    else await this.ctx.storage.setAlarm(at);
  }

  /** Writes standings and answers to Postgres once; on failure the alarm retries with backoff. */
  private async saveResults() {
    const config = this.config!;
    const ranked = this.ranked();
    const input: GameResultsInput = {
      gameId: config.gameId,
      endedAt: new Date(this.state.endedAt ?? Date.now()),
      players: ranked.map((p) => ({
        seatId: p.seat,
        nickname: p.nickname,
        userId: p.userId,
        score: p.score,
        correct: p.correct,
        place: p.place,
        joinedAt: new Date(p.joinedAt),
      })),
      answers: this.sql
        .exec<{ q: number; seat: string; answer: string; correct: number; points: number; elapsed: number }>(
          'select q, seat, answer, correct, points, elapsed from answers order by q, seat',
        )
        .toArray()
        .map((r) => ({
          seatId: r.seat,
          questionIndex: r.q,
          questionKey: config.questions[r.q]?.key ?? String(r.q),
          answer: JSON.parse(r.answer) as Answer,
          correct: r.correct === 1,
          points: r.points,
          elapsedMs: r.elapsed,
        })),
    };
    try {
      const c = loadConfig(this.env);
      const db = createDatabase({ url: c.DATABASE_URL, httpEndpoint: c.NEON_HTTP_ENDPOINT, wsProxy: c.NEON_WS_PROXY });
      await saveGameResults(db, input);
      this.resultsSaved = true;
      this.retryAt = null;
      this.savedAt = Date.now();
      this.ctx.storage.transactionSync(() => {
        this.putMeta('saved', true);
        this.putMeta('savedAt', this.savedAt);
      });
    } catch (err) {
      this.saveTries++;
      this.retryAt = Date.now() + Math.min(60_000, 1000 * 2 ** this.saveTries);
      console.error(JSON.stringify({ level: 'error', msg: 'game results not saved, will retry', gameId: config.gameId, err: String(err) }));
    }
    await this.schedule();
  }
}

const REJECTIONS: Record<string, string> = {
  not_open: 'No question is open',
  wrong_question: 'That question is not the current one',
  too_late: 'Time is up for this question',
  already_answered: 'You have already answered this question',
  bad_option: 'No such option in this question',
};

/** Every broadcast carries the object's send time, so clients can measure delivery latency. */
const stamp = (message: Record<string, unknown>) => JSON.stringify({ ...message, t: Date.now() });

function send(ws: WebSocket, message: Record<string, unknown>) {
  trySend(ws, stamp(message));
}

function trySend(ws: WebSocket, text: string) {
  try {
    ws.send(text);
  } catch {
    // A socket that is closing; the runtime drops it.
  }
}

function closeQuietly(ws: WebSocket, code: number, reason: string) {
  try {
    ws.close(code, reason);
  } catch {
    // already closed
  }
}
