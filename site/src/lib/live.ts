// Live events of the signed-in user (GET /api/me/live, a WebSocket): new notifications and
// "read" markers from the user's other tabs. One connection per page, opened by the header;
// pages listen with onLive(). While the socket is down the header polls the unread count.
import { api, ApiError } from './api';
import type { NotificationItem } from './learning-types';

export type LiveEvent =
  | { type: 'ready' }
  | { type: 'notification'; notification: NotificationItem }
  | { type: 'read'; ids: string[] | 'all' }
  /** Teachers: something happened in one of their courses; the dashboard re-reads its pulse. */
  | { type: 'pulse'; kind: string; courseId: string | null; at: string };

const EVENT = 'sabaq:live';
const PING_MS = 30_000;
const MAX_BACKOFF_MS = 60_000;

/** Subscribe to live events on this page. */
export function onLive(listener: (event: LiveEvent) => void): void {
  window.addEventListener(EVENT, (e) => listener((e as CustomEvent<LiveEvent>).detail));
}

export interface LiveOptions {
  /** Called with true once the socket is up, false when it drops. */
  onStatus: (up: boolean) => void;
}

/**
 * Connects and keeps reconnecting (exponential backoff). Each connection first asks for a
 * one-minute ticket through api.ts — which renews an expired session the usual way — since
 * a browser cannot put headers on a WebSocket handshake.
 */
export function connectLive({ onStatus }: LiveOptions): void {
  if (typeof WebSocket === 'undefined') {
    onStatus(false);
    return;
  }
  let backoff = 2_000;
  let ping: number | undefined;

  /** `afterSec`: the server's Retry-After (a busy server answers 503 with one); never sooner than that. */
  const retry = (afterSec?: number) => {
    onStatus(false);
    window.clearInterval(ping);
    window.setTimeout(open, Math.max(backoff, (afterSec ?? 0) * 1_000) + Math.random() * 1_000);
    backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
  };

  async function open(): Promise<void> {
    let ticket: string;
    try {
      ticket = (await api.post<{ ticket: string }>('/api/me/live/ticket', undefined, { on401: 'throw' })).ticket;
    } catch (err) {
      return retry(err instanceof ApiError ? err.retryAfter : undefined);
    }
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const socket = new WebSocket(`${scheme}://${location.host}/api/me/live?ticket=${encodeURIComponent(ticket)}`);
    socket.addEventListener('message', (e) => {
      if (typeof e.data !== 'string' || e.data === 'pong') return;
      let event: LiveEvent;
      try {
        event = JSON.parse(e.data) as LiveEvent;
      } catch {
        return;
      }
      if (event.type === 'ready') {
        backoff = 2_000;
        onStatus(true);
        ping = window.setInterval(() => socket.readyState === WebSocket.OPEN && socket.send('ping'), PING_MS);
      }
      window.dispatchEvent(new CustomEvent<LiveEvent>(EVENT, { detail: event }));
    });
    // A refused handshake (503 while the server sheds) also ends here: a browser does not see its status.
    socket.addEventListener('close', () => retry(), { once: true });
  }

  void open();
}
