CREATE TABLE "queue_minute_stats" (
	"minute" timestamp with time zone NOT NULL,
	"queue" text NOT NULL,
	"depth" integer,
	"oldest_age_sec" integer,
	"handled" integer DEFAULT 0 NOT NULL,
	"wait_ms_sum" bigint DEFAULT 0 NOT NULL,
	"dead_lettered" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "queue_minute_stats_pkey" PRIMARY KEY("minute","queue")
);
--> statement-breakpoint
CREATE INDEX "reports_pending_idx" ON "reports" USING btree ("enqueued_at","updated_at") WHERE "reports"."status" in ('queued', 'rendering');