CREATE TYPE "public"."game_status" AS ENUM('running', 'ended');--> statement-breakpoint
CREATE TABLE "game_answers" (
	"game_id" uuid NOT NULL,
	"seat_id" text NOT NULL,
	"question_index" integer NOT NULL,
	"question_key" text NOT NULL,
	"answer" jsonb NOT NULL,
	"correct" boolean NOT NULL,
	"points" integer NOT NULL,
	"elapsed_ms" integer NOT NULL,
	CONSTRAINT "game_answers_pkey" PRIMARY KEY("game_id","seat_id","question_index")
);
--> statement-breakpoint
CREATE TABLE "game_players" (
	"game_id" uuid NOT NULL,
	"seat_id" text NOT NULL,
	"nickname" text NOT NULL,
	"user_id" uuid,
	"score" integer NOT NULL,
	"correct" integer NOT NULL,
	"place" integer NOT NULL,
	"joined_at" timestamp with time zone NOT NULL,
	CONSTRAINT "game_players_pkey" PRIMARY KEY("game_id","seat_id")
);
--> statement-breakpoint
CREATE TABLE "games" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"pin" text NOT NULL,
	"host_id" uuid NOT NULL,
	"test_id" uuid NOT NULL,
	"version_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"title" jsonb NOT NULL,
	"questions" jsonb NOT NULL,
	"status" "game_status" DEFAULT 'running' NOT NULL,
	"player_count" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"ended_at" timestamp with time zone,
	CONSTRAINT "games_pin_check" CHECK ("games"."pin" ~ '^[0-9]{6}$')
);
--> statement-breakpoint
ALTER TABLE "game_answers" ADD CONSTRAINT "game_answers_game_id_games_id_fk" FOREIGN KEY ("game_id") REFERENCES "public"."games"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "game_players" ADD CONSTRAINT "game_players_game_id_games_id_fk" FOREIGN KEY ("game_id") REFERENCES "public"."games"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "game_players" ADD CONSTRAINT "game_players_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "games" ADD CONSTRAINT "games_host_id_users_id_fk" FOREIGN KEY ("host_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "games" ADD CONSTRAINT "games_test_id_tests_id_fk" FOREIGN KEY ("test_id") REFERENCES "public"."tests"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "games" ADD CONSTRAINT "games_version_id_test_versions_id_fk" FOREIGN KEY ("version_id") REFERENCES "public"."test_versions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "game_players_nickname_key" ON "game_players" USING btree ("game_id","nickname");--> statement-breakpoint
CREATE INDEX "game_players_user_idx" ON "game_players" USING btree ("user_id") WHERE "game_players"."user_id" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "games_running_pin_key" ON "games" USING btree ("pin") WHERE "games"."status" = 'running';--> statement-breakpoint
CREATE INDEX "games_host_created_idx" ON "games" USING btree ("host_id","created_at" DESC NULLS FIRST);