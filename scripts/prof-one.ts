import { runClosed } from '../load/lib/run.ts';
const [base, path, secs] = process.argv.slice(2);
const r = await runClosed({ baseUrl: base!, path: path!, connections: 32, durationMs: Number(secs) * 1000 });
console.log(`${path}: ${r.rate}/s errors ${r.errors}`);
