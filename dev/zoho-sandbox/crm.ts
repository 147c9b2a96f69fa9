import express, { type Request, type Response } from 'express';
import { addConvertRoute } from './convert';
import { CriteriaError, matchesCriteria, parseCriteria } from './criteria';
import { MODULE_RULES, SANDBOX_CURRENT_USER, computedFields, noteDefaults, validateRecord } from './fields';
import { USER_TYPES, fieldsMetadata, userRecord, usersOfType, type UserType } from './metadata';
import type { SandboxOrg } from './org';
import { zohoDateTime, zohoErrors, type ZohoApiError } from './responses';
import { isSandboxModule, type SandboxModule, type SandboxStore, type ZohoRecord } from './store';

/** The /crm/v8 routes: records of the sandbox modules and lead conversion, answered in Zoho's v8 envelopes. */

export interface CrmDeps {
  store: SandboxStore;
  now: () => Date;
  /** The org's users and picklists as they are now (tests change them between calls). */
  org: () => SandboxOrg;
}

interface SuccessItem {
  code: 'SUCCESS';
  duplicate_field?: string;
  action?: 'insert' | 'update';
  details: Record<string, unknown>;
  message: 'record added' | 'record updated';
  status: 'success';
}

type ItemResult = { ok: true; item: SuccessItem; inserted: boolean } | { ok: false; item: ZohoApiError };

interface Batch {
  data: unknown[];
  duplicateCheckFields?: string[];
}

const MAX_BATCH = 100;
const MAX_PER_PAGE = 200;
const SYSTEM_FIELDS = ['id', 'Created_Time', 'Modified_Time', 'Full_Name'];
const minifiedUser = { name: SANDBOX_CURRENT_USER.name, id: SANDBOX_CURRENT_USER.id };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}

function queryString(req: Request, name: string): string | undefined {
  const value = (req.query as Record<string, unknown>)[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function positiveInt(raw: string | undefined, fallback: number, max: number): number {
  const n = raw === undefined ? NaN : Number(raw);
  return Number.isInteger(n) && n >= 1 ? Math.min(n, max) : fallback;
}

function parseBatch(module: SandboxModule, body: unknown, upsert: boolean): { ok: true; batch: Batch } | { ok: false; error: ZohoApiError } {
  if (!isObject(body)) return { ok: false, error: zohoErrors.invalidBody() };
  if (!Array.isArray(body.data) || body.data.length === 0) return { ok: false, error: zohoErrors.requiredParam('data') };
  if (body.data.length > MAX_BATCH) return { ok: false, error: zohoErrors.limitExceeded(MAX_BATCH) };
  if ('trigger' in body && !isStringArray(body.trigger)) return { ok: false, error: zohoErrors.invalidBody({ param_name: 'trigger' }) };
  const batch: Batch = { data: body.data };
  if (upsert && 'duplicate_check_fields' in body) {
    const fields = body.duplicate_check_fields;
    if (!isStringArray(fields) || fields.some((f) => !(f in MODULE_RULES[module].fields))) {
      return { ok: false, error: zohoErrors.invalidBody({ param_name: 'duplicate_check_fields' }) };
    }
    batch.duplicateCheckFields = fields;
  }
  return { ok: true, batch };
}

/** 207 when the batch was only partly written, 400 when none of it was. */
function batchStatus(results: ItemResult[], allOkStatus: number): number {
  const written = results.filter((r) => r.ok).length;
  if (written === results.length) return allOkStatus;
  return written === 0 ? 400 : 207;
}

function sameValue(a: unknown, b: unknown): boolean {
  return typeof a === 'string' && typeof b === 'string' ? a.toLowerCase() === b.toLowerCase() : a === b;
}

function project(record: ZohoRecord, fields: string[] | undefined): ZohoRecord {
  if (!fields) return record;
  const picked: ZohoRecord = { id: record.id };
  for (const field of fields) if (field in record) picked[field] = record[field];
  return picked;
}

/** Lists and searches leave converted leads out unless `converted=true|both` asks for them, as Zoho does. */
function convertedFilter(req: Request): (r: ZohoRecord) => boolean {
  const wanted = queryString(req, 'converted');
  if (wanted === 'both') return () => true;
  return wanted === 'true' ? (r) => r.$converted === true : (r) => r.$converted !== true;
}

function fieldsParam(req: Request): string[] | undefined {
  return queryString(req, 'fields')
    ?.split(',')
    .map((f) => f.trim())
    .filter(Boolean);
}

export function crmRouter({ store, now, org }: CrmDeps): express.Router {
  const router = express.Router();
  addConvertRoute(router, { store, now, org });
  const ctx = { findRecord: (module: SandboxModule, id: string) => store.get(module, id), org };

  // Before the /:module routes, which would take "settings" and "users" for module names.
  router.get('/settings/fields', (req, res) => {
    const module = queryString(req, 'module');
    if (module === undefined) {
      res.status(400).json(zohoErrors.requiredParam('module'));
      return;
    }
    if (!isSandboxModule(module)) {
      res.status(400).json(zohoErrors.invalidModule());
      return;
    }
    res.status(200).json({ fields: fieldsMetadata(module, org()) });
  });

  router.get('/users', (req, res) => {
    const type = queryString(req, 'type') ?? 'AllUsers';
    if (!(USER_TYPES as readonly string[]).includes(type)) {
      res.status(400).json(zohoErrors.invalidParam('type'));
      return;
    }
    const { users } = org();
    const admin = users[0]!;
    const page = positiveInt(queryString(req, 'page'), 1, Number.MAX_SAFE_INTEGER);
    const perPage = positiveInt(queryString(req, 'per_page'), MAX_PER_PAGE, MAX_PER_PAGE);
    const all = usersOfType(org(), type as UserType, SANDBOX_CURRENT_USER.id);
    const slice = all.slice((page - 1) * perPage, page * perPage);
    if (slice.length === 0) {
      res.status(204).end();
      return;
    }
    res.status(200).json({
      users: slice.map((u) => userRecord(u, admin)),
      info: { per_page: perPage, count: slice.length, page, more_records: all.length > page * perPage },
    });
  });

  function successDetails(record: ZohoRecord): Record<string, unknown> {
    return {
      Modified_Time: record.Modified_Time,
      Modified_By: record.Modified_By,
      Created_Time: record.Created_Time,
      id: record.id,
      Created_By: record.Created_By,
    };
  }

  function insertOne(module: SandboxModule, input: unknown, index: number): ItemResult {
    const checked = validateRecord(module, input, index, 'insert', ctx);
    if (!checked.ok) return { ok: false, item: checked.error };
    const stamp = zohoDateTime(now());
    const record: ZohoRecord = {
      ...(module === 'Notes' ? noteDefaults() : {}),
      Owner: { ...SANDBOX_CURRENT_USER },
      ...checked.values,
      ...computedFields(module, checked.values),
      id: store.newId(),
      Created_Time: stamp,
      Modified_Time: stamp,
      Created_By: minifiedUser,
      Modified_By: minifiedUser,
    };
    store.insert(module, record);
    return { ok: true, inserted: true, item: { code: 'SUCCESS', details: successDetails(record), message: 'record added', status: 'success' } };
  }

  function updateOne(module: SandboxModule, existing: ZohoRecord, input: unknown, index: number): ItemResult {
    const checked = validateRecord(module, input, index, 'update', ctx);
    if (!checked.ok) return { ok: false, item: checked.error };
    const merged: ZohoRecord = { ...existing, ...checked.values };
    const record: ZohoRecord = {
      ...merged,
      ...computedFields(module, merged),
      Modified_Time: zohoDateTime(now()),
      Modified_By: minifiedUser,
    };
    store.replace(module, record);
    return { ok: true, inserted: false, item: { code: 'SUCCESS', details: successDetails(record), message: 'record updated', status: 'success' } };
  }

  function upsertOne(module: SandboxModule, input: unknown, index: number, checkFields: readonly string[]): ItemResult {
    if (isObject(input)) {
      // A converted lead is retired: the upsert does not find it (it creates a new lead instead).
      const records = store.list(module).filter((r) => r.$converted !== true);
      for (const field of checkFields) {
        const wanted = input[field];
        if (wanted === undefined || wanted === null || wanted === '') continue;
        const existing = records.find((r) => sameValue(r[field], wanted));
        if (existing) {
          const result = updateOne(module, existing, input, index);
          return result.ok ? { ...result, item: { ...result.item, duplicate_field: field, action: 'update' } } : result;
        }
      }
    }
    const result = insertOne(module, input, index);
    // Zoho's OAS types duplicate_field as a string, so an insert leaves it out rather than sending null.
    return result.ok ? { ...result, item: { ...result.item, action: 'insert' } } : result;
  }

  function withModule(handler: (module: SandboxModule, req: Request, res: Response) => void) {
    return (req: Request, res: Response) => {
      const name = String(req.params.module);
      if (!isSandboxModule(name)) {
        res.status(400).json(zohoErrors.invalidModule());
        return;
      }
      handler(name, req, res);
    };
  }

  function sendList(res: Response, records: ZohoRecord[], page: number, perPage: number): void {
    const slice = records.slice((page - 1) * perPage, page * perPage);
    if (slice.length === 0) {
      res.status(204).end();
      return;
    }
    res.status(200).json({
      data: slice,
      info: { per_page: perPage, count: slice.length, page, more_records: records.length > page * perPage },
    });
  }

  router.get(
    '/:module/search',
    withModule((module, req, res) => {
      const rules = MODULE_RULES[module];
      const criteria = queryString(req, 'criteria');
      const email = queryString(req, 'email');
      const phone = queryString(req, 'phone');
      const word = queryString(req, 'word');
      let matches: (r: ZohoRecord) => boolean;
      // Zoho reads only one of these, in this order of precedence.
      if (criteria !== undefined) {
        try {
          const parsed = parseCriteria(criteria, [...Object.keys(rules.fields), ...SYSTEM_FIELDS]);
          matches = (r) => matchesCriteria(r, parsed);
        } catch (err) {
          if (!(err instanceof CriteriaError)) throw err;
          res.status(400).json(zohoErrors.invalidQuery({ ...(err.apiName ? { api_name: err.apiName } : {}), reason: err.reason }));
          return;
        }
      } else if (email !== undefined) {
        const emailFields = Object.entries(rules.fields)
          .filter(([, rule]) => rule.kind === 'email')
          .map(([field]) => field);
        matches = (r) => emailFields.some((f) => sameValue(r[f], email));
      } else if (phone !== undefined) {
        const digits = (v: unknown) => (typeof v === 'string' ? v.replace(/\D/g, '') : '');
        matches = (r) => ['Phone', 'Mobile'].some((f) => digits(r[f]) !== '' && digits(r[f]) === digits(phone));
      } else if (word !== undefined) {
        const needle = word.toLowerCase();
        matches = (r) => Object.values(r).some((v) => typeof v === 'string' && v.toLowerCase().includes(needle));
      } else {
        res.status(400).json(zohoErrors.expectedSearchParam());
        return;
      }
      // module_search.json marks per_page required; Zoho refuses a search without it.
      if (queryString(req, 'per_page') === undefined) {
        res.status(400).json(zohoErrors.expectedParam(['per_page']));
        return;
      }
      const found = store.list(module).filter(convertedFilter(req)).filter(matches).map((r) => project(r, fieldsParam(req)));
      sendList(res, found, positiveInt(queryString(req, 'page'), 1, Number.MAX_SAFE_INTEGER), positiveInt(queryString(req, 'per_page'), MAX_PER_PAGE, MAX_PER_PAGE));
    }),
  );

  router.post(
    '/:module/upsert',
    withModule((module, req, res) => {
      const parsed = parseBatch(module, req.body, true);
      if (!parsed.ok) {
        res.status(400).json(parsed.error);
        return;
      }
      const checkFields = parsed.batch.duplicateCheckFields ?? MODULE_RULES[module].duplicateCheck;
      const results = parsed.batch.data.map((input, i) => upsertOne(module, input, i, checkFields));
      const allOk = results.some((r) => r.ok && r.inserted) ? 201 : 200;
      res.status(batchStatus(results, allOk)).json({ data: results.map((r) => r.item) });
    }),
  );

  router.get(
    '/:module/:id',
    withModule((module, req, res) => {
      const record = store.get(module, String(req.params.id));
      if (!record) {
        res.status(204).end();
        return;
      }
      res.status(200).json({ data: [project(record, fieldsParam(req))] });
    }),
  );

  router.put(
    '/:module/:id',
    withModule((module, req, res) => {
      const parsed = parseBatch(module, req.body, false);
      if (!parsed.ok) {
        res.status(400).json(parsed.error);
        return;
      }
      const id = String(req.params.id);
      const existing = store.get(module, id);
      const results: ItemResult[] = parsed.batch.data.slice(0, 1).map((input, i) => {
        if (!existing) return { ok: false, item: zohoErrors.invalidId(id) };
        if (existing.$converted === true) return { ok: false, item: zohoErrors.convertedRecord(id) };
        return updateOne(module, existing, input, i);
      });
      res.status(batchStatus(results, 200)).json({ data: results.map((r) => r.item) });
    }),
  );

  router.get(
    '/:module',
    withModule((module, req, res) => {
      const fields = fieldsParam(req);
      // Since v4 Zoho refuses to list records without `fields`; Notes still answers without it.
      if (!fields && module !== 'Notes') {
        res.status(400).json(zohoErrors.requiredParam('fields'));
        return;
      }
      const records = store.list(module).filter(convertedFilter(req)).map((r) => project(r, fields));
      sendList(res, records, positiveInt(queryString(req, 'page'), 1, Number.MAX_SAFE_INTEGER), positiveInt(queryString(req, 'per_page'), MAX_PER_PAGE, MAX_PER_PAGE));
    }),
  );

  router.post(
    '/:module',
    withModule((module, req, res) => {
      const parsed = parseBatch(module, req.body, false);
      if (!parsed.ok) {
        res.status(400).json(parsed.error);
        return;
      }
      const results = parsed.batch.data.map((input, i) => insertOne(module, input, i));
      res.status(batchStatus(results, 201)).json({ data: results.map((r) => r.item) });
    }),
  );

  return router;
}
