import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { CaughtMail } from '../smtp-catcher/catcher';

/** One message as the SMTP catcher received it: the catcher's own record, not what the product says it sent. */
export interface DeliveredMail {
  file: string;
  receivedAt: number;
  to: string[];
  messageId: string | null;
  subject: string;
  listUnsubscribe: string | null;
}

/** RFC 5322 header block: unfolded, names lower-cased (the first occurrence wins). */
function headersOf(raw: string): Map<string, string> {
  const end = raw.search(/\r?\n\r?\n/);
  const block = (end < 0 ? raw : raw.slice(0, end)).replace(/\r?\n[ \t]+/g, ' ');
  const headers = new Map<string, string>();
  for (const line of block.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!headers.has(name)) headers.set(name, line.slice(colon + 1).trim());
  }
  return headers;
}

/**
 * The catcher keeps every message as a JSON file in its folder (so mail survives its restarts); the
 * run reads that folder directly, incrementally, and never through the product.
 */
export class Mailbox {
  private readonly seen = new Map<string, DeliveredMail>();
  private readonly sizes = new Map<string, number>();
  /** Files that changed after they were read: a message written over another (the catcher lost one). */
  readonly overwritten: string[] = [];

  constructor(private readonly dir: string) {}

  scan(): DeliveredMail[] {
    if (!existsSync(this.dir)) return [];
    for (const file of readdirSync(this.dir)) {
      if (!file.endsWith('.json')) continue;
      const size = statSync(join(this.dir, file), { throwIfNoEntry: false })?.size;
      if (this.seen.has(file)) {
        if (size === this.sizes.get(file)) continue;
        this.overwritten.push(file);
      }
      let mail: CaughtMail;
      try {
        mail = JSON.parse(readFileSync(join(this.dir, file), 'utf8')) as CaughtMail;
      } catch {
        continue; // still being written: the next scan reads it
      }
      this.sizes.set(file, size ?? 0);
      const h = headersOf(mail.raw);
      const unsubscribe = /<(https?:[^>]+)>/.exec(h.get('list-unsubscribe') ?? '');
      this.seen.set(file, {
        file,
        receivedAt: Date.parse(mail.receivedAt),
        to: mail.envelope.to.map((a) => a.toLowerCase()),
        messageId: h.get('message-id') ?? null,
        subject: h.get('subject') ?? '',
        listUnsubscribe: unsubscribe?.[1] ?? null,
      });
    }
    return [...this.seen.values()].sort((a, b) => a.receivedAt - b.receivedAt);
  }
}
