import { OAS_DIR } from '../support/zoho-oas';
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { SANDBOX_USERS, createZohoSandbox, type ZohoSandbox } from '../../dev/zoho-sandbox/app';

/**
 * The sandbox's answers checked against Zoho's published v8 OpenAPI files, so the client is tested
 * against Zoho's shapes and not against our memory of them.
 */


type Schema = Record<string, unknown>;
const oas = (file: string) => JSON.parse(fs.readFileSync(path.join(OAS_DIR, file), 'utf8')) as Schema;
const RECORD = oas('record.json');
const NOTES = oas('notes.json');
const SEARCH = oas('module_search.json');
const COMMON = oas('common.json');
const CONVERT = oas('convert_lead.json');

function at(doc: Schema, pointer: string[]): Schema {
  let node: unknown = doc;
  for (const key of pointer) node = (node as Record<string, unknown>)[key];
  if (node === undefined) throw new Error(`no ${pointer.join('/')} in the OAS file`);
  return node as Schema;
}

/** The JSON schema of an operation's 200 answer. */
const responseSchema = (doc: Schema, p: string, method: string, status = '200') =>
  at(doc, ['paths', p, method, 'responses', status, 'content', 'application/json', 'schema']);
const componentSchema = (doc: Schema, name: string) => at(doc, ['components', 'schemas', name]);

/**
 * A small OpenAPI 3.0 schema checker for the keywords Zoho's files use. `oneOf` is checked as
 * `anyOf`: Zoho's alternatives overlap (none of record.json's require a key), so strict oneOf would
 * reject every valid answer. References into files not shipped here (users.json, modules.json) only
 * require an object.
 */
function violations(doc: Schema, schema: Schema, value: unknown, where = '$'): string[] {
  if (typeof schema.$ref === 'string') {
    if (!schema.$ref.startsWith('#/')) return typeof value === 'object' && value !== null ? [] : [`${where}: expected an object for ${schema.$ref}`];
    return violations(doc, at(doc, schema.$ref.slice(2).split('/')), value, where);
  }
  if (value === null) return schema.nullable === true ? [] : [`${where}: null is not allowed`];
  if (Array.isArray(schema.oneOf)) {
    const each = (schema.oneOf as Schema[]).map((s) => violations(doc, s, value, where));
    return each.some((v) => v.length === 0) ? [] : [`${where}: matches none of oneOf`, ...each.flat()];
  }
  const problems: string[] = [];
  const type = schema.type;
  const actual = Array.isArray(value) ? 'array' : Number.isInteger(value) ? 'integer' : typeof value;
  if (typeof type === 'string' && type !== actual && !(type === 'number' && actual === 'integer')) {
    return [`${where}: expected ${type}, got ${actual}`];
  }
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) problems.push(`${where}: ${JSON.stringify(value)} is not one of the enum`);
  if (schema.format === 'date-time' && typeof value === 'string' && Number.isNaN(Date.parse(value))) problems.push(`${where}: not a date-time`);
  if (typeof value === 'object' && !Array.isArray(value)) {
    const obj = value as Record<string, unknown>;
    for (const key of (schema.required as string[] | undefined) ?? []) if (!(key in obj)) problems.push(`${where}.${key}: required`);
    const props = (schema.properties as Record<string, Schema> | undefined) ?? {};
    for (const [key, sub] of Object.entries(props)) if (key in obj) problems.push(...violations(doc, sub, obj[key], `${where}.${key}`));
  }
  if (Array.isArray(value) && schema.items) value.forEach((item, i) => problems.push(...violations(doc, schema.items as Schema, item, `${where}[${i}]`)));
  return problems;
}

function expectConforms(doc: Schema, schema: Schema, value: unknown): void {
  expect(violations(doc, schema, value)).toEqual([]);
}

const CREDS = { clientId: 'cid', clientSecret: 'cs-7f3a9e', refreshToken: 'refresh' };
const GRANT = { grant_type: 'refresh_token', client_id: CREDS.clientId, client_secret: CREDS.clientSecret, refresh_token: CREDS.refreshToken };

let sandbox: ZohoSandbox;
let auth: string;

beforeEach(async () => {
  sandbox = createZohoSandbox({ ...CREDS, publicUrl: () => 'http://sandbox.test' });
  const res = await request(sandbox.app)
    .post('/oauth/v2/token')
    .type('form')
    .send(GRANT);
  auth = `Zoho-oauthtoken ${res.body.access_token}`;
});

const crm = () => ({
  get: (p: string) => request(sandbox.app).get(`/crm/v8${p}`).set('Authorization', auth),
  post: (p: string, body: object) => request(sandbox.app).post(`/crm/v8${p}`).set('Authorization', auth).send(body),
  put: (p: string, body: object) => request(sandbox.app).put(`/crm/v8${p}`).set('Authorization', auth).send(body),
});

async function insertLead(fields: object = { Last_Name: 'Pérez', First_Name: 'Ana', Email: 'ana@example.com' }): Promise<string> {
  const res = await crm().post('/Leads', { data: [fields], trigger: [] });
  expect(res.status).toBe(201);
  return res.body.data[0].details.id as string;
}

describe('Zoho sandbox: OAuth', () => {
  it('grants an access token with api_domain, Bearer type and an hour of life', async () => {
    const res = await request(sandbox.app).post('/oauth/v2/token').type('form').send(GRANT);
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(['access_token', 'api_domain', 'expires_in', 'scope', 'token_type']);
    expect(res.body).toMatchObject({ api_domain: 'http://sandbox.test', token_type: 'Bearer', expires_in: 3600 });
    expect(res.body.access_token).toMatch(/^1000\.[0-9a-f]{32}\.[0-9a-f]{32}$/);
  });

  it('accepts the grant in the query string, as Zoho documents it', async () => {
    const res = await request(sandbox.app).post(`/oauth/v2/token?${new URLSearchParams(GRANT).toString()}`);
    expect(res.body.access_token).toBeDefined();
  });

  it.each([
    [{ client_secret: 'wrong', refresh_token: 'refresh' }, 'invalid_client'],
    [{ client_secret: CREDS.clientSecret, refresh_token: 'wrong' }, 'invalid_code'],
  ])('refuses bad credentials with HTTP 200 and an error field (%o)', async (creds, error) => {
    const res = await request(sandbox.app).post('/oauth/v2/token').type('form').send({ ...GRANT, ...creds });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ error });
  });

  it('answers 401 AUTHENTICATION_FAILURE without a token and INVALID_TOKEN for an unknown or expired one', async () => {
    const missing = await request(sandbox.app).get('/crm/v8/Leads/search?per_page=200&email=a@b.co');
    expect(missing.status).toBe(401);
    expect(missing.body).toEqual({ code: 'AUTHENTICATION_FAILURE', details: {}, message: 'Authentication failed', status: 'error' });
    expectConforms(RECORD, componentSchema(RECORD, 'API_Exception'), missing.body);

    const unknown = await request(sandbox.app).get('/crm/v8/Leads/search?per_page=200&email=a@b.co').set('Authorization', 'Zoho-oauthtoken 1000.nope');
    expect(unknown.status).toBe(401);
    expect(unknown.body).toEqual({ code: 'INVALID_TOKEN', details: {}, message: 'invalid oauth token', status: 'error' });
    expectConforms(RECORD, componentSchema(RECORD, 'API_Exception'), unknown.body);

    expect((await crm().get('/Leads/search?per_page=200&email=a@b.co')).status).toBe(204);
    sandbox.expireTokens();
    expect((await crm().get('/Leads/search?per_page=200&email=a@b.co')).body.code).toBe('INVALID_TOKEN');
  });

  it('expires tokens by their own clock', async () => {
    let clock = Date.parse('2025-01-01T00:00:00Z');
    sandbox = createZohoSandbox({ ...CREDS, now: () => new Date(clock), tokenTtlSeconds: 60 });
    const token = (await request(sandbox.app).post('/oauth/v2/token').type('form').send(GRANT)).body.access_token;
    const search = () => request(sandbox.app).get('/crm/v8/Leads/search?per_page=200&email=a@b.co').set('Authorization', `Zoho-oauthtoken ${token}`);
    clock += 59_000;
    expect((await search()).status).toBe(204);
    clock += 1_000;
    expect((await search()).status).toBe(401);
  });
});

describe('Zoho sandbox: record writes match the v8 OAS', () => {
  it('inserts with 201 and the SUCCESS envelope, with a 19-digit string id', async () => {
    const res = await crm().post('/Leads', { data: [{ Last_Name: 'Pérez', Email: 'ana@example.com' }], trigger: [] });
    expect(res.status).toBe(201);
    expectConforms(RECORD, responseSchema(RECORD, '/crm/v8/{module_api_name}', 'post'), res.body);
    const [item] = res.body.data;
    expect(Object.keys(item)).toEqual(['code', 'details', 'message', 'status']);
    expect(Object.keys(item.details).sort()).toEqual(['Created_By', 'Created_Time', 'Modified_By', 'Modified_Time', 'id']);
    expect(item).toMatchObject({ code: 'SUCCESS', message: 'record added', status: 'success' });
    expect(item.details.id).toMatch(/^\d{19}$/);
    expect(item.details.Created_Time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$/);
  });

  it('answers a partly failed batch with 207 and a MANDATORY_NOT_FOUND item naming the field', async () => {
    const res = await crm().post('/Leads', { data: [{ Last_Name: 'Uno' }, { First_Name: 'Sin apellido' }] });
    expect(res.status).toBe(207);
    expectConforms(RECORD, responseSchema(RECORD, '/crm/v8/{module_api_name}', 'post'), res.body);
    expect(res.body.data[1]).toEqual({
      code: 'MANDATORY_NOT_FOUND',
      details: { api_name: 'Last_Name', json_path: '$.data[1].Last_Name' },
      message: 'required field not found',
      status: 'error',
    });
    expectConforms(COMMON, componentSchema(COMMON, 'MandatoryError'), res.body.data[1]);
    expect(sandbox.records('Leads')).toHaveLength(1);
  });

  it('answers a batch where every record failed with 400', async () => {
    const res = await crm().post('/Tasks', { data: [{ Description: 'sin asunto' }] });
    expect(res.status).toBe(400);
    expect(res.body.data[0]).toMatchObject({ code: 'MANDATORY_NOT_FOUND', details: { api_name: 'Subject' } });
  });

  it.each([
    ['Calls', { Subject: 's', Call_Type: 'Outbound', Call_Start_Time: '2025-01-01T10:00:00+00:00' }, 'MANDATORY_NOT_FOUND', 'Call_Duration'],
    ['Calls', { Subject: 's', Call_Type: 'Outbound', Call_Start_Time: '2025-01-01T10:00:00Z', Call_Duration: '01:00' }, 'INVALID_DATA', 'Call_Start_Time'],
    ['Calls', { Subject: 's', Call_Type: 'Sideways', Call_Start_Time: '2025-01-01T10:00:00+00:00', Call_Duration: '01:00' }, 'INVALID_DATA', 'Call_Type'],
    ['Leads', { Last_Name: 'x', Email: 'not-an-email' }, 'INVALID_DATA', 'Email'],
    ['Leads', { Last_Name: 'x'.repeat(81) }, 'INVALID_DATA', 'Last_Name'],
    ['Tasks', { Subject: 's', Due_Date: '2025-13-45' }, 'INVALID_DATA', 'Due_Date'],
    ['Tasks', { Subject: 's', What_Id: { id: '1' }, $se_module: 'Leads' }, 'INVALID_DATA', 'What_Id'],
    ['Notes', { Note_Content: 'c' }, 'MANDATORY_NOT_FOUND', 'Parent_Id'],
  ])('refuses a bad %s record with %s on the right field (%#)', async (module, record, code, apiName) => {
    const res = await crm().post(`/${module}`, { data: [record] });
    expect(res.status).toBe(400);
    expect(res.body.data[0]).toMatchObject({ code, status: 'error', details: { api_name: apiName, json_path: `$.data[0].${apiName}` } });
    expectConforms(RECORD, componentSchema(RECORD, 'API_Exception'), res.body.data[0]);
  });

  it('upserts on Email by default: insert, then update naming the duplicate field', async () => {
    const upsertSchema = responseSchema(RECORD, '/crm/v8/{module_api_name}/upsert', 'post');
    const inserted = await crm().post('/Leads/upsert', { data: [{ Last_Name: 'Pérez', Email: 'ana@example.com' }], trigger: [] });
    expect(inserted.status).toBe(201);
    expectConforms(RECORD, upsertSchema, inserted.body);
    expect(inserted.body.data[0]).toMatchObject({ action: 'insert', message: 'record added' });
    expect(inserted.body.data[0]).not.toHaveProperty('duplicate_field');

    const updated = await crm().post('/Leads/upsert', { data: [{ Email: 'ANA@example.com', Lead_Status: 'Contacted' }] });
    expect(updated.status).toBe(200);
    expectConforms(RECORD, upsertSchema, updated.body);
    expect(updated.body.data[0]).toMatchObject({ action: 'update', duplicate_field: 'Email', message: 'record updated' });
    expect(updated.body.data[0].details.id).toBe(inserted.body.data[0].details.id);
    expect(sandbox.records('Leads')).toEqual([expect.objectContaining({ Last_Name: 'Pérez', Lead_Status: 'Contacted' })]);
  });

  it('updates by id with 200, and refuses an unknown id', async () => {
    const id = await insertLead();
    const res = await crm().put(`/Leads/${id}`, { data: [{ Lead_Status: 'Contacted', Owner: { id: SANDBOX_USERS[2]!.id } }], trigger: [] });
    expect(res.status).toBe(200);
    expectConforms(RECORD, responseSchema(RECORD, '/crm/v8/{module_api_name}/{id}', 'put'), res.body);
    expect(res.body.data[0]).toMatchObject({ code: 'SUCCESS', message: 'record updated', details: { id } });
    expect(sandbox.records('Leads')[0]).toMatchObject({ Lead_Status: 'Contacted', Owner: SANDBOX_USERS[2] });

    const unknown = await crm().put('/Leads/6310180009999999999', { data: [{ Lead_Status: 'Contacted' }] });
    expect(unknown.status).toBe(400);
    expect(unknown.body.data[0]).toEqual({ code: 'INVALID_DATA', details: { id: '6310180009999999999' }, message: 'the id given seems to be invalid', status: 'error' });
  });

  it('refuses a body without data, and malformed JSON', async () => {
    const noData = await crm().post('/Leads', { trigger: [] });
    expect(noData.status).toBe(400);
    expect(noData.body).toMatchObject({ code: 'REQUIRED_PARAM_MISSING', details: { param_name: 'data' }, status: 'error' });

    const broken = await request(sandbox.app).post('/crm/v8/Leads').set('Authorization', auth).set('content-type', 'application/json').send('{"data": [');
    expect(broken.status).toBe(400);
    expect(broken.body).toMatchObject({ code: 'INVALID_DATA', status: 'error' });
  });
});

describe('Zoho sandbox: reads and search match the v8 OAS', () => {
  it('gets a record by id in Response_Wrapper, and 204 for an unknown id', async () => {
    const id = await insertLead();
    const res = await crm().get(`/Leads/${id}`);
    expect(res.status).toBe(200);
    expectConforms(RECORD, responseSchema(RECORD, '/crm/v8/{module_api_name}/{id}', 'get'), res.body);
    expect(res.body.data[0]).toMatchObject({ id, Last_Name: 'Pérez', Full_Name: 'Ana Pérez', Owner: SANDBOX_USERS[0] });

    const missing = await crm().get('/Leads/6310180009999999999');
    expect(missing.status).toBe(204);
    expect(missing.text).toBe('');
  });

  it('lists records only with `fields`, as v8 requires, and pages them', async () => {
    await insertLead();
    await insertLead({ Last_Name: 'Gómez', Email: 'luis@example.com' });
    const refused = await crm().get('/Leads');
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ code: 'REQUIRED_PARAM_MISSING', details: { param_name: 'fields' } });

    const page = await crm().get('/Leads?fields=Last_Name,Email&per_page=1&page=2');
    expect(page.status).toBe(200);
    expectConforms(RECORD, responseSchema(RECORD, '/crm/v8/{module_api_name}', 'get'), page.body);
    expect(page.body).toEqual({ data: [{ id: expect.any(String), Last_Name: 'Gómez', Email: 'luis@example.com' }], info: { per_page: 1, count: 1, page: 2, more_records: false } });
  });

  it('searches by email (case-insensitive) and by criteria; 204 with an empty body when nothing matches', async () => {
    const id = await insertLead();
    const byEmail = await crm().get('/Leads/search?per_page=200&email=ANA@EXAMPLE.COM');
    expect(byEmail.status).toBe(200);
    expectConforms(SEARCH, responseSchema(SEARCH, '/crm/v8/{module}/search', 'get'), byEmail.body);
    expectConforms(RECORD, responseSchema(RECORD, '/crm/v8/{module_api_name}/search', 'get'), byEmail.body);
    expect(byEmail.body.data.map((r: { id: string }) => r.id)).toEqual([id]);
    expect(byEmail.body.info).toMatchObject({ count: 1, page: 1, more_records: false });

    const byCriteria = await crm().get(`/Leads/search?per_page=200&criteria=${encodeURIComponent('((Email:equals:ana@example.com)and(Last_Name:starts_with:pé))')}`);
    expect(byCriteria.body.data.map((r: { id: string }) => r.id)).toEqual([id]);

    const none = await crm().get(`/Leads/search?per_page=200&criteria=${encodeURIComponent('(Email:equals:nadie@example.com)')}`);
    expect(none.status).toBe(204);
    expect(none.text).toBe('');
  });

  it('reads escaped criteria values and the `in` operator', async () => {
    const id = await insertLead({ Last_Name: 'Smith (Jr), III', Email: 'smith@example.com' });
    await insertLead({ Last_Name: 'Otro', Email: 'otro@example.com' });
    const escaped = await crm().get(`/Leads/search?per_page=200&criteria=${encodeURIComponent('(Last_Name:equals:Smith \\(Jr\\)\\, III)')}`);
    expect(escaped.body.data.map((r: { id: string }) => r.id)).toEqual([id]);
    const inList = await crm().get(`/Leads/search?per_page=200&criteria=${encodeURIComponent('(Email:in:smith@example.com,otro@example.com)')}`);
    expect(inList.body.data).toHaveLength(2);
  });

  it('refuses a search without parameters, and criteria on an unknown field', async () => {
    const none = await crm().get('/Leads/search');
    expect(none.status).toBe(400);
    expectConforms(SEARCH, componentSchema(SEARCH, 'Mandatory_Param_Missing'), none.body);

    const badField = await crm().get(`/Leads/search?per_page=200&criteria=${encodeURIComponent('(Shoe_Size:equals:42)')}`);
    expect(badField.status).toBe(400);
    expectConforms(SEARCH, componentSchema(SEARCH, 'InvalidQuery'), badField.body);
    expect(badField.body.details).toMatchObject({ api_name: 'Shoe_Size' });

    const badSyntax = await crm().get(`/Leads/search?per_page=200&criteria=${encodeURIComponent('Email:equals:x')}`);
    expect(badSyntax.status).toBe(400);
    expect(badSyntax.body.code).toBe('INVALID_QUERY');
  });

  it('answers INVALID_MODULE and INVALID_URL_PATTERN like Zoho', async () => {
    const module = await crm().get('/Potatoes/search?per_page=200&email=a@b.co');
    expect(module.status).toBe(400);
    expect(module.body).toMatchObject({ code: 'INVALID_MODULE', status: 'error' });
    expectConforms(RECORD, componentSchema(RECORD, 'API_Exception'), module.body);
    const url = await request(sandbox.app).get('/crm/v9/whatever');
    expect(url.status).toBe(404);
    expect(url.body).toMatchObject({ code: 'INVALID_URL_PATTERN', status: 'error' });
  });
});

describe('Zoho sandbox: notes match notes.json', () => {
  it('creates a note under a lead and lists it with every key notes.json requires', async () => {
    const leadId = await insertLead();
    const created = await crm().post('/Notes', { data: [{ Note_Title: 'T', Note_Content: 'C', Parent_Id: { module: { api_name: 'Leads' }, id: leadId } }], trigger: [] });
    expect(created.status).toBe(201);
    expectConforms(NOTES, responseSchema(NOTES, '/crm/v8/Notes', 'post'), created.body);

    const list = await crm().get('/Notes');
    expect(list.status).toBe(200);
    expectConforms(NOTES, responseSchema(NOTES, '/crm/v8/Notes', 'get'), list.body);
    expect(list.body.data[0].Parent_Id).toMatchObject({ id: leadId, name: 'Ana Pérez', module: { api_name: 'Leads' } });
  });

  it('still reads the older Parent_Id + $se_module form', async () => {
    const leadId = await insertLead();
    const res = await crm().post('/Notes', { data: [{ Note_Content: 'C', Parent_Id: leadId, $se_module: 'Leads' }] });
    expect(res.status).toBe(201);
    expect(sandbox.records('Notes')[0]).toMatchObject({ Parent_Id: { id: leadId, module: { api_name: 'Leads' } } });
  });

  it('reports a missing Note_Content as notes.json Mandatory_API_Exception', async () => {
    const leadId = await insertLead();
    const res = await crm().post('/Notes', { data: [{ Parent_Id: { module: { api_name: 'Leads' }, id: leadId } }] });
    expectConforms(NOTES, componentSchema(NOTES, 'Mandatory_API_Exception'), res.body.data[0]);
    expect(res.body.data[0].details.api_name).toBe('Note_Content');
  });
});

describe('Zoho sandbox: lead conversion matches convert_lead.json', () => {
  const CONVERT_PATH = '/crm/v8/Leads/{lead_id}/actions/convert';
  const convert = (id: string, body: object = { data: [{ notify_lead_owner: false }] }) => crm().post(`/Leads/${id}/actions/convert`, body);

  it('answers Success_Response with the new Contact and Account, null for the Deal it did not make', async () => {
    const leadId = await insertLead({ Last_Name: 'Pérez', First_Name: 'Ana', Email: 'ana@example.com', Company: 'Acme' });
    const res = await convert(leadId, { data: [{ overwrite: true, notify_lead_owner: false, notify_new_entity_owner: false, assign_to: { id: SANDBOX_USERS[2]!.id } }] });
    expect(res.status).toBe(200);
    // The only departure from the file: it marks Deals required but not nullable, and Zoho sends null.
    expect(violations(CONVERT, responseSchema(CONVERT, CONVERT_PATH, 'post'), res.body)).toEqual([
      '$: matches none of oneOf',
      '$.data[0]: matches none of oneOf',
      expect.stringMatching(/^\$\.data\[0\]\.details\.Deals: expected an object for /),
    ]);
    expectConforms(CONVERT, componentSchema(CONVERT, 'Success_Response'), { ...res.body.data[0], details: { ...res.body.data[0].details, Deals: {} } });
    const [contact] = sandbox.records('Contacts');
    const [account] = sandbox.records('Accounts');
    expect(res.body.data[0].details).toEqual({ Contacts: { name: 'Ana Pérez', id: contact!.id }, Deals: null, Accounts: { name: 'Acme', id: account!.id } });
  });

  it('answers ID_ALREADY_CONVERTED for a second conversion and Invalid_URL_ID for an unknown lead', async () => {
    const leadId = await insertLead();
    expect((await convert(leadId)).status).toBe(200);

    const again = await convert(leadId);
    expect(again.status).toBe(400);
    expectConforms(CONVERT, componentSchema(CONVERT, 'ID_Already_Converted_API_Exception'), again.body);
    expectConforms(CONVERT, responseSchema(CONVERT, CONVERT_PATH, 'post', '400'), again.body);

    const unknown = await convert('6310180009999999999');
    expect(unknown.status).toBe(400);
    expect(unknown.body).toEqual({ code: 'INVALID_DATA', details: { resource_path_index: 1 }, message: 'invalid data', status: 'error' });
    expectConforms(CONVERT, componentSchema(CONVERT, 'Invalid_URL_ID_Exception'), unknown.body);
    expect(sandbox.records('Contacts')).toHaveLength(1);
  });

  it('refuses a bad converter body with the documented exceptions', async () => {
    const leadId = await insertLead();
    const missing = await convert(leadId, {});
    expect(missing.status).toBe(400);
    expectConforms(CONVERT, componentSchema(CONVERT, 'Mandatory_API_Exception'), missing.body);

    const wrongType = await convert(leadId, { data: [{ overwrite: 'yes' }] });
    expect(wrongType.status).toBe(400);
    expectConforms(CONVERT, responseSchema(CONVERT, CONVERT_PATH, 'post', '400'), wrongType.body);
    expectConforms(CONVERT, componentSchema(CONVERT, 'Expected_Data_Type_API_Exception'), wrongType.body.data[0]);

    const badOwner = await convert(leadId, { data: [{ assign_to: { id: '1' } }] });
    expect(badOwner.status).toBe(400);
    expectConforms(CONVERT, componentSchema(CONVERT, 'Invalid_Value_Exception'), badOwner.body.data[0]);
    expect(badOwner.body.data[0].details).toEqual({ api_name: 'assign_to', json_path: '$.data[0].assign_to' });
    expect(sandbox.records('Contacts')).toEqual([]);
  });

  it('hides converted leads from lists and searches unless `converted` asks for them', async () => {
    const leadId = await insertLead();
    await convert(leadId);
    expect((await crm().get('/Leads/search?per_page=200&email=ana@example.com')).status).toBe(204);
    expect((await crm().get('/Leads?fields=Last_Name')).status).toBe(204);
    expect((await crm().get('/Leads/search?per_page=200&email=ana@example.com&converted=both')).body.data[0]).toMatchObject({ id: leadId, $converted: true });
  });

  it('is behind the same auth and fault injection as the other routes', async () => {
    const leadId = await insertLead();
    const unauthenticated = await request(sandbox.app).post(`/crm/v8/Leads/${leadId}/actions/convert`).send({ data: [{}] });
    expect(unauthenticated.status).toBe(401);
    sandbox.injectFault({ status: 503, times: 1, path: `/crm/v8/Leads/${leadId}/actions/convert` });
    expect((await convert(leadId)).status).toBe(503);
    expect((await convert(leadId)).status).toBe(200);
  });
});

describe('Zoho sandbox: fault injection', () => {
  it('fails the next n matching calls with Zoho bodies, honouring the path prefix', async () => {
    sandbox.injectFault({ status: 429, times: 2, path: '/crm/v8/Tasks', retryAfterSeconds: 7 });
    sandbox.injectFault({ status: 500, times: 1, path: '/crm/v8/Calls' });

    expect((await crm().get('/Leads/search?per_page=200&email=a@b.co')).status).toBe(204);
    const throttled = await crm().post('/Tasks', { data: [{ Subject: 's' }] });
    expect(throttled.status).toBe(429);
    expect(throttled.headers['retry-after']).toBe('7');
    expect(throttled.body).toEqual({ code: 'TOO_MANY_REQUESTS', details: {}, message: expect.any(String), status: 'error' });
    expect((await crm().post('/Tasks', { data: [{ Subject: 's' }] })).status).toBe(429);
    expect((await crm().post('/Tasks', { data: [{ Subject: 's' }] })).status).toBe(201);

    const failed = await crm().get('/Calls/1');
    expect(failed.status).toBe(500);
    expect(failed.body).toEqual({ code: 'INTERNAL_ERROR', details: {}, message: 'Internal server error occurred.', status: 'error' });
    expectConforms(RECORD, componentSchema(RECORD, 'API_Exception'), failed.body);
    expect(sandbox.faults.pending()).toEqual([]);
  });

  it('fails with 401 INVALID_TOKEN even with a good token', async () => {
    sandbox.injectFault({ status: 401, times: 1 });
    const res = await crm().get('/Leads/search?per_page=200&email=a@b.co');
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('INVALID_TOKEN');
  });

  it('takes faults over HTTP and refuses malformed ones', async () => {
    const bad = await request(sandbox.app).post('/__sandbox/faults').send({ status: 418, times: 1 });
    expect(bad.status).toBe(400);
    const good = await request(sandbox.app).post('/__sandbox/faults').send({ status: 503, times: 2, path: '/crm/v8/Leads' });
    expect(good.status).toBe(201);
    expect(good.body.pending).toEqual([{ status: 503, times: 2, path: '/crm/v8/Leads' }]);
    expect((await crm().get('/Leads/1')).status).toBe(503);
  });

  it('logs requests with their bodies and statuses, never the secrets, and forgets them on reset', async () => {
    await crm().post('/Tasks', { data: [{ Subject: 's' }], trigger: [] });
    const log = (await request(sandbox.app).get('/__sandbox/requests')).body.requests;
    expect(log).toEqual([
      expect.objectContaining({ method: 'POST', path: '/oauth/v2/token', status: 200, body: expect.objectContaining({ client_secret: '[redacted]', refresh_token: '[redacted]' }) }),
      expect.objectContaining({ method: 'POST', path: '/crm/v8/Tasks', status: 201, body: { data: [{ Subject: 's' }], trigger: [] } }),
    ]);
    expect(JSON.stringify(log)).not.toContain(CREDS.clientSecret);
    expect(JSON.stringify(log)).not.toContain(auth.split(' ')[1]);

    expect((await request(sandbox.app).get('/__sandbox/records/Tasks')).body.data).toHaveLength(1);
    expect((await request(sandbox.app).get('/__sandbox/records/Potatoes')).status).toBe(404);
    await request(sandbox.app).post('/__sandbox/reset').expect(204);
    expect(sandbox.requests()).toEqual([]);
    expect(sandbox.records('Tasks')).toEqual([]);
  });
});

describe('Zoho sandbox: as strict as a real org', () => {
  const FIELDS = oas('fields.json');
  const USERS = oas('users.json');

  it('answers the org\'s fields in fields.json\'s shape, picklists with display and actual values', async () => {
    const res = await crm().get('/settings/fields?module=Leads');
    expect(res.status).toBe(200);
    expectConforms(FIELDS, at(FIELDS, ['components', 'responses', 'Fields', 'content', 'application/json', 'schema']), res.body);
    const status = res.body.fields.find((f: { api_name: string }) => f.api_name === 'Lead_Status');
    expect(status.data_type).toBe('picklist');
    expect(status.pick_list_values).toEqual(expect.arrayContaining([expect.objectContaining({ display_value: 'No contactado', actual_value: 'Not Contacted' })]));
    expect(res.body.fields.find((f: { api_name: string }) => f.api_name === 'Country').data_type).toBe('text');
    expect((await crm().get('/settings/fields')).body).toMatchObject({ code: 'REQUIRED_PARAM_MISSING', details: { param_name: 'module' } });
  });

  it('answers the active users in users.json\'s shape, without the deactivated ones', async () => {
    const res = await crm().get('/users?type=ActiveUsers');
    expect(res.status).toBe(200);
    expectConforms(USERS, at(USERS, ['components', 'responses', 'Users', 'content', 'application/json', 'schema']), res.body);
    expect(res.body.users.map((u: { email: string }) => u.email)).toEqual(SANDBOX_USERS.map((u) => u.email));
    expect(res.body.info).toEqual({ per_page: 200, count: 3, page: 1, more_records: false });
  });

  it.each([
    ['Leads', { Last_Name: 'Pérez', Lead_Source: 'web-form' }, 'Lead_Source'],
    ['Leads', { Last_Name: 'Pérez', Lead_Status: 'No contactado' }, 'Lead_Status'],
    ['Calls', { Subject: 's', Call_Type: 'Outbound', Call_Start_Time: '2025-03-04T10:00:00+00:00', Call_Duration: '00:00', Call_Result: 'no_answer' }, 'Call_Result'],
    ['Tasks', { Subject: 's', Priority: 'Urgente' }, 'Priority'],
  ])('refuses a picklist value the org lacks (%s %o) with INVALID_DATA naming the field', async (module, record, field) => {
    const res = await crm().post(`/${module}`, { data: [record], trigger: [] });
    expect(res.status).toBe(400);
    expect(res.body.data[0]).toEqual({ code: 'INVALID_DATA', details: { api_name: field, json_path: `$.data[0].${field}`, expected_data_type: 'picklist' }, message: 'invalid data', status: 'error' });
  });

  it('takes a value once the org has it (the org is configurable)', async () => {
    sandbox.setOrg({ picklists: { Leads: { Lead_Source: [{ display_value: 'Web', actual_value: 'web-form' }] } } });
    expect((await crm().post('/Leads', { data: [{ Last_Name: 'P', Lead_Source: 'web-form' }], trigger: [] })).status).toBe(201);
  });

  it('refuses an Owner who is not an active user of the org', async () => {
    for (const id of ['6310180000000412037', '6310180000000499999']) {
      const res = await crm().post('/Tasks', { data: [{ Subject: 's', Owner: { id } }], trigger: [] });
      expect(res.body.data[0]).toMatchObject({ code: 'INVALID_DATA', details: { api_name: 'Owner', expected_data_type: 'ownerlookup' } });
    }
  });

  it('refuses notes, calls, tasks and updates on a converted lead with CONVERTED_RECORD, and takes them on the Contact', async () => {
    const leadId = await insertLead();
    const converted = await request(sandbox.app).post(`/crm/v8/Leads/${leadId}/actions/convert`).set('Authorization', auth).send({ data: [{}] });
    const contactId = converted.body.data[0].details.Contacts.id as string;
    const note = await crm().post('/Notes', { data: [{ Note_Content: 'x', Parent_Id: { module: { api_name: 'Leads' }, id: leadId } }] });
    expect(note.body.data[0]).toMatchObject({ code: 'CONVERTED_RECORD', details: { id: leadId, api_name: 'Parent_Id' } });
    const task = await crm().post('/Tasks', { data: [{ Subject: 's', What_Id: { id: leadId }, $se_module: 'Leads' }], trigger: [] });
    expect(task.body.data[0].code).toBe('CONVERTED_RECORD');
    expect((await crm().put(`/Leads/${leadId}`, { data: [{ Lead_Status: 'Contacted' }], trigger: [] })).body.data[0].code).toBe('CONVERTED_RECORD');
    expect((await crm().post('/Notes', { data: [{ Note_Content: 'x', Parent_Id: { module: { api_name: 'Contacts' }, id: contactId } }] })).status).toBe(201);
    expect((await crm().post('/Calls', { data: [{ Subject: 's', Call_Type: 'Outbound', Call_Start_Time: '2025-03-04T10:00:00+00:00', Call_Duration: '00:00', Who_Id: { id: contactId } }], trigger: [] })).status).toBe(201);
  });

  it('refuses a search without per_page, which module_search.json marks required', async () => {
    const res = await crm().get('/Leads/search?email=a@b.co');
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ code: 'EXPECTED_PARAM_MISSING', details: { param_names: ['per_page'] }, message: 'One of the expected parameter is missing', status: 'error' });
  });
});
