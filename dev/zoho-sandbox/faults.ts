import { z } from 'zod';
import { zohoErrors, type ZohoApiError } from './responses';

/**
 * Fault injection: tests queue failures that the next matching calls answer with, using the bodies
 * Zoho sends for those statuses, so the client's retry and refresh paths run against the real shapes.
 *
 * Two kinds. A `status` fault answers instead of Zoho: nothing is written (Zoho's 429 and 401 refuse
 * a request before it is processed). A `lost-answer` fault lets the request do its work (a write is
 * committed) and then loses the answer: `mode: "delay"` holds it for `delayMs` (past the client's
 * timeout), `mode: "destroy"` closes the connection without a word: "saved, then the answer never
 * came". `chaos` does either at random on a share of calls.
 */

const pathPrefix = z.string().startsWith('/');

const statusFaultSchema = z.object({
  kind: z.literal('status').optional(),
  status: z.union([z.literal(401), z.literal(429), z.literal(500), z.literal(502), z.literal(503), z.literal(504)]),
  times: z.number().int().min(1).max(10_000).default(1),
  /** Prefix of the request path, e.g. "/crm/v8/Tasks" or "/oauth/v2/token". Without it, any /crm/ call matches. */
  path: pathPrefix.optional(),
  /** Only calls with this method (e.g. "POST", the writes); any method without it. */
  method: z.enum(['GET', 'POST', 'PUT']).optional(),
  retryAfterSeconds: z.number().min(0).max(86_400).optional(),
});

const lostAnswerSchema = z.object({
  kind: z.literal('lost-answer'),
  mode: z.enum(['delay', 'destroy']).default('destroy'),
  /** How long a delayed answer is held: longer than the client waits (its request timeout is 10 s). */
  delayMs: z.number().int().min(0).max(600_000).default(30_000),
  times: z.number().int().min(1).max(10_000).default(1),
  path: pathPrefix.optional(),
  method: z.enum(['GET', 'POST', 'PUT']).optional(),
});

export const faultSpecSchema = z.union([lostAnswerSchema, statusFaultSchema]);
export type FaultSpec = z.input<typeof faultSpecSchema>;
type Fault = z.output<typeof faultSpecSchema>;

/** A share of /crm calls failing at random, in any of the given ways (the chaos run's 10 %). */
export const chaosSpecSchema = z.object({
  rate: z.number().min(0).max(1),
  kinds: z.array(z.enum(['429', '500', 'lost-answer'])).min(1).default(['429', '500', 'lost-answer']),
  lostMode: z.enum(['delay', 'destroy']).default('destroy'),
  delayMs: z.number().int().min(0).max(600_000).default(30_000),
  path: pathPrefix.default('/crm/'),
  /** Same seed, same sequence of faults: a failing run can be replayed. */
  seed: z.number().int().default(1),
});
export type ChaosSpec = z.input<typeof chaosSpecSchema>;
type Chaos = z.output<typeof chaosSpecSchema>;

/** What the app does for a call that drew a fault. */
export type FaultAction = { respond: FaultResponse } | { lose: { mode: 'delay' | 'destroy'; delayMs: number } };

/** mulberry32: small, seedable, good enough to pick faults. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface FaultResponse {
  status: number;
  headers: Record<string, string>;
  body: ZohoApiError | Record<string, string>;
}

export class SandboxFaults {
  private queue: Fault[] = [];
  private chaos: (Chaos & { random: () => number }) | undefined;

  add(spec: FaultSpec): void {
    this.queue.push(faultSpecSchema.parse(spec));
  }

  /** Consumes one use of the first fault that matches this call, if any. */
  take(path: string, method = 'GET'): FaultResponse | undefined {
    const action = this.next(path, method);
    return action && 'respond' in action ? action.respond : undefined;
  }

  /** The fault this call meets: a queued one first, else maybe one by chance (chaos). */
  next(path: string, method: string): FaultAction | undefined {
    const fault = this.queue.find(
      (f) => (f.path === undefined ? path.startsWith('/crm/') : path.startsWith(f.path)) && (f.method === undefined || f.method === method),
    );
    if (fault) {
      fault.times--;
      if (fault.times <= 0) this.queue = this.queue.filter((f) => f !== fault);
      return fault.kind === 'lost-answer' ? { lose: { mode: fault.mode, delayMs: fault.delayMs } } : { respond: responseFor(fault, path) };
    }
    const chaos = this.chaos;
    if (!chaos || !path.startsWith(chaos.path) || chaos.random() >= chaos.rate) return undefined;
    const kind = chaos.kinds[Math.floor(chaos.random() * chaos.kinds.length)]!;
    if (kind === 'lost-answer') return { lose: { mode: chaos.lostMode, delayMs: chaos.delayMs } };
    return { respond: responseFor({ status: kind === '429' ? 429 : 500, retryAfterSeconds: kind === '429' ? 1 : undefined }, path) };
  }

  setChaos(spec: ChaosSpec | null): void {
    if (spec === null) {
      this.chaos = undefined;
      return;
    }
    const parsed = chaosSpecSchema.parse(spec);
    this.chaos = { ...parsed, random: seededRandom(parsed.seed) };
  }

  chaosSettings(): Chaos | null {
    if (!this.chaos) return null;
    const { random: _random, ...settings } = this.chaos;
    return settings;
  }

  pending(): Fault[] {
    return this.queue.map((f) => ({ ...f }));
  }

  clear(): void {
    this.queue = [];
    this.chaos = undefined;
  }
}

function responseFor(fault: Pick<z.output<typeof statusFaultSchema>, 'status' | 'retryAfterSeconds'>, path: string): FaultResponse {
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
