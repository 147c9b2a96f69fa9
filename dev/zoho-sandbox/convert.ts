import type express from 'express';
import { SANDBOX_CURRENT_USER, computedFields, displayName } from './fields';
import { fullName, type SandboxOrg } from './org';
import { zohoDateTime, zohoErrors, type ZohoApiError } from './responses';
import type { SandboxStore, ZohoRecord } from './store';

/**
 * POST /crm/v8/Leads/{lead_id}/actions/convert, per convert_lead.json. Converting makes a Contact
 * from the lead (and an Account when the lead names a Company) with Zoho's default field mapping,
 * then marks the lead `$converted`. Deals, and attaching to existing Accounts or Contacts, are not
 * modelled: the sandbox refuses those keys rather than silently ignoring them.
 */

const BOOLEAN_KEYS = ['overwrite', 'notify_lead_owner', 'notify_new_entity_owner'];
const UNSUPPORTED_KEYS = ['Accounts', 'Contacts', 'Deals', 'move_attachments_to', 'carry_over_tags', 'add_to_existing_record'];

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

type Checked = { ok: true; owner: ZohoRecord['Owner'] | undefined } | { ok: false; bare: boolean; error: ZohoApiError };

/** Refusals of the body as a whole answer bare; refusals of the one converter item answer inside `data`. */
function checkBody(body: unknown, org: SandboxOrg): Checked {
  if (!isObject(body)) return { ok: false, bare: true, error: zohoErrors.invalidBody() };
  if (!Array.isArray(body.data) || body.data.length === 0) return { ok: false, bare: true, error: zohoErrors.mandatory('data', '$.data') };
  if (body.data.length > 1) return { ok: false, bare: true, error: zohoErrors.invalidData('data', '$.data') };
  const item: unknown = body.data[0];
  if (!isObject(item)) return { ok: false, bare: false, error: zohoErrors.expectedType('data', '$.data[0]', 'jsonobject') };
  for (const key of BOOLEAN_KEYS) {
    if (key in item && typeof item[key] !== 'boolean') return { ok: false, bare: false, error: zohoErrors.expectedType(key, `$.data[0].${key}`, 'boolean') };
  }
  for (const key of UNSUPPORTED_KEYS) if (key in item) return { ok: false, bare: false, error: zohoErrors.invalidData(key, `$.data[0].${key}`) };
  if (!('assign_to' in item)) return { ok: true, owner: undefined };
  const wanted = isObject(item.assign_to) ? item.assign_to.id : undefined;
  const user = org.users.find((u) => u.id === wanted && u.status === 'active');
  if (!user) return { ok: false, bare: false, error: zohoErrors.invalidData('assign_to', '$.data[0].assign_to') };
  return { ok: true, owner: { id: user.id, name: fullName(user), email: user.email } };
}

/** Copies the lead fields Zoho's default conversion mapping carries over, skipping empty ones. */
function mapped(lead: ZohoRecord, mapping: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [from, to] of Object.entries(mapping)) {
    const value = lead[from];
    if (value !== undefined && value !== null && value !== '') out[to] = value;
  }
  return out;
}

const CONTACT_MAPPING = {
  First_Name: 'First_Name',
  Last_Name: 'Last_Name',
  Email: 'Email',
  Secondary_Email: 'Secondary_Email',
  Phone: 'Phone',
  Mobile: 'Mobile',
  Designation: 'Title',
  Country: 'Mailing_Country',
  Lead_Source: 'Lead_Source',
  Description: 'Description',
  Email_Opt_Out: 'Email_Opt_Out',
};
const ACCOUNT_MAPPING = { Company: 'Account_Name', Phone: 'Phone', Country: 'Billing_Country' };

export function addConvertRoute(router: express.Router, { store, now, org }: { store: SandboxStore; now: () => Date; org: () => SandboxOrg }): void {
  const minifiedUser = { name: SANDBOX_CURRENT_USER.name, id: SANDBOX_CURRENT_USER.id };

  router.post('/Leads/:id/actions/convert', (req, res) => {
    const lead = store.get('Leads', String(req.params.id));
    if (!lead) {
      res.status(400).json(zohoErrors.invalidUrlId());
      return;
    }
    if (lead.$converted === true) {
      res.status(400).json(zohoErrors.idAlreadyConverted());
      return;
    }
    const checked = checkBody(req.body, org());
    if (!checked.ok) {
      res.status(400).json(checked.bare ? checked.error : { data: [checked.error] });
      return;
    }

    const stamp = zohoDateTime(now());
    const owner = checked.owner ?? lead.Owner ?? { ...SANDBOX_CURRENT_USER };
    const system = () => ({ id: store.newId(), Created_Time: stamp, Modified_Time: stamp, Created_By: minifiedUser, Modified_By: minifiedUser });

    let account: ZohoRecord | null = null;
    if (typeof lead.Company === 'string' && lead.Company.trim() !== '') {
      account = { Owner: owner, ...mapped(lead, ACCOUNT_MAPPING), ...system() };
      store.insert('Accounts', account);
    }
    const contactValues = mapped(lead, CONTACT_MAPPING);
    const contact: ZohoRecord = {
      Owner: owner,
      ...contactValues,
      ...computedFields('Contacts', contactValues),
      ...(account ? { Account_Name: { id: account.id, name: displayName('Accounts', account) } } : {}),
      ...system(),
    };
    store.insert('Contacts', contact);

    const ref = (module: 'Contacts' | 'Accounts', record: ZohoRecord | null) => record && { name: displayName(module, record), id: record.id };
    store.replace('Leads', {
      ...lead,
      $converted: true,
      $converted_detail: { converted_time: stamp, converted_by: minifiedUser, contact: contact.id, account: account?.id ?? null, deal: null },
      Modified_Time: stamp,
      Modified_By: minifiedUser,
    });
    // Zoho answers null for an entity the conversion did not create (convert_lead.json marks the keys
    // required but forgets `nullable`).
    res.status(200).json({
      data: [
        {
          code: 'SUCCESS',
          details: { Contacts: ref('Contacts', contact), Deals: null, Accounts: ref('Accounts', account) },
          message: 'The record has been converted successfully',
          status: 'success',
        },
      ],
    });
  });
}
