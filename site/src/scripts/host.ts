// /{lang}/host/:gameId: the projector screen of a live game. PIN, QR code of the join link,
// live player count, the controls (start, show results, next, end) and, at the end, the
// per-question statistics and final standings from GET /api/games/:id.
import qrcode from 'qrcode-generator';
import { api, errorMessage } from '../lib/api';
import { localText } from '../lib/assessments';
import { byId, h, setState } from '../lib/dom';
import { connectGame, countdown, wsUrl, type GameConnection, type GameMessage } from '../lib/game';
import { href, tc } from '../lib/i18n-client';
import { loadShell } from '../lib/shell';
import type { ApiResponse, Schemas } from '../lib/types';

type GameResults = Schemas['GameResults'];

const region = byId('record');
const heading = byId('record-title');
const live = byId('host-live');
const pinNode = byId('host-pin');
const link = byId('host-link');
const qr = byId('host-qr');
const players = byId('host-players');
const progress = byId('host-progress');
const qnum = byId('host-qnum');
const timer = byId('host-timer');
const qtext = byId('host-qtext');
const optionList = byId('host-options');
const topBox = byId('host-top-box');
const topList = byId('host-top');
const resultsBox = byId('host-results');
const buttons = {
  start: byId<HTMLButtonElement>('host-start'),
  reveal: byId<HTMLButtonElement>('host-reveal'),
  next: byId<HTMLButtonElement>('host-next'),
  end: byId<HTMLButtonElement>('host-end'),
};

let connection: GameConnection | undefined;
let stopTimer: (() => void) | undefined;
let gameId = '';
let playerCount = 0;

/** The QR code as SVG built with DOM calls: one path, no inline styles (the CSP forbids them). */
function renderQr(text: string) {
  const code = qrcode(0, 'M');
  code.addData(text);
  code.make();
  const n = code.getModuleCount();
  let d = '';
  for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) if (code.isDark(r, c)) d += `M${c + 4},${r + 4}h1v1h-1z`;
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', `0 0 ${n + 8} ${n + 8}`);
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', tc('game.qrLabel'));
  svg.setAttribute('shape-rendering', 'crispEdges');
  const path = document.createElementNS(ns, 'path');
  path.setAttribute('d', d);
  path.setAttribute('fill', 'currentColor');
  svg.append(path);
  qr.replaceChildren(svg);
}

function setPhase(phase: string) {
  buttons.start.hidden = phase !== 'lobby';
  buttons.reveal.hidden = phase !== 'question';
  buttons.next.hidden = phase !== 'reveal';
  buttons.end.hidden = phase === 'ended';
  const visible = Object.values(buttons).find((b) => !b.hidden && b !== buttons.end);
  if (visible && !live.contains(document.activeElement)) visible.focus();
}

function setPlayers(n: number) {
  playerCount = n;
  players.textContent = tc('game.players', { count: n });
}

function showQuestion(m: GameMessage, receivedAt: number) {
  stopTimer?.();
  topBox.hidden = true;
  const q = m.question;
  qnum.textContent = tc('game.questionOf', { n: m.index + 1, count: m.count });
  const text = localText(q.text);
  qtext.textContent = text.text;
  optionList.replaceChildren(
    ...q.options.map((o: any, i: number) => h('li', { class: `game-option--${i % 4}`, 'data-key': o.key }, localText(o.text).text)),
  );
  progress.textContent = tc('game.answeredCount', { answered: 0, players: playerCount });
  stopTimer = countdown(m, receivedAt, (s) => (timer.textContent = tc('game.timeLeft', { seconds: s })));
}

function showTop(top: { nickname: string; score: number; place: number }[]) {
  topList.replaceChildren(...top.map((p) => h('li', {}, h('span', {}, `${p.place}. ${p.nickname}`), h('span', {}, String(p.score)))));
  topBox.hidden = top.length === 0;
}

function onMessage(m: GameMessage, receivedAt: number) {
  switch (m.type) {
    case 'welcome':
      setPlayers(m.players);
      setPhase(m.phase);
      break;
    case 'joined':
      setPlayers(m.players);
      break;
    case 'progress':
      progress.textContent = tc('game.answeredCount', { answered: m.answered, players: m.players });
      break;
    case 'lobby':
      setPhase('lobby');
      qtext.textContent = tc('game.lobby');
      break;
    case 'question':
      setPhase('question');
      showQuestion(m, receivedAt);
      break;
    case 'reveal':
      stopTimer?.();
      timer.textContent = '';
      setPhase('reveal');
      for (const li of optionList.querySelectorAll<HTMLElement>('li')) {
        const key = li.dataset.key!;
        if (m.correct.includes(key)) li.classList.add('game-option--correct');
        li.append(` — ${m.distribution[key] ?? 0}`);
      }
      progress.textContent = tc('game.answeredCount', { answered: m.answered, players: m.players });
      showTop(m.top);
      break;
    case 'ended':
      stopTimer?.();
      setPhase('ended');
      connection?.close();
      void showResults();
      break;
  }
}

function control(action: 'start' | 'reveal' | 'next' | 'end') {
  if (action === 'end' && !window.confirm(tc('game.confirmEnd'))) return;
  connection?.send({ type: action });
}

for (const [action, button] of Object.entries(buttons)) button.addEventListener('click', () => control(action as 'start'));

function renderResults(r: GameResults) {
  live.hidden = true;
  resultsBox.hidden = false;
  const statsRows = r.questions.map((q) =>
    h(
      'tr',
      {},
      h('td', {}, `${q.index + 1}. ${localText(q.text).text}`),
      h('td', {}, `${q.percentCorrect} %`),
      h('td', {}, q.averageMs === null ? '—' : tc('game.seconds', { seconds: Math.round(q.averageMs / 100) / 10 })),
    ),
  );
  const standingRows = r.standings.map((s) =>
    h('tr', {}, h('td', {}, String(s.place)), h('td', {}, s.nickname), h('td', {}, String(s.score))),
  );
  byId('host-stats').replaceChildren(...statsRows);
  byId('host-standings').replaceChildren(...standingRows);
}

/** The results are written when the game ends; read them once they are there. */
async function showResults() {
  for (let i = 0; i < 20; i++) {
    try {
      const r = await api.get<GameResults>(`/api/games/${encodeURIComponent(gameId)}`, { lang: false });
      if (r.status === 'ended') return renderResults(r);
    } catch (error) {
      return setState(region, 'error', errorMessage(error));
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

void loadShell<GameResults>({
  section: 'host',
  region,
  load: (id) => api.get<GameResults>(`/api/games/${encodeURIComponent(id)}`, { lang: false }),
  render: (game, id) => {
    gameId = id;
    const title = localText(game.title);
    heading.textContent = title.text;
    document.title = `${title.text} — Sabaq`;
    if (game.status === 'ended') return renderResults(game);
    pinNode.textContent = game.pin;
    const joinUrl = `${location.origin}${href('/play')}?pin=${game.pin}`;
    link.textContent = tc('game.joinAt', { url: `${location.host}${href('/play')}` });
    renderQr(joinUrl);
    setPlayers(0);
    connection = connectGame({
      url: async () => {
        const { ticket } = await api.post<ApiResponse<'/api/me/live/ticket', 'post'>>('/api/me/live/ticket');
        return wsUrl(`/api/games/${encodeURIComponent(id)}/host?ticket=${encodeURIComponent(ticket)}`);
      },
      onMessage,
      onStatus: (s) => (progress.textContent = s === 'retrying' ? tc('game.reconnecting') : progress.textContent),
    });
  },
});
