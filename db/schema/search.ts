import { sql } from 'drizzle-orm';
import { index, pgTable, text } from 'drizzle-orm/pg-core';

/**
 * The distinct words of course titles (folded like `courses.search_title`), kept by a trigger
 * on courses (migration search_dictionary). Typo tolerance corrects each query word against
 * this small table with a trigram KNN lookup, then searches the courses with the corrected
 * words over the full-text GIN index — instead of trigram-ranking thousands of course rows
 * per query (pg_trgm's documentation recommends this for spelling suggestions). Words are
 * only added; a word whose courses are gone costs a row and corrects nothing wrongly.
 */
export const searchWords = pgTable(
  'search_words',
  {
    word: text('word').primaryKey(),
  },
  (t) => [
    index('search_words_trgm_idx').using('gist', sql`${t.word} gist_trgm_ops`),
    // Suggestions complete the word being typed by prefix: a range scan, whatever the collation.
    index('search_words_prefix_idx').using('btree', sql`${t.word} text_pattern_ops`),
  ],
);
