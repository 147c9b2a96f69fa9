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
];
