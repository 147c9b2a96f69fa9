import { z } from 'zod';

/**
 * What the client reads from Zoho, as zod schemas. They are loose on purpose (`looseObject`): Zoho
 * adds keys between releases, and the client must keep working when it does; only what we use is checked.
 */

export const tokenSuccessSchema = z.looseObject({
  access_token: z.string().min(1),
  api_domain: z.string().optional(),
  token_type: z.string().optional(),
  expires_in: z.number().positive(),
});

/** Zoho Accounts answers a refused grant with HTTP 200 and this body, so the status alone proves nothing. */
export const tokenErrorSchema = z.looseObject({ error: z.string(), error_description: z.string().optional() });

const detailsSchema = z.record(z.string(), z.unknown()).default({});

export const apiErrorSchema = z.looseObject({
  code: z.string(),
  message: z.string().default(''),
  status: z.literal('error'),
  details: detailsSchema,
});
export type ApiErrorBody = z.infer<typeof apiErrorSchema>;

export const writeSuccessSchema = z.looseObject({
  code: z.literal('SUCCESS'),
  status: z.literal('success'),
  message: z.string(),
  action: z.enum(['insert', 'update']).optional(),
  duplicate_field: z.string().nullish(),
  details: z.looseObject({ id: z.string() }),
});

export const writeEnvelopeSchema = z.object({
  data: z.array(z.union([writeSuccessSchema, apiErrorSchema])),
});

/** convert_lead.json's Success_Response. Zoho answers null for an entity the conversion did not create. */
const convertedEntitySchema = z.looseObject({ id: z.string() });
export const convertSuccessSchema = z.looseObject({
  code: z.literal('SUCCESS'),
  status: z.literal('success'),
  message: z.string(),
  details: z.looseObject({
    Contacts: convertedEntitySchema,
    Accounts: convertedEntitySchema.nullish(),
    Deals: convertedEntitySchema.nullish(),
  }),
});

export const convertEnvelopeSchema = z.object({
  data: z.array(z.union([convertSuccessSchema, apiErrorSchema])),
});

const text = z.string().nullish();

export const leadRecordSchema = z.looseObject({
  id: z.string(),
  First_Name: text,
  Last_Name: text,
  Email: text,
  Phone: text,
  Company: text,
  Designation: text,
  Country: text,
  Lead_Source: text,
  Description: text,
  Lead_Status: text,
  Email_Opt_Out: z.boolean().nullish(),
  Owner: z.looseObject({ id: z.string() }).nullish(),
  Created_Time: text,
  Modified_Time: text,
  $converted: z.boolean().nullish(),
  // Ids of what a converted lead became; Zoho answers them as ids or as { id, name }.
  $converted_detail: z
    .looseObject({ contact: z.unknown().optional(), account: z.unknown().optional(), deal: z.unknown().optional() })
    .nullish(),
});
export type LeadRecord = z.infer<typeof leadRecordSchema>;

export const leadListSchema = z.looseObject({
  data: z.array(leadRecordSchema),
});

/** Any module's records as a list or search answers them; `info.more_records` says whether to page on. */
export const recordListSchema = z.looseObject({
  data: z.array(z.looseObject({ id: z.string() })),
  info: z.looseObject({ more_records: z.boolean().optional() }).optional(),
});

/** fields.json's answer, only what the client uses. */
export const fieldsAnswerSchema = z.looseObject({
  fields: z.array(
    z.looseObject({
      api_name: z.string(),
      data_type: z.string(),
      pick_list_values: z.array(z.looseObject({ display_value: z.string(), actual_value: z.string() })).nullish(),
    }),
  ),
});

/** users.json's answer: users.json requires none of a user's keys, so those without id or email are skipped. */
export const usersAnswerSchema = z.looseObject({
  users: z.array(z.looseObject({ id: z.string().nullish(), email: z.string().nullish(), full_name: z.string().nullish(), status: z.string().nullish() })),
  info: z.looseObject({ more_records: z.boolean().nullish() }).optional(),
});
