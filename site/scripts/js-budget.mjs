// JS budget check for the built site: for every page in site/dist, the JavaScript it
// loads (module scripts plus everything they import statically), gzip-compressed, must
// stay under the budget. Prints one line per page type (the path without its language).
//
//   npx astro build --root site && npx node site/scripts/js-budget.mjs [--budget-kb 50]
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const dist = resolve(dirname(fileURLToPath(import.meta.url)), '../dist');
const budgetArg = process.argv.indexOf('--budget-kb');
const budget = (budgetArg > 0 ? Number(process.argv[budgetArg + 1]) : 50) * 1024;

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

const gz = new Map();
function gzipSize(file) {
  if (!gz.has(file)) gz.set(file, gzipSync(readFileSync(file), { level: 9 }).length);
  return gz.get(file);
}

/** A module and everything it imports statically (`import … from "./x.js"`, `import "./x.js"`). */
function closure(file, seen = new Set()) {
  if (seen.has(file)) return seen;
  seen.add(file);
  const code = readFileSync(file, 'utf8');
  for (const match of code.matchAll(/\bimport\s*(?:[\w*{}\s,$]+from\s*)?["']([^"']+)["']/g)) {
    closure(resolve(dirname(file), match[1]), seen);
  }
  return seen;
}

const rows = new Map();
for (const html of walk(dist).filter((f) => f.endsWith('.html'))) {
  const source = readFileSync(html, 'utf8');
  const files = new Set();
  for (const match of source.matchAll(/<script\b[^>]*\bsrc="(\/[^"]+\.js)"/g)) {
    for (const file of closure(join(dist, match[1]))) files.add(file);
  }
  const inline = [...source.matchAll(/<script\b(?![^>]*\b(?:src|type="application\/json")\b)[^>]*>([\s\S]*?)<\/script>/g)]
    .map((m) => m[1])
    .join('');
  const js = [...files].reduce((sum, f) => sum + gzipSize(f), 0) + (inline ? gzipSync(inline).length : 0);
  const page = `/${relative(dist, html)
    .replace(/^(ru|kk|en)\//, '{lang}/')
    .replace(/\\/g, '/')}`;
  const row = rows.get(page) ?? { js: 0, html: 0, files: files.size, count: 0 };
  row.js = Math.max(row.js, js);
  row.html = Math.max(row.html, gzipSync(source).length);
  row.count += 1;
  rows.set(page, row);
}

const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
const css = walk(join(dist, '_astro')).filter((f) => f.endsWith('.css'));
let failed = false;
console.log(
  `${'page (largest of its languages)'.padEnd(36)} ${'JS gzip'.padStart(9)} ${'modules'.padStart(8)} ${'HTML gzip'.padStart(10)}`,
);
for (const [page, row] of [...rows].sort(([a], [b]) => a.localeCompare(b))) {
  const over = row.js > budget;
  failed ||= over;
  console.log(
    `${page.padEnd(36)} ${kb(row.js).padStart(9)} ${String(row.files).padStart(8)} ${kb(row.html).padStart(10)}${over ? '  OVER BUDGET' : ''}`,
  );
}
console.log(`CSS (shared by all pages): ${css.map((f) => `${relative(dist, f)} ${kb(gzipSize(f))}`).join(', ')}`);
console.log(`Budget: ${kb(budget)} of gzip JS per page — ${failed ? 'FAILED' : 'ok'}`);
process.exit(failed ? 1 : 0);
