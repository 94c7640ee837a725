import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { canonicalJson, digestEvent, sha256Hex } from './canonical.js';
import { serializeCheckpoint, signCheckpoint, type CheckpointLine } from './checkpoint.js';
import { ENTRY_TYP, serializeLine, type LedgerEntry, type StoredLine } from './entry.js';
import { LedgerError } from './errors.js';
import { appendDurably, fsyncDir } from './fs-util.js';
import { publishKeys, readFolderKeys, type KeySet } from './keys.js';
import { CHECKPOINTS_FILE, segmentName, type Segment } from './layout.js';
import { acquireLock, type LedgerLock } from './lock.js';
import { leafHash, type MerkleFrontier } from './merkle.js';
import { recover, type RecoveredState, type TailRepair } from './recovery.js';
import type { Jwks, Signer } from './signer/signer.js';
import { snapshot, type LedgerEvent, type Pending } from './ledger-event.js';
import { WriteQueue } from './write-queue.js';

export interface LedgerOptions {
  /** Write a signed checkpoint at least every this many entries. Default 100. */
  readonly checkpointEvery?: number;
  /** …and at least this often while entries arrive (ms, 0 = never by time). Default 5 000. */
  readonly checkpointIntervalMs?: number;
  /** Start a new segment file after this many entries (soft: a batch is never split). Default 10 000: open reads the last segment whole. */
  readonly segmentEntries?: number;
  /** Keys that signed earlier entries (a keyring's older keys): a KEY_ROTATION left half-done is finished with them. */
  readonly previousSigners?: readonly Signer[];
  /** Called after each checkpoint is durable, e.g. to publish it off the machine. */
  readonly onCheckpoint?: (line: CheckpointLine) => void;
  /** Called with each batch of entries once durable, before the checkpoints it made due (a witness feed's leaves). */
  readonly onAppend?: (lines: readonly StoredLine[]) => void;
  readonly now?: () => Date;
}

export interface OpenStatus {
  readonly entries: number;
  readonly headHash: string;
  /** A torn last line (crash mid-write) was cut off, or a valid last entry missing only its newline was completed. */
  readonly repair: TailRepair;
  readonly bytesRemoved: number;
  readonly checkpointBytesRemoved: number;
  readonly staleLockRemoved: boolean;
  readonly frontierSource: RecoveredState['frontierSource'];
  /** 'rotated': the signer differed from the chain's key and the old key signed a KEY_ROTATION; 'unannounced': the old key was not available, the new key signed it. */
  readonly keyChange: 'none' | 'rotated' | 'unannounced';
}

/**
 * The embedded ledger: one writer per folder (LOCK), entries appended in order through one queue, each batch
 * written then fdatasync'ed before any of its appends resolve. Concurrent appends are group-committed.
 */
export class FileLedger {
  readonly dir: string;
  readonly status: OpenStatus;
  #signer: Signer;
  #keys: KeySet;
  readonly #opts: Required<Omit<LedgerOptions, 'onCheckpoint' | 'onAppend' | 'previousSigners'>> & Pick<LedgerOptions, 'onCheckpoint' | 'onAppend'>;
  readonly #lock: LedgerLock;
  #segment: Segment;
  #segmentFh: FileHandle;
  readonly #checkpointFh: FileHandle;
  #size: number;
  #headHash: string;
  readonly #frontier: MerkleFrontier;
  #checkpointSize: number;
  /** Bytes of the segment and checkpoint files known durable: a failed write is cut back to these. */
  #segmentBytes: number;
  #checkpointBytes: number;
  readonly #queue: WriteQueue<Pending, StoredLine>;
  #closing: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  /** The latest time written, so that a retired key's end is after everything it signed, whatever the clock did. */
  #lastTime: number;

  private constructor(init: {
    dir: string; signer: Signer; keys: KeySet; opts: LedgerOptions; lock: LedgerLock; segment: Segment;
    segmentFh: FileHandle; checkpointFh: FileHandle; state: RecoveredState; status: OpenStatus; segmentBytes: number; checkpointBytes: number;
  }) {
    this.dir = init.dir;
    this.#signer = init.signer;
    this.#keys = init.keys;
    const o = init.opts;
    for (const [name, v] of [['checkpointEvery', o.checkpointEvery], ['segmentEntries', o.segmentEntries]] as const) {
      if (v !== undefined && (!Number.isSafeInteger(v) || v < 1)) throw new RangeError(`${name} must be a positive integer`);
    }
    this.#opts = {
      checkpointEvery: o.checkpointEvery ?? 100,
      checkpointIntervalMs: o.checkpointIntervalMs ?? 5_000,
      segmentEntries: o.segmentEntries ?? 10_000,
      now: o.now ?? (() => new Date()),
      onCheckpoint: o.onCheckpoint,
      onAppend: o.onAppend,
    };
    this.#lock = init.lock;
    this.#segment = init.segment;
    this.#segmentFh = init.segmentFh;
    this.#checkpointFh = init.checkpointFh;
    this.#size = init.state.size;
    this.#headHash = init.state.headHash;
    this.#frontier = init.state.frontier;
    this.#checkpointSize = init.state.lastCheckpoint?.checkpoint.size ?? 0;
    this.#segmentBytes = init.segmentBytes;
    this.#checkpointBytes = init.checkpointBytes;
    this.#lastTime = lastTimeOf(init.state);
    this.status = init.status;
    this.#queue = new WriteQueue((items) => this.#write(items, this.#signer));
  }

  #startTimer(): void {
    if (this.#opts.checkpointIntervalMs <= 0) return;
    this.#timer = setInterval(() => void this.checkpoint().catch(() => undefined), this.#opts.checkpointIntervalMs);
    this.#timer.unref();
  }

  /**
   * Opens (creating if needed) the ledger in `dir` for writing with `signer`: takes the lock (PF_LEDGER_LOCKED if
   * another live process holds it), recovers the head, checks the tail, and repairs a torn last line.
   */
  static async open(dir: string, signer: Signer, options: LedgerOptions = {}): Promise<FileLedger> {
    await mkdir(dir, { recursive: true, mode: 0o750 });
    const lock = await acquireLock(dir);
    const handles: FileHandle[] = [];
    try {
      const previous = options.previousSigners ?? [];
      const folderKeys = await readFolderKeys(dir);
      const state = await recover(dir, folderKeys.with([signer, ...previous].map((s) => s.publicJwk)));
      const segment = state.segment ?? { path: join(dir, segmentName(0)), firstSeq: 0 };
      if (state.size < segment.firstSeq) {
        throw new LedgerError('PF_LEDGER_CORRUPT', 'entries are missing before the last segment', { details: [segment.path, `position ${state.size}`] });
      }
      // A key new to the folder is valid from the next position on (a rotation below narrows it further).
      const from = { seq: state.size, time: (options.now ?? (() => new Date()))().toISOString() };
      const keys = await publishKeys(dir, [signer], folderKeys, from);
      const segmentFh = await open(segment.path, 'a', 0o640);
      handles.push(segmentFh);
      const checkpointFh = await open(join(dir, CHECKPOINTS_FILE), 'a', 0o640);
      handles.push(checkpointFh);
      await fsyncDir(dir);
      const rotateFrom = state.currentKid !== undefined && state.currentKid !== signer.kid ? state.currentKid : undefined;
      const oldSigner = previous.find((s) => s.kid === rotateFrom);
      const status: OpenStatus = {
        entries: state.size, headHash: state.headHash, repair: state.repair, bytesRemoved: state.bytesRemoved,
        checkpointBytesRemoved: state.checkpointBytesRemoved, staleLockRemoved: lock.staleRemoved,
        frontierSource: state.frontierSource, keyChange: rotateFrom === undefined ? 'none' : oldSigner ? 'rotated' : 'unannounced',
      };
      const [segmentBytes, checkpointBytes] = await Promise.all([segmentFh.stat(), checkpointFh.stat()]).then((st) => st.map((x) => x.size));
      const ledger = new FileLedger({
        dir, signer, keys, opts: options, lock, segment, segmentFh, checkpointFh, state, status, segmentBytes: segmentBytes ?? 0, checkpointBytes: checkpointBytes ?? 0,
      });
      // The chain's key is not the signer's: finish (or, without the old key, record) the key change first.
      if (rotateFrom !== undefined) await ledger.#queue.task(() => ledger.#rotate(oldSigner ?? signer, signer, rotateFrom));
      ledger.#startTimer();
      return ledger;
    } catch (err) {
      await Promise.all(handles.map((h) => h.close().catch(() => undefined)));
      await lock.release();
      throw err;
    }
  }

  get size(): number {
    return this.#size;
  }

  get headHash(): string {
    return this.#headHash;
  }

  get kid(): string {
    return this.#signer.kid;
  }

  /** Every public key that signed in this folder (what jwks.json holds). */
  jwks(): Jwks {
    return this.#keys.jwks;
  }

  /** Why entries cannot be made durable now (a write or fsync failed), or undefined while the ledger writes. */
  get failure(): LedgerError | undefined {
    return this.#queue.failed as LedgerError | undefined;
  }

  /**
   * After a failed write: cuts the segment and checkpoint files back to their last durable length (a half-written
   * line is never left to break the chain, nor a whole one whose append was reported failed to be written twice)
   * and takes appends again. Rejects, still failed, when the cut itself fails; resolves at once when healthy.
   * The next append is the test of the disk: if it fails, the ledger is failed again.
   */
  restore(): Promise<void> {
    if (this.#closing !== undefined) return Promise.reject(new LedgerError('PF_LEDGER_CLOSED', 'the ledger is closed'));
    return this.#queue.repair(async () => {
      for (const [fh, bytes] of [[this.#segmentFh, this.#segmentBytes], [this.#checkpointFh, this.#checkpointBytes]] as const) {
        if ((await fh.stat()).size !== bytes) {
          await fh.truncate(bytes);
          await fh.datasync();
        }
      }
    });
  }

  /** Appends one event; resolves once its entry is fsynced (never before). */
  async append(event: LedgerEvent): Promise<StoredLine> {
    const [line] = await this.appendBatch([event]);
    return line as StoredLine;
  }

  /** Appends events as consecutive entries with one fsync; all or none are accepted. */
  appendBatch(events: readonly LedgerEvent[]): Promise<StoredLine[]> {
    try {
      if (this.#closing !== undefined) throw new LedgerError('PF_LEDGER_CLOSED', 'the ledger is closed');
      return this.#queue.add(events.map(snapshot));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** Writes a checkpoint now if entries arrived since the last one; resolves with it (or null). */
  checkpoint(): Promise<CheckpointLine | null> {
    return this.#exclusive(() => this.#checkpointIfBehind(this.#signer));
  }

  /**
   * Rotates to `next`: publishes its key in jwks.json, appends a KEY_ROTATION naming it signed by the current key,
   * checkpoints with the current key, then signs everything after with `next`.
   */
  rotateKey(next: Signer): Promise<StoredLine> {
    return this.#exclusive(() => this.#rotate(this.#signer, next, this.#signer.kid));
  }

  /** Drains the queue, writes a final checkpoint, closes the files and releases the lock. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      if (this.#timer !== undefined) clearInterval(this.#timer);
      const outcome = await this.#queue.task(() => this.#checkpointIfBehind(this.#signer)).catch((err: unknown) => err);
      await this.#segmentFh.close().catch(() => undefined);
      await this.#checkpointFh.close().catch(() => undefined);
      await this.#lock.release();
      if (outcome instanceof Error && this.#queue.failed === undefined) throw outcome;
    })();
    return this.#closing;
  }

  #exclusive<T>(run: () => Promise<T>): Promise<T> {
    if (this.#closing !== undefined) return Promise.reject(new LedgerError('PF_LEDGER_CLOSED', 'the ledger is closed'));
    return this.#queue.task(run);
  }

  /** Builds, signs and durably writes entries, then any checkpoints they made due. Runs only inside the queue. */
  async #write(events: readonly Pending[], signer: Signer, at?: Date): Promise<StoredLine[]> {
    if (events.length === 0) return [];
    const time = (at ?? this.#clock()).toISOString();
    let prevHash = this.#headHash;
    const texts: string[] = [];
    const entries = events.map((ev, i): LedgerEntry => {
      const entry: LedgerEntry = {
        seq: this.#size + i, prevHash, type: ev.type, requestId: ev.requestId, time,
        eventDigest: ev.eventDigest, policyRevision: ev.policyRevision, summary: ev.summary,
      };
      const text = canonicalJson(entry);
      texts.push(text);
      prevHash = sha256Hex(text);
      return entry;
    });
    const jwss = await Promise.all(texts.map((t) => signer.sign(t, { typ: ENTRY_TYP })));
    const lines = entries.map((entry, i): StoredLine => ({ entry, hash: sha256Hex(texts[i] as string), jws: jwss[i] as string }));
    await this.#rollSegmentIfFull(signer);
    const data = lines.map(serializeLine).join('\n') + '\n';
    await this.#durably(() => appendDurably(this.#segmentFh, data));
    this.#segmentBytes += Buffer.byteLength(data);
    const due: { size: number; root: Uint8Array; peaks: Uint8Array[] }[] = [];
    for (const line of lines) {
      this.#frontier.append(leafHash(line.hash));
      if (this.#frontier.size - (due.at(-1)?.size ?? this.#checkpointSize) >= this.#opts.checkpointEvery) {
        due.push({ size: this.#frontier.size, root: this.#frontier.root(), peaks: [...this.#frontier.peaks] });
      }
    }
    this.#size += lines.length;
    this.#headHash = prevHash;
    this.#opts.onAppend?.(lines);
    // The entries are durable whatever happens to their checkpoint; a failed checkpoint write stops the queue.
    for (const d of due) await this.#writeCheckpoint(d.size, d.root, d.peaks, signer, at).catch(() => undefined);
    return lines;
  }

  async #checkpointIfBehind(signer: Signer, at?: Date): Promise<CheckpointLine | null> {
    if (this.#size === this.#checkpointSize) return null;
    return this.#writeCheckpoint(this.#size, this.#frontier.root(), [...this.#frontier.peaks], signer, at);
  }

  async #writeCheckpoint(size: number, root: Uint8Array, peaks: Uint8Array[], signer: Signer, at?: Date): Promise<CheckpointLine> {
    const line = await signCheckpoint(size, root, signer, at ?? this.#clock(), peaks);
    const data = serializeCheckpoint(line) + '\n';
    await this.#durably(() => appendDurably(this.#checkpointFh, data));
    this.#checkpointBytes += Buffer.byteLength(data);
    this.#checkpointSize = size;
    this.#opts.onCheckpoint?.(line);
    return line;
  }

  /** Before a segment passes its size, checkpoint it (so a restart never needs older segments) and start the next. */
  async #rollSegmentIfFull(signer: Signer): Promise<void> {
    if (this.#size - this.#segment.firstSeq < this.#opts.segmentEntries) return;
    await this.#checkpointIfBehind(signer);
    const segment = { path: join(this.dir, segmentName(this.#size)), firstSeq: this.#size };
    const fh = await this.#durably(() => open(segment.path, 'a', 0o640));
    await this.#durably(() => fsyncDir(this.dir));
    await this.#segmentFh.close().catch(() => undefined);
    this.#segment = segment;
    this.#segmentFh = fh;
    this.#segmentBytes = (await fh.stat()).size;
  }

  async #rotate(oldSigner: Signer, next: Signer, previousKid: string): Promise<StoredLine> {
    if (next.kid === previousKid) throw new LedgerError('PF_LEDGER_KEY', 'the new key is the current key');
    // The old key's interval ends with the KEY_ROTATION entry it signs and the head over it (or, when it is not
    // at hand and the new key signs that entry, just before it); the new key's begins after. Published first.
    this.#clock();
    const at = new Date(this.#lastTime);
    const seq = this.#size;
    const announced = oldSigner.kid === previousKid;
    const bounds = new Map([
      [previousKid, { lastSeq: announced ? seq : seq - 1, validUntil: at.toISOString() }],
      [next.kid, { firstSeq: announced ? seq + 1 : seq, validFrom: at.toISOString() }],
    ]);
    this.#keys = await publishKeys(this.dir, [next, oldSigner], this.#keys, undefined, bounds);
    const summary = { previousKid, newKid: next.kid };
    const event: Pending = { type: 'KEY_ROTATION', requestId: null, eventDigest: digestEvent(summary), policyRevision: null, summary };
    const [line] = await this.#write([event], oldSigner, at);
    await this.#checkpointIfBehind(oldSigner, at);
    this.#signer = next;
    return line as StoredLine;
  }

  /** Now, remembered: the latest time written so far is kept. */
  #clock(): Date {
    const now = this.#opts.now();
    this.#lastTime = Math.max(now.getTime(), this.#lastTime);
    return now;
  }

  /** A failed write leaves the file in an unknown state: stop taking appends until restore() (or a reopen) recovers the tail. */
  async #durably<T>(io: () => Promise<T>): Promise<T> {
    try {
      return await io();
    } catch (err) {
      const errno = (err as NodeJS.ErrnoException | null)?.code;
      const failed = new LedgerError('PF_LEDGER_WRITE_FAILED', `ledger write failed${errno ? ` (${errno})` : ''}; restore() or reopen to recover`, { cause: err, retriable: true, details: errno ? [errno] : [] });
      this.#queue.fail(failed);
      throw failed;
    }
  }
}

function lastTimeOf(state: RecoveredState): number {
  return Math.max(Date.parse(state.head?.entry.time ?? '') || 0, Date.parse(state.lastCheckpoint?.checkpoint.time ?? '') || 0);
}

/** `open(dir, signer, opts)`: FileLedger.open as a function. */
export function openLedger(dir: string, signer: Signer, options?: LedgerOptions): Promise<FileLedger> {
  return FileLedger.open(dir, signer, options);
}
