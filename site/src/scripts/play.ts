// /{lang}/play: join a live game with the PIN and a nickname, then play on the same page.
// The seat token stays in sessionStorage, so a reload (or a phone waking up) reconnects
// into the same seat with its score and its answer to the current question.
import { api, isApiError, errorMessage } from '../lib/api';
import { localText } from '../lib/assessments';
import { byId, h } from '../lib/dom';
import { connectGame, countdown, wsUrl, type GameConnection, type GameMessage } from '../lib/game';
import { tc, tcMaybe } from '../lib/i18n-client';
import type { ApiResponse } from '../lib/types';

interface SeatInfo {
  pin: string;
  token: string;
  nickname: string;
}

const STORE = 'sabaq:game-seat';
const form = byId<HTMLFormElement>('join-form');
const pinInput = byId<HTMLInputElement>('join-pin');
const nickInput = byId<HTMLInputElement>('join-nickname');
const joinError = byId('join-error');
const screen = byId('game-screen');
const status = byId('game-status');
const me = byId('game-me');
const placeLine = byId('game-place');
const questionBox = byId('game-question');
const qnum = byId('game-qnum');
const timer = byId('game-timer');
const qtext = byId('game-qtext');
const options = byId('game-options');
const submitMulti = byId<HTMLButtonElement>('game-submit-multi');
const feedback = byId('game-feedback');
const topList = byId('game-top');
const topBox = byId('game-top-box');
const leave = byId<HTMLButtonElement>('game-leave');

let connection: GameConnection | undefined;
let stopTimer: (() => void) | undefined;
let current: { index: number; type: 'single' | 'multiple'; answered: boolean; open: boolean } | undefined;
let nickname = '';

function loadSeat(): SeatInfo | null {
  try {
    const raw = sessionStorage.getItem(STORE);
    return raw ? (JSON.parse(raw) as SeatInfo) : null;
  } catch {
    return null;
  }
}

function showJoin() {
  connection?.close();
  connection = undefined;
  sessionStorage.removeItem(STORE);
  screen.hidden = true;
  form.hidden = false;
  pinInput.focus();
}

function setStatus(text: string) {
  status.textContent = text;
}

function lockOptions(selected?: string[]) {
  for (const b of options.querySelectorAll<HTMLButtonElement>('button')) {
    b.disabled = true;
    if (selected?.includes(b.dataset.key ?? '')) b.setAttribute('aria-pressed', 'true');
  }
  submitMulti.hidden = true;
}

function renderQuestion(m: GameMessage, receivedAt: number, answer: any) {
  const q = m.question;
  stopTimer?.();
  current = { index: m.index, type: q.type, answered: Boolean(answer), open: true };
  questionBox.hidden = false;
  topBox.hidden = true;
  feedback.textContent = '';
  qnum.textContent = tc('game.questionOf', { n: m.index + 1, count: m.count });
  const text = localText(q.text);
  qtext.textContent = text.text;
  if (text.lang) qtext.setAttribute('lang', text.lang);
  else qtext.removeAttribute('lang');
  options.replaceChildren(
    ...q.options.map((o: any, i: number) => {
      const label = localText(o.text);
      const button = h(
        'button',
        { type: 'button', class: `game-option game-option--${i % 4}`, 'data-key': o.key, 'aria-pressed': 'false', lang: label.lang },
        label.text,
      );
      button.addEventListener('click', () => choose(o.key, button));
      return button;
    }),
  );
  submitMulti.hidden = q.type !== 'multiple';
  setStatus(q.type === 'multiple' ? tc('game.chooseSome') : '');
  if (answer) {
    lockOptions('option' in answer ? [answer.option] : answer.options);
    setStatus(tc('game.answered'));
  }
  stopTimer = countdown(m, receivedAt, (s) => {
    timer.textContent = tc('game.timeLeft', { seconds: s });
    if (s === 0 && current?.open) {
      current.open = false;
      lockOptions();
      if (!current.answered) setStatus(tc('game.timeUp'));
    }
  });
  (options.querySelector('button:not([disabled])') as HTMLButtonElement | null)?.focus();
}

function choose(key: string, button: HTMLButtonElement) {
  if (!current || current.answered || !current.open) return;
  if (current.type === 'multiple') {
    button.setAttribute('aria-pressed', button.getAttribute('aria-pressed') === 'true' ? 'false' : 'true');
    return;
  }
  send({ type: 'answer', index: current.index, option: key });
}

submitMulti.addEventListener('click', () => {
  if (!current || current.answered) return;
  const chosen = [...options.querySelectorAll<HTMLButtonElement>('button[aria-pressed="true"]')].map((b) => b.dataset.key!);
  if (!chosen.length) return setStatus(tc('game.chooseSome'));
  send({ type: 'answer', index: current.index, options: chosen });
});

function send(frame: Record<string, unknown>) {
  connection?.send(frame);
}

function renderTop(top: { nickname: string; score: number; place: number }[]) {
  topList.replaceChildren(
    ...top.map((p) =>
      h(
        'li',
        { class: p.nickname === nickname ? 'game-top__me' : null },
        h('span', {}, `${p.place}. ${p.nickname}`),
        h('span', {}, String(p.score)),
      ),
    ),
  );
  topBox.hidden = top.length === 0;
}

function onMessage(m: GameMessage, receivedAt: number) {
  switch (m.type) {
    case 'welcome':
      nickname = m.you.nickname;
      me.textContent = tc('game.you', { nickname, score: m.you.score });
      if (m.phase === 'lobby') setStatus(tc('game.waiting'));
      current = undefined;
      // The current question (if any) follows; the seat's answer to it comes with the welcome.
      pendingAnswer = m.answer;
      break;
    case 'lobby':
      questionBox.hidden = true;
      setStatus(tc('game.waiting'));
      break;
    case 'question':
      renderQuestion(m, receivedAt, pendingAnswer);
      pendingAnswer = null;
      break;
    case 'answered':
      if (current && m.index === current.index) {
        current.answered = true;
        lockOptions('option' in m.answer ? [m.answer.option] : m.answer.options);
        setStatus(tc('game.answered'));
      }
      break;
    case 'reveal': {
      stopTimer?.();
      if (current) current.open = false;
      lockOptions();
      for (const b of options.querySelectorAll<HTMLButtonElement>('button')) {
        if (m.correct.includes(b.dataset.key)) b.classList.add('game-option--correct');
      }
      timer.textContent = '';
      setStatus('');
      renderTop(m.top);
      break;
    }
    case 'you':
      me.textContent = tc('game.you', { nickname, score: m.score });
      if (m.place) placeLine.textContent = tc('game.place', { place: m.place, players: m.players });
      if (m.final) {
        feedback.textContent = tc('game.finalPlace', { place: m.place, players: m.players, score: m.score });
      } else {
        feedback.textContent = !m.answered ? tc('game.noAnswer') : m.correct ? tc('game.right', { points: m.points }) : tc('game.wrong');
        feedback.className = `game-feedback ${m.answered && m.correct ? 'game-feedback--right' : 'game-feedback--wrong'}`;
      }
      break;
    case 'ended':
      stopTimer?.();
      questionBox.hidden = true;
      setStatus(tc('game.ended'));
      renderTop(m.top);
      leave.textContent = tc('game.playAgain');
      sessionStorage.removeItem(STORE);
      break;
    case 'error':
      if (m.code === 'already_answered' || m.code === 'too_late' || m.code === 'not_open')
        setStatus(tcMaybe(`game.error.${m.code}`) ?? m.message);
      break;
  }
}

let pendingAnswer: any = null;

function play(seat: SeatInfo) {
  form.hidden = true;
  screen.hidden = false;
  nickname = seat.nickname;
  me.textContent = seat.nickname;
  setStatus(tc('game.connecting'));
  connection = connectGame({
    url: async () => wsUrl(`/api/games/${seat.pin}/play?token=${encodeURIComponent(seat.token)}`),
    onMessage,
    onStatus: (s, code) => {
      if (s === 'retrying') setStatus(tc('game.reconnecting'));
      if (s === 'stopped') setStatus(code === 4001 ? tc('game.replaced') : tc('game.closed', { reason: String(code) }));
    },
  });
}

form.addEventListener('submit', async (e) => {
  e.preventDefault();
  joinError.textContent = '';
  const pin = pinInput.value.replace(/\s+/g, '');
  if (!/^[0-9]{6}$/.test(pin)) {
    joinError.textContent = tc('game.badPin');
    return pinInput.focus();
  }
  try {
    const seat = await api.post<ApiResponse<'/api/games/{pin}/join', 'post'>>(
      `/api/games/${pin}/join`,
      { nickname: nickInput.value },
      { on401: 'throw' },
    );
    const info: SeatInfo = { pin, token: seat.seatToken, nickname: seat.nickname };
    sessionStorage.setItem(STORE, JSON.stringify(info));
    play(info);
  } catch (error) {
    if (isApiError(error) && error.status === 409 && (error.details as { suggestion?: string } | undefined)?.suggestion) {
      const suggestion = (error.details as { suggestion: string }).suggestion;
      joinError.textContent = tc('game.taken', { suggestion });
      nickInput.value = suggestion;
      nickInput.focus();
    } else if (isApiError(error) && error.status === 404) {
      joinError.textContent = tc('game.notFound');
      pinInput.focus();
    } else if (isApiError(error) && error.fields.nickname) {
      joinError.textContent = error.fields.nickname;
      nickInput.focus();
    } else {
      joinError.textContent = errorMessage(error);
    }
  }
});

leave.addEventListener('click', showJoin);

const saved = loadSeat();
const fromLink = new URLSearchParams(location.search).get('pin');
if (fromLink && /^[0-9]{6}$/.test(fromLink)) pinInput.value = fromLink;
if (saved) play(saved);
else form.hidden = false;
