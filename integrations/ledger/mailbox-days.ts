import type { Pool } from 'pg';
import { inTransaction } from './transaction';

/**
 * The sending mailbox's days (migration 13): receivers throttle, then junk, a mailbox that sends more
 * than its provider allows in a day, so each email takes a place in a day when it is planned.
 */
export class MailboxDays {
  constructor(private readonly pool: Pool) {}

  /**
   * Takes a place for the touch on `day` if the mailbox has fewer than `cap` there; true when it holds
   * one (now, or from a plan before: a retried activity). A place it held on another day is given back
   * first. The day is locked while counted, so two plans cannot both take its last place.
   */
  async book({ mailbox, touchKey, day, cap }: { mailbox: string; touchKey: string; day: string; cap: number }): Promise<boolean> {
    return inTransaction(this.pool, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`mailbox-day:${mailbox}:${day}`]);
      const { rows } = await client.query<{ day: string | null; taken: string }>(
        `SELECT (SELECT to_char(day, 'YYYY-MM-DD') FROM mailbox_bookings WHERE touch_key = $2) AS day,
                (SELECT count(*) FROM mailbox_bookings WHERE mailbox = $1 AND day = $3::date) AS taken`,
        [mailbox, touchKey, day],
      );
      const held = rows[0]!;
      if (held.day === day) return true;
      if (held.day) await client.query('DELETE FROM mailbox_bookings WHERE touch_key = $1', [touchKey]);
      if (Number(held.taken) >= cap) return false;
      await client.query('INSERT INTO mailbox_bookings (touch_key, mailbox, day) VALUES ($1, $2, $3)', [touchKey, mailbox, day]);
      return true;
    });
  }
}
