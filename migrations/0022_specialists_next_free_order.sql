DROP INDEX "specialists_next_free_idx";--> statement-breakpoint
CREATE INDEX "specialists_next_free_idx" ON "specialists" USING btree ("next_free_at","id") WHERE "specialists"."verified";