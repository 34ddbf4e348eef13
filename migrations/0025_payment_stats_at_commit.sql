-- Every payment that succeeds or is refunded adds to one row of payment_day_stats per day and
-- currency: a row every settlement of the day locks. Run when the payment changed, the trigger
-- held that lock through the rest of the settlement's transaction (granting access, the
-- notification: round trips), and settlements queued behind each other (~130 ms each under the
-- enrollment bench). Deferred to COMMIT, it holds the lock for the commit only.
DROP TRIGGER IF EXISTS payments_dashboard_update ON payments;--> statement-breakpoint
CREATE CONSTRAINT TRIGGER payments_dashboard_update AFTER UPDATE OF succeeded_at, refunded_at, amount, currency ON payments
  DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW WHEN (OLD.succeeded_at IS DISTINCT FROM NEW.succeeded_at OR OLD.refunded_at IS DISTINCT FROM NEW.refunded_at
    OR OLD.amount IS DISTINCT FROM NEW.amount OR OLD.currency IS DISTINCT FROM NEW.currency)
  EXECUTE FUNCTION sabaq_payments_update();
