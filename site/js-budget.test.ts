/**
 * The JavaScript budget of public pages (SPEC: under 50 KB compressed): every module a page
 * loads — its <script src> entries and everything they import, followed through the built
 * chunks — plus its inline scripts, each gzipped as the edge would serve it. Reads the built
 * site (`npm test` builds it first; built here when missing).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildSite } from '../scripts/local/site.ts';

const ROOT = resolve(import.meta.dirname, '..');
const DIST = join(ROOT, 'site', 'dist');
const BUDGET = 50 * 1024;

/** Public pages: the same for every visitor, edge-cached. */
const PUBLIC_PAGES = ['index.html', 'courses.html', 'courses/_/index.html', 'search.html', 'login.html', 'register.html'];
/** Signed-in pages held to the same budget: the dashboards draw their charts without a library. */
const SIGNED_IN_PAGES = ['dashboard.html', 'admin/dashboard.html'];

const gz = (s: string | Buffer) => gzipSync(s, { level: 9 }).byteLength;

function modulesOf(html: string): string[] {
  const seen = new Set<string>();
  const queue = [...html.matchAll(/<script[^>]*type="module"[^>]*src="([^"]+)"/g)].map((m) => join(DIST, m[1]!));
  while (queue.length) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const code = readFileSync(file, 'utf8');
    for (const m of code.matchAll(/(?:import|from)\s*["'](\.{1,2}\/[^"']+\.js)["']/g)) queue.push(join(dirname(file), m[1]!));
  }
  return [...seen];
}

function inlineScripts(html: string): string[] {
  // JSON data islands are data, not code: counted separately below.
  return [...html.matchAll(/<script(?![^>]*\bsrc=)([^>]*)>([\s\S]*?)<\/script>/g)]
    .filter((m) => !/application\/json/.test(m[1]!))
    .map((m) => m[2]!);
}

describe('JavaScript budget of public pages', () => {
  beforeAll(async () => {
    if (!existsSync(join(DIST, 'en', 'index.html'))) await buildSite({ root: ROOT });
  }, 120_000);

  for (const lang of ['ru', 'kk', 'en']) {
    it(`${lang}: every public page ships under 50 KB of compressed JavaScript`, () => {
      const sizes: Record<string, number> = {};
      for (const page of [...PUBLIC_PAGES, ...SIGNED_IN_PAGES]) {
        const html = readFileSync(join(DIST, lang, page), 'utf8');
        const modules = modulesOf(html);
        expect(modules.length, `${lang}/${page} loads no script at all?`).toBeGreaterThan(0);
        const bytes = modules.reduce((n, f) => n + gz(readFileSync(f)), 0) + inlineScripts(html).reduce((n, s) => n + gz(s), 0);
        sizes[page] = bytes;
      }
      console.log(
        `${lang} compressed JS per page (KB): ${Object.entries(sizes)
          .map(([p, b]) => `${p} ${(b / 1024).toFixed(1)}`)
          .join(' · ')}`,
      );
      for (const [page, bytes] of Object.entries(sizes)) expect(bytes, `${lang}/${page}`).toBeLessThan(BUDGET);
    });
  }
});
