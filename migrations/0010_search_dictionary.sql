CREATE TABLE "search_words" (
	"word" text PRIMARY KEY NOT NULL
);
--> statement-breakpoint
CREATE INDEX "search_words_trgm_idx" ON "search_words" USING gist ("word" gist_trgm_ops);--> statement-breakpoint
-- Hand-written (drizzle cannot express triggers): the dictionary follows the course titles.
-- Words are inserted in sorted order so two transactions adding overlapping words cannot deadlock.
CREATE OR REPLACE FUNCTION sabaq_search_words_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO search_words (word)
  SELECT DISTINCT w FROM regexp_split_to_table(NEW.search_title, '[^[:alnum:]]+') AS w
  WHERE length(w) >= 3
  ORDER BY w
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER courses_search_words AFTER INSERT OR UPDATE OF title ON courses
  FOR EACH ROW EXECUTE FUNCTION sabaq_search_words_add();
--> statement-breakpoint
INSERT INTO search_words (word)
SELECT DISTINCT w FROM courses, regexp_split_to_table(courses.search_title, '[^[:alnum:]]+') AS w
WHERE length(w) >= 3
ON CONFLICT DO NOTHING;
