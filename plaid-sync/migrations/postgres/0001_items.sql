-- plaid-sync schema 1 (PostgreSQL). Times are microseconds since the Unix epoch.
-- No access token is stored here: the application supplies them (see `AccessTokens`).
CREATE TABLE plaid_sync_items (
    item_id                TEXT PRIMARY KEY NOT NULL,
    -- The cursor committed with the application's rows; NULL until the first complete pass.
    cursor                 TEXT,
    status                 TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'needs_user')),
    needs_user_reason      TEXT,
    -- Pending work: a pass is due while requested_generation > synced_generation.
    requested_generation   BIGINT NOT NULL DEFAULT 1,
    claimed_generation     BIGINT NOT NULL DEFAULT 0,
    synced_generation      BIGINT NOT NULL DEFAULT 0,
    pending_since_us       BIGINT,
    -- The lease: who may sync the Item now, until when, and the fencing token of that claim.
    lease_owner            TEXT,
    lease_token            BIGINT NOT NULL DEFAULT 0,
    lease_expires_us       BIGINT,
    -- Backoff and per-Item pacing: no claim before this time.
    not_before_us          BIGINT NOT NULL DEFAULT 0,
    failures               INTEGER NOT NULL DEFAULT 0,
    last_error             TEXT,
    last_error_us          BIGINT,
    last_success_us        BIGINT,
    passes                 BIGINT NOT NULL DEFAULT 0,
    new_accounts_available BOOLEAN NOT NULL DEFAULT FALSE,
    created_us             BIGINT NOT NULL
);

CREATE INDEX plaid_sync_items_due ON plaid_sync_items (not_before_us)
    WHERE status = 'active' AND requested_generation > synced_generation;

-- What each webhook handed to `Store::record_webhook` meant, no-ops included.
CREATE TABLE plaid_sync_webhooks (
    id           BIGSERIAL PRIMARY KEY,
    received_us  BIGINT NOT NULL,
    webhook_type TEXT NOT NULL,
    webhook_code TEXT NOT NULL,
    item_id      TEXT,
    outcome      TEXT NOT NULL
);

-- Shared GCRA buckets (per client and endpoint): the theoretical arrival time.
CREATE TABLE plaid_sync_pacing (
    bucket TEXT PRIMARY KEY NOT NULL,
    tat_us BIGINT NOT NULL
);
