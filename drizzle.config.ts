import { defineConfig } from 'drizzle-kit';

// Production migrations: `DATABASE_URL=<neon url> npx drizzle-kit migrate`.
export default defineConfig({
  dialect: 'postgresql',
  schema: './db/schema/index.ts',
  out: './migrations',
  dbCredentials: { url: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/sabaq' },
  strict: true,
});
