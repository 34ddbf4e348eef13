/**
 * What a browser test needs: the running platform (`platform()`, `account(role)`), pages in
 * fresh browser contexts (`newPage()`, `withPage()`), `login()`, `screenshot()` and a few
 * direct API calls for setting up data quickly (`apiLogin()`, `apiCall()`).
 * One Chromium per test file, launched on first use and closed after the file.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, inject } from 'vitest';
import type { DemoAccount } from '../../scripts/local/seed-demo.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './chromium.ts';
import { ROOT, type PlatformInfo } from './platform.ts';

export type Lang = 'ru' | 'kk' | 'en';
export const SCREENSHOT_DIR = join(ROOT, 'test-results', 'browser');

/** The platform started by setup.ts: its URL, the demo accounts, its data folder. */
export function platform(): PlatformInfo {
  const info = inject('browserPlatform');
  if (!info) throw new Error('The browser platform is not running: run these tests through the `browser` vitest project.');
  return info;
}

/** A seeded demo account (admin, learner, parent, teacher — the teacher is verified). */
export function account(role: DemoAccount['role']): DemoAccount {
  const found = platform().accounts.find((a) => a.role === role);
  if (!found) throw new Error(`No demo ${role} account was seeded`);
  return found;
}

/** A new address for each call (registration is rate-limited to 10 an hour per IP). */
export function uniqueEmail(prefix: string): string {
  return `${prefix}.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}@example.test`;
}

/** A short random token to tell this run's data apart. */
export function uniqueWord(): string {
  return Math.random().toString(36).slice(2, 8);
}

let browser: Promise<Browser> | undefined;
const contexts = new Set<BrowserContext>();
const errors = new WeakMap<Page, string[]>();

function launch(): Promise<Browser> {
  browser ??= chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    timeout: 60_000,
  });
  return browser;
}

afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => {});
  contexts.clear();
  const b = await browser?.catch(() => undefined);
  browser = undefined;
  await b?.close();
});

export interface PageOptions {
  /** Default 1280×900; use { width: 360, height: 740 } for a phone. */
  viewport?: { width: number; height: number };
  /** Timeout for each action and assertion wait, ms (default 15 s). */
  timeout?: number;
  /** false: a visitor (or crawler) without JavaScript. */
  javaScriptEnabled?: boolean;
  /** The browser's IANA time zone (default: the machine's). */
  timezoneId?: string;
}

/** A random benchmarking-range address (198.18.0.0/15, RFC 2544) per browser context; test files run in separate processes, so no counter. */
function visitorIp(): string {
  const n = Math.floor(Math.random() * 0x1ffff);
  return `198.${18 + (n >> 16)}.${(n >> 8) & 255}.${n & 255}`;
}

/** A page in a fresh browser context (own cookies and storage), with `baseURL` set to the platform. */
export async function newPage(opts: PageOptions = {}): Promise<Page> {
  const context = await (await launch()).newContext({
    baseURL: platform().url,
    viewport: opts.viewport ?? { width: 1280, height: 900 },
    reducedMotion: 'reduce',
    javaScriptEnabled: opts.javaScriptEnabled ?? true,
    ...(opts.timezoneId ? { timezoneId: opts.timezoneId } : {}),
    // Each context is a different visitor on their own network, as Cloudflare would report it
    // (wrangler dev passes the header through): per-address limits such as 10 sign-ups an hour
    // then apply per visitor, not to the whole suite sharing 127.0.0.1.
    extraHTTPHeaders: { 'cf-connecting-ip': visitorIp() },
  });
  contexts.add(context);
  context.once('close', () => contexts.delete(context));
  context.setDefaultTimeout(opts.timeout ?? 15_000);
  context.setDefaultNavigationTimeout(30_000);
  const page = await context.newPage();
  const seen: string[] = [];
  errors.set(page, seen);
  page.on('pageerror', (err) => seen.push(err.stack ?? err.message));
  return page;
}

/** Uncaught script errors seen on the page so far. */
export function pageErrors(page: Page): string[] {
  return errors.get(page) ?? [];
}

/**
 * Runs a journey in a new page and always leaves a screenshot of its last page (pass or
 * fail) in test-results/browser/<name>.png; fails on uncaught script errors.
 */
export async function withPage<T>(name: string, body: (page: Page) => Promise<T>, opts: PageOptions = {}): Promise<T> {
  const page = await newPage(opts);
  try {
    const result = await body(page);
    const seen = pageErrors(page);
    if (seen.length) throw new Error(`Uncaught errors on the page:\n${seen.join('\n')}`);
    return result;
  } finally {
    await screenshot(page, name).catch(() => {});
    await page
      .context()
      .close()
      .catch(() => {});
  }
}

/** Saves a full-page screenshot as test-results/browser/<name>.png and returns the path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = join(SCREENSHOT_DIR, `${name.replace(/[^\w.-]+/g, '-')}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/**
 * The axe-core rule sets every page is checked against: WCAG 2.0, 2.1 and 2.2 at levels A
 * and AA, plus axe's best practices (landmarks, heading order, unique labels…).
 */
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'];
let axeSource: string | undefined;

/**
 * axe-core's violations on the page as it is now, one "rule (impact): target, target" line
 * each — any impact, minor included. axe comes from node_modules (no network); it is
 * evaluated through the DevTools protocol because the site's CSP (rightly) refuses inline
 * scripts, so `addScriptTag` would be blocked.
 */
export async function axeViolations(page: Page, tags: string[] = AXE_TAGS): Promise<string[]> {
  axeSource ??= readFileSync(join(ROOT, 'node_modules/axe-core/axe.min.js'), 'utf8');
  if (!(await page.evaluate('typeof window.axe === "object"'))) await page.evaluate(`${axeSource};0`);
  return (await page.evaluate(
    `axe.run(document, { runOnly: ${JSON.stringify(tags)}, resultTypes: ['violations'] }).then((r) => r.violations.map((v) => v.id + ' (' + v.impact + '): ' + v.nodes.map((n) => n.target.join(' ')).join(', ')))`,
  )) as string[];
}

/**
 * Logs in through the login page (the browser keeps the session cookies) and waits until
 * the site has moved on: to `next`, else to the user's own section.
 */
export async function login(page: Page, email: string, password: string, opts: { lang?: Lang; next?: string } = {}): Promise<void> {
  const lang = opts.lang ?? 'en';
  await page.goto(`/${lang}/login${opts.next ? `?next=${encodeURIComponent(opts.next)}` : ''}`);
  await page.locator('#login-email').fill(email);
  await page.locator('#login-password').fill(password);
  // On a loaded CI machine a login may be answered 503 + Retry-After (seen once: the page said
  // "unavailable, retry in 5 s" while the whole suite ran beside it); press again as a person would.
  for (let attempt = 1; ; attempt++) {
    await page.locator('#login-form button[type="submit"]').click();
    try {
      await page.waitForURL((url) => !url.pathname.endsWith('/login'), { timeout: 20_000 });
      return;
    } catch (err) {
      if (attempt === 3) throw err;
    }
  }
}

/**
 * Opens the newest link of `kind` sent to `email` from the dev mailbox page (/dev/mail), as
 * a person would: mail is sent after the response, so the page is reloaded until it arrives.
 */
export async function openMailLink(page: Page, email: string, kind: 'reset' | 'verify'): Promise<void> {
  const link = page.locator(`article a[href*="/${kind}?token="]`).first();
  for (let i = 0; i < 40; i++) {
    await page.goto(`/dev/mail?to=${encodeURIComponent(email)}`);
    if (await link.count()) break;
    await page.waitForTimeout(250);
  }
  await link.click();
  await page.waitForURL((url) => url.pathname.endsWith(`/${kind}`) || url.pathname.endsWith(`/${kind}/`));
}

/** Public sign-ups must confirm their address before publishing or paying: follow the emailed link. */
export async function confirmEmail(page: Page, email: string): Promise<void> {
  await openMailLink(page, email, 'verify');
  await page.locator('#verify-status[data-result="ok"]').waitFor();
}

// ---- direct API calls, for setting up data without the UI -------------------------------

export interface ApiResult<T = any> {
  status: number;
  body: T;
}

export async function apiCall<T = any>(method: string, path: string, opts: { token?: string; body?: unknown } = {}): Promise<ApiResult<T>> {
  const res = await fetch(`${platform().url}${path}`, {
    method,
    headers: {
      accept: 'application/json',
      // Set-up calls stand for many users: each from its own address (see newPage).
      'cf-connecting-ip': visitorIp(),
      ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
    },
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

/** An access token for API calls (no browser involved). */
export async function apiLogin(email: string, password: string): Promise<string> {
  const res = await apiCall<{ accessToken: string }>('POST', '/api/auth/login', { body: { email, password } });
  if (res.status !== 200) throw new Error(`API login as ${email} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.accessToken;
}

/** One statement on the platform's database: only for set-ups no API offers (moving a session into the past). */
export async function sql<T extends pg.QueryResultRow = pg.QueryResultRow>(text: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: platform().databaseUrl });
  await client.connect();
  try {
    return (await client.query<T>(text, params)).rows;
  } finally {
    await client.end();
  }
}
