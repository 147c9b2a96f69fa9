import { z } from 'zod';
import { COUNTRIES } from './lead';

/**
 * The course catalog the business owns: courses and their cohorts. Every urgency claim in a message
 * is computed from it at send time (domain/urgency.ts), never from what a lead's form said weeks ago.
 */
export const MODALITIES = ['online', 'presencial', 'hibrido'] as const;
export type Modality = (typeof MODALITIES)[number];

/** The currencies the company sells in (ISO 4217). */
export const CURRENCIES = ['USD', 'MXN', 'COP', 'PEN', 'CLP', 'ARS', 'BRL', 'EUR', 'GTQ', 'CRC', 'DOP', 'BOB', 'PYG', 'UYU'] as const;

const isoDate = z.iso.date({ message: 'must be a date in YYYY-MM-DD form' });
const money = z.number().min(0, 'must be 0 or more').max(10_000_000);

export const cohortSchema = z
  .object({
    startDate: isoDate,
    modality: z.enum(MODALITIES, { message: `must be one of ${MODALITIES.join(', ')}` }),
    price: money,
    currency: z.enum(CURRENCIES, { message: `must be one of ${CURRENCIES.join(', ')}` }),
    earlyBirdDeadline: isoDate.optional(),
    earlyBirdPrice: money.optional(),
    /** Unknown seats: no seat count is ever claimed. */
    seats: z.number().int().min(0).max(100_000).optional(),
    seatsTaken: z.number().int().min(0).max(100_000).default(0),
  })
  .superRefine((c, ctx) => {
    if ((c.earlyBirdDeadline === undefined) !== (c.earlyBirdPrice === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['earlyBirdPrice'], message: 'an early bird needs both a deadline and a price' });
    }
    if (c.earlyBirdPrice !== undefined && c.earlyBirdPrice >= c.price) {
      ctx.addIssue({ code: 'custom', path: ['earlyBirdPrice'], message: 'must be below the price' });
    }
    if (c.earlyBirdDeadline !== undefined && c.earlyBirdDeadline > c.startDate) {
      ctx.addIssue({ code: 'custom', path: ['earlyBirdDeadline'], message: 'must be on or before the start date' });
    }
  });
export type Cohort = z.output<typeof cohortSchema>;

export const courseCodeSchema = z.string().trim().min(1, 'is required').max(40).regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, dot, dash or underscore only');

export const catalogCourseSchema = z.object({
  code: courseCodeSchema,
  name: z.string().trim().min(1, 'is required').max(200),
  /** Where it is sold; empty means everywhere. */
  countries: z.array(z.enum(COUNTRIES, { message: `must be one of ${COUNTRIES.join(', ')}` })).max(COUNTRIES.length).default([]),
  cohorts: z.array(cohortSchema).max(50).default([]),
});
export type CatalogCourse = z.output<typeof catalogCourseSchema>;
export type CatalogCourseInput = z.input<typeof catalogCourseSchema>;

/** Seats are named only while few are left: "quedan 40 cupos" is no reason to hurry, and no claim to make. */
export const FEW_SEATS_THRESHOLD = 10;
