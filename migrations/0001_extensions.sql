-- Trigram similarity for typo-tolerant search (Neon ships pg_trgm too).
CREATE EXTENSION IF NOT EXISTS pg_trgm;
--> statement-breakpoint
-- array_to_string is only STABLE; generated columns need an IMMUTABLE function (it is, for text[]).
CREATE OR REPLACE FUNCTION sabaq_join_words(text[]) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT array_to_string($1, ' ') $$;
