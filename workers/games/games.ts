import { and, desc, eq, isNotNull } from 'drizzle-orm';
import { gamePlayers, games, tests, testVersions, type GameQuestion } from '../../db/schema/index.ts';
import { assertAuthor } from '../assessments/authoring.ts';
import { isId, type Actor, type Ctx } from '../lib/context.ts';
import { AppError, notFound, validationError } from '../lib/errors.ts';
import { isUniqueViolation } from '../lib/pg-errors.ts';
import type { HostAction } from './engine.ts';
import type { GameConfig, GameRoom, JoinResult } from './game-room.ts';
import type { CreatedGame, GameControl, GameResults, MyGame, PublicState } from './schemas.ts';
import { questionStats } from './results.ts';

/**
 * Live games outside the Durable Object: creating one from a published quiz, routing a PIN to
 * its game, and reading the outcome. While a game runs, its GameRoom owns everything else.
 */

export const DEFAULT_QUESTION_SEC = 20;
export const PIN = /^[0-9]{6}$/;

function rooms(ctx: Ctx): DurableObjectNamespace<GameRoom> {
  const ns = ctx.config.GAMES;
  if (!ns) throw new AppError('service_unavailable', 'Live games are not available', undefined, { 'Retry-After': '60' });
  return ns;
}

export const roomOf = (ctx: Ctx, gameId: string) => {
  const ns = rooms(ctx);
  return ns.get(ns.idFromName(gameId));
};

const randomPin = () => String(crypto.getRandomValues(new Uint32Array(1))[0]! % 1_000_000).padStart(6, '0');
const pinGen = (pin: string) => `gpin:${pin}`;

/**
 * A verified teacher starts a game from one of their own published quizzes (its published
 * version; single and multiple choice questions only). Someone else's test is 404.
 */
export async function createGame(
  ctx: Ctx,
  actor: Actor,
  input: { testId: string; questionTimeSec?: number; questionTimes?: Record<string, number> },
): Promise<CreatedGame> {
  await assertAuthor(ctx, actor);
  if (!isId(input.testId)) throw notFound('Test');
  const { db } = ctx.services.db;
  const [row] = await db
    .select({ kind: tests.kind, versionId: testVersions.id, version: testVersions.version, document: testVersions.document })
    .from(tests)
    .innerJoin(testVersions, and(eq(testVersions.testId, tests.id), eq(testVersions.version, tests.publishedVersion)))
    .where(and(eq(tests.id, input.testId), eq(tests.authorId, actor.id), isNotNull(tests.publishedVersion)))
    .limit(1);
  if (!row) throw notFound('Published test');
  if (row.kind !== 'quiz') throw validationError({ testId: 'Only quizzes can be played live' });
  const defaultMs = (input.questionTimeSec ?? DEFAULT_QUESTION_SEC) * 1000;
  const questions: GameQuestion[] = [];
  for (const q of row.document.questions) {
    if (q.type !== 'single' && q.type !== 'multiple') continue;
    const sec = input.questionTimes?.[q.key];
    questions.push({
      key: q.key,
      type: q.type,
      text: q.text,
      options: q.options.map((o) => ({ key: o.key, text: o.text })),
      correct: q.options.filter((o) => o.correct).map((o) => o.key),
      limitMs: sec === undefined ? defaultMs : sec * 1000,
    });
  }
  if (!questions.length) throw validationError({ testId: 'This quiz has no single or multiple choice questions' });

  const id = crypto.randomUUID();
  let pin = '';
  for (let attempt = 0; ; attempt++) {
    pin = randomPin();
    try {
      await db.insert(games).values({
        id,
        pin,
        hostId: actor.id,
        testId: input.testId,
        versionId: row.versionId,
        version: row.version,
        title: row.document.title,
        questions,
      });
      break;
    } catch (err) {
      // Another running game holds this PIN: draw again.
      if (!isUniqueViolation(err, 'games_running_pin_key') || attempt >= 8) throw err;
    }
  }
  const config: GameConfig = { gameId: id, pin, hostId: actor.id, title: row.document.title, questions };
  try {
    await roomOf(ctx, id).init(config);
  } catch (err) {
    // Without its room the game cannot run: free the PIN rather than leave a dead game behind.
    await db.update(games).set({ status: 'ended', endedAt: ctx.services.now(), playerCount: 0 }).where(eq(games.id, id));
    ctx.log.error('game room init failed', { gameId: id, err: String(err) });
    throw new AppError('service_unavailable', 'The game could not be started, try again', undefined, { 'Retry-After': '5' });
  }
  // A lookup of this PIN may have cached "no game" (or an old game) a moment ago.
  await ctx.services.cache.bump(pinGen(pin)).catch(() => {});
  // This isolate knows the answer already: the first joins of the storm (which often land here,
  // right after the host opened the game) need no Redis or Postgres read for it.
  rememberPin(pin, id);
  return { id, pin, questionCount: questions.length };
}

/**
 * Isolate-lived memo of PIN → game id (positive answers only, a few seconds): a join storm of
 * a thousand players asks the same PIN at once, and should not make a thousand Redis reads.
 * Only settled ids are kept, never an in-flight promise: on Workers a promise awaited by other
 * requests is cancelled with the request that created it. Concurrent misses are coalesced by
 * the cache's own single flight in Redis. A PIN whose game ended is dropped (forgetPin).
 */
const PIN_MEMO_MS = 5_000;
/**
 * Past PIN_MEMO_MS (and up to this) the memo still answers while ONE request refreshes it in
 * the background: without it, every join arriving during the refresh read Redis itself (the
 * live-game bench showed bursts of 250 ms cache timeouts every 5 s of a join storm). A stale id
 * is safe: the game's object refuses joins once the game has ended (404).
 */
const PIN_STALE_MS = 60_000;
const pinMemo = new Map<string, { id: string; until: number }>();
/** PINs being refreshed in this isolate (a flag, not a shared promise). */
const pinRefreshing = new Set<string>();
const forgetPin = (pin: string) => pinMemo.delete(pin);

function rememberPin(pin: string, id: string) {
  if (pinMemo.size > 10_000) pinMemo.clear();
  pinMemo.set(pin, { id, until: Date.now() + PIN_MEMO_MS });
}

/** PIN → id of the running game; cached briefly, since a join storm asks the same PIN at once. */
export async function resolvePin(ctx: Ctx, pin: string): Promise<string> {
  if (!PIN.test(pin)) throw notFound('Game');
  const memo = pinMemo.get(pin);
  const now = Date.now();
  if (memo && memo.until > now) return memo.id;
  if (memo && memo.until + PIN_STALE_MS > now) {
    if (!pinRefreshing.has(pin)) {
      pinRefreshing.add(pin);
      ctx.defer(
        lookupPin(ctx, pin)
          .then((id) => (id ? rememberPin(pin, id) : forgetPin(pin)))
          .finally(() => pinRefreshing.delete(pin)),
      );
    }
    return memo.id;
  }
  const id = await lookupPin(ctx, pin);
  if (!id) throw notFound('Game');
  rememberPin(pin, id);
  return id;
}

function lookupPin(ctx: Ctx, pin: string): Promise<string | null> {
  return ctx.services.cache.getOrLoad<string | null>({
    family: 'game:pin',
    key: `game:pin:${pin}`,
    gens: [pinGen(pin)],
    ttlSec: 30,
    load: async () => {
      const [g] = await ctx.services.db.db
        .select({ id: games.id })
        .from(games)
        .where(and(eq(games.pin, pin), eq(games.status, 'running')))
        .limit(1);
      return g?.id ?? null;
    },
  });
}

export interface JoinInput {
  pin: string;
  nickname: string;
  actor?: Actor;
}

/** A player takes a seat: anonymous, or a logged-in learner whose game lands in their history. */
export async function joinGame(ctx: Ctx, input: JoinInput): Promise<Extract<JoinResult, { ok: true }>> {
  const gameId = await resolvePin(ctx, input.pin);
  const r = await roomOf(ctx, gameId).join({ nickname: input.nickname, userId: input.actor?.role === 'learner' ? input.actor.id : null });
  if (r.ok) return r;
  if (r.code === 'not_found') {
    forgetPin(input.pin);
    throw notFound('Game');
  }
  if (r.code === 'validation_failed') throw validationError({ nickname: r.message });
  throw new AppError('conflict', r.message, r.suggestion ? { suggestion: r.suggestion } : undefined);
}

export async function gameState(ctx: Ctx, pin: string): Promise<PublicState> {
  const gameId = await resolvePin(ctx, pin);
  const state = await roomOf(ctx, gameId).publicState();
  if (!state) throw notFound('Game');
  if (state.phase === 'ended') forgetPin(pin);
  return state;
}

/** The host's own game (admins: any); anyone else's is 404. */
export async function hostGame(ctx: Ctx, actor: Actor, gameId: string) {
  if (!isId(gameId)) throw notFound('Game');
  const where = actor.role === 'admin' ? eq(games.id, gameId) : and(eq(games.id, gameId), eq(games.hostId, actor.id));
  const [g] = await ctx.services.db.db.select().from(games).where(where).limit(1);
  if (!g) throw notFound('Game');
  return g;
}

export async function controlGame(ctx: Ctx, actor: Actor, gameId: string, action: HostAction): Promise<GameControl> {
  await hostGame(ctx, actor, gameId);
  const r = await roomOf(ctx, gameId).control(action);
  if (!r.ok) throw new AppError(r.code === 'not_found' ? 'not_found' : 'conflict', r.message);
  return { phase: r.phase, index: r.index, changed: r.changed, resultsSaved: r.resultsSaved };
}

/** The host's view after the game: final standings and per-question statistics. */
export async function gameResults(ctx: Ctx, actor: Actor, gameId: string): Promise<GameResults> {
  const g = await hostGame(ctx, actor, gameId);
  const standings =
    g.status === 'ended'
      ? await ctx.services.db.read
          .select({ place: gamePlayers.place, nickname: gamePlayers.nickname, score: gamePlayers.score, correct: gamePlayers.correct })
          .from(gamePlayers)
          .where(eq(gamePlayers.gameId, g.id))
          .orderBy(gamePlayers.place, gamePlayers.joinedAt)
      : [];
  const stats = g.status === 'ended' ? await questionStats(ctx.services.db, g.id, g.questions, g.playerCount ?? standings.length) : [];
  return {
    id: g.id,
    pin: g.pin,
    status: g.status,
    title: g.title,
    createdAt: g.createdAt.toISOString(),
    endedAt: g.endedAt?.toISOString() ?? null,
    playerCount: g.playerCount ?? 0,
    questions: stats.map((s) => ({ ...s, text: g.questions[s.index]!.text })),
    standings,
  };
}

/** A learner's played games, newest first. */
export async function myGames(ctx: Ctx, actor: Actor): Promise<MyGame[]> {
  const rows = await ctx.services.db.read
    .select({
      gameId: games.id,
      title: games.title,
      endedAt: games.endedAt,
      playerCount: games.playerCount,
      nickname: gamePlayers.nickname,
      score: gamePlayers.score,
      place: gamePlayers.place,
    })
    .from(gamePlayers)
    .innerJoin(games, eq(games.id, gamePlayers.gameId))
    .where(eq(gamePlayers.userId, actor.id))
    .orderBy(desc(games.endedAt))
    .limit(100);
  return rows.map((r) => ({ ...r, endedAt: r.endedAt?.toISOString() ?? null, playerCount: r.playerCount ?? 0 }));
}
