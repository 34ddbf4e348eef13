/** `npm run db:migrate`: applies the committed migrations to DATABASE_URL (same journal as drizzle-kit migrate). */
import { migrateDatabase } from './local/migrate.ts';

const url = process.env.DATABASE_URL;
if (!url) {
  console.error('Set DATABASE_URL to the Postgres to migrate (npm start migrates the local one by itself).');
  process.exit(1);
}
await migrateDatabase(url);
console.log('[sabaq] migrations applied');
