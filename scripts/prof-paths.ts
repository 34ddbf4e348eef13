import { runClosed } from '../load/lib/run.ts';
const [base, hello, ...paths] = process.argv.slice(2);
for (const p of paths) {
  const h = await runClosed({ baseUrl: hello!, path: '/', connections: 32, durationMs: 5000 });
  const r = await runClosed({ baseUrl: base!, path: p, connections: 32, durationMs: 5000 });
  console.log(`${p}: ${r.rate}/s (errors ${r.errors}) vs hello ${h.rate}/s = ${(100 * r.rate / h.rate).toFixed(1)} %`);
}
