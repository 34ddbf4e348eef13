import { DurableObject } from 'cloudflare:workers';
import type { Env } from '../env.ts';
import { LIVE_REFRESH_MS, presenceRedis, setLive } from './presence.ts';

/** Header on the Worker's connect request naming the (already authenticated) user. */
export const LIVE_USER_HEADER = 'X-Sabaq-Live-User';
const OPEN = 1;

const userOf = (ws: WebSocket | undefined): string | undefined =>
  (ws?.deserializeAttachment() as { userId?: string } | null)?.userId || undefined;

/** Open pages per user; the oldest socket is closed when another one opens past this. */
export const MAX_SOCKETS_PER_USER = 20;

/**
 * One Durable Object per user (named by the user id): holds that user's open pages'
 * WebSockets with the hibernation API and fans pushed events out to them. It keeps no
 * state of its own — the sockets are the state — so it can hibernate between events, and
 * it never reads the database: the Worker pushes rows that are already committed. While a
 * socket is open it keeps the user's presence mark in Redis (presence.ts), so writes skip
 * pushes nobody would receive.
 */
export class UserLive extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    // Keep-alive pings are answered by the runtime without waking the object.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair('ping', 'pong'));
  }

  /** The upgrade, forwarded by the Worker after it authenticated the user. */
  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get('upgrade')?.toLowerCase() !== 'websocket') {
      return new Response('Expected a WebSocket upgrade', { status: 426 });
    }
    const open = this.ctx.getWebSockets();
    for (const old of open.slice(0, Math.max(0, open.length - MAX_SOCKETS_PER_USER + 1))) {
      try {
        old.close(4000, 'Too many open pages');
      } catch {
        // already closing
      }
    }
    const pair = new WebSocketPair();
    const [client, server] = [pair[0], pair[1]];
    this.ctx.acceptWebSocket(server);
    const userId = request.headers.get(LIVE_USER_HEADER) ?? '';
    server.serializeAttachment({ userId });
    if (userId) {
      // Before 'ready': a write the page makes after it opened sees the mark and pushes.
      await setLive(presenceRedis(this.env), userId, true);
      if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now() + LIVE_REFRESH_MS);
    }
    server.send(JSON.stringify({ type: 'ready' }));
    return new Response(null, { status: 101, webSocket: client });
  }

  /** RPC from the Worker: sends one event to every open page of this user; returns how many got it. */
  async push(message: string): Promise<number> {
    let sent = 0;
    for (const ws of this.ctx.getWebSockets()) {
      try {
        ws.send(message);
        sent++;
      } catch {
        // A socket that is closing; the runtime drops it.
      }
    }
    return sent;
  }

  /** Renews the presence mark while any socket is open; stops when none is. */
  override async alarm(): Promise<void> {
    const open = this.ctx.getWebSockets().filter((ws) => ws.readyState === OPEN);
    const userId = userOf(open[0]);
    if (!userId) return;
    await setLive(presenceRedis(this.env), userId, true);
    await this.ctx.storage.setAlarm(Date.now() + LIVE_REFRESH_MS);
  }

  /** The last open page went away: drop the mark (else it would lapse within its TTL). */
  private async gone(closing: WebSocket): Promise<void> {
    const userId = userOf(closing);
    const open = () => this.ctx.getWebSockets().filter((ws) => ws !== closing && ws.readyState === OPEN);
    if (!userId || open().length) return;
    const redis = presenceRedis(this.env);
    await setLive(redis, userId, false);
    // A page that opened while the delete was on its way set the mark before it: set it again.
    if (open().length) await setLive(redis, userId, true);
  }

  /** Pages only ping (answered by the auto-response); anything else is ignored. */
  override async webSocketMessage(_ws: WebSocket, _message: string | ArrayBuffer): Promise<void> {}

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    // Complete the closing handshake. 1005/1006 are not valid close codes to send back.
    try {
      ws.close(code === 1005 || code === 1006 ? 1000 : code, reason);
    } catch {
      // already closed
    }
    await this.gone(ws);
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    try {
      ws.close(1011, 'Socket error');
    } catch {
      // already closed
    }
    await this.gone(ws);
  }
}
