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
  {
    version: 6,
    name: 'idempotent outcomes and commands',
    sql: `
      -- An Idempotency-Key (API) or form key (web app) used on a lead: the update id it became, the
      -- workflow run it is bound to (Temporal remembers update ids per run, so a retry after a
      -- continue-as-new must ask the run the update landed in), and a hash of the request, so that
      -- the same key with a different request is refused instead of answered with the first result.
      CREATE TABLE update_requests (
        lead_id    text        NOT NULL,
        update_id  text        NOT NULL,
        body_hash  text        NOT NULL,
        run_id     text        NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (lead_id, update_id)
      );
    `,
  },
  {
    version: 7,
    name: 'claims before effects; suppressions',
    sql: `
      -- An effect is claimed before it acts and completed after: a claim without a result is
      -- "unknown" (the email may have gone out, the Zoho record may exist), never "not done".
      -- Rows from before claims were recorded after their effect, so they are done.
      ALTER TABLE effects ALTER COLUMN ref DROP NOT NULL;
      ALTER TABLE effects ADD COLUMN state text NOT NULL DEFAULT 'done' CHECK (state IN ('claimed', 'done', 'failed'));
      ALTER TABLE effects ALTER COLUMN state SET DEFAULT 'claimed';
      ALTER TABLE effects ADD COLUMN claimed_at timestamptz;
      UPDATE effects SET claimed_at = completed_at;
      ALTER TABLE effects ALTER COLUMN claimed_at SET NOT NULL;
      ALTER TABLE effects ALTER COLUMN claimed_at SET DEFAULT now();
      ALTER TABLE effects ALTER COLUMN completed_at DROP NOT NULL;
      ALTER TABLE effects ALTER COLUMN completed_at DROP DEFAULT;
      ALTER TABLE effects ADD COLUMN error text;
      -- How many attempts claimed it (a failed claim taken again, an unknown one taken over after a
      -- look-up found nothing): two attempts can never both take it over.
      ALTER TABLE effects ADD COLUMN attempts int NOT NULL DEFAULT 1;
      CREATE INDEX effects_unknown_idx ON effects (claimed_at) WHERE state = 'claimed';

      -- Addresses no message may go to, whoever the lead: hard bounces, complaints, a person's
      -- decision. Checked where a message leaves, in the same transaction as its claim.
      CREATE TABLE suppressions (
        address       text        PRIMARY KEY,
        reason        text        NOT NULL CHECK (reason IN ('bounced', 'complained', 'manual')),
        suppressed_at timestamptz NOT NULL,
        detail        text
      );
    `,
  },
  {
    version: 8,
    name: 'web-form deliveries claimed before enrolment',
    sql: `
      -- A delivery is claimed before its lead is enrolled, so two copies sent at once cannot both
      -- pass; a claim whose enrolment failed is released, and one left by a crash expires.
      ALTER TABLE webhook_deliveries ADD COLUMN state text NOT NULL DEFAULT 'done' CHECK (state IN ('claimed', 'done'));
      ALTER TABLE webhook_deliveries ALTER COLUMN state SET DEFAULT 'claimed';
    `,
  },
  {
    version: 9,
    name: 'login attempts recorded before the password is checked',
    sql: `
      -- Every login attempt is recorded before its password is checked and stays when it was wrong;
      -- a success deletes what it clears (Accounts.authenticate has the limits). device is the nonce
      -- of a valid device cookie: such attempts count only against that device.
      CREATE TABLE login_attempts (
        id           bigserial   PRIMARY KEY,
        email        text        NOT NULL,
        ip           text        NOT NULL,
        device       text,
        attempted_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX login_attempts_email_idx ON login_attempts (email, attempted_at) WHERE device IS NULL;
      CREATE INDEX login_attempts_ip_idx ON login_attempts (ip, attempted_at) WHERE device IS NULL;
      CREATE INDEX login_attempts_device_idx ON login_attempts (device, attempted_at) WHERE device IS NOT NULL;
      CREATE INDEX login_attempts_sweep_idx ON login_attempts (attempted_at);
      -- Failures still inside the window keep counting across the upgrade. login_failures itself stays
      -- for this release: an API process of the previous one, during a rolling deploy, still writes it.
      INSERT INTO login_attempts (email, ip, attempted_at)
        SELECT email, ip, failed_at FROM login_failures WHERE failed_at > now() - interval '15 minutes';
    `,
  },
  {
    version: 10,
    name: 'course catalog',
    sql: `
      -- The courses the business sells, with their cohorts (dates, prices, early bird, seats), kept by
      -- the director. Cohorts are one JSON array per course, validated by domain/catalog.ts on the way
      -- in and out, so a course and its cohorts always change together.
      CREATE TABLE courses (
        code       text        PRIMARY KEY,
        name       text        NOT NULL,
        countries  text[]      NOT NULL DEFAULT '{}',
        cohorts    jsonb       NOT NULL DEFAULT '[]',
        updated_at timestamptz NOT NULL DEFAULT now(),
        updated_by text        NOT NULL
      );
      CREATE INDEX lead_views_course_idx ON lead_views (course_code);
      -- GET /api/leads pages through leads in the order they changed.
      CREATE INDEX lead_views_changes_idx ON lead_views (updated_at, lead_id);
    `,
  },
  {
    version: 11,
    name: 'interests: every time a person asks about a course',
    sql: `
      -- One row each time a person (one per normalised email, i.e. per lead id) asks about a course,
      -- from any source, and what became of it: a new lead, a new follow-up of a person whose last one
      -- ended (lost or enrolled), a message to the follow-up still running, or nothing (opted out).
      CREATE TABLE interests (
        id             bigserial   PRIMARY KEY,
        lead_id        text        NOT NULL,
        course_code    text        NOT NULL,
        course_name    text        NOT NULL,
        source         text        NOT NULL,
        benefit        text,
        received_at    timestamptz NOT NULL DEFAULT now(),
        outcome        text        NOT NULL CHECK (outcome IN ('new_lead', 'new_follow_up', 'existing_follow_up', 'opted_out')),
        -- A follow-up it started: its first run; and how the one before it had ended.
        run_id         text,
        previous_stage text
      );
      CREATE INDEX interests_lead_idx ON interests (lead_id, received_at);
    `,
  },
  {
    version: 12,
    name: 'zoho links: what each lead is in Zoho',
    sql: `
      -- The Zoho records a lead is: its Zoho lead and, once converted, the Contact (Account, Deal) it
      -- became, so that notes, calls and tasks after the hand-off go there and never to the retired
      -- lead. Also the Zoho user last made the lead's Owner, so an owner is written once per change.
      CREATE TABLE zoho_links (
        lead_id        text        PRIMARY KEY,
        zoho_lead_id   text        NOT NULL,
        contact_id     text,
        account_id     text,
        deal_id        text,
        converted_at   timestamptz,
        owner_email    text,
        owner_zoho_id  text,
        -- The Lead_Status we last wrote (the org's value, or its fallback): Zoho's webhook echoing it is not a person's change.
        status_sent    text,
        updated_at     timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX zoho_links_zoho_lead_idx ON zoho_links (zoho_lead_id);
    `,
  },
  {
    version: 13,
    name: 'mailbox days: the sending mailbox\'s daily cap, booked when a mail is planned',
    sql: `
      -- One row per email planned: the (UTC) day it was given in its sending mailbox. A day holds at most
      -- MAIL_DAILY_CAP; a mail planned for a full day is moved to the next allowed one. Keyed by the touch
      -- key, so planning the same touch again (a retried activity) finds the day it already has.
      CREATE TABLE mailbox_bookings (
        touch_key  text        PRIMARY KEY,
        mailbox    text        NOT NULL,
        day        date        NOT NULL,
        booked_at  timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX mailbox_bookings_day_idx ON mailbox_bookings (mailbox, day);
    `,
  },
];
