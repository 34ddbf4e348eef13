import { z } from '@hono/zod-openapi';
import { LocalizedTexts } from '../catalog/schemas.ts';

/**
 * The live games' answers, written once: the routes document them, the domain (and the game
 * room's socket messages) use their inferred types, and the site's types are generated from the
 * document (`npm run gen:api`).
 */
export const GamePhaseSchema = z.enum(['lobby', 'question', 'reveal', 'ended']);
export const CreatedGameSchema = z.object({ id: z.string(), pin: z.string(), questionCount: z.number() }).openapi('CreatedGame');

export const PublicQuestionSchema = z.object({
  index: z.number(),
  key: z.string(),
  type: z.enum(['single', 'multiple']),
  text: LocalizedTexts,
  options: z.array(z.object({ key: z.string(), text: LocalizedTexts })),
  limitMs: z.number(),
});
export const GameStateSchema = z
  .object({
    gameId: z.string(),
    title: LocalizedTexts,
    phase: GamePhaseSchema,
    index: z.number(),
    count: z.number(),
    players: z.number(),
    question: PublicQuestionSchema.nullable(),
    deadline: z.number().nullable(),
    remainingMs: z.number().nullable(),
    serverTime: z.number(),
    top: z.array(z.object({ nickname: z.string(), score: z.number(), place: z.number() })),
  })
  .openapi('GameState');

export const GameSeatSchema = z
  .object({
    gameId: z.string(),
    seatId: z.string(),
    seatToken: z.string().openapi({ description: 'Opens GET /api/games/{pin}/play?token=…; keep it to reconnect into the same seat' }),
    nickname: z.string(),
    phase: GamePhaseSchema,
  })
  .openapi('GameSeat');

export const GameResultsSchema = z
  .object({
    id: z.string(),
    pin: z.string(),
    status: z.enum(['running', 'ended']),
    title: LocalizedTexts,
    createdAt: z.string(),
    endedAt: z.string().nullable(),
    playerCount: z.number(),
    questions: z.array(
      z.object({
        index: z.number(),
        key: z.string(),
        text: LocalizedTexts,
        answered: z.number(),
        correct: z.number(),
        percentCorrect: z
          .number()
          .openapi({ description: 'Correct answers as a share of every player in the game (not answering counts as wrong)' }),
        averageMs: z.number().nullable(),
      }),
    ),
    standings: z.array(z.object({ place: z.number(), nickname: z.string(), score: z.number(), correct: z.number() })),
  })
  .openapi('GameResults');

export const GameControlSchema = z
  .object({ phase: GamePhaseSchema, index: z.number(), changed: z.boolean(), resultsSaved: z.boolean() })
  .openapi('GameControl');

export const MyGameSchema = z.object({
  gameId: z.string(),
  title: LocalizedTexts,
  endedAt: z.string().nullable(),
  playerCount: z.number(),
  nickname: z.string(),
  score: z.number(),
  place: z.number(),
});

export type CreatedGame = z.infer<typeof CreatedGameSchema>;
export type PublicQuestion = z.infer<typeof PublicQuestionSchema>;
export type PublicState = z.infer<typeof GameStateSchema>;
export type GameResults = z.infer<typeof GameResultsSchema>;
export type QuestionStats = Omit<GameResults['questions'][number], 'text'>;
export type GameControl = z.infer<typeof GameControlSchema>;
export type MyGame = z.infer<typeof MyGameSchema>;
