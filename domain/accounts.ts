import { z } from 'zod';

export const ROLES = ['executive', 'closer', 'director'] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_NAMES: Record<Role, string> = { executive: 'Ejecutiva de seguimiento', closer: 'Vendedor (cierre)', director: 'Dirección comercial' };

export interface User {
  id: number;
  email: string;
  name: string;
  role: Role;
  active: boolean;
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
