import { localParts, zonedTime } from './calendar';
import { DAY_MS } from './policy';

/*
 * What an inbound message is: a person's reply, a machine's auto-reply (out of office), or a delivery
 * status notification (a bounce). Pure rules over the message's headers and text, shared by the inbound
 * webhook and its tests.
 */

export interface InboundMailFacts {
  subject?: string;
  text?: string;
  /** Header name (any case) → value, as the mail provider passed them on. */
  headers?: Record<string, string>;
}

export type InboundReading =
  | { kind: 'reply' }
  /** `signal`: what gave it away (a header, or out-of-office wording). */
  | { kind: 'auto_reply'; signal: string }
  | {
    kind: 'bounce';
    /** RFC 3463 status such as 5.1.1, when the report states one. */
    status: string | null;
    /** 5.x.x: the address does not work; 4.x.x (or 2.x.x) changes nothing. */
    permanent: boolean;
    finalRecipient: string | null;
    originalRecipient: string | null;
    /** Message-IDs of the returned message, from the headers the report quotes. */
    returnedMessageIds: string[];
  };

const headerMap = (headers: Record<string, string> = {}) => new Map(Object.entries(headers).map(([name, value]) => [name.trim().toLowerCase(), String(value).trim()]));

/** Lowercase, without accents: "Respuesta automática" and "respuesta automatica" read alike. */
export const plain = (text: string) => text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();

/**
 * The person's own words: quoted lines and everything from the quoted message's header on are left
 * out, so that a reply quoting any wording does not read as that wording.
 */
function ownWords(text: string): string {
  const lines: string[] = [];
  for (const line of plain(text).split(/\r?\n/)) {
    if (/^\s*(on .{0,200} wrote:|el .{0,200} escribio:|em .{0,200} escreveu:|-{2,}\s*(original message|mensaje original|mensagem original))/.test(line)) break;
    if (/^\s*>/.test(line)) continue;
    lines.push(line);
  }
  return lines.join('\n').slice(0, 5000);
}

/** Wording only auto-replies use, in Spanish, Portuguese and English. */
const OUT_OF_OFFICE = new RegExp(
  [
    'fuera de (la )?oficina', 'respuesta automatica', 'mensaje automatico', 'de vacaciones', 'estoy ausente', 'estare ausente', 'me encuentro ausente',
    'fora do escritorio', 'resposta automatica', 'mensagem automatica', 'de ferias', 'estou ausente', 'estarei ausente',
    'out of (the )?office', 'automatic reply', 'auto-?reply', 'autoresponder', 'on vacation', 'on holidays?', 'on annual leave', 'away from (the |my )?office',
  ].map((phrase) => `\\b${phrase}\\b`).join('|'),
);
/** "Ausente", "Ausencia"/"Ausência" as a subject are out-of-office notices; in a body they may be anything. */
const ABSENT_SUBJECT = /\b(ausente|ausencia)\b/;

function autoReplySignal(headers: Map<string, string>, subject: string, text: string): string | null {
  const autoSubmitted = headers.get('auto-submitted')?.split(';')[0]?.trim().toLowerCase();
  // RFC 3834: anything but "no" was sent by a machine, not a person.
  if (autoSubmitted && autoSubmitted !== 'no') return `Auto-Submitted: ${autoSubmitted}`;
  for (const name of ['x-autoreply', 'x-autorespond', 'x-autoresponder']) {
    const value = headers.get(name);
    if (value !== undefined && value.toLowerCase() !== 'no') return `${name}: ${value || '(empty)'}`;
  }
  const precedence = headers.get('precedence')?.toLowerCase();
  if (precedence && ['auto_reply', 'bulk', 'junk'].includes(precedence)) return `Precedence: ${precedence}`;
  const about = plain(subject);
  const words = OUT_OF_OFFICE.exec(about) ?? ABSENT_SUBJECT.exec(about) ?? OUT_OF_OFFICE.exec(ownWords(text));
  return words ? `wording: ${words[0]}` : null;
}

const field = (text: string, name: string) => new RegExp(`^[ \\t]*${name}[ \\t]*:[ \\t]*(.+)$`, 'im').exec(text)?.[1]?.trim() ?? null;
/** `rfc822; someone@example.com` → the address. */
const recipientOf = (value: string | null) => {
  const address = value?.replace(/^[\w-]+\s*;\s*/, '').replace(/^<|>$/g, '').trim();
  return address && /^[^\s@<>]+@[^\s@<>]+$/.test(address) ? address.toLowerCase() : null;
};

/** RFC 3464: a `multipart/report; report-type=delivery-status`, or its per-recipient fields in the text. */
function isDeliveryReport(headers: Map<string, string>, text: string): boolean {
  const type = headers.get('content-type')?.toLowerCase() ?? '';
  if (/multipart\/report/.test(type) && /report-type\s*=\s*"?delivery-status/.test(type)) return true;
  return field(text, '(Final|Original)-Recipient') !== null && /^[ \t]*Status[ \t]*:[ \t]*[245]\.\d{1,3}\.\d{1,3}/im.test(text);
}

export function readInboundMail({ subject = '', text = '', headers }: InboundMailFacts): InboundReading {
  const map = headerMap(headers);
  if (isDeliveryReport(map, text)) {
    const status = /^[ \t]*Status[ \t]*:[ \t]*([245]\.\d{1,3}\.\d{1,3})/im.exec(text)?.[1] ?? null;
    const action = field(text, 'Action')?.toLowerCase() ?? null;
    return {
      kind: 'bounce',
      status,
      permanent: status ? status.startsWith('5') : action === 'failed',
      finalRecipient: recipientOf(field(text, 'Final-Recipient')),
      originalRecipient: recipientOf(field(text, 'Original-Recipient')),
      returnedMessageIds: [...text.matchAll(/^[ \t]*Message-ID[ \t]*:[ \t]*(<[^<>\s]+>)/gim)].map((m) => m[1]!),
    };
  }
  const signal = autoReplySignal(map, subject, text);
  return signal ? { kind: 'auto_reply', signal } : { kind: 'reply' };
}

// ---- the return date an out-of-office names --------------------------------------------------------

const MONTH_NAMES: Record<string, number> = {
  enero: 1, febrero: 2, marzo: 3, abril: 4, mayo: 5, junio: 6, julio: 7, agosto: 8, septiembre: 9, setiembre: 9, octubre: 10, noviembre: 11, diciembre: 12,
  janeiro: 1, fevereiro: 2, marco: 3, maio: 5, junho: 6, julho: 7, setembro: 9, outubro: 10, novembro: 11, dezembro: 12,
  january: 1, february: 2, march: 3, april: 4, may: 5, june: 6, july: 7, august: 8, september: 9, october: 10, november: 11, december: 12,
  jan: 1, feb: 2, mar: 3, apr: 4, jun: 6, jul: 7, aug: 8, sep: 9, sept: 9, oct: 10, nov: 11, dec: 12,
  ene: 1, abr: 4, ago: 8, dic: 12, fev: 2, dez: 12,
};
const MONTH = `(${Object.keys(MONTH_NAMES).sort((a, b) => b.length - a.length).join('|')})`;
const DATE_PATTERNS: { re: RegExp; read: (m: RegExpExecArray, english: boolean) => { y?: number; m: number; d: number }[] }[] = [
  { re: /\b(\d{4})-(\d{1,2})-(\d{1,2})\b/g, read: (m) => [{ y: +m[1]!, m: +m[2]!, d: +m[3]! }] },
  {
    re: new RegExp(`\\b(\\d{1,2})(?:st|nd|rd|th|º|°)?\\s+(?:de\\s+)?${MONTH}\\b\\.?(?:\\s*(?:de|del|,)?\\s*(\\d{4})\\b)?`, 'g'),
    read: (m) => [{ y: m[3] ? +m[3] : undefined, m: MONTH_NAMES[m[2]!]!, d: +m[1]! }],
  },
  {
    re: new RegExp(`\\b${MONTH}\\.?\\s+(\\d{1,2})(?:st|nd|rd|th)?\\b(?:,?\\s*(\\d{4})\\b)?`, 'g'),
    read: (m) => [{ y: m[3] ? +m[3] : undefined, m: MONTH_NAMES[m[1]!]!, d: +m[2]! }],
  },
  {
    // 15/01, 15/01/2027, 15.01.2027, 15-01-2027: day first, as in Spanish and Portuguese, unless the
    // sentence is English and month first makes a date (01/15).
    re: /\b(\d{1,2})(?:\/(\d{1,2})(?:\/(\d{4}|\d{2}))?|([.-])(\d{1,2})\4(\d{4}))\b/g,
    read: (m, english) => {
      const a = +m[1]!;
      const b = +(m[2] ?? m[5])!;
      const yearText = m[3] ?? m[6];
      const y = yearText ? (yearText.length === 2 ? 2000 + +yearText : +yearText) : undefined;
      const dayFirst = { y, m: b, d: a };
      const monthFirst = { y, m: a, d: b };
      return english ? [monthFirst, dayFirst] : [dayFirst, monthFirst];
    },
  },
];
/** Words that put the date that follows as the day the person is back. */
const RETURN_WORDS = /\b(hasta|regres\w*|vuelvo|volvere|volver|reincorpor\w*|retorn\w*|ate|volto|voltarei|voltar|regresso|until|till|back|return\w*)\b/;
const ENGLISH = /\b(until|till|back|return\w*|on|from|i am|i'm|will)\b/;

const isoDate = (y: number, m: number, d: number) => `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
function realDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1 || d > 31) return false;
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}
const addDays = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);

/**
 * The day an out-of-office says the person is back ("hasta el 15 de enero", "até 15/01", "until
 * January 15", "regreso el 2027-01-15"), as a local date on or after `today`: a date without a year is
 * the next such day to come. Of several dates, the one after a word of returning wins, else the last.
 * Null when the text names none within a year.
 */
export function returnDateOf(text: string, today: string): string | null {
  const words = plain(text);
  const found: { at: number; date: string; afterReturnWord: boolean }[] = [];
  const [thisYear] = today.split('-').map(Number) as [number];
  for (const { re, read } of DATE_PATTERNS) {
    for (const m of words.matchAll(re)) {
      const before = words.slice(Math.max(0, m.index - 40), m.index);
      const candidates = read(m as RegExpExecArray, ENGLISH.test(before));
      for (const c of candidates) {
        const years = c.y !== undefined ? [c.y] : [thisYear, thisYear + 1];
        const date = years.filter((y) => realDate(y, c.m, c.d)).map((y) => isoDate(y, c.m, c.d)).find((d) => d >= today);
        if (!date || date > addDays(today, 366)) continue;
        found.push({ at: m.index, date, afterReturnWord: RETURN_WORDS.test(before) });
        break;
      }
    }
  }
  found.sort((a, b) => a.at - b.at);
  return (found.find((f) => f.afterReturnWord) ?? found.at(-1))?.date ?? null;
}

/** Without a stated return, an out-of-office pauses the follow-up this many days. */
export const DEFAULT_ABSENCE_DAYS = 7;

/**
 * Until when an auto-reply pauses a lead: 09:00 on the return day in the lead's time zone, or, without
 * one, midnight UTC after the return day (the person is back wherever they are). No stated return
 * date: a week from today.
 */
export function pauseUntilOf({ subject = '', text = '', now, timeZone }: { subject?: string; text?: string; now: Date; timeZone: string | null }): { until: Date; returnDate: string | null } {
  const today = timeZone ? localParts(now, timeZone).date : now.toISOString().slice(0, 10);
  const returnDate = returnDateOf(`${subject}\n${ownWords(text)}`, today);
  const day = returnDate ?? addDays(today, DEFAULT_ABSENCE_DAYS);
  let until = timeZone ? zonedTime(day, 9, timeZone) : new Date(`${addDays(day, 1)}T00:00:00Z`);
  // Back today and already past 09:00: the next morning.
  if (until.getTime() <= now.getTime()) until = timeZone ? zonedTime(addDays(day, 1), 9, timeZone) : new Date(until.getTime() + DAY_MS);
  return { until, returnDate };
}
