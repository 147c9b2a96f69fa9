import { createInflateRaw } from 'node:zlib';

/**
 * Just enough zip to read an .xlsx held in memory without trusting it: entries are found through the
 * central directory, and each one is inflated as a stream whose output is counted against a budget,
 * so a zip bomb is stopped by what actually comes out, not by the sizes it declares.
 */

/** One file inside the zip, as the central directory describes it. */
export interface ZipEntry {
  name: string;
  method: number;
  flags: number;
  compressedSize: number;
  /** What the zip says the entry unzips to: a hint for refusing early, never a bound. */
  declaredSize: number;
  localHeaderOffset: number;
}

/** Not a zip this reader can open (truncated, encrypted, an unknown compression method, bad deflate data). */
export class ZipFormatError extends Error {
  override name = 'ZipFormatError';
}

const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const ZIP64_END_LOCATOR = 0x07064b50;
const ZIP64_END = 0x06064b50;
const CENTRAL_ENTRY = 0x02014b50;
const LOCAL_HEADER = 0x04034b50;
const ZIP64_EXTRA = 0x0001;
const STORED = 0;
const DEFLATED = 8;
const ENCRYPTED = 0x1;
const MAX_16 = 0xffff;
const MAX_32 = 0xffffffff;

/** Every entry by name. Reads past the end of the buffer throw RangeError, turned into ZipFormatError. */
export function zipDirectory(zip: Buffer): Map<string, ZipEntry> {
  try {
    return readDirectory(zip);
  } catch (err) {
    if (err instanceof ZipFormatError) throw err;
    throw new ZipFormatError(err instanceof Error ? err.message : String(err));
  }
}

function readDirectory(zip: Buffer): Map<string, ZipEntry> {
  const end = findEndOfCentralDirectory(zip);
  let count = zip.readUInt16LE(end + 10);
  let offset = zip.readUInt32LE(end + 16);
  if (count === MAX_16 || offset === MAX_32) {
    const locator = end - 20;
    if (locator < 0 || zip.readUInt32LE(locator) !== ZIP64_END_LOCATOR) throw new ZipFormatError('zip64 locator missing');
    const record = safeNumber(zip.readBigUInt64LE(locator + 8));
    if (zip.readUInt32LE(record) !== ZIP64_END) throw new ZipFormatError('zip64 end record missing');
    count = safeNumber(zip.readBigUInt64LE(record + 32));
    offset = safeNumber(zip.readBigUInt64LE(record + 48));
  }
  const entries = new Map<string, ZipEntry>();
  // Each entry is at least 46 bytes, so a lying count runs off the buffer (RangeError) instead of looping on.
  for (let i = 0, at = offset; i < count; i++) {
    if (zip.readUInt32LE(at) !== CENTRAL_ENTRY) throw new ZipFormatError('bad central directory');
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength);
    const sizes = {
      declaredSize: zip.readUInt32LE(at + 24),
      compressedSize: zip.readUInt32LE(at + 20),
      localHeaderOffset: zip.readUInt32LE(at + 42),
    };
    readZip64Sizes(zip.subarray(at + 46 + nameLength, at + 46 + nameLength + extraLength), sizes);
    if (!entries.has(name)) entries.set(name, { name, method: zip.readUInt16LE(at + 10), flags: zip.readUInt16LE(at + 8), ...sizes });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

function findEndOfCentralDirectory(zip: Buffer): number {
  // The record is 22 bytes followed by a comment of at most 65,535.
  for (let at = zip.length - 22; at >= Math.max(0, zip.length - 22 - MAX_16); at--) {
    if (zip.readUInt32LE(at) === END_OF_CENTRAL_DIRECTORY) return at;
  }
  throw new ZipFormatError('not a zip');
}

/** Sizes and offsets of 0xFFFFFFFF live in the zip64 extra field, in this order, only those that overflowed. */
function readZip64Sizes(extra: Buffer, sizes: { declaredSize: number; compressedSize: number; localHeaderOffset: number }): void {
  for (let at = 0; at + 4 <= extra.length; ) {
    const id = extra.readUInt16LE(at);
    const length = extra.readUInt16LE(at + 2);
    if (id === ZIP64_EXTRA) {
      let field = at + 4;
      for (const key of ['declaredSize', 'compressedSize', 'localHeaderOffset'] as const) {
        if (sizes[key] !== MAX_32) continue;
        sizes[key] = safeNumber(extra.readBigUInt64LE(field));
        field += 8;
      }
      return;
    }
    at += 4 + length;
  }
}

function safeNumber(value: bigint): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new ZipFormatError('zip64 value out of range');
  return Number(value);
}

/** What may still come out of the inflater, across every entry read; `exceeded` makes the error to throw. */
export class UnzipBudget {
  constructor(private left: number, private readonly exceeded: () => Error) {}

  /** Refuses early an entry that admits to being too big; an entry that lies is caught by `take`. */
  expect(declaredSize: number): void {
    if (declaredSize > this.left) throw this.exceeded();
  }

  take(bytes: number): void {
    this.left -= bytes;
    if (this.left < 0) throw this.exceeded();
  }
}

/**
 * Streams one entry's bytes to `onChunk` as they are inflated (16 KB at a time), counting each chunk
 * against the budget first: past it, or when `onChunk` throws, the inflater is destroyed and the
 * promise rejects with that error, so no more than the budget (plus one chunk) is ever produced.
 */
export async function inflateEntry(zip: Buffer, entry: ZipEntry, budget: UnzipBudget, onChunk: (chunk: Buffer) => void): Promise<void> {
  budget.expect(entry.declaredSize);
  const data = entryData(zip, entry);
  if (entry.flags & ENCRYPTED) throw new ZipFormatError('encrypted entry');
  if (entry.method === STORED) {
    budget.take(data.length);
    onChunk(data);
    return;
  }
  if (entry.method !== DEFLATED) throw new ZipFormatError(`compression method ${String(entry.method)}`);
  await new Promise<void>((resolve, reject) => {
    const inflater = createInflateRaw();
    const fail = (err: unknown) => {
      inflater.destroy();
      reject(err instanceof Error ? err : new Error(String(err)));
    };
    inflater.on('data', (chunk: Buffer) => {
      try {
        budget.take(chunk.length);
        onChunk(chunk);
      } catch (err) {
        fail(err);
      }
    });
    inflater.once('error', (err) => fail(new ZipFormatError(err.message)));
    inflater.once('end', () => resolve());
    inflater.end(data);
  });
}

function entryData(zip: Buffer, entry: ZipEntry): Buffer {
  const at = entry.localHeaderOffset;
  if (at + 30 > zip.length || zip.readUInt32LE(at) !== LOCAL_HEADER) throw new ZipFormatError('bad local header');
  const start = at + 30 + zip.readUInt16LE(at + 26) + zip.readUInt16LE(at + 28);
  const end = start + entry.compressedSize;
  if (end > zip.length) throw new ZipFormatError('entry runs past the end of the file');
  return zip.subarray(start, end);
}
