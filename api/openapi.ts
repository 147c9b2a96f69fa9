import { z } from 'zod';
import { leadInputSchema, webFormInputSchema } from '../domain/lead';
import { CATALOG_COLUMNS, courseBodySchema } from '../services/course-catalog';
import { MAX_PAGE } from '../services/lead-changes';
import { cadenceChoiceSchema, commandSchema, outcomeSchema } from '../domain/outcomes';
import { zohoWebhookSchema } from '../integrations/zoho/webhook';
import { IDEMPOTENCY_KEY_PATTERN } from '../services/idempotency';
import { inboundEmailSchema } from '../services/inbound-email';

/** JSON Schema of what a client sends, straight from the zod schemas the routes validate with. */
const schema = (s: z.ZodType) => {
  const { $schema: _drop, ...rest } = z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
};

const json = (s: z.ZodType) => ({ required: true, content: { 'application/json': { schema: schema(s) } } });
const courseCode = { name: 'code', in: 'path', required: true, schema: { type: 'string' } };
const error = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });
const leadIdParam = [{ name: 'leadId', in: 'path', required: true, schema: { type: 'string', pattern: '^L-[0-9a-z]{13}$' } }];
const idempotencyKey = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  schema: { type: 'string', pattern: IDEMPOTENCY_KEY_PATTERN },
  description: 'Send one (e.g. a UUID) with every request and reuse it when you retry: the same key on the same lead and endpoint is '
    + 'recorded once, and a retry gets the first answer (200, same state). The same key with a different body is a 409. '
    + 'Without it, every request records anew, so a retry after a timeout may record the outcome twice.',
};
const keyedUpdate = [...leadIdParam, idempotencyKey];
const keyReused = error('The Idempotency-Key was already used for a different request on this lead');
const leadState = { description: "The lead's new state", content: { 'application/json': { schema: { $ref: '#/components/schemas/LeadState' } } } };

/** What the inbound-email webhook did with a message. */
const inboundEmailAnswer = {
  type: 'object',
  required: ['matched', 'leadId', 'matchedBy', 'kind'],
  properties: {
    matched: { const: true },
    leadId: { type: 'string' },
    matchedBy: { enum: ['thread', 'sender', 'recipient'], description: 'In-Reply-To/References (or a bounce’s returned Message-ID), the sender’s address, or a bounce’s Final-Recipient' },
    kind: { enum: ['reply', 'auto_reply', 'bounce'] },
    delivered: { type: 'boolean', description: 'reply and permanent bounce: the outcome (replied, wrong_contact) reached the lead’s workflow; false when the lead is closed' },
    signal: { type: 'string', description: 'auto_reply: the header or wording that marked it' },
    returnDate: { type: ['string', 'null'], format: 'date', description: 'auto_reply: the return day the text states, if any' },
    pausedUntil: { type: 'string', format: 'date-time', description: 'auto_reply: 09:00 on the return day in the lead’s time zone, or a week from now' },
    applied: { type: 'boolean', description: 'auto_reply: the pause was applied (false when already paused or closed); bounce: false for a transient (4.x.x) failure' },
    status: { type: ['string', 'null'], description: 'bounce: the RFC 3463 status, e.g. 5.1.1' },
    permanent: { type: 'boolean', description: 'bounce: 5.x.x; the address is suppressed and the lead gets wrong_contact' },
    message: { type: 'string' },
  },
};

/** The API's OpenAPI 3.1 description, generated from the same zod schemas that validate requests. */
export function openApiDocument({ publicUrl }: { publicUrl: string }) {
  return {
    openapi: '3.1.0',
    info: { title: 'Seguimiento API', version: '1.0.0', description: 'Enrol leads, read their live state, record outcomes. Bearer API key on /api routes.' },
    servers: [{ url: publicUrl }],
    components: {
      securitySchemes: {
        apiKey: { type: 'http', scheme: 'bearer' },
        // Each webhook has its own secret (docs/security.md): one scheme per source.
        zohoWebhookSecret: { type: 'apiKey', in: 'header', name: 'X-Webhook-Secret', description: 'ZOHO_WEBHOOK_SECRET' },
        inboundEmailWebhookSecret: { type: 'apiKey', in: 'header', name: 'X-Webhook-Secret', description: 'INBOUND_EMAIL_WEBHOOK_SECRET' },
      },
      schemas: {
        Error: { type: 'object', required: ['error', 'message'], properties: { error: { type: 'string' }, message: { type: 'string' }, fields: { type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } } } } },
        LeadState: { type: 'object', description: 'Stage, owner, cadence, touches, next step, SLA and counts (see domain/lead-state.ts)' },
        ImportResult: {
          type: 'object',
          properties: {
            summary: { type: 'object', additionalProperties: { type: 'integer' } },
            rows: { type: 'array', items: { type: 'object', required: ['row', 'status'], properties: { row: { type: 'integer' }, status: { enum: ['created', 'returned', 'existing', 'opted_out', 'already_imported', 'invalid'] }, leadId: { type: 'string' }, errors: { type: 'array', items: { type: 'string' } } } } },
          },
        },
      },
    },
    security: [{ apiKey: [] }],
    paths: {
      '/api/leads': {
        get: {
          summary: 'Leads from the read model, oldest change first, a page at a time: follow nextCursor until it is null, then ask again with updatedSince',
          parameters: [
            ...(['stage', 'owner', 'country', 'course', 'q'] as const).map((name) => ({ name, in: 'query', schema: { type: 'string' } })),
            { name: 'updatedSince', in: 'query', schema: { type: 'string', format: 'date-time' } },
            { name: 'cursor', in: 'query', schema: { type: 'string' }, description: 'nextCursor of the previous page' },
            { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: MAX_PAGE, default: 100 } },
          ],
          responses: { 200: { description: '{ leads: LeadView[] (each with updatedAt), nextCursor }' }, 400: error('Invalid filters or cursor'), 401: error('No valid API key') },
        },
        post: {
          summary: 'Enrol a lead (the same normalised email never starts a second follow-up)',
          requestBody: json(leadInputSchema),
          responses: { 201: { description: 'Enrolled' }, 200: { description: 'Already known: the existing lead' }, 400: error('Invalid fields'), 401: error('No valid API key'), 503: error('Temporal unreachable') },
        },
      },
      '/api/leads/import': {
        post: {
          summary: 'Enrol the leads of a CSV or Excel file; rows imported before are skipped, people already known are signalled',
          parameters: [{ name: 'dryRun', in: 'query', required: false, schema: { type: 'boolean' }, description: 'Only validate: report per row, enrol nobody' }],
          requestBody: {
            required: true,
            content: {
              'multipart/form-data': { schema: { type: 'object', required: ['file'], properties: { file: { type: 'string', format: 'binary' } } } },
              'text/csv': { schema: { type: 'string' } },
              'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { schema: { type: 'string', format: 'binary' } },
            },
          },
          responses: {
            200: { description: 'Per-row results (created, returned, existing, opted_out, already_imported, invalid with messages) and their counts', content: { 'application/json': { schema: { $ref: '#/components/schemas/ImportResult' } } } },
            400: error('Not a readable lead file (missing columns, not CSV/XLSX) or over a limit: 5,000 rows, 50 columns, 1,000 characters a cell, 20 MB unzipped; the message names it'), 413: error('Over 2 MB'),
          },
        },
      },
      '/api/leads/{leadId}': {
        get: {
          summary: "The lead's live state, with `interests` (every time the person asked about a course, and what it started) and `followUps` (each follow-up they had, oldest first; `endedAs` null for the current one)",
          parameters: leadIdParam, responses: { 200: leadState, 404: error('Unknown lead') },
        },
      },
      '/api/leads/{leadId}/outcomes': {
        post: { summary: 'Record an outcome', parameters: keyedUpdate, requestBody: json(outcomeSchema), responses: { 200: leadState, 400: error('Invalid (fields or Idempotency-Key), or makes no sense in this stage'), 404: error('Unknown lead'), 409: keyReused } },
      },
      '/api/leads/{leadId}/commands': {
        post: { summary: 'pause, resume, reassign, update_lead, reactivate', parameters: keyedUpdate, requestBody: json(commandSchema), responses: { 200: leadState, 400: error('Invalid or not possible now'), 404: error('Unknown lead'), 409: keyReused } },
      },
      '/api/leads/{leadId}/cadence': {
        post: { summary: 'Move the lead to another published cadence version', parameters: keyedUpdate, requestBody: json(cadenceChoiceSchema), responses: { 200: leadState, 400: error('Unknown cadence or not possible now'), 404: error('Unknown lead'), 409: keyReused } },
      },
      '/api/courses': {
        get: { summary: 'The course catalog, and the course codes leads carry that it lacks', responses: { 200: { description: '{ courses, unknownCourses }' }, 401: error('No valid API key') } },
      },
      '/api/courses/import': {
        post: {
          summary: `A catalog CSV, one row per cohort (${CATALOG_COLUMNS.join(', ')}): each course in it is replaced with its cohorts, all or none`,
          requestBody: { required: true, content: { 'text/csv': { schema: { type: 'string' } } } },
          responses: { 200: { description: '{ created, updated }' }, 400: error('Problems, by line; nothing saved'), 401: error('No valid API key') },
        },
      },
      '/api/courses/{code}': {
        get: { summary: 'One course with its cohorts', parameters: [courseCode], responses: { 200: { description: 'The course' }, 404: error('Not in the catalog') } },
        put: {
          summary: 'Create or replace a course with all its cohorts; every mail reads it as it is sent',
          parameters: [courseCode], requestBody: json(courseBodySchema),
          responses: { 201: { description: 'Created' }, 200: { description: 'Replaced' }, 400: error('Invalid fields') },
        },
      },
      '/webhooks/inbound-email': {
        post: {
          summary: 'An inbound email: a reply ends the right lead’s cadence, an auto-reply pauses it until the stated return (or a week), a permanent bounce marks the address bad',
          security: [{ inboundEmailWebhookSecret: [] }],
          requestBody: json(inboundEmailSchema),
          responses: { 200: { description: 'Matched: what was done', content: { 'application/json': { schema: inboundEmailAnswer } } }, 400: error('Invalid fields'), 401: error('Bad secret'), 404: error('No lead matches') },
        },
      },
      '/webhooks/zoho': {
        post: { summary: 'Zoho workflow-rule webhook', security: [{ zohoWebhookSecret: [] }], requestBody: json(zohoWebhookSchema), responses: { 200: { description: 'Enrolled, outcome or ignored' }, 401: error('Bad secret') } },
      },
      '/webhooks/web-form': {
        post: {
          summary: 'The website form, signed: X-Timestamp and X-Signature = sha256=HMAC(WEB_FORM_SECRET, "<timestamp>.<body>"); it may not set createdAt or source',
          security: [],
          requestBody: json(webFormInputSchema),
          responses: { 201: { description: 'Enrolled' }, 200: { description: 'Already known' }, 400: error('Invalid fields, or createdAt/source set'), 401: error('Bad or stale signature'), 409: error('Replay') },
        },
      },
    },
  };
}
