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
-- lesson, an admin hiding a review) is counted in the same transaction, deletes included —
-- a watermark only sees new rows — and no other domain's code changes. The cost is one small
-- upsert per written row; concurrent writers of the same course and day wait on one rollup
-- row for the rest of their (short) transactions.
-- Decrements only UPDATE (never insert), so a cascade cannot recreate a deleted parent's row.

CREATE FUNCTION sabaq_utc_day(ts timestamptz) RETURNS date
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT (ts AT TIME ZONE 'UTC')::date $$;
--> statement-breakpoint

CREATE FUNCTION sabaq_course_day_add(c uuid, d date, e int, comp int, lc int, r int, rs int) RETURNS void
  LANGUAGE plpgsql AS $$
BEGIN
  IF c IS NULL OR d IS NULL OR (e = 0 AND comp = 0 AND lc = 0 AND r = 0 AND rs = 0) THEN RETURN; END IF;
  IF e < 0 OR comp < 0 OR lc < 0 OR r < 0 OR rs < 0 THEN
    UPDATE course_day_stats SET enrollments = enrollments + e, completions = completions + comp,
      lesson_completions = lesson_completions + lc, reviews = reviews + r, rating_sum = rating_sum + rs
    WHERE course_id = c AND day = d;
  ELSE
    INSERT INTO course_day_stats AS s (course_id, day, enrollments, completions, lesson_completions, reviews, rating_sum)
    VALUES (c, d, e, comp, lc, r, rs)
    ON CONFLICT (course_id, day) DO UPDATE SET enrollments = s.enrollments + e, completions = s.completions + comp,
      lesson_completions = s.lesson_completions + lc, reviews = s.reviews + r, rating_sum = s.rating_sum + rs;
  END IF;
END $$;
--> statement-breakpoint

-- enrollments: +1 enrollment on its creation day, +1 completion on its completion day.
CREATE FUNCTION sabaq_enrollments_rollup() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    IF TG_OP = 'DELETE' THEN PERFORM sabaq_course_day_add(OLD.course_id, sabaq_utc_day(OLD.created_at), -1, 0, 0, 0, 0); END IF;
    IF OLD.completed_at IS NOT NULL AND (TG_OP = 'DELETE' OR NEW.completed_at IS DISTINCT FROM OLD.completed_at) THEN
      PERFORM sabaq_course_day_add(OLD.course_id, sabaq_utc_day(OLD.completed_at), 0, -1, 0, 0, 0);
    END IF;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    IF TG_OP = 'INSERT' THEN PERFORM sabaq_course_day_add(NEW.course_id, sabaq_utc_day(NEW.created_at), 1, 0, 0, 0, 0); END IF;
    IF NEW.completed_at IS NOT NULL AND (TG_OP = 'INSERT' OR NEW.completed_at IS DISTINCT FROM OLD.completed_at) THEN
      PERFORM sabaq_course_day_add(NEW.course_id, sabaq_utc_day(NEW.completed_at), 0, 1, 0, 0, 0);
    END IF;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER enrollments_dashboard_rollup AFTER INSERT OR DELETE OR UPDATE OF completed_at ON enrollments
  FOR EACH ROW EXECUTE FUNCTION sabaq_enrollments_rollup();
--> statement-breakpoint

-- lesson_progress: the day's lesson completions, the lesson's funnel count, and the learner's
-- row (recounted from their progress in that course: exact after any insert or delete).
CREATE FUNCTION sabaq_learner_recount(c uuid, u uuid) RETURNS void LANGUAGE plpgsql AS $$
DECLARE n int; f timestamptz; l timestamptz; ll uuid;
BEGIN
  SELECT count(*), min(completed_at), max(completed_at) INTO n, f, l
    FROM lesson_progress WHERE user_id = u AND course_id = c;
  IF n = 0 THEN
    DELETE FROM course_learner_stats WHERE course_id = c AND user_id = u;
    RETURN;
  END IF;
  SELECT lesson_id INTO ll FROM lesson_progress WHERE user_id = u AND course_id = c ORDER BY completed_at DESC, lesson_id DESC LIMIT 1;
  IF NOT EXISTS (SELECT 1 FROM courses WHERE id = c) THEN RETURN; END IF;
  INSERT INTO course_learner_stats AS s (course_id, user_id, lessons_done, first_at, last_at, last_lesson_id)
  VALUES (c, u, n, f, l, ll)
  ON CONFLICT (course_id, user_id) DO UPDATE SET lessons_done = n, first_at = f, last_at = l, last_lesson_id = ll;
END $$;
--> statement-breakpoint
CREATE FUNCTION sabaq_lesson_progress_rollup() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM sabaq_course_day_add(NEW.course_id, sabaq_utc_day(NEW.completed_at), 0, 0, 1, 0, 0);
    INSERT INTO lesson_stats AS s (lesson_id, course_id, completions) VALUES (NEW.lesson_id, NEW.course_id, 1)
      ON CONFLICT (lesson_id) DO UPDATE SET completions = s.completions + 1;
    PERFORM sabaq_learner_recount(NEW.course_id, NEW.user_id);
  ELSE
    PERFORM sabaq_course_day_add(OLD.course_id, sabaq_utc_day(OLD.completed_at), 0, 0, -1, 0, 0);
    UPDATE lesson_stats SET completions = completions - 1 WHERE lesson_id = OLD.lesson_id;
    PERFORM sabaq_learner_recount(OLD.course_id, OLD.user_id);
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER lesson_progress_dashboard_rollup AFTER INSERT OR DELETE ON lesson_progress
  FOR EACH ROW EXECUTE FUNCTION sabaq_lesson_progress_rollup();
--> statement-breakpoint

-- reviews: visible reviews and their stars on the day they were written (hide = remove).
CREATE FUNCTION sabaq_reviews_rollup() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') AND NOT OLD.hidden THEN
    PERFORM sabaq_course_day_add(OLD.course_id, sabaq_utc_day(OLD.created_at), 0, 0, 0, -1, -OLD.rating);
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') AND NOT NEW.hidden THEN
    PERFORM sabaq_course_day_add(NEW.course_id, sabaq_utc_day(NEW.created_at), 0, 0, 0, 1, NEW.rating);
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER reviews_dashboard_rollup AFTER INSERT OR DELETE OR UPDATE OF hidden, rating, course_id, created_at ON reviews
  FOR EACH ROW EXECUTE FUNCTION sabaq_reviews_rollup();
--> statement-breakpoint

-- results: one submission per result, on its submission day; and for quizzes, each choice
-- question graded as assessments/scoring.ts grades it (right only when the chosen set of
-- known options equals the set of correct ones), kept per result so a delete takes it back.
CREATE FUNCTION sabaq_results_rollup() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE m result_question_marks%ROWTYPE;
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO test_day_submissions AS s (test_id, day, submissions) VALUES (NEW.test_id, sabaq_utc_day(NEW.submitted_at), 1)
      ON CONFLICT (test_id, day) DO UPDATE SET submissions = s.submissions + 1;
    IF NEW.kind = 'quiz' THEN
      INSERT INTO result_question_marks (result_id, test_id, version, keys, wrong)
      SELECT NEW.id, NEW.test_id, NEW.version, coalesce(array_agg(g.key), '{}'), coalesce(array_agg(g.key) FILTER (WHERE g.chosen IS DISTINCT FROM g.right_keys), '{}')
      FROM (
        SELECT q.value->>'key' AS key,
          (SELECT coalesce(array_agg(DISTINCT c ORDER BY c), '{}') FROM (
             SELECT CASE WHEN q.value->>'type' = 'single' THEN a.answer->>'option' END AS c
             UNION ALL
             SELECT jsonb_array_elements_text(CASE WHEN q.value->>'type' = 'multiple' AND jsonb_typeof(a.answer->'options') = 'array'
                                                   THEN a.answer->'options' ELSE '[]'::jsonb END)
           ) x WHERE c IN (SELECT o->>'key' FROM jsonb_array_elements(q.value->'options') o)) AS chosen,
          (SELECT coalesce(array_agg(DISTINCT o->>'key' ORDER BY o->>'key'), '{}') FROM jsonb_array_elements(q.value->'options') o
            WHERE o->'correct' = 'true'::jsonb) AS right_keys
        FROM test_versions v
        CROSS JOIN LATERAL jsonb_array_elements(v.document->'questions') q
        LEFT JOIN attempt_answers a ON a.attempt_id = NEW.attempt_id AND a.question_key = q.value->>'key'
        WHERE v.id = NEW.version_id AND q.value->>'type' IN ('single', 'multiple')
      ) g
      ON CONFLICT (result_id) DO NOTHING
      RETURNING * INTO m;
      IF m.result_id IS NOT NULL AND EXISTS (SELECT 1 FROM tests WHERE id = NEW.test_id) THEN
        INSERT INTO question_stats AS s (test_id, version, question_key, answered, wrong)
        SELECT NEW.test_id, NEW.version, k, 1, (k = ANY (m.wrong))::int FROM unnest(m.keys) k
        ON CONFLICT (test_id, version, question_key) DO UPDATE SET answered = s.answered + 1, wrong = s.wrong + excluded.wrong;
      END IF;
    END IF;
  ELSE
    UPDATE test_day_submissions SET submissions = submissions - 1 WHERE test_id = OLD.test_id AND day = sabaq_utc_day(OLD.submitted_at);
    DELETE FROM result_question_marks WHERE result_id = OLD.id RETURNING * INTO m;
    IF m.result_id IS NOT NULL THEN
      UPDATE question_stats s SET answered = s.answered - 1, wrong = s.wrong - (s.question_key = ANY (m.wrong))::int
      WHERE s.test_id = m.test_id AND s.version = m.version AND s.question_key = ANY (m.keys);
    END IF;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER results_dashboard_rollup AFTER INSERT OR DELETE ON results
  FOR EACH ROW EXECUTE FUNCTION sabaq_results_rollup();
--> statement-breakpoint

-- users: registrations per day and role.
CREATE FUNCTION sabaq_users_rollup() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    UPDATE registration_day_stats SET registrations = registrations - 1 WHERE day = sabaq_utc_day(OLD.created_at) AND role = OLD.role;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO registration_day_stats AS s (day, role, registrations) VALUES (sabaq_utc_day(NEW.created_at), NEW.role, 1)
      ON CONFLICT (day, role) DO UPDATE SET registrations = s.registrations + 1;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER users_dashboard_rollup AFTER INSERT OR DELETE OR UPDATE OF role, created_at ON users
  FOR EACH ROW EXECUTE FUNCTION sabaq_users_rollup();
--> statement-breakpoint

-- payments: succeeded volume on the day it succeeded, refunds on the day of the refund.
CREATE FUNCTION sabaq_payment_day_add(d date, cur text, s int, sa bigint, r int, ra bigint) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF d IS NULL THEN RETURN; END IF;
  IF s < 0 OR r < 0 THEN
    UPDATE payment_day_stats SET succeeded = succeeded + s, succeeded_amount = succeeded_amount + sa,
      refunded = refunded + r, refunded_amount = refunded_amount + ra WHERE day = d AND currency = cur;
  ELSE
    INSERT INTO payment_day_stats AS p (day, currency, succeeded, succeeded_amount, refunded, refunded_amount)
    VALUES (d, cur, s, sa, r, ra)
    ON CONFLICT (day, currency) DO UPDATE SET succeeded = p.succeeded + s, succeeded_amount = p.succeeded_amount + sa,
      refunded = p.refunded + r, refunded_amount = p.refunded_amount + ra;
  END IF;
END $$;
--> statement-breakpoint
CREATE FUNCTION sabaq_payments_rollup() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    PERFORM sabaq_payment_day_add(sabaq_utc_day(OLD.succeeded_at), OLD.currency, -1, -OLD.amount, 0, 0);
    PERFORM sabaq_payment_day_add(sabaq_utc_day(OLD.refunded_at), OLD.currency, 0, 0, -1, -OLD.amount);
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    PERFORM sabaq_payment_day_add(sabaq_utc_day(NEW.succeeded_at), NEW.currency, 1, NEW.amount, 0, 0);
    PERFORM sabaq_payment_day_add(sabaq_utc_day(NEW.refunded_at), NEW.currency, 0, 0, 1, NEW.amount);
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER payments_dashboard_rollup AFTER INSERT OR DELETE OR UPDATE OF succeeded_at, refunded_at, amount, currency ON payments
  FOR EACH ROW EXECUTE FUNCTION sabaq_payments_rollup();
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
