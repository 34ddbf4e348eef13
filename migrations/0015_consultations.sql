CREATE TYPE "public"."availability_exception_kind" AS ENUM('off', 'extra');--> statement-breakpoint
CREATE TYPE "public"."booking_status" AS ENUM('hold', 'confirmed', 'expired', 'cancelled', 'completed', 'no_show');--> statement-breakpoint
CREATE TABLE "availability_exceptions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"specialist_id" uuid NOT NULL,
	"date" date NOT NULL,
	"kind" "availability_exception_kind" NOT NULL,
	"start_minute" smallint,
	"end_minute" smallint,
	CONSTRAINT "availability_exceptions_range_check" CHECK (("availability_exceptions"."start_minute" is null and "availability_exceptions"."end_minute" is null and "availability_exceptions"."kind" = 'off') or ("availability_exceptions"."start_minute" >= 0 and "availability_exceptions"."end_minute" <= 1440 and "availability_exceptions"."start_minute" < "availability_exceptions"."end_minute"))
);
--> statement-breakpoint
CREATE TABLE "availability_rules" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"specialist_id" uuid NOT NULL,
	"weekday" smallint NOT NULL,
	"start_minute" smallint NOT NULL,
	"end_minute" smallint NOT NULL,
	CONSTRAINT "availability_rules_weekday_check" CHECK ("availability_rules"."weekday" between 1 and 7),
	CONSTRAINT "availability_rules_range_check" CHECK ("availability_rules"."start_minute" >= 0 and "availability_rules"."end_minute" <= 1440 and "availability_rules"."start_minute" < "availability_rules"."end_minute")
);
--> statement-breakpoint
CREATE TABLE "bookings" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"specialist_id" uuid NOT NULL,
	"client_id" uuid NOT NULL,
	"child_id" uuid,
	"session_type_id" uuid NOT NULL,
	"starts_at" timestamp with time zone NOT NULL,
	"ends_at" timestamp with time zone NOT NULL,
	"occupied_until" timestamp with time zone NOT NULL,
	"status" "booking_status" NOT NULL,
	"hold_expires_at" timestamp with time zone,
	"amount" integer NOT NULL,
	"currency" text NOT NULL,
	"payment_id" uuid,
	"confirmed_at" timestamp with time zone,
	"cancelled_at" timestamp with time zone,
	"cancelled_by" text,
	"refund" text DEFAULT 'none' NOT NULL,
	"reminded_24_at" timestamp with time zone,
	"reminded_1_at" timestamp with time zone,
	"note" text,
	"review_rating" smallint,
	"review_text" text,
	"reviewed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "bookings_range_check" CHECK ("bookings"."starts_at" < "bookings"."ends_at" and "bookings"."ends_at" <= "bookings"."occupied_until"),
	CONSTRAINT "bookings_review_check" CHECK ("bookings"."review_rating" is null or "bookings"."review_rating" between 1 and 5),
	CONSTRAINT "bookings_hold_check" CHECK ("bookings"."status" <> 'hold' or "bookings"."hold_expires_at" is not null)
);
--> statement-breakpoint
CREATE TABLE "specialist_session_types" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"specialist_id" uuid NOT NULL,
	"duration_minutes" smallint NOT NULL,
	"price_amount" integer NOT NULL,
	"currency" text DEFAULT 'KZT' NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "session_types_duration_check" CHECK ("specialist_session_types"."duration_minutes" between 15 and 240),
	CONSTRAINT "session_types_price_check" CHECK ("specialist_session_types"."price_amount" >= 0),
	CONSTRAINT "session_types_currency_check" CHECK ("specialist_session_types"."currency" in ('KZT', 'RUB', 'USD'))
);
--> statement-breakpoint
CREATE TABLE "specialists" (
	"id" uuid PRIMARY KEY NOT NULL,
	"bio" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"photo_url" text,
	"languages" text[] DEFAULT '{}'::text[] NOT NULL,
	"specialties" text[] DEFAULT '{}'::text[] NOT NULL,
	"time_zone" text DEFAULT 'Asia/Almaty' NOT NULL,
	"buffer_minutes" smallint DEFAULT 10 NOT NULL,
	"verified" boolean DEFAULT false NOT NULL,
	"verified_at" timestamp with time zone,
	"min_price" integer,
	"rating_sum" integer DEFAULT 0 NOT NULL,
	"rating_count" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "specialists_buffer_check" CHECK ("specialists"."buffer_minutes" between 0 and 120)
);
--> statement-breakpoint
ALTER TABLE "availability_exceptions" ADD CONSTRAINT "availability_exceptions_specialist_id_specialists_id_fk" FOREIGN KEY ("specialist_id") REFERENCES "public"."specialists"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "availability_rules" ADD CONSTRAINT "availability_rules_specialist_id_specialists_id_fk" FOREIGN KEY ("specialist_id") REFERENCES "public"."specialists"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bookings" ADD CONSTRAINT "bookings_specialist_id_specialists_id_fk" FOREIGN KEY ("specialist_id") REFERENCES "public"."specialists"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bookings" ADD CONSTRAINT "bookings_client_id_users_id_fk" FOREIGN KEY ("client_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bookings" ADD CONSTRAINT "bookings_child_id_children_id_fk" FOREIGN KEY ("child_id") REFERENCES "public"."children"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bookings" ADD CONSTRAINT "bookings_session_type_id_specialist_session_types_id_fk" FOREIGN KEY ("session_type_id") REFERENCES "public"."specialist_session_types"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bookings" ADD CONSTRAINT "bookings_payment_id_payments_id_fk" FOREIGN KEY ("payment_id") REFERENCES "public"."payments"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "specialist_session_types" ADD CONSTRAINT "specialist_session_types_specialist_id_specialists_id_fk" FOREIGN KEY ("specialist_id") REFERENCES "public"."specialists"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "specialists" ADD CONSTRAINT "specialists_id_users_id_fk" FOREIGN KEY ("id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "availability_exceptions_specialist_idx" ON "availability_exceptions" USING btree ("specialist_id","date");--> statement-breakpoint
CREATE INDEX "availability_rules_specialist_idx" ON "availability_rules" USING btree ("specialist_id");--> statement-breakpoint
CREATE INDEX "bookings_client_idx" ON "bookings" USING btree ("client_id","starts_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "bookings_specialist_idx" ON "bookings" USING btree ("specialist_id","starts_at","id");--> statement-breakpoint
CREATE INDEX "bookings_hold_idx" ON "bookings" USING btree ("hold_expires_at") WHERE "bookings"."status" = 'hold';--> statement-breakpoint
CREATE INDEX "bookings_reminder_idx" ON "bookings" USING btree ("starts_at") WHERE "bookings"."status" = 'confirmed';--> statement-breakpoint
CREATE INDEX "bookings_refund_idx" ON "bookings" USING btree ("updated_at") WHERE "bookings"."refund" = 'pending';--> statement-breakpoint
CREATE INDEX "session_types_specialist_idx" ON "specialist_session_types" USING btree ("specialist_id");--> statement-breakpoint
CREATE INDEX "specialists_directory_idx" ON "specialists" USING btree ("created_at" DESC NULLS LAST,"id" DESC NULLS LAST) WHERE "specialists"."verified";--> statement-breakpoint
CREATE INDEX "specialists_specialties_idx" ON "specialists" USING gin ("specialties");--> statement-breakpoint
CREATE INDEX "specialists_languages_idx" ON "specialists" USING gin ("languages");--> statement-breakpoint
CREATE EXTENSION IF NOT EXISTS btree_gist;--> statement-breakpoint
-- Double booking is impossible by construction: two live bookings (hold or confirmed) of one
-- specialist never overlap, the buffer after each session (occupied_until) included.
ALTER TABLE "bookings" ADD CONSTRAINT "bookings_no_overlap" EXCLUDE USING gist ("specialist_id" WITH =, tstzrange("starts_at", "occupied_until", '[)') WITH &&) WHERE ("status" IN ('hold', 'confirmed'));--> statement-breakpoint
-- Weekly hours of one weekday never overlap.
ALTER TABLE "availability_rules" ADD CONSTRAINT "availability_rules_no_overlap" EXCLUDE USING gist ("specialist_id" WITH =, "weekday" WITH =, int4range("start_minute", "end_minute") WITH &&);
