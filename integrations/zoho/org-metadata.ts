import type { ZohoClient } from './client';
import type { ZohoFieldMeta, ZohoMetadataModule, ZohoUser } from './types';

/**
 * What this Zoho org is: the fields and picklist values of Leads, Tasks and Calls, and its active
 * users. Every write is fitted to it (org-values.ts): an org's administrators rename picklist values,
 * add their own and hire or let go of people, and Zoho refuses a value or an owner it does not have.
 * Read at worker start and then daily; an activity that finds it never read reads it then.
 */

export const METADATA_MODULES: readonly ZohoMetadataModule[] = ['Leads', 'Tasks', 'Calls'];
const DAY_MS = 24 * 60 * 60 * 1000;

export class OrgSnapshot {
  private readonly fields: Map<string, ZohoFieldMeta>;
  private readonly usersByEmail: Map<string, ZohoUser>;

  constructor(
    fields: Record<ZohoMetadataModule, ZohoFieldMeta[]>,
    readonly users: ZohoUser[],
    readonly readAt: Date,
  ) {
    this.fields = new Map(Object.entries(fields).flatMap(([module, list]) => list.map((f) => [`${module}.${f.apiName}`, f] as const)));
    this.usersByEmail = new Map(users.map((u) => [u.email.trim().toLowerCase(), u]));
  }

  field(module: ZohoMetadataModule, apiName: string): ZohoFieldMeta | undefined {
    return this.fields.get(`${module}.${apiName}`);
  }

  /** The picklist's values, or undefined when the org has the field as something else (or not at all). */
  picklist(module: ZohoMetadataModule, apiName: string): Array<{ display: string; actual: string }> | undefined {
    return this.field(module, apiName)?.picklist;
  }

  /** The active Zoho user with this email, whatever its case. */
  userByEmail(email: string): ZohoUser | undefined {
    return this.usersByEmail.get(email.trim().toLowerCase());
  }
}

export interface OrgMetadataSource {
  /** The org as last read, reading it first if it never was. */
  current(): Promise<OrgSnapshot>;
}

export class ZohoOrgMetadata implements OrgMetadataSource {
  private snapshot: OrgSnapshot | null = null;
  private inFlight: Promise<OrgSnapshot> | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly zoho: Pick<ZohoClient, 'fieldsOf' | 'activeUsers'>,
    private readonly opts: { now?: () => Date; refreshEveryMs?: number; onError?: (err: unknown) => void } = {},
  ) {}

  /** Reads the org now; concurrent callers share one read. A failed read keeps the last snapshot. */
  refresh(): Promise<OrgSnapshot> {
    this.inFlight ??= (async () => {
      try {
        const [fields, users] = await Promise.all([
          Promise.all(METADATA_MODULES.map(async (module) => [module, await this.zoho.fieldsOf({ module })] as const)),
          this.zoho.activeUsers(),
        ]);
        this.snapshot = new OrgSnapshot(Object.fromEntries(fields) as Record<ZohoMetadataModule, ZohoFieldMeta[]>, users, (this.opts.now ?? (() => new Date()))());
        return this.snapshot;
      } finally {
        this.inFlight = null;
      }
    })();
    return this.inFlight;
  }

  async current(): Promise<OrgSnapshot> {
    return this.snapshot ?? this.refresh();
  }

  /**
   * Reads the org now and every `refreshEveryMs` (a day) after. A failed read at start does not stop
   * the worker: the first write that needs the org reads it, and fails (to be retried) if Zoho is away.
   */
  start(): Promise<void> {
    const every = this.opts.refreshEveryMs ?? DAY_MS;
    this.timer ??= setInterval(() => void this.refresh().catch((err: unknown) => this.opts.onError?.(err)), every);
    this.timer.unref();
    return this.refresh().then(
      () => undefined,
      (err: unknown) => this.opts.onError?.(err),
    );
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
