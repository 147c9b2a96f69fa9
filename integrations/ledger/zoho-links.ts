import type { Pool } from 'pg';

/** What a lead is in Zoho (migration 12): its Zoho lead, and once converted what it became. */
export interface ZohoLink {
  leadId: string;
  zohoLeadId: string;
  contactId: string | null;
  accountId: string | null;
  dealId: string | null;
  convertedAt: string | null;
  /** The executive whose Zoho user was last made the Owner (null: none yet, or they have no Zoho user). */
  ownerEmail: string | null;
  ownerZohoId: string | null;
  /** The Lead_Status Seguimiento last wrote: its echo through Zoho's webhook is not a person's change. */
  statusSent: string | null;
}

interface Row {
  lead_id: string;
  zoho_lead_id: string;
  contact_id: string | null;
  account_id: string | null;
  deal_id: string | null;
  converted_at: Date | null;
  owner_email: string | null;
  owner_zoho_id: string | null;
  status_sent: string | null;
}

const toLink = (r: Row): ZohoLink => ({
  leadId: r.lead_id,
  zohoLeadId: r.zoho_lead_id,
  contactId: r.contact_id,
  accountId: r.account_id,
  dealId: r.deal_id,
  convertedAt: r.converted_at ? r.converted_at.toISOString() : null,
  ownerEmail: r.owner_email,
  ownerZohoId: r.owner_zoho_id,
  statusSent: r.status_sent,
});

export class ZohoLinks {
  constructor(private readonly pool: Pool) {}

  /**
   * The lead's Zoho lead. A new Zoho lead (a person back after the old one was converted) starts a
   * new link; the same one keeps what is known about it.
   */
  async linkLead({ leadId, zohoLeadId }: { leadId: string; zohoLeadId: string }): Promise<void> {
    await this.pool.query(
      `INSERT INTO zoho_links (lead_id, zoho_lead_id) VALUES ($1, $2)
       ON CONFLICT (lead_id) DO UPDATE SET zoho_lead_id = excluded.zoho_lead_id, contact_id = NULL, account_id = NULL,
         deal_id = NULL, converted_at = NULL, owner_email = NULL, owner_zoho_id = NULL, status_sent = NULL, updated_at = now()
       WHERE zoho_links.zoho_lead_id <> excluded.zoho_lead_id`,
      [leadId, zohoLeadId],
    );
  }

  async ofLead({ leadId }: { leadId: string }): Promise<ZohoLink | null> {
    const { rows } = await this.pool.query<Row>('SELECT * FROM zoho_links WHERE lead_id = $1', [leadId]);
    return rows[0] ? toLink(rows[0]) : null;
  }

  async ofZohoLead({ zohoLeadId }: { zohoLeadId: string }): Promise<ZohoLink | null> {
    const { rows } = await this.pool.query<Row>('SELECT * FROM zoho_links WHERE zoho_lead_id = $1 ORDER BY updated_at DESC LIMIT 1', [zohoLeadId]);
    return rows[0] ? toLink(rows[0]) : null;
  }

  async recordConversion(c: { leadId: string; zohoLeadId: string; contactId: string | null; accountId: string | null; dealId: string | null; at: string }): Promise<void> {
    await this.pool.query(
      `INSERT INTO zoho_links (lead_id, zoho_lead_id, contact_id, account_id, deal_id, converted_at) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (lead_id) DO UPDATE SET zoho_lead_id = excluded.zoho_lead_id, contact_id = excluded.contact_id,
         account_id = excluded.account_id, deal_id = excluded.deal_id, converted_at = excluded.converted_at, updated_at = now()`,
      [c.leadId, c.zohoLeadId, c.contactId, c.accountId, c.dealId, c.at],
    );
  }

  async recordOwner({ leadId, ownerEmail, ownerZohoId }: { leadId: string; ownerEmail: string | null; ownerZohoId: string | null }): Promise<void> {
    await this.pool.query('UPDATE zoho_links SET owner_email = $2, owner_zoho_id = $3, updated_at = now() WHERE lead_id = $1', [leadId, ownerEmail, ownerZohoId]);
  }

  async recordStatusSent({ leadId, status }: { leadId: string; status: string }): Promise<void> {
    await this.pool.query('UPDATE zoho_links SET status_sent = $2, updated_at = now() WHERE lead_id = $1', [leadId, status]);
  }
}
