import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { isNotFound, readLines, type FileLine } from './fs-util.js';

/**
 * The ledger folder, plain files a person can copy:
 *   entries-<first seq, 12 digits>.ndjson   segments of StoredLine, one per line, append-only
 *   checkpoints.ndjson                      signed tree heads, one per line, append-only
 *   jwks.json                               public keys of every key that signed here
 *   LOCK                                    pid of the one writer (absent when closed)
 */
export const CHECKPOINTS_FILE = 'checkpoints.ndjson';
export const JWKS_FILE = 'jwks.json';
export const LOCK_FILE = 'LOCK';

const SEGMENT = /^entries-(\d{12})\.ndjson$/;

export interface Segment {
  readonly path: string;
  readonly firstSeq: number;
}

export function segmentName(firstSeq: number): string {
  return `entries-${String(firstSeq).padStart(12, '0')}.ndjson`;
}

/** Segments in seq order; an absent folder has none. */
export async function listSegments(dir: string): Promise<Segment[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if (isNotFound(err)) return [];
    throw err;
  }
  const segments: Segment[] = [];
  for (const name of names) {
    const match = SEGMENT.exec(name);
    if (match?.[1] !== undefined) segments.push({ path: join(dir, name), firstSeq: Number(match[1]) });
  }
  return segments.sort((a, b) => a.firstSeq - b.firstSeq);
}

export interface LedgerLine extends FileLine {
  readonly segment: Segment;
  /** True for lines of the newest segment, where an unterminated last line may be a write in progress. */
  readonly inLastSegment: boolean;
}

/** Every line of every segment, in seq order of the segments. */
export async function* ledgerLines(dir: string): AsyncGenerator<LedgerLine> {
  const segments = await listSegments(dir);
  for (const [i, segment] of segments.entries()) {
    for await (const line of readLines(segment.path)) yield { ...line, segment, inLastSegment: i === segments.length - 1 };
  }
}
