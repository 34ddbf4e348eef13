-- Test statistics, refreshed in the background by the cron (workers/assessments/stats.ts) with
-- REFRESH MATERIALIZED VIEW CONCURRENTLY, which needs a unique index on each view.
-- Per test and UTC day: attempts started, completions (results), and quiz score sums.
CREATE MATERIALIZED VIEW "test_daily_stats" AS
SELECT "test_id", "day",
       sum("started")::int AS "attempts",
       sum("completed")::int AS "completions",
       sum("score") AS "score_sum",
       count("score")::int AS "scored",
       sum("passed")::int AS "passed",
       now() AS "refreshed_at"
FROM (
  SELECT "test_id", ("started_at" AT TIME ZONE 'UTC')::date AS "day", 1 AS "started", 0 AS "completed",
         NULL::double precision AS "score", 0 AS "passed"
  FROM "attempts"
  UNION ALL
  SELECT "test_id", ("created_at" AT TIME ZONE 'UTC')::date, 0, 1, "score", CASE WHEN "passed" THEN 1 ELSE 0 END
  FROM "results"
) AS "events"
GROUP BY "test_id", "day";
--> statement-breakpoint
CREATE UNIQUE INDEX "test_daily_stats_key" ON "test_daily_stats" ("test_id", "day");
--> statement-breakpoint
-- Score distribution: scale_key '' = quiz score in tenths (bucket 0..9, a full score in 9);
-- otherwise results per scale and band index (-1 = outside every band), with score sums.
CREATE MATERIALIZED VIEW "test_score_distribution" AS
SELECT "test_id", ''::text AS "scale_key", least(floor("score" * 10)::int, 9) AS "bucket",
       count(*)::int AS "results", sum("score")::double precision AS "score_sum"
FROM "results"
WHERE "score" IS NOT NULL
GROUP BY 1, 2, 3
UNION ALL
SELECT r."test_id", s.value->>'key', coalesce((s.value->>'bandIndex')::int, -1),
       count(*)::int, sum((s.value->>'score')::double precision)
FROM "results" r CROSS JOIN LATERAL jsonb_array_elements(r."scales") AS s(value)
GROUP BY 1, 2, 3;
--> statement-breakpoint
CREATE UNIQUE INDEX "test_score_distribution_key" ON "test_score_distribution" ("test_id", "scale_key", "bucket");
