import { z } from 'zod';
import { COUNTRIES, STAGES } from '../domain/lead';
import type { LeadView } from '../domain/lead-view';
import type { ChangeCursor, LeadViews } from '../integrations/ledger/lead-views';

export const MAX_PAGE = 500;

/** `cursor` is opaque to clients: the last lead of the previous page, base64url JSON. */
const cursorSchema = z.string().max(200).transform((text, ctx): ChangeCursor => {
  try {
    const parsed = z.object({ u: z.iso.datetime(), l: z.string().regex(/^L-[0-9a-z]{13}$/) }).parse(JSON.parse(Buffer.from(text, 'base64url').toString('utf8')));
    return { updatedAt: parsed.u, leadId: parsed.l };
  } catch {
    ctx.addIssue({ code: 'custom', message: 'is not a cursor this API gave out' });
    return z.NEVER;
  }
});
const encode = (c: ChangeCursor) => Buffer.from(JSON.stringify({ u: c.updatedAt, l: c.leadId })).toString('base64url');

export const leadChangesQuerySchema = z.object({
  stage: z.enum(STAGES, { message: `must be one of ${STAGES.join(', ')}` }).optional(),
  owner: z.string().trim().min(1).max(254).optional(),
  country: z.enum(COUNTRIES, { message: 'must be an ISO 3166-1 alpha-2 code we serve' }).optional(),
  course: z.string().trim().min(1).max(40).optional(),
  q: z.string().trim().min(1).max(100).optional(),
  updatedSince: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time' }).optional(),
  cursor: cursorSchema.optional(),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE).default(100),
});

export type LeadPage = { leads: (LeadView & { updatedAt: string })[]; nextCursor: string | null };

/**
 * GET /api/leads: the read model for machines, oldest change first. A client keeps in step by
 * following `nextCursor` until it is null, then asking again later with `updatedSince`.
 */
export async function leadChanges({ views, query }: { views: LeadViews; query: unknown }): Promise<LeadPage> {
  const { updatedSince, cursor, limit, ...filters } = leadChangesQuerySchema.parse(query);
  const { leads, last } = await views.changes({ filters, updatedSince: updatedSince ? new Date(updatedSince) : undefined, after: cursor, limit });
  return { leads: leads as LeadPage['leads'], nextCursor: last ? encode(last) : null };
}
