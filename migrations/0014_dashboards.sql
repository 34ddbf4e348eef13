CREATE TABLE "course_day_stats" (
	"course_id" uuid NOT NULL,
	"day" date NOT NULL,
	"enrollments" integer DEFAULT 0 NOT NULL,
	"completions" integer DEFAULT 0 NOT NULL,
	"lesson_completions" integer DEFAULT 0 NOT NULL,
	"reviews" integer DEFAULT 0 NOT NULL,
	"rating_sum" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "course_day_stats_pkey" PRIMARY KEY("course_id","day")
);
--> statement-breakpoint
CREATE TABLE "course_learner_stats" (
	"course_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"lessons_done" integer NOT NULL,
	"first_at" timestamp with time zone NOT NULL,
	"last_at" timestamp with time zone NOT NULL,
	"last_lesson_id" uuid,
	CONSTRAINT "course_learner_stats_pkey" PRIMARY KEY("course_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "lesson_stats" (
	"lesson_id" uuid PRIMARY KEY NOT NULL,
	"course_id" uuid NOT NULL,
	"completions" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ops_minute_stats" (
	"minute" timestamp with time zone NOT NULL,
	"family" text NOT NULL,
	"requests" integer DEFAULT 0 NOT NULL,
	"errors" integer DEFAULT 0 NOT NULL,
	"latency_ms_sum" bigint DEFAULT 0 NOT NULL,
	"p95_ms" integer DEFAULT 0 NOT NULL,
	"cache_hits" integer DEFAULT 0 NOT NULL,
	"cache_misses" integer DEFAULT 0 NOT NULL,
	"rate_limited" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "ops_minute_stats_pkey" PRIMARY KEY("minute","family")
);
--> statement-breakpoint
CREATE TABLE "payment_day_stats" (
	"day" date NOT NULL,
	"currency" text NOT NULL,
	"succeeded" integer DEFAULT 0 NOT NULL,
	"succeeded_amount" bigint DEFAULT 0 NOT NULL,
	"refunded" integer DEFAULT 0 NOT NULL,
	"refunded_amount" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "payment_day_stats_pkey" PRIMARY KEY("day","currency")
);
--> statement-breakpoint
CREATE TABLE "question_stats" (
	"test_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"question_key" text NOT NULL,
	"answered" integer DEFAULT 0 NOT NULL,
	"wrong" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "question_stats_pkey" PRIMARY KEY("test_id","version","question_key")
);
--> statement-breakpoint
CREATE TABLE "registration_day_stats" (
	"day" date NOT NULL,
	"role" "role" NOT NULL,
	"registrations" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "registration_day_stats_pkey" PRIMARY KEY("day","role")
);
--> statement-breakpoint
CREATE TABLE "result_question_marks" (
	"result_id" uuid PRIMARY KEY NOT NULL,
	"test_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"keys" text[] NOT NULL,
	"wrong" text[] NOT NULL
);
--> statement-breakpoint
CREATE TABLE "test_day_submissions" (
	"test_id" uuid NOT NULL,
	"day" date NOT NULL,
	"submissions" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "test_day_submissions_pkey" PRIMARY KEY("test_id","day")
);
--> statement-breakpoint
ALTER TABLE "course_day_stats" ADD CONSTRAINT "course_day_stats_course_id_courses_id_fk" FOREIGN KEY ("course_id") REFERENCES "public"."courses"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "course_learner_stats" ADD CONSTRAINT "course_learner_stats_course_id_courses_id_fk" FOREIGN KEY ("course_id") REFERENCES "public"."courses"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lesson_stats" ADD CONSTRAINT "lesson_stats_lesson_id_lessons_id_fk" FOREIGN KEY ("lesson_id") REFERENCES "public"."lessons"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lesson_stats" ADD CONSTRAINT "lesson_stats_course_id_courses_id_fk" FOREIGN KEY ("course_id") REFERENCES "public"."courses"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "question_stats" ADD CONSTRAINT "question_stats_test_id_tests_id_fk" FOREIGN KEY ("test_id") REFERENCES "public"."tests"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "test_day_submissions" ADD CONSTRAINT "test_day_submissions_test_id_tests_id_fk" FOREIGN KEY ("test_id") REFERENCES "public"."tests"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "course_learner_stats_last_idx" ON "course_learner_stats" USING btree ("course_id","last_at" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "lesson_stats_course_idx" ON "lesson_stats" USING btree ("course_id");--> statement-breakpoint

-- Dashboard rollups (db/schema/dashboards.ts), kept by triggers in the writing statement.
-- Why triggers rather than the write paths or a cron from a watermark: every way rows change
-- (the API, the attempt sweep, payment reconciliation, cascades of a deleted user, course or
-- lesson, an admin hiding a review, bulk seeds) is counted in the same transaction, deletes
-- included — a watermark only sees new rows — and no other domain's code changes.
-- Inserts and deletes are statement-level triggers over the transition tables: one grouped
-- upsert per statement, rows taken in key order, so two multi-row statements lock rollup rows
-- in the same order and cannot deadlock (row-level upserts did, in the bulk seeder). Updates
-- of the few counted columns are row-level (the API changes one row at a time). A parent that
-- is being deleted (a cascade) gets no rollup row: the EXISTS filters skip it.

CREATE FUNCTION sabaq_utc_day(ts timestamptz) RETURNS date
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT (ts AT TIME ZONE 'UTC')::date $$;
--> statement-breakpoint

-- enrollments: +1 enrollment on its creation day, +1 completion on its completion day.
CREATE FUNCTION sabaq_enrollments_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO course_day_stats AS s (course_id, day, enrollments, completions, lesson_completions, reviews, rating_sum)
    SELECT x.course_id, x.day, sum(x.e), sum(x.c), sum(x.lc), sum(x.r), sum(x.rs) FROM (SELECT course_id, sabaq_utc_day(created_at) AS day, 1 AS e, 0 AS c, 0 AS lc, 0 AS r, 0 AS rs FROM n UNION ALL SELECT course_id, sabaq_utc_day(completed_at), 0, 1, 0, 0, 0 FROM n WHERE completed_at IS NOT NULL) x
    WHERE x.day IS NOT NULL AND EXISTS (SELECT 1 FROM courses WHERE id = x.course_id)
    GROUP BY x.course_id, x.day
    ORDER BY x.course_id, x.day
    ON CONFLICT (course_id, day) DO UPDATE SET enrollments = s.enrollments + excluded.enrollments,
      completions = s.completions + excluded.completions, lesson_completions = s.lesson_completions + excluded.lesson_completions,
      reviews = s.reviews + excluded.reviews, rating_sum = s.rating_sum + excluded.rating_sum;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE FUNCTION sabaq_enrollments_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO course_day_stats AS s (course_id, day, enrollments, completions, lesson_completions, reviews, rating_sum)
    SELECT x.course_id, x.day, sum(x.e), sum(x.c), sum(x.lc), sum(x.r), sum(x.rs) FROM (SELECT course_id, sabaq_utc_day(created_at) AS day, -1 AS e, 0 AS c, 0 AS lc, 0 AS r, 0 AS rs FROM o UNION ALL SELECT course_id, sabaq_utc_day(completed_at), 0, -1, 0, 0, 0 FROM o WHERE completed_at IS NOT NULL) x
    WHERE x.day IS NOT NULL AND EXISTS (SELECT 1 FROM courses WHERE id = x.course_id)
    GROUP BY x.course_id, x.day
    ORDER BY x.course_id, x.day
    ON CONFLICT (course_id, day) DO UPDATE SET enrollments = s.enrollments + excluded.enrollments,
      completions = s.completions + excluded.completions, lesson_completions = s.lesson_completions + excluded.lesson_completions,
      reviews = s.reviews + excluded.reviews, rating_sum = s.rating_sum + excluded.rating_sum;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE FUNCTION sabaq_enrollments_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO course_day_stats AS s (course_id, day, enrollments, completions, lesson_completions, reviews, rating_sum)
    SELECT x.course_id, x.day, sum(x.e), sum(x.c), sum(x.lc), sum(x.r), sum(x.rs) FROM (SELECT OLD.course_id AS course_id, sabaq_utc_day(OLD.completed_at) AS day, 0 AS e, -1 AS c, 0 AS lc, 0 AS r, 0 AS rs WHERE OLD.completed_at IS NOT NULL UNION ALL SELECT NEW.course_id, sabaq_utc_day(NEW.completed_at), 0, 1, 0, 0, 0 WHERE NEW.completed_at IS NOT NULL) x
    WHERE x.day IS NOT NULL AND EXISTS (SELECT 1 FROM courses WHERE id = x.course_id)
    GROUP BY x.course_id, x.day
    ORDER BY x.course_id, x.day
    ON CONFLICT (course_id, day) DO UPDATE SET enrollments = s.enrollments + excluded.enrollments,
      completions = s.completions + excluded.completions, lesson_completions = s.lesson_completions + excluded.lesson_completions,
      reviews = s.reviews + excluded.reviews, rating_sum = s.rating_sum + excluded.rating_sum;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER enrollments_dashboard_insert AFTER INSERT ON enrollments REFERENCING NEW TABLE AS n
  FOR EACH STATEMENT EXECUTE FUNCTION sabaq_enrollments_insert();
--> statement-breakpoint
CREATE TRIGGER enrollments_dashboard_delete AFTER DELETE ON enrollments REFERENCING OLD TABLE AS o
  FOR EACH STATEMENT EXECUTE FUNCTION sabaq_enrollments_delete();
--> statement-breakpoint
CREATE TRIGGER enrollments_dashboard_update AFTER UPDATE OF completed_at, course_id ON enrollments
  FOR EACH ROW WHEN (OLD.completed_at IS DISTINCT FROM NEW.completed_at OR OLD.course_id IS DISTINCT FROM NEW.course_id)
  EXECUTE FUNCTION sabaq_enrollments_update();
--> statement-breakpoint

-- lesson_progress: the day's lesson completions, the lesson's funnel count, and each touched
-- learner's row, recounted from their progress in that course (exact after any insert or delete).
CREATE FUNCTION sabaq_lesson_progress_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO course_day_stats AS s (course_id, day, enrollments, completions, lesson_completions, reviews, rating_sum)
    SELECT x.course_id, x.day, sum(x.e), sum(x.c), sum(x.lc), sum(x.r), sum(x.rs) FROM (SELECT course_id, sabaq_utc_day(completed_at) AS day, 0 AS e, 0 AS c, 1 AS lc, 0 AS r, 0 AS rs FROM n) x
    WHERE x.day IS NOT NULL AND EXISTS (SELECT 1 FROM courses WHERE id = x.course_id)
    GROUP BY x.course_id, x.day
    ORDER BY x.course_id, x.day
    ON CONFLICT (course_id, day) DO UPDATE SET enrollments = s.enrollments + excluded.enrollments,
      completions = s.completions + excluded.completions, lesson_completions = s.lesson_completions + excluded.lesson_completions,
      reviews = s.reviews + excluded.reviews, rating_sum = s.rating_sum + excluded.rating_sum;
  INSERT INTO lesson_stats AS s (lesson_id, course_id, completions)
    SELECT x.lesson_id, min(x.course_id::text)::uuid, sum(x.n) FROM (SELECT lesson_id, course_id, 1 AS n FROM n) x
    WHERE EXISTS (SELECT 1 FROM lessons WHERE id = x.lesson_id) GROUP BY x.lesson_id ORDER BY x.lesson_id
    ON CONFLICT (lesson_id) DO UPDATE SET completions = s.completions + excluded.completions;
  DELETE FROM course_learner_stats s USING (SELECT DISTINCT course_id, user_id FROM n) p
    WHERE s.course_id = p.course_id AND s.user_id = p.user_id
      AND NOT EXISTS (SELECT 1 FROM lesson_progress lp WHERE lp.user_id = p.user_id AND lp.course_id = p.course_id);
  INSERT INTO course_learner_stats AS s (course_id, user_id, lessons_done, first_at, last_at, last_lesson_id)
    SELECT p.course_id, p.user_id, a.n, a.f, a.l,
      (SELECT lesson_id FROM lesson_progress WHERE user_id = p.user_id AND course_id = p.course_id ORDER BY completed_at DESC, lesson_id DESC LIMIT 1)
    FROM (SELECT DISTINCT course_id, user_id FROM n) p
    CROSS JOIN LATERAL (SELECT count(*)::int AS n, min(completed_at) AS f, max(completed_at) AS l
                        FROM lesson_progress WHERE user_id = p.user_id AND course_id = p.course_id) a
    WHERE a.n > 0 AND EXISTS (SELECT 1 FROM courses WHERE id = p.course_id)
    ORDER BY p.course_id, p.user_id
    ON CONFLICT (course_id, user_id) DO UPDATE SET lessons_done = excluded.lessons_done, first_at = excluded.first_at,
      last_at = excluded.last_at, last_lesson_id = excluded.last_lesson_id;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE FUNCTION sabaq_lesson_progress_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO course_day_stats AS s (course_id, day, enrollments, completions, lesson_completions, reviews, rating_sum)
    SELECT x.course_id, x.day, sum(x.e), sum(x.c), sum(x.lc), sum(x.r), sum(x.rs) FROM (SELECT course_id, sabaq_utc_day(completed_at) AS day, 0 AS e, 0 AS c, -1 AS lc, 0 AS r, 0 AS rs FROM o) x
    WHERE x.day IS NOT NULL AND EXISTS (SELECT 1 FROM courses WHERE id = x.course_id)
    GROUP BY x.course_id, x.day
    ORDER BY x.course_id, x.day
    ON CONFLICT (course_id, day) DO UPDATE SET enrollments = s.enrollments + excluded.enrollments,
      completions = s.completions + excluded.completions, lesson_completions = s.lesson_completions + excluded.lesson_completions,
      reviews = s.reviews + excluded.reviews, rating_sum = s.rating_sum + excluded.rating_sum;
  INSERT INTO lesson_stats AS s (lesson_id, course_id, completions)
    SELECT x.lesson_id, min(x.course_id::text)::uuid, sum(x.n) FROM (SELECT lesson_id, course_id, -1 AS n FROM o) x
    WHERE EXISTS (SELECT 1 FROM lessons WHERE id = x.lesson_id) GROUP BY x.lesson_id ORDER BY x.lesson_id
    ON CONFLICT (lesson_id) DO UPDATE SET completions = s.completions + excluded.completions;
  DELETE FROM course_learner_stats s USING (SELECT DISTINCT course_id, user_id FROM o) p
    WHERE s.course_id = p.course_id AND s.user_id = p.user_id
      AND NOT EXISTS (SELECT 1 FROM lesson_progress lp WHERE lp.user_id = p.user_id AND lp.course_id = p.course_id);
  INSERT INTO course_learner_stats AS s (course_id, user_id, lessons_done, first_at, last_at, last_lesson_id)
    SELECT p.course_id, p.user_id, a.n, a.f, a.l,
      (SELECT lesson_id FROM lesson_progress WHERE user_id = p.user_id AND course_id = p.course_id ORDER BY completed_at DESC, lesson_id DESC LIMIT 1)
    FROM (SELECT DISTINCT course_id, user_id FROM o) p
    CROSS JOIN LATERAL (SELECT count(*)::int AS n, min(completed_at) AS f, max(completed_at) AS l
                        FROM lesson_progress WHERE user_id = p.user_id AND course_id = p.course_id) a
    WHERE a.n > 0 AND EXISTS (SELECT 1 FROM courses WHERE id = p.course_id)
    ORDER BY p.course_id, p.user_id
    ON CONFLICT (course_id, user_id) DO UPDATE SET lessons_done = excluded.lessons_done, first_at = excluded.first_at,
      last_at = excluded.last_at, last_lesson_id = excluded.last_lesson_id;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER lesson_progress_dashboard_insert AFTER INSERT ON lesson_progress REFERENCING NEW TABLE AS n
  FOR EACH STATEMENT EXECUTE FUNCTION sabaq_lesson_progress_insert();
--> statement-breakpoint
CREATE TRIGGER lesson_progress_dashboard_delete AFTER DELETE ON lesson_progress REFERENCING OLD TABLE AS o
  FOR EACH STATEMENT EXECUTE FUNCTION sabaq_lesson_progress_delete();
--> statement-breakpoint
-- reviews: visible reviews and their stars on the day they were written (hidden = not counted).
CREATE FUNCTION sabaq_reviews_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO course_day_stats AS s (course_id, day, enrollments, completions, lesson_completions, reviews, rating_sum)
    SELECT x.course_id, x.day, sum(x.e), sum(x.c), sum(x.lc), sum(x.r), sum(x.rs) FROM (SELECT course_id, sabaq_utc_day(created_at) AS day, 0 AS e, 0 AS c, 0 AS lc, 1 AS r, rating AS rs FROM n WHERE NOT hidden) x
    WHERE x.day IS NOT NULL AND EXISTS (SELECT 1 FROM courses WHERE id = x.course_id)
    GROUP BY x.course_id, x.day
    ORDER BY x.course_id, x.day
    ON CONFLICT (course_id, day) DO UPDATE SET enrollments = s.enrollments + excluded.enrollments,
      completions = s.completions + excluded.completions, lesson_completions = s.lesson_completions + excluded.lesson_completions,
      reviews = s.reviews + excluded.reviews, rating_sum = s.rating_sum + excluded.rating_sum;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE FUNCTION sabaq_reviews_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO course_day_stats AS s (course_id, day, enrollments, completions, lesson_completions, reviews, rating_sum)
    SELECT x.course_id, x.day, sum(x.e), sum(x.c), sum(x.lc), sum(x.r), sum(x.rs) FROM (SELECT course_id, sabaq_utc_day(created_at) AS day, 0 AS e, 0 AS c, 0 AS lc, -1 AS r, -rating AS rs FROM o WHERE NOT hidden) x
    WHERE x.day IS NOT NULL AND EXISTS (SELECT 1 FROM courses WHERE id = x.course_id)
    GROUP BY x.course_id, x.day
    ORDER BY x.course_id, x.day
    ON CONFLICT (course_id, day) DO UPDATE SET enrollments = s.enrollments + excluded.enrollments,
      completions = s.completions + excluded.completions, lesson_completions = s.lesson_completions + excluded.lesson_completions,
      reviews = s.reviews + excluded.reviews, rating_sum = s.rating_sum + excluded.rating_sum;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE FUNCTION sabaq_reviews_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO course_day_stats AS s (course_id, day, enrollments, completions, lesson_completions, reviews, rating_sum)
    SELECT x.course_id, x.day, sum(x.e), sum(x.c), sum(x.lc), sum(x.r), sum(x.rs) FROM (SELECT OLD.course_id AS course_id, sabaq_utc_day(OLD.created_at) AS day, 0 AS e, 0 AS c, 0 AS lc, -1 AS r, -OLD.rating AS rs WHERE NOT OLD.hidden UNION ALL SELECT NEW.course_id, sabaq_utc_day(NEW.created_at), 0, 0, 0, 1, NEW.rating WHERE NOT NEW.hidden) x
    WHERE x.day IS NOT NULL AND EXISTS (SELECT 1 FROM courses WHERE id = x.course_id)
    GROUP BY x.course_id, x.day
    ORDER BY x.course_id, x.day
    ON CONFLICT (course_id, day) DO UPDATE SET enrollments = s.enrollments + excluded.enrollments,
      completions = s.completions + excluded.completions, lesson_completions = s.lesson_completions + excluded.lesson_completions,
      reviews = s.reviews + excluded.reviews, rating_sum = s.rating_sum + excluded.rating_sum;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER reviews_dashboard_insert AFTER INSERT ON reviews REFERENCING NEW TABLE AS n
  FOR EACH STATEMENT EXECUTE FUNCTION sabaq_reviews_insert();
--> statement-breakpoint
CREATE TRIGGER reviews_dashboard_delete AFTER DELETE ON reviews REFERENCING OLD TABLE AS o
  FOR EACH STATEMENT EXECUTE FUNCTION sabaq_reviews_delete();
--> statement-breakpoint
CREATE TRIGGER reviews_dashboard_update AFTER UPDATE OF hidden, rating, course_id, created_at ON reviews
  FOR EACH ROW WHEN (OLD.hidden IS DISTINCT FROM NEW.hidden OR OLD.rating IS DISTINCT FROM NEW.rating
    OR OLD.course_id IS DISTINCT FROM NEW.course_id OR OLD.created_at IS DISTINCT FROM NEW.created_at)
  EXECUTE FUNCTION sabaq_reviews_update();
--> statement-breakpoint

-- results: one submission per result on its submission day; and for quizzes, each choice
-- question graded as workers/assessments/scoring.ts grades it (right only when the chosen set
-- of known options equals the set of correct ones; unanswered is wrong), kept per result in
-- result_question_marks so a deleted result takes back exactly what it added.
CREATE FUNCTION sabaq_results_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO test_day_submissions AS s (test_id, day, submissions)
    SELECT x.test_id, x.day, sum(x.n) FROM (SELECT test_id, sabaq_utc_day(submitted_at) AS day, 1 AS n FROM n) x
    WHERE EXISTS (SELECT 1 FROM tests WHERE id = x.test_id) GROUP BY x.test_id, x.day ORDER BY x.test_id, x.day
    ON CONFLICT (test_id, day) DO UPDATE SET submissions = s.submissions + excluded.submissions;
  INSERT INTO result_question_marks (result_id, test_id, version, keys, wrong)
    SELECT r.id, r.test_id, r.version, coalesce(array_agg(g.key), '{}'), coalesce(array_agg(g.key) FILTER (WHERE g.chosen IS DISTINCT FROM g.right_keys), '{}')
    FROM n r
    JOIN test_versions v ON v.id = r.version_id
    CROSS JOIN LATERAL (
      SELECT q.value->>'key' AS key,
        (SELECT coalesce(array_agg(DISTINCT c ORDER BY c), '{}') FROM (
           SELECT CASE WHEN q.value->>'type' = 'single' THEN a.answer->>'option' END AS c
           UNION ALL
           SELECT jsonb_array_elements_text(CASE WHEN q.value->>'type' = 'multiple' AND jsonb_typeof(a.answer->'options') = 'array'
                                                 THEN a.answer->'options' ELSE '[]'::jsonb END)
         ) x WHERE c IN (SELECT o->>'key' FROM jsonb_array_elements(q.value->'options') o)) AS chosen,
        (SELECT coalesce(array_agg(DISTINCT o->>'key' ORDER BY o->>'key'), '{}') FROM jsonb_array_elements(q.value->'options') o
          WHERE o->'correct' = 'true'::jsonb) AS right_keys
      FROM jsonb_array_elements(v.document->'questions') q
      LEFT JOIN attempt_answers a ON a.attempt_id = r.attempt_id AND a.question_key = q.value->>'key'
      WHERE q.value->>'type' IN ('single', 'multiple')
    ) g
    WHERE r.kind = 'quiz'
    GROUP BY r.id, r.test_id, r.version
    ON CONFLICT (result_id) DO NOTHING;
  INSERT INTO question_stats AS s (test_id, version, question_key, answered, wrong)
    SELECT m.test_id, m.version, k, count(*), count(*) FILTER (WHERE k = ANY (m.wrong))
    FROM (SELECT m.* FROM result_question_marks m JOIN n ON n.id = m.result_id) m CROSS JOIN LATERAL unnest(m.keys) k
    WHERE EXISTS (SELECT 1 FROM tests WHERE id = m.test_id)
    GROUP BY m.test_id, m.version, k ORDER BY m.test_id, m.version, k
    ON CONFLICT (test_id, version, question_key) DO UPDATE SET answered = s.answered + excluded.answered, wrong = s.wrong + excluded.wrong;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE FUNCTION sabaq_results_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO test_day_submissions AS s (test_id, day, submissions)
    SELECT x.test_id, x.day, sum(x.n) FROM (SELECT test_id, sabaq_utc_day(submitted_at) AS day, -1 AS n FROM o) x
    WHERE EXISTS (SELECT 1 FROM tests WHERE id = x.test_id) GROUP BY x.test_id, x.day ORDER BY x.test_id, x.day
    ON CONFLICT (test_id, day) DO UPDATE SET submissions = s.submissions + excluded.submissions;
  WITH gone AS (DELETE FROM result_question_marks m USING o WHERE m.result_id = o.id RETURNING m.*)
  INSERT INTO question_stats AS s (test_id, version, question_key, answered, wrong)
    SELECT m.test_id, m.version, k, -count(*), -count(*) FILTER (WHERE k = ANY (m.wrong))
    FROM (SELECT * FROM gone) m CROSS JOIN LATERAL unnest(m.keys) k
    WHERE EXISTS (SELECT 1 FROM tests WHERE id = m.test_id)
    GROUP BY m.test_id, m.version, k ORDER BY m.test_id, m.version, k
    ON CONFLICT (test_id, version, question_key) DO UPDATE SET answered = s.answered + excluded.answered, wrong = s.wrong + excluded.wrong;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER results_dashboard_insert AFTER INSERT ON results REFERENCING NEW TABLE AS n
  FOR EACH STATEMENT EXECUTE FUNCTION sabaq_results_insert();
--> statement-breakpoint
CREATE TRIGGER results_dashboard_delete AFTER DELETE ON results REFERENCING OLD TABLE AS o
  FOR EACH STATEMENT EXECUTE FUNCTION sabaq_results_delete();
--> statement-breakpoint
-- users: registrations per day and role.
CREATE FUNCTION sabaq_users_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO registration_day_stats AS s (day, role, registrations)
    SELECT x.day, x.role, sum(x.n) FROM (SELECT sabaq_utc_day(created_at) AS day, role, 1 AS n FROM n) x GROUP BY x.day, x.role ORDER BY x.day, x.role
    ON CONFLICT (day, role) DO UPDATE SET registrations = s.registrations + excluded.registrations;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE FUNCTION sabaq_users_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO registration_day_stats AS s (day, role, registrations)
    SELECT x.day, x.role, sum(x.n) FROM (SELECT sabaq_utc_day(created_at) AS day, role, -1 AS n FROM o) x GROUP BY x.day, x.role ORDER BY x.day, x.role
    ON CONFLICT (day, role) DO UPDATE SET registrations = s.registrations + excluded.registrations;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE FUNCTION sabaq_users_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO registration_day_stats AS s (day, role, registrations)
    SELECT x.day, x.role, sum(x.n) FROM (SELECT sabaq_utc_day(OLD.created_at) AS day, OLD.role AS role, -1 AS n UNION ALL SELECT sabaq_utc_day(NEW.created_at), NEW.role, 1) x GROUP BY x.day, x.role ORDER BY x.day, x.role
    ON CONFLICT (day, role) DO UPDATE SET registrations = s.registrations + excluded.registrations;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER users_dashboard_insert AFTER INSERT ON users REFERENCING NEW TABLE AS n
  FOR EACH STATEMENT EXECUTE FUNCTION sabaq_users_insert();
--> statement-breakpoint
CREATE TRIGGER users_dashboard_delete AFTER DELETE ON users REFERENCING OLD TABLE AS o
  FOR EACH STATEMENT EXECUTE FUNCTION sabaq_users_delete();
--> statement-breakpoint
CREATE TRIGGER users_dashboard_update AFTER UPDATE OF role, created_at ON users
  FOR EACH ROW WHEN (OLD.role IS DISTINCT FROM NEW.role OR OLD.created_at IS DISTINCT FROM NEW.created_at)
  EXECUTE FUNCTION sabaq_users_update();
--> statement-breakpoint

-- payments: succeeded volume on the day it succeeded, refunds on the day of the refund.
CREATE FUNCTION sabaq_payments_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO payment_day_stats AS p (day, currency, succeeded, succeeded_amount, refunded, refunded_amount)
    SELECT x.day, x.currency, sum(x.s), sum(x.sa), sum(x.r), sum(x.ra) FROM (SELECT sabaq_utc_day(succeeded_at) AS day, currency, 1 AS s, amount::bigint AS sa, 0 AS r, 0::bigint AS ra FROM n WHERE succeeded_at IS NOT NULL UNION ALL SELECT sabaq_utc_day(refunded_at), currency, 0, 0, 1, amount::bigint FROM n WHERE refunded_at IS NOT NULL) x
    WHERE x.day IS NOT NULL GROUP BY x.day, x.currency ORDER BY x.day, x.currency
    ON CONFLICT (day, currency) DO UPDATE SET succeeded = p.succeeded + excluded.succeeded,
      succeeded_amount = p.succeeded_amount + excluded.succeeded_amount, refunded = p.refunded + excluded.refunded,
      refunded_amount = p.refunded_amount + excluded.refunded_amount;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE FUNCTION sabaq_payments_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO payment_day_stats AS p (day, currency, succeeded, succeeded_amount, refunded, refunded_amount)
    SELECT x.day, x.currency, sum(x.s), sum(x.sa), sum(x.r), sum(x.ra) FROM (SELECT sabaq_utc_day(succeeded_at) AS day, currency, -1 AS s, -amount::bigint AS sa, 0 AS r, 0::bigint AS ra FROM o WHERE succeeded_at IS NOT NULL UNION ALL SELECT sabaq_utc_day(refunded_at), currency, 0, 0, -1, -amount::bigint FROM o WHERE refunded_at IS NOT NULL) x
    WHERE x.day IS NOT NULL GROUP BY x.day, x.currency ORDER BY x.day, x.currency
    ON CONFLICT (day, currency) DO UPDATE SET succeeded = p.succeeded + excluded.succeeded,
      succeeded_amount = p.succeeded_amount + excluded.succeeded_amount, refunded = p.refunded + excluded.refunded,
      refunded_amount = p.refunded_amount + excluded.refunded_amount;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE FUNCTION sabaq_payments_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO payment_day_stats AS p (day, currency, succeeded, succeeded_amount, refunded, refunded_amount)
    SELECT x.day, x.currency, sum(x.s), sum(x.sa), sum(x.r), sum(x.ra) FROM (SELECT sabaq_utc_day(OLD.succeeded_at) AS day, OLD.currency AS currency, -1 AS s, -OLD.amount::bigint AS sa, 0 AS r, 0::bigint AS ra WHERE OLD.succeeded_at IS NOT NULL UNION ALL SELECT sabaq_utc_day(OLD.refunded_at), OLD.currency, 0, 0, -1, -OLD.amount::bigint WHERE OLD.refunded_at IS NOT NULL UNION ALL SELECT sabaq_utc_day(NEW.succeeded_at), NEW.currency, 1, NEW.amount::bigint, 0, 0 WHERE NEW.succeeded_at IS NOT NULL UNION ALL SELECT sabaq_utc_day(NEW.refunded_at), NEW.currency, 0, 0, 1, NEW.amount::bigint WHERE NEW.refunded_at IS NOT NULL) x
    WHERE x.day IS NOT NULL GROUP BY x.day, x.currency ORDER BY x.day, x.currency
    ON CONFLICT (day, currency) DO UPDATE SET succeeded = p.succeeded + excluded.succeeded,
      succeeded_amount = p.succeeded_amount + excluded.succeeded_amount, refunded = p.refunded + excluded.refunded,
      refunded_amount = p.refunded_amount + excluded.refunded_amount;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER payments_dashboard_insert AFTER INSERT ON payments REFERENCING NEW TABLE AS n
  FOR EACH STATEMENT EXECUTE FUNCTION sabaq_payments_insert();
--> statement-breakpoint
CREATE TRIGGER payments_dashboard_delete AFTER DELETE ON payments REFERENCING OLD TABLE AS o
  FOR EACH STATEMENT EXECUTE FUNCTION sabaq_payments_delete();
--> statement-breakpoint
CREATE TRIGGER payments_dashboard_update AFTER UPDATE OF succeeded_at, refunded_at, amount, currency ON payments
  FOR EACH ROW WHEN (OLD.succeeded_at IS DISTINCT FROM NEW.succeeded_at OR OLD.refunded_at IS DISTINCT FROM NEW.refunded_at
    OR OLD.amount IS DISTINCT FROM NEW.amount OR OLD.currency IS DISTINCT FROM NEW.currency)
  EXECUTE FUNCTION sabaq_payments_update();
--> statement-breakpoint

-- Backfill: existing rows count from the start (the triggers exist from here on, in the same migration).
INSERT INTO course_day_stats (course_id, day, enrollments, completions, lesson_completions, reviews, rating_sum)
SELECT course_id, day, sum(e)::int, sum(c)::int, sum(lc)::int, sum(r)::int, sum(rs)::int FROM (
  SELECT course_id, sabaq_utc_day(created_at) AS day, 1 AS e, 0 AS c, 0 AS lc, 0 AS r, 0 AS rs FROM enrollments
  UNION ALL SELECT course_id, sabaq_utc_day(completed_at), 0, 1, 0, 0, 0 FROM enrollments WHERE completed_at IS NOT NULL
  UNION ALL SELECT course_id, sabaq_utc_day(completed_at), 0, 0, 1, 0, 0 FROM lesson_progress
  UNION ALL SELECT course_id, sabaq_utc_day(created_at), 0, 0, 0, 1, rating FROM reviews WHERE NOT hidden
) x GROUP BY course_id, day;
--> statement-breakpoint
INSERT INTO lesson_stats (lesson_id, course_id, completions)
SELECT lesson_id, min(course_id::text)::uuid, count(*)::int FROM lesson_progress GROUP BY lesson_id;
--> statement-breakpoint
INSERT INTO course_learner_stats (course_id, user_id, lessons_done, first_at, last_at, last_lesson_id)
SELECT DISTINCT ON (course_id, user_id) course_id, user_id,
  count(*) OVER w, min(completed_at) OVER w, max(completed_at) OVER w, lesson_id
FROM lesson_progress
WINDOW w AS (PARTITION BY course_id, user_id)
ORDER BY course_id, user_id, completed_at DESC, lesson_id DESC;
--> statement-breakpoint
INSERT INTO test_day_submissions (test_id, day, submissions)
SELECT test_id, sabaq_utc_day(submitted_at), count(*)::int FROM results GROUP BY 1, 2;
--> statement-breakpoint
INSERT INTO registration_day_stats (day, role, registrations)
SELECT sabaq_utc_day(created_at), role, count(*)::int FROM users GROUP BY 1, 2;
--> statement-breakpoint
INSERT INTO payment_day_stats (day, currency, succeeded, succeeded_amount, refunded, refunded_amount)
SELECT day, currency, sum(s)::int, sum(sa), sum(r)::int, sum(ra) FROM (
  SELECT sabaq_utc_day(succeeded_at) AS day, currency, 1 AS s, amount::bigint AS sa, 0 AS r, 0::bigint AS ra FROM payments WHERE succeeded_at IS NOT NULL
  UNION ALL SELECT sabaq_utc_day(refunded_at), currency, 0, 0, 1, amount FROM payments WHERE refunded_at IS NOT NULL
) x GROUP BY day, currency;
--> statement-breakpoint
-- Quiz questions of existing results, graded as the trigger grades new ones.
INSERT INTO result_question_marks (result_id, test_id, version, keys, wrong)
SELECT r.id, r.test_id, r.version, coalesce(array_agg(g.key), '{}'), coalesce(array_agg(g.key) FILTER (WHERE g.chosen IS DISTINCT FROM g.right_keys), '{}')
    FROM results r
    JOIN test_versions v ON v.id = r.version_id
    CROSS JOIN LATERAL (
      SELECT q.value->>'key' AS key,
        (SELECT coalesce(array_agg(DISTINCT c ORDER BY c), '{}') FROM (
           SELECT CASE WHEN q.value->>'type' = 'single' THEN a.answer->>'option' END AS c
           UNION ALL
           SELECT jsonb_array_elements_text(CASE WHEN q.value->>'type' = 'multiple' AND jsonb_typeof(a.answer->'options') = 'array'
                                                 THEN a.answer->'options' ELSE '[]'::jsonb END)
         ) x WHERE c IN (SELECT o->>'key' FROM jsonb_array_elements(q.value->'options') o)) AS chosen,
        (SELECT coalesce(array_agg(DISTINCT o->>'key' ORDER BY o->>'key'), '{}') FROM jsonb_array_elements(q.value->'options') o
          WHERE o->'correct' = 'true'::jsonb) AS right_keys
      FROM jsonb_array_elements(v.document->'questions') q
      LEFT JOIN attempt_answers a ON a.attempt_id = r.attempt_id AND a.question_key = q.value->>'key'
      WHERE q.value->>'type' IN ('single', 'multiple')
    ) g
    WHERE r.kind = 'quiz'
    GROUP BY r.id, r.test_id, r.version;
--> statement-breakpoint
INSERT INTO question_stats (test_id, version, question_key, answered, wrong)
SELECT m.test_id, m.version, k, count(*)::int, count(*) FILTER (WHERE k = ANY (m.wrong))::int
FROM result_question_marks m CROSS JOIN LATERAL unnest(m.keys) k
GROUP BY 1, 2, 3;
