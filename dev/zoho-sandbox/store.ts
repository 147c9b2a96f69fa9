import fs from 'node:fs';
import path from 'node:path';

export const SANDBOX_MODULES = ['Leads', 'Tasks', 'Calls', 'Notes', 'Contacts', 'Accounts'] as const;
export type SandboxModule = (typeof SANDBOX_MODULES)[number];

export function isSandboxModule(name: string): name is SandboxModule {
  return (SANDBOX_MODULES as readonly string[]).includes(name);
}

export type ZohoRecord = Record<string, unknown> & { id: string };

interface PersistedState {
  version: 1;
  nextSerial: number;
  records: Record<SandboxModule, ZohoRecord[]>;
}

// Zoho ids are 19-digit strings: an org-specific prefix and a running number. Tests and code that
// treat ids as numbers (they overflow a double) break here exactly as they would against Zoho.
const ID_PREFIX = '6310180';
const FIRST_SERIAL = 3_000_000_001;

function emptyState(): PersistedState {
  return { version: 1, nextSerial: FIRST_SERIAL, records: { Leads: [], Tasks: [], Calls: [], Notes: [], Contacts: [], Accounts: [] } };
}

function loadState(statePath: string): PersistedState {
  if (!fs.existsSync(statePath)) return emptyState();
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(statePath, 'utf8'));
  } catch (err) {
    throw new Error(`Zoho sandbox state at ${statePath} is not valid JSON; move it away to start empty`, { cause: err });
  }
  const state = parsed as Partial<PersistedState>;
  if (state.version !== 1 || typeof state.nextSerial !== 'number' || typeof state.records !== 'object') {
    throw new Error(`Zoho sandbox state at ${statePath} has an unknown layout; move it away to start empty`);
  }
  const fresh = emptyState();
  for (const module of SANDBOX_MODULES) fresh.records[module] = state.records?.[module] ?? [];
  fresh.nextSerial = state.nextSerial;
  return fresh;
}

/** The sandbox's records, in memory, written through to a JSON file when given one. */
export class SandboxStore {
  private state: PersistedState;

  constructor(private readonly statePath?: string) {
    this.state = statePath ? loadState(statePath) : emptyState();
  }

  newId(): string {
    const serial = this.state.nextSerial++;
    return `${ID_PREFIX}${String(serial).padStart(12, '0')}`;
  }

  list(module: SandboxModule): ZohoRecord[] {
    return this.state.records[module].map((r) => structuredClone(r));
  }

  get(module: SandboxModule, id: string): ZohoRecord | undefined {
    const found = this.state.records[module].find((r) => r.id === id);
    return found && structuredClone(found);
  }

  insert(module: SandboxModule, record: ZohoRecord): void {
    this.state.records[module].push(structuredClone(record));
    this.persist();
  }

  replace(module: SandboxModule, record: ZohoRecord): void {
    const list = this.state.records[module];
    const at = list.findIndex((r) => r.id === record.id);
    if (at < 0) throw new Error(`no ${module} record ${record.id}`);
    list[at] = structuredClone(record);
    this.persist();
  }

  reset(): void {
    // Serials keep counting so an id handed out before the reset never names a different record after it.
    const nextSerial = this.state.nextSerial;
    this.state = emptyState();
    this.state.nextSerial = nextSerial;
    this.persist();
  }

  private persist(): void {
    if (!this.statePath) return;
    fs.mkdirSync(path.dirname(this.statePath), { recursive: true });
    // Write-then-rename: a crash mid-write never leaves a half file that the next start refuses to load.
    const tmp = `${this.statePath}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(this.state, null, 2));
    fs.renameSync(tmp, this.statePath);
  }
}
