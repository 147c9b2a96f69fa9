import { z } from 'zod';

export const ROLES = ['executive', 'closer', 'director'] as const;
export type Role = (typeof ROLES)[number];

/**
 * A closer works the leads handed to them: records outcomes and notes, pauses, resumes and corrects
 * the lead's data. Who follows a lead up (reassign) and whether a closed lead comes back (reactivate)
 * are the executive's and the director's calls.
 */
const CLOSER_COMMANDS: readonly string[] = ['pause', 'resume', 'update_lead'];
export const mayRunCommand = (role: Role, type: unknown): boolean => role !== 'closer' || CLOSER_COMMANDS.includes(String(type));

export interface User {
  id: number;
  email: string;
  name: string;
  role: Role;
  active: boolean;
  /** Routing: the pools an executive serves (none: the default pool), their cap of active leads, and away. */
  pools: string[];
  cap: number;
  away: boolean;
}

const password = z.string().min(12, 'must be at least 12 characters').max(200);

export const newUserSchema = z.object({
  email: z.string().trim().toLowerCase().pipe(z.email({ message: 'must be a valid email address' }).max(254)),
  name: z.string().trim().min(1, 'is required').max(100),
  role: z.enum(ROLES, { message: `must be one of ${ROLES.join(', ')}` }),
  password,
});
export type NewUser = z.infer<typeof newUserSchema>;

export const passwordChangeSchema = z.object({ current: z.string().min(1, 'is required'), password });

/** What the director sets for an executive's share of new leads. */
export const routingSettingsSchema = z.object({
  pools: z.string().max(300).transform((text) => text.split(',').map((p) => p.trim().toLowerCase()).filter(Boolean))
    .pipe(z.array(z.string().regex(/^[a-z0-9][a-z0-9_-]{0,59}$/, 'must be names of letters, digits, - or _, separated by commas'))),
  cap: z.coerce.number().int('must be a whole number').min(0).max(10_000),
  away: z.boolean(),
});
