/**
 * How long logs are kept, in days: one source for the constructs that set
 * retention and the checks that verify it (LOG-2, LOG-3, NET-5, NET-6).
 */
export const LOG_RETENTION_DAYS = 365;

/** LOG-1: the audit trail is kept five years, counting a leap day. */
export const TRAIL_RETENTION_DAYS = 1827;
