ALTER TABLE "specialists" ADD COLUMN "next_free_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "specialists" ADD COLUMN "next_free_checked_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "specialists_next_free_idx" ON "specialists" USING btree ("next_free_at") WHERE "specialists"."verified";