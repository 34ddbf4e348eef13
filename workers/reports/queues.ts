/** Queue names as in wrangler.toml (the same in every environment). */
export const REPORTS_QUEUE_NAME = 'sabaq-reports';
export const REPORTS_DLQ_NAME = 'sabaq-reports-dlq';
