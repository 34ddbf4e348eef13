import { createRoute, z } from '@hono/zod-openapi';
import { createRouter, ctxOf } from '../app.ts';
import { authenticate, authenticateOptional } from '../identity/auth.ts';
import { liveAuth, sameOriginForCookies } from '../live/routes.ts';
import { edgeCache } from '../lib/edge-cache.ts';
import { AppError } from '../lib/errors.ts';
import { errorResponses, json, jsonBody } from '../lib/openapi.ts';
import { rateLimit } from '../lib/ratelimit-middleware.ts';
import { clientIp } from '../lib/request.ts';
import {
  CreatedGameSchema as CreatedGame,
  GameControlSchema as Control,
  GameResultsSchema as GameResults,
  GameSeatSchema as Joined,
  GameStateSchema as GameState,
  MyGameSchema as MyGame,
} from './schemas.ts';
import { controlGame, createGame, gameResults, gameState, hostGame, joinGame, myGames, resolvePin, roomOf } from './games.ts';

const PRIVATE = { 'Cache-Control': 'private, no-store' };
const Seconds = z.number().int().min(3, 'At least 3 seconds').max(300, 'At most 300 seconds');

const GameIdParam = z.object({ id: z.string().max(64) });
const PinParam = z.object({ pin: z.string().max(16) });

const CreateGameBody = z
  .object({
    testId: z.string().max(64),
    questionTimeSec: Seconds.optional().openapi({ description: 'Time limit of every question (default 20 s)' }),
    questionTimes: z.record(z.string().max(64), Seconds).optional().openapi({ description: 'Per-question time limits by question key' }),
  })
  .strict();

const r = {
  create: createRoute({
    method: 'post',
    path: '/games',
    tags: ['games'],
    summary: 'Start a live game from one of your published quizzes (verified teachers); answers its PIN',
    middleware: [authenticate()] as const,
    request: { body: jsonBody(CreateGameBody) },
    responses: { 201: json(CreatedGame, 'Created'), ...errorResponses(400, 401, 403, 404, 503) },
  }),
  get: createRoute({
    method: 'get',
    path: '/games/{id}',
    tags: ['games'],
    summary: "The host's game: status and, once ended, final standings and per-question statistics",
    middleware: [authenticate()] as const,
    request: { params: GameIdParam },
    responses: { 200: json(GameResults), ...errorResponses(401, 404) },
  }),
  action: createRoute({
    method: 'post',
    path: '/games/{id}/actions',
    tags: ['games'],
    summary: 'Host controls: start, reveal (show results of the question), next, end (idempotent)',
    middleware: [authenticate()] as const,
    request: { params: GameIdParam, body: jsonBody(z.object({ action: z.enum(['start', 'next', 'reveal', 'end']) }).strict()) },
    responses: { 200: json(Control), ...errorResponses(400, 401, 404, 409) },
  }),
  host: createRoute({
    method: 'get',
    path: '/games/{id}/host',
    tags: ['games'],
    summary: "The host's WebSocket: joins, answer progress, every broadcast; send {type: start|reveal|next|end}",
    middleware: [liveAuth, sameOriginForCookies] as const,
    request: { params: GameIdParam, query: z.object({ ticket: z.string().max(2000).optional() }) },
    responses: { 101: { description: 'Switching protocols' }, ...errorResponses(400, 401, 403, 404, 503) },
  }),
  join: createRoute({
    method: 'post',
    path: '/games/{pin}/join',
    tags: ['games'],
    summary: 'Take a seat with a nickname (no account needed; a logged-in learner gets the game in their history)',
    description:
      'Late joiners are admitted while the game runs (lobby, question or reveal) and start from 0 points. A taken nickname is 409 with `details.suggestion`.',
    middleware: [authenticateOptional()] as const,
    request: { params: PinParam, body: jsonBody(z.object({ nickname: z.string().max(200) }).strict()) },
    responses: { 201: json(Joined, 'Seated'), ...errorResponses(400, 404, 409, 503) },
  }),
  play: createRoute({
    method: 'get',
    path: '/games/{pin}/play',
    tags: ['games'],
    summary:
      "A player's WebSocket into their seat (reconnecting keeps score and the current answer); send {type:'answer', index, option | options}",
    request: { params: PinParam, query: z.object({ token: z.string().max(200) }) },
    responses: { 101: { description: 'Switching protocols' }, ...errorResponses(400, 401, 404, 503) },
  }),
  state: createRoute({
    method: 'get',
    path: '/games/{pin}/state',
    tags: ['games'],
    summary: 'HTTP fallback for clients without a WebSocket: phase, question (never its answer), time left, top 10',
    middleware: [edgeCache({ sMaxAge: 1, staleWhileRevalidate: 1 }), rateLimit('games.state', (c) => `ip:${clientIp(c)}`)] as const,
    request: { params: PinParam },
    responses: { 200: json(GameState), ...errorResponses(404, 429) },
  }),
  mine: createRoute({
    method: 'get',
    path: '/me/games',
    tags: ['games'],
    summary: 'Live games I played while logged in, newest first',
    middleware: [authenticate()] as const,
    responses: { 200: json(z.object({ items: z.array(MyGame) })), ...errorResponses(401) },
  }),
};

function isUpgrade(req: Request) {
  if (req.headers.get('upgrade')?.toLowerCase() !== 'websocket')
    throw new AppError('bad_request', 'Open this URL as a WebSocket (Upgrade: websocket)');
}

/** The object answered the upgrade; anything else becomes our error shape. */
function upgraded(upstream: Response): Response {
  if (upstream.status === 101 && upstream.webSocket) return new Response(null, { status: 101, webSocket: upstream.webSocket });
  if (upstream.status === 401) throw new AppError('unauthorized', 'This seat token is not valid for this game');
  if (upstream.status === 404) throw new AppError('not_found', 'Game not found');
  throw new AppError('service_unavailable', 'The game connection could not be opened', undefined, { 'Retry-After': '2' });
}

export const gamesRoutes = createRouter()
  .openapi(r.create, async (c) => c.json(await createGame(ctxOf(c), c.var.actor, c.req.valid('json')), 201, PRIVATE))
  .openapi(r.get, async (c) => c.json(await gameResults(ctxOf(c), c.var.actor, c.req.valid('param').id), 200, PRIVATE))
  .openapi(r.action, async (c) =>
    c.json(await controlGame(ctxOf(c), c.var.actor, c.req.valid('param').id, c.req.valid('json').action), 200, PRIVATE),
  )
  .openapi(r.host, async (c) => {
    isUpgrade(c.req.raw);
    const game = await hostGame(ctxOf(c), c.var.actor, c.req.valid('param').id);
    // Nothing of the caller's credentials travels to the object.
    return upgraded(await roomOf(ctxOf(c), game.id).fetch('https://game.internal/host', { headers: { Upgrade: 'websocket' } })) as never;
  })
  .openapi(r.join, async (c) =>
    c.json(
      await joinGame(ctxOf(c), { pin: c.req.valid('param').pin, nickname: c.req.valid('json').nickname, actor: c.var.actor }),
      201,
      PRIVATE,
    ),
  )
  .openapi(r.play, async (c) => {
    isUpgrade(c.req.raw);
    const gameId = await resolvePin(ctxOf(c), c.req.valid('param').pin);
    const upstream = await roomOf(ctxOf(c), gameId).fetch('https://game.internal/player', {
      headers: { Upgrade: 'websocket', 'X-Seat-Token': c.req.valid('query').token },
    });
    return upgraded(upstream) as never;
  })
  .openapi(r.state, async (c) => c.json(await gameState(ctxOf(c), c.req.valid('param').pin), 200))
  .openapi(r.mine, async (c) => c.json({ items: await myGames(ctxOf(c), c.var.actor) }, 200, PRIVATE));
