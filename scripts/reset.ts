/** `npm run reset`: deletes the local data folder (database, Redis dump, secrets, wrangler state). */
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const dataDir = resolve(process.env.DATA_DIR ?? join(root, '.data'));
rmSync(dataDir, { recursive: true, force: true });
rmSync(join(root, '.wrangler'), { recursive: true, force: true });
console.log(`[sabaq] removed ${dataDir}`);
