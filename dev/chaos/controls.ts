/**
 * The chaos run's hands on the local stand-ins: their HTTP control APIs (dev/smtp-catcher/main.ts,
 * dev/zoho-sandbox/app.ts). Everything the run does to them goes through here.
 */

async function call(url: string, init: RequestInit & { json?: unknown } = {}): Promise<unknown> {
  const { json, ...rest } = init;
  const res = await fetch(url, {
    ...rest,
    ...(json !== undefined ? { body: JSON.stringify(json), headers: { 'Content-Type': 'application/json' } } : {}),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  if (!res.ok) throw Object.assign(new Error(`${init.method ?? 'GET'} ${url} answered ${res.status}: ${text.slice(0, 300)}`), { status: res.status });
  return text ? JSON.parse(text) : null;
}

/** Retries a control call while its service restarts (a control must not be lost to a blip). */
async function persist<T>(what: string, action: () => Promise<T>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await action();
    } catch (err) {
      // A 4xx is the control saying no (or not existing): trying again would not change that.
      const status = (err as { status?: number }).status;
      if (Date.now() > deadline || (status !== undefined && status < 500)) throw new Error(`${what}: ${(err as Error).message}`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

export type CatcherFault =
  | { kind: 'delay'; ms: number; times?: number; to?: string }
  | { kind: 'refuse'; code: number; stage?: 'rcpt' | 'data'; times?: number; to?: string }
  | { kind: 'drop'; times?: number; to?: string };

/** The SMTP catcher's faults (`catcherControl` in dev/smtp-catcher/catcher.ts, under `/__catcher`). */
export class CatcherControl {
  constructor(private readonly url: string) {}

  /** Arms a fault for the next matching mail(s). */
  arm(fault: CatcherFault): Promise<unknown> {
    return persist(`arm the SMTP fault ${fault.kind}`, () => call(`${this.url}/__catcher/faults`, { method: 'POST', json: fault }));
  }

  /** Faults armed and not yet used. */
  async pending(): Promise<CatcherFault[]> {
    const body = (await call(`${this.url}/__catcher/faults`)) as { pending?: CatcherFault[] };
    return body.pending ?? [];
  }

  clear(): Promise<unknown> {
    return persist('clear the SMTP faults', () => call(`${this.url}/__catcher/faults`, { method: 'DELETE' }));
  }

  /** The SMTP port stops listening: connections are refused until `start()`. */
  stop(): Promise<unknown> {
    return persist('stop the SMTP server', () => call(`${this.url}/__catcher/stop`, { method: 'POST', json: {} }));
  }

  start(): Promise<unknown> {
    return persist('start the SMTP server', () => call(`${this.url}/__catcher/start`, { method: 'POST', json: {} }));
  }
}

/** What the sandbox's request log says about one call. */
export interface SandboxCall {
  at: string;
  method: string;
  path: string;
  status?: number;
  answerLost?: 'delay' | 'destroy';
}

/** The Zoho sandbox's faults, behind its `/__sandbox` API (dev/zoho-sandbox/app.ts). */
export class SandboxControl {
  constructor(private readonly url: string) {}

  /** `rate` of CRM calls fail at random: 429, 500, or the write is saved and its answer lost. */
  chaos(rate: number, seed: number): Promise<unknown> {
    return persist('set Zoho random faults', () => call(`${this.url}/__sandbox/chaos`, { method: 'POST', json: { rate, kinds: ['429', '500', 'lost-answer'], lostMode: 'destroy', seed } }));
  }

  stopChaos(): Promise<unknown> {
    return persist('stop Zoho random faults', () => call(`${this.url}/__sandbox/chaos`, { method: 'DELETE' }));
  }

  /** The refresh token stops working (and the access tokens it issued), as when an admin revokes it. */
  revokeRefreshToken(): Promise<unknown> {
    return persist('revoke the Zoho refresh token', () => call(`${this.url}/__sandbox/revoke-refresh-token`, { method: 'POST' }));
  }

  /** The same refresh token works again, as after an admin authorises the client again. */
  restoreRefreshToken(): Promise<unknown> {
    return persist('restore the Zoho refresh token', () => call(`${this.url}/__sandbox/restore-refresh-token`, { method: 'POST' }));
  }

  /** The sandbox's request log (its last 1,000 calls). */
  async requests(): Promise<SandboxCall[]> {
    const body = (await call(`${this.url}/__sandbox/requests`)) as { requests: SandboxCall[] };
    return body.requests;
  }

  async records(module: 'Tasks' | 'Notes' | 'Leads'): Promise<Record<string, unknown>[]> {
    const body = (await persist(`read Zoho ${module}`, () => call(`${this.url}/__sandbox/records/${module}`))) as { data: Record<string, unknown>[] };
    return body.data;
  }
}

/**
 * Counts what the sandbox answered, from its request log, read often enough that its 1,000-entry
 * window never drops a call unseen. Calls younger than two seconds wait for the next read (their
 * status may not be written yet).
 */
export class SandboxCallCounter {
  readonly counts: Record<string, number> = { calls: 0, '429': 0, '500': 0, 'answer lost': 0, '401': 0, 'other 4xx/5xx': 0 };
  private lastAt = '';
  private seenAtLast = 0;

  constructor(private readonly sandbox: SandboxControl) {}

  async poll(): Promise<void> {
    const cutoff = new Date(Date.now() - 2_000).toISOString();
    // The log only grows at its end (and is trimmed at its start), in order of arrival.
    const calls = (await this.sandbox.requests()).filter((c) => c.at <= cutoff && c.path.startsWith('/crm/'));
    const from = this.lastAt;
    let skip = this.seenAtLast;
    for (const c of calls) {
      if (c.at < from) continue;
      if (c.at === from && skip > 0) {
        skip--;
        continue;
      }
      this.count(c);
    }
    if (!calls.length) return;
    this.lastAt = calls[calls.length - 1]!.at;
    this.seenAtLast = calls.filter((c) => c.at === this.lastAt).length;
  }

  private count(c: SandboxCall): void {
    this.counts.calls!++;
    if (c.answerLost) this.counts['answer lost']!++;
    else if (c.status === 429 || c.status === 500 || c.status === 401) this.counts[String(c.status)]!++;
    else if (c.status !== undefined && c.status >= 400) this.counts['other 4xx/5xx']!++;
  }
}
