// Live games in the browser: the WebSocket to a game (players and hosts), reconnecting into
// the same seat, and the server clock. Every message carries `t`, the game's send time, so
// the countdown runs on the server's deadline whatever the phone's clock says.

export interface GameMessage {
  type: string;
  t?: number;
  [key: string]: any;
}

export interface GameConnection {
  send(data: Record<string, unknown>): void;
  close(): void;
}

export interface ConnectOptions {
  /** The socket URL (a host asks for a fresh ticket each time). */
  url: () => Promise<string>;
  onMessage: (message: GameMessage, receivedAt: number) => void;
  /** 'open' after the welcome; 'retrying' while down; 'stopped' when the server closed it for good. */
  onStatus: (status: 'open' | 'retrying' | 'stopped', code?: number, reason?: string) => void;
}

/** Close codes after which reconnecting would only repeat the same outcome. */
const FINAL_CODES = new Set([1003, 1008, 1009, 4001]);
const PING_MS = 25_000;

export function connectGame(options: ConnectOptions): GameConnection {
  let socket: WebSocket | undefined;
  let backoff = 500;
  let stopped = false;
  let ping: number | undefined;

  async function open(): Promise<void> {
    let url: string;
    try {
      url = await options.url();
    } catch {
      return retry();
    }
    const ws = new WebSocket(url);
    socket = ws;
    ws.addEventListener('message', (e) => {
      if (typeof e.data !== 'string' || e.data === 'pong') return;
      let message: GameMessage;
      try {
        message = JSON.parse(e.data) as GameMessage;
      } catch {
        return;
      }
      if (message.type === 'welcome') {
        backoff = 500;
        options.onStatus('open');
      }
      options.onMessage(message, Date.now());
    });
    ws.addEventListener('open', () => {
      ping = window.setInterval(() => ws.readyState === WebSocket.OPEN && ws.send('ping'), PING_MS);
    });
    ws.addEventListener(
      'close',
      (e) => {
        window.clearInterval(ping);
        if (stopped || socket !== ws) return;
        if (FINAL_CODES.has(e.code)) {
          stopped = true;
          return options.onStatus('stopped', e.code, e.reason);
        }
        retry();
      },
      { once: true },
    );
  }

  function retry() {
    if (stopped) return;
    options.onStatus('retrying');
    window.setTimeout(() => void open(), backoff + Math.random() * 300);
    backoff = Math.min(backoff * 2, 8_000);
  }

  void open();
  return {
    send(data) {
      if (socket?.readyState === WebSocket.OPEN) socket.send(JSON.stringify(data));
    },
    close() {
      stopped = true;
      socket?.close(1000, 'left');
    },
  };
}

export const wsUrl = (path: string) => `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${path}`;

/**
 * A countdown to the server's deadline: the time left when the message was sent
 * (deadline − t) minus what has passed on this device since it arrived.
 */
export function countdown(message: GameMessage, receivedAt: number, onTick: (secondsLeft: number) => void): () => void {
  const leftAtReceipt = Math.max(0, (message.deadline ?? 0) - (message.t ?? 0));
  const tick = () => {
    const left = Math.max(0, leftAtReceipt - (Date.now() - receivedAt));
    onTick(Math.ceil(left / 1000));
    if (left <= 0) window.clearInterval(timer);
  };
  const timer = window.setInterval(tick, 250);
  tick();
  return () => window.clearInterval(timer);
}
