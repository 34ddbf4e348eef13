DROP INDEX "courses_published_created_idx";--> statement-breakpoint
DROP INDEX "courses_featured_idx";--> statement-breakpoint
DROP INDEX "courses_category_idx";--> statement-breakpoint
DROP INDEX "courses_rating_idx";--> statement-breakpoint
DROP INDEX "notifications_user_created_idx";--> statement-breakpoint
DROP INDEX "enrollments_user_created_idx";--> statement-breakpoint
DROP INDEX "favorites_user_created_idx";--> statement-breakpoint
DROP INDEX "reviews_course_visible_idx";--> statement-breakpoint
DROP INDEX "attempts_user_idx";--> statement-breakpoint
DROP INDEX "reports_user_idx";--> statement-breakpoint
DROP INDEX "results_user_created_idx";--> statement-breakpoint
DROP INDEX "results_child_created_idx";--> statement-breakpoint
DROP INDEX "tests_author_idx";--> statement-breakpoint
DROP INDEX "tests_published_idx";--> statement-breakpoint
CREATE INDEX "courses_level_idx" ON "courses" USING btree ("level","published_at" DESC NULLS FIRST,"id" DESC NULLS FIRST) WHERE "courses"."published";--> statement-breakpoint
CREATE INDEX "courses_language_idx" ON "courses" USING btree ("language","published_at" DESC NULLS FIRST,"id" DESC NULLS FIRST) WHERE "courses"."published";--> statement-breakpoint
CREATE INDEX "lesson_progress_lesson_idx" ON "lesson_progress" USING btree ("lesson_id");--> statement-breakpoint
CREATE INDEX "courses_published_created_idx" ON "courses" USING btree ("published_at" DESC NULLS FIRST,"id" DESC NULLS FIRST) WHERE "courses"."published";--> statement-breakpoint
CREATE INDEX "courses_featured_idx" ON "courses" USING btree ("published_at" DESC NULLS FIRST,"id" DESC NULLS FIRST) WHERE "courses"."published" and "courses"."featured";--> statement-breakpoint
CREATE INDEX "courses_category_idx" ON "courses" USING btree ("category_id","published_at" DESC NULLS FIRST,"id" DESC NULLS FIRST) WHERE "courses"."published";--> statement-breakpoint
CREATE INDEX "courses_rating_idx" ON "courses" USING btree ("rating_avg" DESC NULLS FIRST,"id" DESC NULLS FIRST) WHERE "courses"."published";--> statement-breakpoint
CREATE INDEX "notifications_user_created_idx" ON "notifications" USING btree ("user_id","created_at" DESC NULLS FIRST,"id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "enrollments_user_created_idx" ON "enrollments" USING btree ("user_id","created_at" DESC NULLS FIRST,"id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "favorites_user_created_idx" ON "favorites" USING btree ("user_id","created_at" DESC NULLS FIRST,"course_id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "reviews_course_visible_idx" ON "reviews" USING btree ("course_id","created_at" DESC NULLS FIRST,"id" DESC NULLS FIRST) WHERE not "reviews"."hidden";--> statement-breakpoint
CREATE INDEX "attempts_user_idx" ON "attempts" USING btree ("user_id","created_at" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "reports_user_idx" ON "reports" USING btree ("user_id","created_at" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "results_user_created_idx" ON "results" USING btree ("user_id","created_at" DESC NULLS FIRST,"id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "results_child_created_idx" ON "results" USING btree ("child_id","created_at" DESC NULLS FIRST,"id" DESC NULLS FIRST) WHERE "results"."child_id" is not null;--> statement-breakpoint
CREATE INDEX "tests_author_idx" ON "tests" USING btree ("author_id","created_at" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "tests_published_idx" ON "tests" USING btree ("published_at" DESC NULLS FIRST,"id" DESC NULLS FIRST) WHERE "tests"."published_version" is not null;