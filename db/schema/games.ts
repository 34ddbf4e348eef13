import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import type { LocalizedText } from './catalog.ts';
import { createdAt, id } from './columns.ts';
import { testVersions, tests, type Answer } from './assessments.ts';
import { users } from './identity.ts';

/** A choice question as a game plays it: the quiz's question plus its time limit. */
export interface GameQuestion {
  key: string;
  type: 'single' | 'multiple';
  text: LocalizedText;
  options: { key: string; text: LocalizedText }[];
  /** Keys of the correct options (never sent to players before the reveal). */
  correct: string[];
  limitMs: number;
}

export const gameStatusEnum = pgEnum('game_status', ['running', 'ended']);

/**
 * A live game of a published quiz version. The Durable Object owns the game while it runs;
 * this row routes its PIN and, once ended, holds the outcome. The PIN is unique only among
 * running games, so six digits are enough and reused over time.
 */
export const games = pgTable(
  'games',
  {
    id: id(),
    pin: text('pin').notNull(),
    hostId: uuid('host_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    testId: uuid('test_id')
      .notNull()
      .references(() => tests.id, { onDelete: 'cascade' }),
    versionId: uuid('version_id')
      .notNull()
      .references(() => testVersions.id, { onDelete: 'cascade' }),
    version: integer('version').notNull(),
    title: jsonb('title').$type<LocalizedText>().notNull(),
    questions: jsonb('questions').$type<GameQuestion[]>().notNull(),
    status: gameStatusEnum('status').notNull().default('running'),
    playerCount: integer('player_count'),
    createdAt: createdAt(),
    endedAt: timestamp('ended_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('games_running_pin_key').on(t.pin).where(sql`${t.status} = 'running'`),
    index('games_host_created_idx').on(t.hostId, t.createdAt.desc().nullsFirst()),
    check('games_pin_check', sql`${t.pin} ~ '^[0-9]{6}$'`),
  ],
);

/** Final standings: one row per seat, written with the answers when the game ends. */
export const gamePlayers = pgTable(
  'game_players',
  {
    gameId: uuid('game_id')
      .notNull()
      .references(() => games.id, { onDelete: 'cascade' }),
    seatId: text('seat_id').notNull(),
    nickname: text('nickname').notNull(),
    /** A logged-in learner's seat: the game shows in their history. */
    userId: uuid('user_id').references(() => users.id, { onDelete: 'set null' }),
    score: integer('score').notNull(),
    correct: integer('correct').notNull(),
    place: integer('place').notNull(),
    joinedAt: timestamp('joined_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ name: 'game_players_pkey', columns: [t.gameId, t.seatId] }),
    uniqueIndex('game_players_nickname_key').on(t.gameId, t.nickname),
    index('game_players_user_idx').on(t.userId).where(sql`${t.userId} is not null`),
  ],
);

/** Every accepted answer of a game. */
export const gameAnswers = pgTable(
  'game_answers',
  {
    gameId: uuid('game_id')
      .notNull()
      .references(() => games.id, { onDelete: 'cascade' }),
    seatId: text('seat_id').notNull(),
    questionIndex: integer('question_index').notNull(),
    questionKey: text('question_key').notNull(),
    answer: jsonb('answer').$type<Answer>().notNull(),
    correct: boolean('correct').notNull(),
    points: integer('points').notNull(),
    /** From the question going out to the answer arriving, by the game's clock. */
    elapsedMs: integer('elapsed_ms').notNull(),
  },
  (t) => [primaryKey({ name: 'game_answers_pkey', columns: [t.gameId, t.seatId, t.questionIndex] })],
);

export type Game = typeof games.$inferSelect;
