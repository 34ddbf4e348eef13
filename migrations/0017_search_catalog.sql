ALTER TABLE "test_versions" ADD COLUMN "search_vector" "tsvector" GENERATED ALWAYS AS (
  setweight(to_tsvector('russian', coalesce(document->'title'->>'ru', '')), 'A') ||
  setweight(to_tsvector('english', coalesce(document->'title'->>'en', '')), 'A') ||
  setweight(to_tsvector('simple', translate(lower(coalesce(document->'title'->>'kk', '')), 'әғқңөұүһі', 'агкноуухи')), 'A') ||
  setweight(to_tsvector('russian', coalesce(document->'description'->>'ru', '')), 'C') ||
  setweight(to_tsvector('english', coalesce(document->'description'->>'en', '')), 'C') ||
  setweight(to_tsvector('simple', translate(lower(coalesce(document->'description'->>'kk', '')), 'әғқңөұүһі', 'агкноуухи')), 'C')) STORED;--> statement-breakpoint
CREATE INDEX "courses_popularity_idx" ON "courses" USING btree ("enrollment_count" DESC NULLS FIRST,"id" DESC NULLS FIRST) WHERE "courses"."published";--> statement-breakpoint
CREATE INDEX "test_versions_search_idx" ON "test_versions" USING gin ("search_vector") WHERE "test_versions"."status" = 'published';--> statement-breakpoint
CREATE INDEX "search_words_prefix_idx" ON "search_words" USING btree ("word" text_pattern_ops);--> statement-breakpoint
-- Hand-written (drizzle cannot express triggers): published test titles feed the dictionary of
-- title words too, so typo correction and suggestions know the words of tests. Folded like
-- courses.search_title; sorted so overlapping inserts cannot deadlock (as sabaq_search_words_add).
CREATE OR REPLACE FUNCTION sabaq_search_words_add_test() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.status = 'published' THEN
    INSERT INTO search_words (word)
    SELECT DISTINCT w FROM regexp_split_to_table(
      translate(lower(coalesce(NEW.document->'title'->>'ru', '') || ' ' || coalesce(NEW.document->'title'->>'kk', '') || ' ' || coalesce(NEW.document->'title'->>'en', '')), 'әғқңөұүһі', 'агкноуухи'),
      '[^[:alnum:]]+') AS w
    WHERE length(w) >= 3
    ORDER BY w
    ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER test_versions_search_words AFTER INSERT OR UPDATE OF status, document ON test_versions
  FOR EACH ROW EXECUTE FUNCTION sabaq_search_words_add_test();
--> statement-breakpoint
INSERT INTO search_words (word)
SELECT DISTINCT w FROM test_versions v, regexp_split_to_table(
  translate(lower(coalesce(v.document->'title'->>'ru', '') || ' ' || coalesce(v.document->'title'->>'kk', '') || ' ' || coalesce(v.document->'title'->>'en', '')), 'әғқңөұүһі', 'агкноуухи'),
  '[^[:alnum:]]+') AS w
WHERE v.status = 'published' AND length(w) >= 3
ON CONFLICT DO NOTHING;
