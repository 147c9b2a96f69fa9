import { z } from 'zod';
import { zohoErrors, type ZohoApiError } from './responses';

/**
 * Fault injection: tests queue failures that the next matching calls answer with, using the bodies
 * Zoho sends for those statuses, so the client's retry and refresh paths run against the real shapes.
 */

export const faultSpecSchema = z.object({
  status: z.union([z.literal(401), z.literal(429), z.literal(500), z.literal(502), z.literal(503), z.literal(504)]),
  times: z.number().int().min(1).max(10_000).default(1),
  /** Prefix of the request path, e.g. "/crm/v8/Tasks" or "/oauth/v2/token". Without it, any /crm/ call matches. */
  path: z.string().startsWith('/').optional(),
  retryAfterSeconds: z.number().min(0).max(86_400).optional(),
});
export type FaultSpec = z.input<typeof faultSpecSchema>;
type Fault = z.output<typeof faultSpecSchema>;

export interface FaultResponse {
  status: number;
  headers: Record<string, string>;
  body: ZohoApiError | Record<string, string>;
}

export class SandboxFaults {
  private queue: Fault[] = [];

  add(spec: FaultSpec): void {
    this.queue.push(faultSpecSchema.parse(spec));
  }

  /** Consumes one use of the first fault that matches this path, if any. */
  take(path: string): FaultResponse | undefined {
    const fault = this.queue.find((f) => (f.path === undefined ? path.startsWith('/crm/') : path.startsWith(f.path)));
    if (!fault) return undefined;
    fault.times--;
    if (fault.times <= 0) this.queue = this.queue.filter((f) => f !== fault);
    return responseFor(fault, path);
  }

  pending(): Fault[] {
    return this.queue.map((f) => ({ ...f }));
  }

  clear(): void {
    this.queue = [];
  }
}

function responseFor(fault: Fault, path: string): FaultResponse {
  const headers: Record<string, string> = {};
  if (fault.retryAfterSeconds !== undefined) headers['Retry-After'] = String(fault.retryAfterSeconds);
  if (path.startsWith('/oauth/')) {
    // Zoho Accounts throttles refreshes with this body (HTTP 400, not 429) rather than the CRM error shape.
    if (fault.status === 429) {
      return {
        status: 400,
        headers,
        body: {
          error: 'Access Denied',
          error_description: 'You have made too many requests continuously. Please try again after some time.',
          status: 'failure',
        },
      };
    }
  }
  const body =
    fault.status === 429 ? zohoErrors.tooManyRequests() : fault.status === 401 ? zohoErrors.invalidToken() : zohoErrors.internal();
  return { status: fault.status, headers, body };
}
