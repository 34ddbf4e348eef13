import { and, asc, count, eq, sql } from 'drizzle-orm';
import type { Database } from '../../db/client.ts';
import { gameAnswers, gamePlayers, games, type Answer } from '../../db/schema/index.ts';
import type { QuestionStats } from './schemas.ts';
import { stateIs } from '../lib/sql.ts';

export interface GameResultsInput {
  gameId: string;
  endedAt: Date;
  players: { seatId: string; nickname: string; userId: string | null; score: number; correct: number; place: number; joinedAt: Date }[];
  answers: {
    seatId: string;
    questionIndex: number;
    questionKey: string;
    answer: Answer;
    correct: boolean;
    points: number;
    elapsedMs: number;
  }[];
}

/** Rows per insert statement, well under Postgres's 65,535 bind parameters. */
const CHUNK = 1000;

/**
 * Writes a finished game in ONE transaction: the game row flips from running to ended (which
 * also frees its PIN), then every seat's standing and every answer. The flip is the guard:
 * a second call (a retried alarm, the host ending twice) finds no running game and writes
 * nothing. Returns whether this call wrote the results.
 */
export async function saveGameResults(db: Database, input: GameResultsInput): Promise<boolean> {
  return db.transaction(async (tx) => {
    const [flipped] = await tx
      .update(games)
      .set({ status: 'ended', endedAt: input.endedAt, playerCount: input.players.length })
      .where(and(eq(games.id, input.gameId), stateIs(games.status, 'running')))
      .returning({ id: games.id });
    if (!flipped) return false;
    for (let i = 0; i < input.players.length; i += CHUNK) {
      await tx.insert(gamePlayers).values(input.players.slice(i, i + CHUNK).map((p) => ({ ...p, gameId: input.gameId })));
    }
    for (let i = 0; i < input.answers.length; i += CHUNK) {
      await tx.insert(gameAnswers).values(input.answers.slice(i, i + CHUNK).map((a) => ({ ...a, gameId: input.gameId })));
    }
    return true;
  });
}

/** Per-question statistics of an ended game, from the stored answers. */
export async function questionStats(db: Database, gameId: string, questions: { key: string }[], players: number): Promise<QuestionStats[]> {
  const rows = await db.read
    .select({
      index: gameAnswers.questionIndex,
      answered: count(),
      correct: sql<number>`count(*) filter (where ${gameAnswers.correct})`.mapWith(Number),
      averageMs: sql<number | null>`round(avg(${gameAnswers.elapsedMs}))`.mapWith((v) => (v === null ? null : Number(v))),
    })
    .from(gameAnswers)
    .where(eq(gameAnswers.gameId, gameId))
    .groupBy(gameAnswers.questionIndex)
    .orderBy(asc(gameAnswers.questionIndex));
  const byIndex = new Map(rows.map((r) => [r.index, r]));
  return questions.map((q, index) => {
    const r = byIndex.get(index);
    const correct = r?.correct ?? 0;
    return {
      index,
      key: q.key,
      answered: r?.answered ?? 0,
      correct,
      percentCorrect: players ? Math.round((correct / players) * 1000) / 10 : 0,
      averageMs: r?.averageMs ?? null,
    };
  });
}
