import fs from 'node:fs';
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ZOHO_NON_RETRYABLE_ERROR_TYPES, ZohoAuthError, ZohoClient, ZohoOutcomeUnknownError, ZohoRecordError, ZohoUnavailableError, effectMarker, type ZohoClientDeps, type ZohoClientOptions } from '../../integrations/zoho/client';
import { SANDBOX_USERS, createZohoSandbox, type ZohoSandbox, type ZohoSandboxOptions } from '../../dev/zoho-sandbox/app';

const CREDENTIALS = { clientId: 'test-client-id', clientSecret: 'test-client-secret', refreshToken: 'test-refresh-token' };
const EXECUTIVE = SANDBOX_USERS[1]!.id;

interface Running {
  sandbox: ZohoSandbox;
  url: string;
  close(): Promise<void>;
}

const running: Running[] = [];

async function startSandbox(extra: Partial<ZohoSandboxOptions> = {}): Promise<Running> {
  let url = '';
  const sandbox = createZohoSandbox({ ...CREDENTIALS, publicUrl: () => url, ...extra });
  const server: Server = sandbox.app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const handle: Running = {
    sandbox,
    url,
    close: async () => {
      const closed = once(server, 'close');
      server.close();
      // fetch keeps connections alive; without this the server (and jest) would wait for them.
      server.closeAllConnections();
      await closed;
    },
  };
  running.push(handle);
  return handle;
}

/** A client whose sleeps are recorded instead of waited out, with jitter pinned to the middle. */
function clientFor(url: string, opts: Partial<ZohoClientOptions> = {}, deps: ZohoClientDeps = {}) {
  const sleeps: number[] = [];
  const client = new ZohoClient(
    { accountsUrl: url, ...CREDENTIALS, ...opts },
    {
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      random: () => 0.5,
      ...deps,
    },
  );
  return { client, sleeps };
}

const tokenRequests = (sandbox: ZohoSandbox) => sandbox.requests().filter((r) => r.path === '/oauth/v2/token');
const callsTo = (sandbox: ZohoSandbox, method: string, p: string) => sandbox.requests().filter((r) => r.method === method && r.path === p);

const ana = { firstName: 'Ana', lastName: 'Pérez', email: 'ana.perez@example.com', phone: '+57 300 123 4567', country: 'CO' };

afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.close()));
});

describe('ZohoClient against the Zoho sandbox', () => {
  describe('operations round-trip', () => {
    it('upserts a lead on Email: insert first, then update of the same record', async () => {
      const { sandbox, url } = await startSandbox();
      const { client } = clientFor(url);

      const first = await client.upsertLead({
        lead: { ...ana, company: 'Acme', jobTitle: 'Jefa de formación', leadSource: 'Formulario web', description: 'Curso: Data', status: 'Not Contacted' },
      });
      expect(first.action).toBe('insert');
      expect(first.id).toMatch(/^\d{19}$/);

      const second = await client.upsertLead({ lead: { ...ana, email: 'ANA.PEREZ@example.com', status: 'Contacted', ownerId: EXECUTIVE } });
      expect(second).toEqual({ id: first.id, action: 'update' });

      const [stored, ...others] = sandbox.records('Leads');
      expect(others).toHaveLength(0);
      expect(stored).toMatchObject({
        id: first.id,
        First_Name: 'Ana',
        Last_Name: 'Pérez',
        Full_Name: 'Ana Pérez',
        Phone: '+57 300 123 4567',
        Company: 'Acme',
        Designation: 'Jefa de formación',
        Country: 'CO',
        Lead_Source: 'Formulario web',
        Description: 'Curso: Data',
        Lead_Status: 'Contacted',
        Owner: { id: EXECUTIVE },
      });
      expect(callsTo(sandbox, 'POST', '/crm/v8/Leads/upsert')[0]?.body).toMatchObject({ duplicate_check_fields: ['Email'] });
    });

    it('finds a lead by email, whatever its case, and gets it by id', async () => {
      const { url } = await startSandbox();
      const { client } = clientFor(url);
      const { id } = await client.upsertLead({ lead: { ...ana, company: 'Acme', jobTitle: 'CTO' } });

      const found = await client.findLeadByEmail({ email: 'Ana.Perez@Example.com' });
      expect(found).toMatchObject({ id, firstName: 'Ana', lastName: 'Pérez', email: ana.email, phone: ana.phone, company: 'Acme', jobTitle: 'CTO', country: 'CO' });
      expect(found?.createdTime).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/);

      expect(await client.getLead({ id })).toEqual(found);
      expect(await client.getLead({ id: '6310180009999999999' })).toBeNull();
    });

    it('answers null when the search finds nothing (Zoho sends 204 with an empty body)', async () => {
      const { sandbox, url } = await startSandbox();
      const { client } = clientFor(url);

      expect(await client.findLeadByEmail({ email: 'nobody@example.com' })).toBeNull();
      const [search] = callsTo(sandbox, 'GET', '/crm/v8/Leads/search');
      expect(search).toMatchObject({ status: 204, query: { email: 'nobody@example.com' } });
    });

    it('updates a lead status, owner and email opt-out', async () => {
      const { sandbox, url } = await startSandbox();
      const { client } = clientFor(url);
      const { id } = await client.upsertLead({ lead: ana });

      expect(await client.updateLead({ id, fields: { status: 'Contact in Future', ownerId: EXECUTIVE, emailOptOut: true } })).toEqual({ id });

      expect(sandbox.records('Leads')[0]).toMatchObject({ Lead_Status: 'Contact in Future', Owner: { id: EXECUTIVE }, Email_Opt_Out: true, Last_Name: 'Pérez' });
      expect(await client.findLeadByEmail({ email: ana.email })).toMatchObject({ status: 'Contact in Future', ownerId: EXECUTIVE, emailOptOut: true });
    });

    it('creates a task under the lead', async () => {
      const { sandbox, url } = await startSandbox();
      const { client } = clientFor(url);
      const { id: leadId } = await client.upsertLead({ lead: ana });

      const { id } = await client.createTask({ leadId, subject: 'Llamar a Ana', dueDate: '2025-03-04', description: 'Guion: …', priority: 'High', ownerId: EXECUTIVE });

      expect(sandbox.records('Tasks')).toEqual([
        expect.objectContaining({
          id,
          Subject: 'Llamar a Ana',
          Due_Date: '2025-03-04',
          Description: 'Guion: …',
          Priority: 'High',
          Status: 'Not Started',
          Owner: expect.objectContaining({ id: EXECUTIVE }),
          What_Id: { id: leadId, name: 'Ana Pérez' },
          $se_module: 'Leads',
        }),
      ]);
    });

    it('logs a call with Zoho date-time and mm:ss duration formats', async () => {
      const { sandbox, url } = await startSandbox();
      const { client } = clientFor(url);
      const { id: leadId } = await client.upsertLead({ lead: ana });

      const { id } = await client.logCall({
        leadId,
        subject: 'Primera llamada',
        callType: 'Outbound',
        startTime: '2025-03-04T15:30:12.345-05:00',
        durationSeconds: 125,
        result: 'Interested',
        description: 'Pide el temario',
      });

      expect(sandbox.records('Calls')).toEqual([
        expect.objectContaining({
          id,
          Subject: 'Primera llamada',
          Call_Type: 'Outbound',
          Call_Start_Time: '2025-03-04T20:30:12+00:00',
          Call_Duration: '02:05',
          Call_Duration_in_seconds: 125,
          Call_Result: 'Interested',
          Description: 'Pide el temario',
          What_Id: { id: leadId, name: 'Ana Pérez' },
          $se_module: 'Leads',
        }),
      ]);
    });

    it('adds a note under the lead with the v8 Parent_Id shape', async () => {
      const { sandbox, url } = await startSandbox();
      const { client } = clientFor(url);
      const { id: leadId } = await client.upsertLead({ lead: ana });

      const { id } = await client.addNote({ leadId, title: 'Resumen', content: 'Interesada en la edición de marzo' });

      expect(sandbox.records('Notes')).toEqual([
        expect.objectContaining({
          id,
          Note_Title: 'Resumen',
          Note_Content: 'Interesada en la edición de marzo',
          Parent_Id: expect.objectContaining({ id: leadId, module: expect.objectContaining({ api_name: 'Leads' }) }),
        }),
      ]);
      expect(callsTo(sandbox, 'POST', '/crm/v8/Notes')[0]?.body).toMatchObject({
        data: [{ Parent_Id: { module: { api_name: 'Leads' }, id: leadId } }],
      });
    });

    it('sends trigger: [] with every record write, and none to Notes, whose body takes only data (notes.json)', async () => {
      const { sandbox, url } = await startSandbox();
      const { client } = clientFor(url);
      const { id: leadId } = await client.upsertLead({ lead: ana });
      await client.updateLead({ id: leadId, fields: { status: 'Contacted' } });
      await client.createTask({ leadId, subject: 'Llamar', dueDate: '2025-03-04', description: 'x' });
      await client.logCall({ leadId, subject: 'Llamada', callType: 'Inbound', startTime: '2025-03-04T10:00:00Z', durationSeconds: 60, result: 'Interested' });
      await client.addNote({ leadId, title: 't', content: 'c' });
      await client.createRecords({ module: 'Tasks', records: [{ Subject: 'Lote' }] });

      const writes = sandbox.requests().filter((r) => r.path.startsWith('/crm/') && (r.method === 'POST' || r.method === 'PUT'));
      expect(writes.map((w) => `${w.method} ${w.path}`)).toEqual([
        'POST /crm/v8/Leads/upsert',
        `PUT /crm/v8/Leads/${leadId}`,
        'POST /crm/v8/Tasks',
        'POST /crm/v8/Calls',
        'POST /crm/v8/Notes',
        'POST /crm/v8/Tasks',
      ]);
      for (const write of writes.filter((w) => w.path !== '/crm/v8/Notes')) expect(write.body).toMatchObject({ trigger: [] });
      expect(Object.keys(callsTo(sandbox, 'POST', '/crm/v8/Notes')[0]!.body as object)).toEqual(['data']);
    });
  });

  describe('lead conversion', () => {
    const CLOSER = SANDBOX_USERS[2]!.id;

    it('converts a lead into a Contact and an Account owned by the closer, and retires the lead', async () => {
      const { sandbox, url } = await startSandbox();
      const { client } = clientFor(url);
      const { id: leadId } = await client.upsertLead({ lead: { ...ana, company: 'Acme', jobTitle: 'CTO', ownerId: EXECUTIVE } });

      const result = await client.convertLead({ leadId, assignTo: CLOSER });

      expect(result).toEqual({ contactId: expect.stringMatching(/^\d{19}$/), accountId: expect.stringMatching(/^\d{19}$/), dealId: null });
      const [account, ...moreAccounts] = sandbox.records('Accounts');
      expect(moreAccounts).toEqual([]);
      expect(account).toMatchObject({ id: result.accountId, Account_Name: 'Acme', Owner: { id: CLOSER } });
      expect(sandbox.records('Contacts')).toEqual([
        expect.objectContaining({
          id: result.contactId,
          First_Name: 'Ana',
          Last_Name: 'Pérez',
          Full_Name: 'Ana Pérez',
          Email: ana.email,
          Title: 'CTO',
          Owner: expect.objectContaining({ id: CLOSER }),
          Account_Name: { id: result.accountId, name: 'Acme' },
        }),
      ]);
      expect(sandbox.records('Leads')[0]).toMatchObject({ id: leadId, $converted: true, $converted_detail: { contact: result.contactId, account: result.accountId } });
      // Like Zoho, searches leave converted leads out.
      expect(await client.findLeadByEmail({ email: ana.email })).toBeNull();

      const [convert, ...others] = callsTo(sandbox, 'POST', `/crm/v8/Leads/${leadId}/actions/convert`);
      expect(others).toEqual([]);
      // convert_lead.json documents no `trigger`, so the client sends none.
      expect(convert).toMatchObject({ status: 200, body: { data: [{ notify_lead_owner: false, notify_new_entity_owner: false, assign_to: { id: CLOSER } }] } });
      expect(convert?.body).not.toHaveProperty('trigger');
    });

    it('makes no Account for a lead without Company, and keeps the lead owner without assignTo', async () => {
      const { sandbox, url } = await startSandbox();
      const { client } = clientFor(url);
      const { id: leadId } = await client.upsertLead({ lead: { ...ana, ownerId: EXECUTIVE } });

      const result = await client.convertLead({ leadId });

      expect(result).toEqual({ contactId: expect.stringMatching(/^\d{19}$/), accountId: null, dealId: null });
      expect(sandbox.records('Accounts')).toEqual([]);
      expect(sandbox.records('Contacts')[0]).toMatchObject({ id: result.contactId, Owner: { id: EXECUTIVE } });
      expect(sandbox.records('Contacts')[0]).not.toHaveProperty('Account_Name');
    });

    it('refuses converting the same lead twice with ID_ALREADY_CONVERTED, without retrying', async () => {
      const { sandbox, url } = await startSandbox();
      const { client, sleeps } = clientFor(url);
      const { id: leadId } = await client.upsertLead({ lead: { ...ana, company: 'Acme' } });
      await client.convertLead({ leadId });

      const error = await client.convertLead({ leadId }).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(ZohoRecordError);
      expect(error).toMatchObject({ name: 'ZohoRecordError', code: 'ID_ALREADY_CONVERTED', details: { resource_path_index: 1 } });
      expect(ZOHO_NON_RETRYABLE_ERROR_TYPES).toContain((error as Error).name);
      expect(callsTo(sandbox, 'POST', `/crm/v8/Leads/${leadId}/actions/convert`).map((r) => r.status)).toEqual([200, 400]);
      expect(sleeps).toEqual([]);
      expect(sandbox.records('Contacts')).toHaveLength(1);
      expect(sandbox.records('Accounts')).toHaveLength(1);
      // A converted lead cannot be updated either.
      await expect(client.updateLead({ id: leadId, fields: { status: 'Contacted' } })).rejects.toMatchObject({ name: 'ZohoRecordError', code: 'CONVERTED_RECORD' });
    });

    it('fails clearly for an unknown lead id', async () => {
      const { sandbox, url } = await startSandbox();
      const { client, sleeps } = clientFor(url);

      const error = await client.convertLead({ leadId: '6310180009999999999' }).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(ZohoRecordError);
      expect(error).toMatchObject({ name: 'ZohoRecordError', code: 'INVALID_DATA', details: { resource_path_index: 1 } });
      expect((error as Error).message).toContain('no lead has this id');
      expect(sleeps).toEqual([]);
      expect(sandbox.records('Contacts')).toEqual([]);
    });

    it('surfaces an unknown closer as a ZohoRecordError naming assign_to, converting nothing', async () => {
      const { sandbox, url } = await startSandbox();
      const { client } = clientFor(url);
      const { id: leadId } = await client.upsertLead({ lead: ana });

      await expect(client.convertLead({ leadId, assignTo: '123' })).rejects.toMatchObject({ name: 'ZohoRecordError', code: 'INVALID_DATA', apiName: 'assign_to' });
      expect(sandbox.records('Contacts')).toEqual([]);
      expect(sandbox.records('Leads')[0]).not.toHaveProperty('$converted');
    });

    it('retries a throttled conversion and converts once', async () => {
      const { sandbox, url } = await startSandbox();
      const { client, sleeps } = clientFor(url);
      const { id: leadId } = await client.upsertLead({ lead: ana });
      sandbox.injectFault({ status: 429, times: 1, path: `/crm/v8/Leads/${leadId}/actions/convert`, retryAfterSeconds: 1 });

      await client.convertLead({ leadId });

      expect(callsTo(sandbox, 'POST', `/crm/v8/Leads/${leadId}/actions/convert`).map((r) => r.status)).toEqual([429, 200]);
      expect(sleeps).toHaveLength(1);
      expect(sandbox.records('Contacts')).toHaveLength(1);
    });
  });

  describe('tokens', () => {
    it('refreshes once when the token expires mid-run, and the call succeeds', async () => {
      const { sandbox, url } = await startSandbox();
      const { client } = clientFor(url);
      await client.upsertLead({ lead: ana });
      expect(tokenRequests(sandbox)).toHaveLength(1);

      sandbox.expireTokens();
      const { id } = await client.upsertLead({ lead: { ...ana, status: 'Contacted' } });

      expect(id).toMatch(/^\d{19}$/);
      expect(tokenRequests(sandbox)).toHaveLength(2);
      expect(callsTo(sandbox, 'POST', '/crm/v8/Leads/upsert').map((r) => r.status)).toEqual([201, 401, 200]);
      // The token request carries the grant but the log never keeps the secrets.
      expect(tokenRequests(sandbox)[1]?.body).toEqual({
        grant_type: 'refresh_token',
        client_id: CREDENTIALS.clientId,
        client_secret: '[redacted]',
        refresh_token: '[redacted]',
      });
    });

    it('makes exactly one token request when many concurrent calls find the token expired', async () => {
      const { sandbox, url } = await startSandbox();
      const { client } = clientFor(url, { maxConcurrent: 5 });
      const { id: leadId } = await client.upsertLead({ lead: ana });
      sandbox.expireTokens();

      const ids = await Promise.all(
        Array.from({ length: 8 }, (_, i) => client.createTask({ leadId, subject: `Tarea ${i}`, dueDate: '2025-03-04', description: 'x' })),
      );

      expect(new Set(ids.map((t) => t.id)).size).toBe(8);
      expect(tokenRequests(sandbox)).toHaveLength(2);
      expect(sandbox.records('Tasks')).toHaveLength(8);
    });

    it('shares one token request among concurrent first calls', async () => {
      const { sandbox, url } = await startSandbox();
      const { client } = clientFor(url);

      await Promise.all([client.findLeadByEmail({ email: 'a@example.com' }), client.findLeadByEmail({ email: 'b@example.com' }), client.upsertLead({ lead: ana })]);

      expect(tokenRequests(sandbox)).toHaveLength(1);
    });

    it('refreshes before expiry instead of waiting for Zoho to refuse the token', async () => {
      let clock = Date.parse('2025-03-04T10:00:00Z');
      const { sandbox, url } = await startSandbox({ now: () => new Date(clock), tokenTtlSeconds: 3600 });
      const { client } = clientFor(url, {}, { now: () => clock });
      await client.findLeadByEmail({ email: ana.email });

      clock += 3600_000 - 30_000; // still valid at Zoho for 30 s, inside the client's safety margin
      await client.findLeadByEmail({ email: ana.email });

      expect(tokenRequests(sandbox)).toHaveLength(2);
      expect(sandbox.requests().filter((r) => r.status === 401)).toHaveLength(0);
    });

    it('throws ZohoAuthError for a wrong client secret, without retrying', async () => {
      const { sandbox, url } = await startSandbox();
      const { client, sleeps } = clientFor(url, { clientSecret: 'wrong' });

      const error = await client.upsertLead({ lead: ana }).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(ZohoAuthError);
      expect(error).toMatchObject({ name: 'ZohoAuthError', code: 'invalid_client' });
      expect(tokenRequests(sandbox)).toHaveLength(1);
      expect(tokenRequests(sandbox)[0]?.status).toBe(200); // Zoho refuses grants with HTTP 200
      expect(sandbox.requests().filter((r) => r.path.startsWith('/crm/'))).toHaveLength(0);
      expect(sleeps).toEqual([]);
    });

    it('throws ZohoAuthError for a revoked refresh token (invalid_code)', async () => {
      const { url } = await startSandbox();
      const { client } = clientFor(url, { refreshToken: 'revoked' });

      await expect(client.findLeadByEmail({ email: ana.email })).rejects.toMatchObject({ name: 'ZohoAuthError', code: 'invalid_code' });
    });

    it('waits and retries when Zoho Accounts throttles the refresh', async () => {
      const { sandbox, url } = await startSandbox();
      sandbox.injectFault({ status: 429, times: 1, path: '/oauth/v2/token', retryAfterSeconds: 3 });
      const { client, sleeps } = clientFor(url);

      expect(await client.findLeadByEmail({ email: ana.email })).toBeNull();
      expect(tokenRequests(sandbox).map((r) => r.status)).toEqual([400, 200]);
      expect(sleeps).toEqual([3000]);
    });
  });

  describe('retries', () => {
    it('retries a 429 storm, waiting at least what Retry-After asks, and writes once', async () => {
      const { sandbox, url } = await startSandbox();
      const { client, sleeps } = clientFor(url);
      const { id: leadId } = await client.upsertLead({ lead: ana });
      sandbox.injectFault({ status: 429, times: 3, path: '/crm/v8/Tasks', retryAfterSeconds: 2 });

      const { id } = await client.createTask({ leadId, subject: 'Llamar', dueDate: '2025-03-04', description: 'x' });

      expect(id).toMatch(/^\d{19}$/);
      expect(sleeps).toHaveLength(3);
      for (const ms of sleeps) expect(ms).toBeGreaterThanOrEqual(2000);
      expect(callsTo(sandbox, 'POST', '/crm/v8/Tasks').map((r) => r.status)).toEqual([429, 429, 429, 201]);
      expect(sandbox.records('Tasks')).toHaveLength(1);
    });

    it('retries 5xx with growing, jittered delays', async () => {
      const { sandbox, url } = await startSandbox();
      const { client, sleeps } = clientFor(url, { baseDelayMs: 500 });
      sandbox.injectFault({ status: 503, times: 2, path: '/crm/v8/Leads' });

      const { action } = await client.upsertLead({ lead: ana });

      expect(action).toBe('insert');
      // Equal jitter with random() = 0.5: three quarters of 500 ms, then of 1000 ms.
      expect(sleeps).toEqual([375, 750]);
      expect(callsTo(sandbox, 'POST', '/crm/v8/Leads/upsert').map((r) => r.status)).toEqual([503, 503, 201]);
    });

    it('gives up after five attempts with ZohoUnavailableError', async () => {
      const { sandbox, url } = await startSandbox();
      const { client, sleeps } = clientFor(url);
      sandbox.injectFault({ status: 500, times: 10 });

      const error = await client.upsertLead({ lead: ana }).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(ZohoUnavailableError);
      expect(error).toMatchObject({ name: 'ZohoUnavailableError', status: 500, attempts: 5 });
      expect(callsTo(sandbox, 'POST', '/crm/v8/Leads/upsert')).toHaveLength(5);
      expect(sleeps).toHaveLength(4);
      expect(sandbox.records('Leads')).toHaveLength(0);
    });

    it('leaves a long Retry-After to Temporal instead of sleeping through it', async () => {
      const { sandbox, url } = await startSandbox();
      const { client, sleeps } = clientFor(url, { maxRetryAfterMs: 60_000 });
      sandbox.injectFault({ status: 429, times: 1, retryAfterSeconds: 300 });

      await expect(client.upsertLead({ lead: ana })).rejects.toMatchObject({ name: 'ZohoUnavailableError', status: 429, attempts: 1, retryAfterMs: 300_000 });
      expect(sleeps).toEqual([]);
    });

    it('never has more calls in flight than maxConcurrent', async () => {
      const { url } = await startSandbox();
      let inFlight = 0;
      let peak = 0;
      const countingFetch: typeof fetch = async (input, init) => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        try {
          return await fetch(input, init);
        } finally {
          inFlight--;
        }
      };
      const { client } = clientFor(url, { maxConcurrent: 2 }, { fetch: countingFetch });
      await client.findLeadByEmail({ email: ana.email }); // token first, so only CRM calls compete below

      await Promise.all(Array.from({ length: 7 }, (_, i) => client.findLeadByEmail({ email: `p${i}@example.com` })));

      expect(peak).toBe(2);
    });
  });

  describe('record errors', () => {
    it('surfaces a 207 partial failure per record, with the field Zoho blamed', async () => {
      const { sandbox, url } = await startSandbox();
      const { client } = clientFor(url);

      const results = await client.createRecords({ module: 'Tasks', records: [{ Subject: 'Buena' }, { Description: 'sin asunto' }] });

      expect(callsTo(sandbox, 'POST', '/crm/v8/Tasks')[0]?.status).toBe(207);
      expect(results[0]).toEqual({ ok: true, id: expect.stringMatching(/^\d{19}$/), action: undefined });
      const failed = results[1];
      expect(failed?.ok).toBe(false);
      const error = failed && !failed.ok ? failed.error : undefined;
      expect(error).toBeInstanceOf(ZohoRecordError);
      expect(error).toMatchObject({ name: 'ZohoRecordError', code: 'MANDATORY_NOT_FOUND', apiName: 'Subject', jsonPath: '$.data[1].Subject', index: 1 });
      expect(sandbox.records('Tasks')).toHaveLength(1);
    });

    it('throws ZohoRecordError naming Last_Name when it is missing', async () => {
      const { sandbox, url } = await startSandbox();
      const { client, sleeps } = clientFor(url);

      const error = await client.upsertLead({ lead: { ...ana, lastName: '' } }).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(ZohoRecordError);
      expect(error).toMatchObject({ name: 'ZohoRecordError', code: 'MANDATORY_NOT_FOUND', apiName: 'Last_Name' });
      expect((error as Error).message).not.toContain(ana.email);
      expect(callsTo(sandbox, 'POST', '/crm/v8/Leads/upsert')[0]?.status).toBe(400);
      expect(sleeps).toEqual([]);
    });

    it('throws ZohoRecordError (INVALID_DATA) for a task under an unknown lead, an unknown owner or lead id', async () => {
      const { url } = await startSandbox();
      const { client } = clientFor(url);
      const { id: leadId } = await client.upsertLead({ lead: ana });

      await expect(client.createTask({ leadId: '6310180009999999999', subject: 'x', dueDate: '2025-03-04', description: 'x' })).rejects.toMatchObject({
        name: 'ZohoRecordError',
        code: 'INVALID_DATA',
        apiName: 'What_Id',
      });
      await expect(client.updateLead({ id: leadId, fields: { ownerId: '123' } })).rejects.toMatchObject({ code: 'INVALID_DATA', apiName: 'Owner' });
      await expect(client.updateLead({ id: '6310180009999999999', fields: { status: 'Contacted' } })).rejects.toMatchObject({
        name: 'ZohoRecordError',
        code: 'INVALID_DATA',
        details: { id: '6310180009999999999' },
      });
    });

    it('refuses a malformed due date before calling Zoho', async () => {
      const { sandbox, url } = await startSandbox();
      const { client } = clientFor(url);

      await expect(client.createTask({ leadId: '1', subject: 'x', dueDate: '04/03/2025', description: 'x' })).rejects.toMatchObject({
        name: 'ZohoRecordError',
        apiName: 'Due_Date',
      });
      expect(sandbox.requests()).toHaveLength(0);
    });
  });

  describe('sandbox state', () => {
    it('survives re-creating the sandbox from the same state file', async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zoho-sandbox-'));
      const statePath = path.join(dir, 'state.json');
      try {
        const first = await startSandbox({ statePath });
        const { client } = clientFor(first.url);
        const { id: leadId } = await client.upsertLead({ lead: ana });
        const { id: taskId } = await client.createTask({ leadId, subject: 'Llamar', dueDate: '2025-03-04', description: 'x' });
        await first.close();

        const second = await startSandbox({ statePath });
        const { client: again } = clientFor(second.url);

        expect(await again.findLeadByEmail({ email: ana.email })).toMatchObject({ id: leadId, lastName: 'Pérez' });
        expect(second.sandbox.records('Tasks').map((t) => t.id)).toEqual([taskId]);
        const { id: noteId } = await again.addNote({ leadId, title: 't', content: 'c' });
        expect([leadId, taskId]).not.toContain(noteId);
        expect(await again.upsertLead({ lead: ana })).toEqual({ id: leadId, action: 'update' });
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    it('is controlled over HTTP under /__sandbox as well', async () => {
      const { sandbox, url } = await startSandbox();
      const { client } = clientFor(url);
      await client.upsertLead({ lead: ana });

      const fault = await fetch(`${url}/__sandbox/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ status: 503, times: 1, path: '/crm/v8/Leads/search' }),
      });
      expect(fault.status).toBe(201);
      expect(await client.findLeadByEmail({ email: ana.email })).toMatchObject({ lastName: 'Pérez' });
      expect(callsTo(sandbox, 'GET', '/crm/v8/Leads/search').map((r) => r.status)).toEqual([503, 200]);

      const records = (await (await fetch(`${url}/__sandbox/records/Leads`)).json()) as { data: unknown[] };
      expect(records.data).toHaveLength(1);
      const log = (await (await fetch(`${url}/__sandbox/requests`)).json()) as { requests: Array<{ path: string }> };
      expect(log.requests.some((r) => r.path === '/crm/v8/Leads/upsert')).toBe(true);

      expect((await fetch(`${url}/__sandbox/expire-tokens`, { method: 'POST' })).status).toBe(204);
      expect(await client.findLeadByEmail({ email: ana.email })).not.toBeNull();
      expect(tokenRequests(sandbox)).toHaveLength(2);

      expect((await fetch(`${url}/__sandbox/reset`, { method: 'POST' })).status).toBe(204);
      expect(sandbox.records('Leads')).toEqual([]);
      expect(sandbox.requests()).toEqual([]);
      expect(await client.findLeadByEmail({ email: ana.email })).toBeNull();
    });
  });

  describe('creates are never repeated after an answer that may follow a save', () => {
    const task = (leadId: string, key: string) => ({ leadId, subject: 'Llamar', dueDate: '2025-03-04', description: `Guion\n\n${effectMarker(key)}` });

    it('saved, then the connection closed without an answer: ZohoOutcomeUnknownError after one request, and the task is there, found by its key', async () => {
      const { sandbox, url } = await startSandbox();
      const { client, sleeps } = clientFor(url);
      const { id: leadId } = await client.upsertLead({ lead: ana });
      sandbox.injectFault({ kind: 'lost-answer', mode: 'destroy', path: '/crm/v8/Tasks', method: 'POST' });

      const error = await client.createTask(task(leadId, 'L-1:step-1:attempt-1')).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(ZohoOutcomeUnknownError);
      expect(ZOHO_NON_RETRYABLE_ERROR_TYPES).not.toContain((error as Error).name);
      expect(callsTo(sandbox, 'POST', '/crm/v8/Tasks')).toHaveLength(1);
      expect(sleeps).toEqual([]);
      expect(sandbox.records('Tasks')).toHaveLength(1);
      const found = await client.findMarked({ module: 'Tasks', leadId, key: 'L-1:step-1:attempt-1' });
      expect(found).toEqual({ id: sandbox.records('Tasks')[0]!.id });
      expect(await client.findMarked({ module: 'Tasks', leadId, key: 'L-1:step-2:attempt-1' })).toBeNull();
      // The look-up as module_search.json documents it: criteria on the lookup, per_page.
      expect(callsTo(sandbox, 'GET', '/crm/v8/Tasks/search')[0]!.query).toMatchObject({ criteria: `(What_Id:equals:${leadId})`, per_page: '200' });
    });

    it('saved, then the answer held past the request timeout: unknown too, without a second request', async () => {
      const { sandbox, url } = await startSandbox();
      const { client } = clientFor(url, { requestTimeoutMs: 500 });
      const { id: leadId } = await client.upsertLead({ lead: ana });
      sandbox.injectFault({ kind: 'lost-answer', mode: 'delay', delayMs: 3000, path: '/crm/v8/Calls' });

      await expect(client.logCall({ leadId, subject: 'Llamada', callType: 'Outbound', startTime: '2025-03-04T15:00:00Z', durationSeconds: 0, result: 'Interested', description: effectMarker('k-call') }))
        .rejects.toBeInstanceOf(ZohoOutcomeUnknownError);
      expect(callsTo(sandbox, 'POST', '/crm/v8/Calls')).toHaveLength(1);
      expect(await client.findMarked({ module: 'Calls', leadId, key: 'k-call' })).toEqual({ id: sandbox.records('Calls')[0]!.id });
    });

    it('a 5xx on a create is unknown (Zoho may have saved before failing); on an idempotent upsert it is retried', async () => {
      const { sandbox, url } = await startSandbox();
      const { client } = clientFor(url);
      const { id: leadId } = await client.upsertLead({ lead: ana });
      sandbox.injectFault({ status: 500, times: 1, path: '/crm/v8/Notes' });
      await expect(client.addNote({ leadId, title: 'Correo', content: effectMarker('k-note') })).rejects.toBeInstanceOf(ZohoOutcomeUnknownError);
      expect(callsTo(sandbox, 'POST', '/crm/v8/Notes')).toHaveLength(1);
      expect(await client.findMarked({ module: 'Notes', leadId, key: 'k-note' })).toBeNull();

      sandbox.injectFault({ kind: 'lost-answer', mode: 'destroy', path: '/crm/v8/Leads/upsert' });
      await expect(client.upsertLead({ lead: { ...ana, phone: '+57 300 000 0000' } })).resolves.toMatchObject({ id: leadId, action: 'update' });
      expect(sandbox.records('Leads')).toHaveLength(1);
    });

    it('a create whose connection never opened is retried: nothing can have been saved', async () => {
      const { sandbox, url } = await startSandbox();
      let refused = 0;
      const flakyFetch: typeof fetch = async (input, init) => {
        if (String(input).includes('/crm/v8/Tasks') && refused++ < 2) {
          throw new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
        }
        return fetch(input, init);
      };
      const { client, sleeps } = clientFor(url, {}, { fetch: flakyFetch });
      const { id: leadId } = await client.upsertLead({ lead: ana });
      await client.createTask(task(leadId, 'k-refused'));
      expect(sleeps).toHaveLength(2);
      expect(sandbox.records('Tasks')).toHaveLength(1);
    });

    it('keeps every call with its retries inside its budget, so the activity never times out mid-call', async () => {
      const { sandbox, url } = await startSandbox();
      let clock = 1_000_000;
      const { client, sleeps } = clientFor(url, { callBudgetMs: 10_000 }, {
        now: () => clock,
        sleep: async (ms) => {
          sleeps.push(ms);
          clock += ms;
        },
      });
      await client.upsertLead({ lead: ana });
      sandbox.injectFault({ status: 429, times: 10, retryAfterSeconds: 4 });

      await expect(client.findLeadByEmail({ email: ana.email })).rejects.toBeInstanceOf(ZohoUnavailableError);
      // 4 s, 4 s: a third pause would end past the 10 s budget.
      expect(sleeps).toEqual([4000, 4000]);
    });
  });

  describe('sandbox faults for the chaos run', () => {
    it('revokes the refresh token as Zoho does: the next call fails with ZohoAuthError (invalid_code), until restored', async () => {
      const { sandbox, url } = await startSandbox();
      const { client } = clientFor(url);
      await client.upsertLead({ lead: ana });
      expect((await fetch(`${url}/__sandbox/revoke-refresh-token`, { method: 'POST' })).status).toBe(204);

      await expect(client.findLeadByEmail({ email: ana.email })).rejects.toMatchObject({ name: 'ZohoAuthError', code: 'invalid_code' });
      expect(tokenRequests(sandbox).at(-1)!.status).toBe(200);

      expect((await fetch(`${url}/__sandbox/restore-refresh-token`, { method: 'POST' })).status).toBe(204);
      expect(await client.findLeadByEmail({ email: ana.email })).not.toBeNull();
    });

    it('fails a share of /crm calls at random, the same way for the same seed, and stops on request', async () => {
      const { sandbox, url } = await startSandbox();
      const answer = await fetch(`${url}/__sandbox/chaos`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ rate: 0.5, seed: 7 }) });
      expect(answer.status).toBe(201);
      expect((await answer.json()) as unknown).toEqual({ chaos: { rate: 0.5, kinds: ['429', '500', 'lost-answer'], lostMode: 'destroy', delayMs: 30_000, path: '/crm/', seed: 7 } });
      const token = await (await fetch(`${url}/oauth/v2/token?grant_type=refresh_token&client_id=${CREDENTIALS.clientId}&client_secret=${CREDENTIALS.clientSecret}&refresh_token=${CREDENTIALS.refreshToken}`, { method: 'POST' })).json() as { access_token: string };
      const outcomes = async () => {
        const seen: string[] = [];
        for (let i = 0; i < 40; i++) {
          try {
            const res = await fetch(`${url}/crm/v8/Leads/search?per_page=200&email=a@b.co`, { headers: { authorization: `Zoho-oauthtoken ${token.access_token}` } });
            seen.push(String(res.status));
          } catch {
            seen.push('lost');
          }
        }
        return seen;
      };
      const first = await outcomes();
      expect(new Set(first)).toEqual(new Set(['204', '429', '500', 'lost']));
      sandbox.setChaos({ rate: 0.5, seed: 7 });
      expect(await outcomes()).toEqual(first);
      expect((await fetch(`${url}/__sandbox/chaos`, { method: 'DELETE' })).status).toBe(204);
      expect(new Set(await outcomes())).toEqual(new Set(['204']));
    });
  });
});