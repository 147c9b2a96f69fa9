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
  {
    version: 14,
    name: 'KPI aggregates: per-lead facts, hours and milestones, kept with every event',
    sql: `
      -- What each lead's history contributes to the KPIs (domain/kpi-facts.ts), rewritten in the same
      -- transaction as each of its events (integrations/ledger/kpi-aggregates.ts). Keyed by lead, not by
      -- owner, country or course: a figure goes to the lead's current snapshot (lead_views), joined when read.
      CREATE TABLE kpi_lead_facts (
        lead_id          text PRIMARY KEY,
        first_contact_at timestamptz,
        left_funnel_at   timestamptz,
        engaged_at       timestamptz,
        proposal_at      timestamptz,
        enrolled_at      timestamptz,
        -- The lead's snapshot as lead_views has it now (the trigger below copies it): NULL country, none yet.
        owner            text,
        country          text,
        course_code      text,
        created_at       timestamptz,
        stage            text
      );
      CREATE INDEX kpi_lead_facts_created_idx ON kpi_lead_facts (created_at);
      -- The period figures that add up event by event, per lead and UTC hour with at least one event.
      CREATE TABLE kpi_lead_hours (
        hour              timestamptz NOT NULL,
        lead_id           text        NOT NULL,
        events            int         NOT NULL,
        assignments       int         NOT NULL,
        touches_call      int         NOT NULL,
        touches_linkedin  int         NOT NULL,
        touches_email     int         NOT NULL,
        answered_call     int         NOT NULL,
        answered_linkedin int         NOT NULL,
        needing_next_step int         NOT NULL,
        with_next_step    int         NOT NULL,
        PRIMARY KEY (hour, lead_id)
      );
      CREATE INDEX kpi_lead_hours_lead_idx ON kpi_lead_hours (lead_id);
      -- Milestones counted per lead, or with a second moment (MarkKind in domain/kpi-facts.ts).
      CREATE TABLE kpi_marks (
        lead_id  text        NOT NULL,
        kind     text        NOT NULL,
        at       timestamptz NOT NULL,
        until    timestamptz,
        n        int,
        event_id bigint      NOT NULL
      );
      CREATE INDEX kpi_marks_at_idx ON kpi_marks (at);
      CREATE INDEX kpi_marks_lead_idx ON kpi_marks (lead_id);
      -- The funnel's follow-ups (interests); started_at NULL: the lead's own created_at.
      CREATE TABLE kpi_follow_ups (
        lead_id      text        NOT NULL,
        seq          int         NOT NULL,
        started_at   timestamptz,
        contacted_at timestamptz,
        engaged_at   timestamptz,
        proposal_at  timestamptz,
        enrolled_at  timestamptz,
        PRIMARY KEY (lead_id, seq)
      );
      CREATE INDEX kpi_follow_ups_started_idx ON kpi_follow_ups (started_at);
      -- The bottlenecks and the leads needing support read the open leads' snapshots only.
      CREATE INDEX lead_views_open_idx ON lead_views (owner) WHERE stage IN ('new', 'contacting', 'engaged', 'proposal', 'closing');

      -- Leads per owner ('' for nobody), country, course and whether active (new..closing): every group of
      -- the report and its load, without reading every snapshot. Kept by the trigger below.
      CREATE TABLE kpi_group_counts (
        owner       text    NOT NULL,
        country     text    NOT NULL,
        course_code text    NOT NULL,
        active      boolean NOT NULL,
        n           int     NOT NULL,
        PRIMARY KEY (owner, country, course_code, active)
      );
      -- Every write of a snapshot that changes its owner, country, course, creation or stage moves the lead
      -- in the counts and in kpi_lead_facts, in the same transaction. Both counts change in one statement,
      -- in key order, so two leads moving opposite ways never deadlock.
      CREATE FUNCTION kpi_follow_lead_view() RETURNS trigger LANGUAGE plpgsql AS $fn$
      DECLARE
        open_stages CONSTANT text[] := ARRAY['new', 'contacting', 'engaged', 'proposal', 'closing'];
        o text[]; nw text[];
      BEGIN
        IF TG_OP <> 'INSERT' THEN o := ARRAY[coalesce(OLD.owner, ''), OLD.country, OLD.course_code, (OLD.stage = ANY(open_stages))::text, OLD.created_at::text, OLD.stage]; END IF;
        IF TG_OP <> 'DELETE' THEN nw := ARRAY[coalesce(NEW.owner, ''), NEW.country, NEW.course_code, (NEW.stage = ANY(open_stages))::text, NEW.created_at::text, NEW.stage]; END IF;
        IF o IS NOT DISTINCT FROM nw THEN RETURN NULL; END IF;
        IF TG_OP = 'DELETE' THEN
          UPDATE kpi_lead_facts SET owner = NULL, country = NULL, course_code = NULL, created_at = NULL, stage = NULL WHERE lead_id = OLD.lead_id;
        ELSE
          INSERT INTO kpi_lead_facts (lead_id, owner, country, course_code, created_at, stage)
          VALUES (NEW.lead_id, NEW.owner, NEW.country, NEW.course_code, NEW.created_at, NEW.stage)
          ON CONFLICT (lead_id) DO UPDATE SET owner = excluded.owner, country = excluded.country, course_code = excluded.course_code,
            created_at = excluded.created_at, stage = excluded.stage;
        END IF;
        INSERT INTO kpi_group_counts AS c (owner, country, course_code, active, n)
        SELECT k[1], k[2], k[3], k[4]::boolean, sum(d)::int
        FROM (SELECT o AS k, -1 AS d WHERE o IS NOT NULL UNION ALL SELECT nw, 1 WHERE nw IS NOT NULL) AS moves
        GROUP BY k[1], k[2], k[3], k[4] ORDER BY k[1], k[2], k[3], k[4]
        ON CONFLICT (owner, country, course_code, active) DO UPDATE SET n = c.n + excluded.n;
        RETURN NULL;
      END
      $fn$;
      CREATE TRIGGER lead_views_kpi AFTER INSERT OR UPDATE OR DELETE ON lead_views FOR EACH ROW EXECUTE FUNCTION kpi_follow_lead_view();
      INSERT INTO kpi_lead_facts (lead_id, owner, country, course_code, created_at, stage)
      SELECT lead_id, owner, country, course_code, created_at, stage FROM lead_views;
      INSERT INTO kpi_group_counts (owner, country, course_code, active, n)
      SELECT coalesce(owner, ''), country, course_code, stage IN ('new', 'contacting', 'engaged', 'proposal', 'closing'), count(*)
      FROM lead_views GROUP BY 1, 2, 3, 4;
      -- Leads whose aggregates must be (re)built from their events: every lead already in the ledger,
      -- once. Ledger.migrate() works through it after the migrations, so a crash midway resumes.
      CREATE TABLE kpi_rebuild (lead_id text PRIMARY KEY);
      INSERT INTO kpi_rebuild (lead_id) SELECT DISTINCT lead_id FROM lead_events ON CONFLICT DO NOTHING;
    `,
  },
];
