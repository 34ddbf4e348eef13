/**
 * 1,000 players joining one live quiz room within 10 s (SPEC capability 11). The room
 * protocol (create a game from a quiz, join with a PIN over WebSocket, leaderboard
 * broadcasts) is not built yet, so this scenario reports itself unavailable until the
 * OpenAPI document lists game routes. When it exists: a flow per player (HTTP join, then a
 * `ws` client that answers each question and times the leaderboard broadcast), arrivals at
 * 100 players/s, verdict on failed joins and broadcast p95.
 */
import type { Scenario } from '../lib/scenario.ts';

interface State {
  gameRoutes: string[];
}

export const liveGameScenario: Scenario<State> = {
  name: 'live-game',
  title: 'live game: 1,000 players join one room',
  description: 'One room, 1,000 WebSocket joins within 10 s, leaderboard broadcast latency.',
  thinkTimeMs: 0,
  async setup(ctx) {
    const res = await fetch(`${ctx.baseUrl}/api/openapi.json`).catch(() => undefined);
    const doc = res?.ok ? ((await res.json()) as { paths?: Record<string, unknown> }) : {};
    return { gameRoutes: Object.keys(doc.paths ?? {}).filter((p) => /\/games?\b/.test(p)) };
  },
  unavailable: (s) =>
    s.gameRoutes.length
      ? 'game routes exist but this scenario has no join protocol yet: write its flow in load/scenarios/live-game.ts'
      : 'live game rooms are not built yet (no /api/games routes in the OpenAPI document)',
};
