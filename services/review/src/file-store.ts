import { mkdir, open, readFile, truncate, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { isPlainObject } from '@firewall/core';
import { caseStatuses, type CaseStatus, type ReviewCase } from './case.js';
import { ReviewError } from './errors.js';
import { listCases, type CaseStore } from './store.js';

/** The cases file inside the store folder ($FIREWALL_DATA_DIR/reviews/). */
export const CASES_FILE = 'cases.ndjson';

export interface FileStoreStatus {
  readonly cases: number;
  /** Bytes of an incomplete last line (a crash mid-write) removed on open. */
  readonly bytesRemoved: number;
}

/**
 * Cases as JSON lines, one full snapshot of a case per change, the last line for a case id wins. Each `put`
 * is written and fdatasync'ed before it resolves, so an opened case or a resolution survives a crash or restart.
 * The file holds request metadata a reviewer needs (never subject identifiers): it is created 0600 in a 0700
 * folder. One process owns a folder at a time (the desk runs as a single instance, like the ledger writer).
 */
export class FileCaseStore implements CaseStore {
  readonly #cases: Map<string, ReviewCase>;
  readonly #handle: FileHandle;
  readonly status: FileStoreStatus;
  #queue: Promise<void> = Promise.resolve();
  #closed = false;

  private constructor(cases: Map<string, ReviewCase>, handle: FileHandle, status: FileStoreStatus) {
    this.#cases = cases;
    this.#handle = handle;
    this.status = status;
  }

  static async open(dir: string): Promise<FileCaseStore> {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const path = join(dir, CASES_FILE);
    const text = await readFile(path, 'utf8').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return '';
      throw err;
    });
    const { cases, validBytes } = parseLines(text, path);
    const bytesRemoved = Buffer.byteLength(text) - validBytes;
    if (bytesRemoved > 0) await truncate(path, validBytes);
    const created = text === '';
    const handle = await open(path, 'a', 0o600);
    if (created) await fsyncDir(dir);
    return new FileCaseStore(cases, handle, { cases: cases.size, bytesRemoved });
  }

  get(caseId: string): ReviewCase | undefined {
    return this.#cases.get(caseId);
  }

  list(status?: CaseStatus): ReviewCase[] {
    return listCases(this.#cases.values(), status);
  }

  put(reviewCase: ReviewCase): Promise<void> {
    if (this.#closed) return Promise.reject(new ReviewError('PF_REVIEW_STORE_CORRUPT', 'The case store is closed.'));
    const snapshot = structuredClone(reviewCase);
    const line = `${JSON.stringify(snapshot)}\n`;
    const write = this.#queue.then(async () => {
      await this.#handle.write(line);
      await this.#handle.datasync();
      this.#cases.set(snapshot.caseId, snapshot);
    });
    // A failed write must not wedge later ones; the caller still sees its own failure.
    this.#queue = write.catch(() => undefined);
    return write;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#queue;
    await this.#handle.close();
  }
}

export function openFileCaseStore(dir: string): Promise<FileCaseStore> {
  return FileCaseStore.open(dir);
}

/** Complete lines only: an unterminated last line is a torn write and is dropped; any other bad line is corruption. */
function parseLines(text: string, path: string): { cases: Map<string, ReviewCase>; validBytes: number } {
  const cases = new Map<string, ReviewCase>();
  const end = text.lastIndexOf('\n') + 1;
  const complete = text.slice(0, end);
  complete.split('\n').slice(0, -1).forEach((line, index) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch (cause) {
      throw new ReviewError('PF_REVIEW_STORE_CORRUPT', `Line ${index + 1} of ${path} is not JSON.`, { cause, details: [`line ${index + 1}`] });
    }
    if (!isCase(parsed)) throw new ReviewError('PF_REVIEW_STORE_CORRUPT', `Line ${index + 1} of ${path} is not a case.`, { details: [`line ${index + 1}`] });
    cases.set(parsed.caseId, parsed);
  });
  return { cases, validBytes: Buffer.byteLength(complete) };
}

function isCase(value: unknown): value is ReviewCase {
  return isPlainObject(value) && typeof value.caseId === 'string' && typeof value.openedAt === 'string'
    && caseStatuses.includes(value.status as CaseStatus) && isPlainObject(value.decision);
}

async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
