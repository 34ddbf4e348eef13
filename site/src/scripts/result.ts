// A result (`/{lang}/results/:id`): per-scale scores with their band, the quiz score, and the
// PDF report. "Download PDF report" asks for it (POST, idempotent, 202) and polls its status
// with backoff until it is ready, then offers the short-lived signed link; a failed report
// can be asked for again.
import { api, errorMessage, isApiError } from '../lib/api';
import { formatDateTime, localText, type Result, type ScaleResult } from '../lib/assessments';
import { byId, h, routeId, setState } from '../lib/dom';
import { href, tc } from '../lib/i18n-client';
import { setPageTitle } from '../lib/shell';
import type { Child } from '../lib/types';
import type { Schemas } from '../lib/types';

/** What the page uses of GET /api/reports/:id. */
type ReportView = Pick<Schemas['Report'], 'id' | 'status' | 'url' | 'expiresAt'>;

const POLL_FIRST_MS = 800;
const POLL_MAX_MS = 8000;
/** After this long without "ready", stop and offer "check again". */
const POLL_GIVE_UP_MS = 120_000;
/** Links are valid for up to 15 minutes; fetch a fresh one when this one is older. */
const LINK_FRESH_MS = 5 * 60_000;

const region = byId('record');
const requestButton = byId<HTMLButtonElement>('report-request');
const downloadLink = byId<HTMLAnchorElement>('report-download');
const reportStatus = byId('report-status');
const expiry = byId('report-expiry');

let resultId = '';
let reportId: string | null = null;
let linkAt = 0;
let polling = false;

function scaleItem(s: ScaleResult): HTMLLIElement {
  const title = localText(s.title);
  const band = s.band ? { label: localText(s.band.label), text: localText(s.band.text) } : null;
  return h(
    'li',
    { class: 'result-scale', 'data-scale': s.key },
    h('h3', { lang: title.lang }, title.text || s.key),
    h('p', {}, tc('result.score', { score: s.score, min: s.min, max: s.max })),
    s.max > s.min
      ? h('meter', { min: s.min, max: s.max, value: s.score, 'aria-label': tc('result.scoreMeter', { title: title.text || s.key }) })
      : null,
    band
      ? h(
          'div',
          { class: 'result-band', 'data-band': s.bandIndex ?? '' },
          h(
            'p',
            {},
            h('span', { class: 'result-band__name' }, `${tc('result.band')}: `),
            h('strong', { lang: band.label.lang, 'data-band-label': '' }, band.label.text),
          ),
          band.text.text ? h('p', { lang: band.text.lang }, band.text.text) : null,
        )
      : h('p', { class: 'muted' }, tc('result.noBand')),
  );
}

function render(r: Result): void {
  const title = localText(r.title);
  setPageTitle(byId('record-title'), title.text, title.lang);
  const meta = [tc('result.submittedOn', { date: formatDateTime(r.submittedAt) })];
  if (r.autoSubmitted) meta.push(tc('result.autoSubmitted'));
  byId('result-meta').textContent = meta.join(' · ');

  const notice = new URLSearchParams(location.search).get('notice');
  if (notice === 'timeup' || notice === 'submitted') {
    const box = byId('result-notice');
    box.textContent = tc(notice === 'timeup' ? 'result.noticeTimeup' : 'result.noticeSubmitted');
    box.hidden = false;
  }

  if (r.score !== undefined) {
    byId('result-quiz-score').textContent = tc('result.quizScore', {
      correct: r.correct ?? 0,
      total: r.total ?? 0,
      percent: Math.round(r.score * 100),
    });
    const badge = byId('result-passed');
    badge.hidden = r.passed === undefined;
    badge.textContent = r.passed ? tc('result.passed') : tc('result.failed');
    badge.dataset.passed = String(Boolean(r.passed));
    byId('result-quiz').hidden = false;
  }
  if (r.scales.length || r.kind === 'assessment') {
    const list = byId('result-scales');
    list.replaceChildren(...(r.scales.length ? r.scales.map(scaleItem) : [h('li', { class: 'muted' }, tc('result.noScales'))]));
    byId('result-scales-section').hidden = false;
  }
}

async function showChild(childId: string): Promise<void> {
  byId('result-children').hidden = false;
  byId<HTMLAnchorElement>('result-more').href = `${href('/tests')}?child=${encodeURIComponent(childId)}`;
  try {
    const child = await api.get<Child>(`/api/me/children/${encodeURIComponent(childId)}`, { lang: false });
    const meta = byId('result-meta');
    meta.textContent = `${tc('result.for', { name: child.name })}. ${meta.textContent ?? ''}`;
  } catch {
    // Only a label.
  }
}

// ---- PDF report ----------------------------------------------------------------------

function setReportStatus(text: string, tone: '' | 'error' | 'ready' = ''): void {
  reportStatus.textContent = text;
  reportStatus.dataset.tone = tone;
}

function showLink(report: ReportView): void {
  downloadLink.href = report.url!;
  downloadLink.hidden = false;
  linkAt = performance.now();
  requestButton.hidden = true;
  expiry.textContent = report.expiresAt ? tc('result.linkExpires', { time: formatDateTime(report.expiresAt) }) : '';
  expiry.hidden = !report.expiresAt;
  setReportStatus(tc('result.ready'), 'ready');
  downloadLink.focus();
}

function showRetry(label: string): void {
  requestButton.hidden = false;
  requestButton.textContent = label;
  requestButton.removeAttribute('aria-disabled');
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls the report until it is ready or failed, waiting longer each time (×1.5, at most 8 s). */
async function poll(): Promise<void> {
  if (polling || !reportId) return;
  polling = true;
  requestButton.setAttribute('aria-disabled', 'true');
  setReportStatus(tc('result.preparing'));
  const started = performance.now();
  let wait = POLL_FIRST_MS;
  try {
    while (performance.now() - started < POLL_GIVE_UP_MS) {
      let report: ReportView;
      try {
        report = await api.get<ReportView>(`/api/reports/${encodeURIComponent(reportId)}`, { lang: false });
      } catch (error) {
        // Offline or overloaded: keep trying with the same backoff; anything else stops.
        if (!isApiError(error) || !(error.status === 0 || error.status === 429 || error.status >= 500)) throw error;
        report = { id: reportId, status: 'queued' };
        if (error.retryAfter) wait = Math.max(wait, error.retryAfter * 1000);
      }
      if (report.status === 'ready' && report.url) return showLink(report);
      if (report.status === 'failed') {
        setReportStatus(tc('result.reportFailed'), 'error');
        return showRetry(tc('common.retry'));
      }
      await sleep(wait);
      wait = Math.min(POLL_MAX_MS, Math.round(wait * 1.5));
    }
    setReportStatus(tc('result.reportSlow'), 'error');
    showRetry(tc('result.checkAgain'));
  } catch (error) {
    setReportStatus(errorMessage(error), 'error');
    showRetry(tc('common.retry'));
  } finally {
    polling = false;
  }
}

async function requestReport(): Promise<void> {
  if (requestButton.getAttribute('aria-disabled') === 'true') return;
  requestButton.setAttribute('aria-disabled', 'true');
  setReportStatus(tc('result.preparing'));
  try {
    // Idempotent: asking again returns the same report, and restarts a failed one.
    const report = await api.post<ReportView>(`/api/results/${encodeURIComponent(resultId)}/report`);
    reportId = report.id;
  } catch (error) {
    setReportStatus(errorMessage(error), 'error');
    return showRetry(tc('common.retry'));
  }
  requestButton.removeAttribute('aria-disabled');
  await poll();
}

requestButton.addEventListener('click', () => void requestReport());

// A link older than a few minutes may have expired: get a fresh one first.
downloadLink.addEventListener('click', async (event) => {
  if (!reportId || performance.now() - linkAt < LINK_FRESH_MS) return;
  event.preventDefault();
  try {
    const report = await api.get<ReportView>(`/api/reports/${encodeURIComponent(reportId)}`, { lang: false });
    if (report.status === 'ready' && report.url) {
      showLink(report);
      location.assign(report.url);
    } else {
      downloadLink.hidden = true;
      expiry.hidden = true;
      void requestReport();
    }
  } catch (error) {
    setReportStatus(errorMessage(error), 'error');
  }
});

async function main(): Promise<void> {
  const id = routeId('results');
  if (!id) return setState(region, 'notfound');
  resultId = id;
  setState(region, 'loading');
  try {
    const result = await api.get<Result>(`/api/results/${encodeURIComponent(id)}`);
    render(result);
    if (result.childId) void showChild(result.childId);
    setState(region, 'ready');
  } catch (error) {
    if (isApiError(error) && error.status === 404) setState(region, 'notfound');
    else setState(region, 'error', errorMessage(error));
  }
}

void main();
