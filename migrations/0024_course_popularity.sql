-- The catalog's popular order reads a copy of enrollment_count that the minute cron refreshes
-- (workers/catalog/popularity.ts): with the live counter indexed, every enrollment was a non-HOT
-- update that wrote into all thirteen indexes of the row, four of them GIN.
DROP INDEX IF EXISTS "courses_popularity_idx";--> statement-breakpoint
ALTER TABLE "courses" ADD COLUMN "popularity" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
UPDATE "courses" SET "popularity" = "enrollment_count" WHERE "enrollment_count" <> 0;--> statement-breakpoint
CREATE INDEX "courses_popularity_idx" ON "courses" USING btree ("popularity" DESC NULLS FIRST,"id" DESC NULLS FIRST) WHERE "courses"."published";--> statement-breakpoint
-- Room on each page for the new version of an updated row, so counter updates stay HOT
-- (no index writes); applies to pages written from now on.
ALTER TABLE "courses" SET (fillfactor = 90);
