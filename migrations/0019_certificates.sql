ALTER TABLE "courses" ADD COLUMN "outcomes" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "reports" ADD COLUMN "verify_code" text;--> statement-breakpoint
ALTER TABLE "reports" ADD COLUMN "revoked_at" timestamp with time zone;--> statement-breakpoint
CREATE UNIQUE INDEX "reports_verify_code_key" ON "reports" USING btree ("verify_code") WHERE "reports"."verify_code" is not null;--> statement-breakpoint
CREATE INDEX "reports_user_certificates_idx" ON "reports" USING btree ("user_id","created_at" DESC NULLS FIRST,"id" DESC NULLS FIRST) WHERE "reports"."kind" = 'certificate';--> statement-breakpoint
-- Certificates issued before verification codes existed get a random one (new ones are derived in the Worker).
UPDATE "reports" SET "verify_code" = upper(substr(h, 1, 4) || '-' || substr(h, 5, 4) || '-' || substr(h, 9, 4))
FROM (SELECT id AS rid, translate(md5(random()::text || id::text), '01', 'XY') AS h FROM "reports" WHERE "kind" = 'certificate' AND "verify_code" IS NULL) AS g
WHERE "reports"."id" = g.rid;
