/**
 * Ordered, append-only migrations for the lead ledger. Never edit one that has shipped: add the next.
 */
export const MIGRATIONS: { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: 'lead events and effects',
    sql: `
      CREATE TABLE lead_events (
        id              bigserial PRIMARY KEY,
        lead_id         text        NOT NULL,
        type            text        NOT NULL,
        occurred_at     timestamptz NOT NULL,
        recorded_at     timestamptz NOT NULL DEFAULT now(),
        idempotency_key text        NOT NULL UNIQUE,
        data            jsonb       NOT NULL DEFAULT '{}'
      );
      CREATE INDEX lead_events_lead_idx ON lead_events (lead_id, occurred_at);
      CREATE INDEX lead_events_type_idx ON lead_events (type, occurred_at);

      -- One row per side effect that must happen at most once (an email, a Zoho task), keyed by the
      -- touch's idempotency key. A retried activity finds the row and returns the stored reference.
      CREATE TABLE effects (
        key          text        PRIMARY KEY,
        lead_id      text        NOT NULL,
        kind         text        NOT NULL,
        ref          text        NOT NULL,
        completed_at timestamptz NOT NULL DEFAULT now()
      );
    `,
  },
  {
    version: 2,
    name: 'opt-outs',
    sql: `
      -- Forever: an opted-out person is never enrolled or touched again, whatever the source.
      CREATE TABLE opt_outs (
        lead_id      text        PRIMARY KEY,
        opted_out_at timestamptz NOT NULL,
        source       text        NOT NULL
      );
    `,
  },
  {
    version: 3,
    name: 'signed webhook deliveries',
    sql: `
      -- A signed delivery is accepted once: the same signature again is a replay.
      CREATE TABLE webhook_deliveries (
        signature   text        PRIMARY KEY,
        received_at timestamptz NOT NULL DEFAULT now()
      );
    `,
  },
  {
    version: 4,
    name: 'web app: lead views, accounts, sessions, imports',
    sql: `
      -- The lead as lists and queues need it, written by the workflow on every change (domain/lead-view.ts).
      CREATE TABLE lead_views (
        lead_id      text        PRIMARY KEY,
        owner        text,
        closer       text,
        stage        text        NOT NULL,
        country      text        NOT NULL,
        course_code  text        NOT NULL,
        next_step_at timestamptz,
        sla_status   text        NOT NULL,
        stalled      boolean     NOT NULL,
        search       text        NOT NULL,
        revision     int         NOT NULL,
        created_at   timestamptz NOT NULL,
        updated_at   timestamptz NOT NULL DEFAULT now(),
        view         jsonb       NOT NULL
      );
      CREATE INDEX lead_views_owner_idx ON lead_views (owner, next_step_at);
      CREATE INDEX lead_views_closer_idx ON lead_views (closer);

      CREATE TABLE users (
        id            bigserial   PRIMARY KEY,
        email         text        NOT NULL UNIQUE,
        name          text        NOT NULL,
        role          text        NOT NULL CHECK (role IN ('executive', 'closer', 'director')),
        password_hash text        NOT NULL,
        active        boolean     NOT NULL DEFAULT true,
        created_at    timestamptz NOT NULL DEFAULT now()
      );

      -- Only a hash of the session token is stored: a leaked table opens no session.
      CREATE TABLE sessions (
        token_hash  text        PRIMARY KEY,
        user_id     bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        csrf_token  text        NOT NULL,
        expires_at  timestamptz NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now()
      );

      -- Failed logins, by account and by address, for the rate limit.
      CREATE TABLE login_failures (
        id        bigserial   PRIMARY KEY,
        email     text        NOT NULL,
        ip        text        NOT NULL,
        failed_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX login_failures_email_idx ON login_failures (email, failed_at);
      CREATE INDEX login_failures_ip_idx ON login_failures (ip, failed_at);

      -- An uploaded file waiting for confirmation, and every row ever enrolled from a file: the same
      -- row uploaded again is recognised and nobody is enrolled or signalled twice.
      CREATE TABLE imports (
        id          text        PRIMARY KEY,
        user_email  text        NOT NULL,
        file_name   text        NOT NULL,
        rows        jsonb       NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now(),
        result      jsonb
      );
      CREATE TABLE imported_rows (
        row_hash    text        PRIMARY KEY,
        lead_id     text        NOT NULL,
        outcome     text        NOT NULL,
        imported_at timestamptz NOT NULL DEFAULT now()
      );
    `,
  },
  {
    version: 5,
    name: 'routing: pools, caps, assignments, the waiting queue',
    sql: `
      -- Pools an executive serves (empty: the default pool), their cap of active leads, and "away".
      ALTER TABLE users ADD COLUMN pools text[] NOT NULL DEFAULT '{}';
      ALTER TABLE users ADD COLUMN cap int NOT NULL DEFAULT 40 CHECK (cap >= 0);
      ALTER TABLE users ADD COLUMN away boolean NOT NULL DEFAULT false;
      ALTER TABLE users ADD COLUMN last_assigned_at timestamptz;

      -- Who holds each lead and whether it still takes up their capacity; written in the same
      -- transaction as the decision, so concurrent decisions always see each other.
      CREATE TABLE assignments (
        lead_id     text        PRIMARY KEY,
        owner       text        NOT NULL,
        active      boolean     NOT NULL DEFAULT true,
        assigned_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX assignments_owner_idx ON assignments (owner) WHERE active;

      -- Leads waiting because everyone eligible is at their cap.
      CREATE TABLE routing_queue (
        lead_id   text        PRIMARY KEY,
        pool      text        NOT NULL,
        queued_at timestamptz NOT NULL DEFAULT now()
      );
    `,
  },
];
