import type { CheckpointLine } from './checkpoint.js';
import type { StoredLine } from './entry.js';
import { readLines } from './fs-util.js';
import { listSegments } from './layout.js';
import { consistencyProofFrom, leafHash, MerkleFrontier } from './merkle.js';
import { parseStoredLine } from './entry.js';
import type { Witness } from './witness.js';

export type WitnessOutcome =
  | { readonly ok: true; readonly size: number; readonly result: 'recorded' | 'already held' }
  | { readonly ok: false; readonly size: number; readonly error: unknown };

export interface WitnessFeedOptions {
  readonly witness: Witness;
  /** Leaf hashes of the entries from … to-1, read from where the entries live (the ledger folder, the audit topic). */
  readonly readLeaves: (from: number, to: number) => Promise<Uint8Array[]>;
  /** Each head's fate: log a refusal, count it. */
  readonly onOutcome?: (outcome: WitnessOutcome) => void;
}

/** Beyond this many leaves not yet witnessed (a witness refusing or down for long), they are read back when needed. */
const MAX_BUFFERED = 1_000_000;

/**
 * Sends each new tree head to a witness with the consistency proof from the newest head the witness holds. It keeps
 * that head's peaks and the leaves written since — nothing older — so a proof costs O(entries since).
 */
export class WitnessFeed {
  readonly #o: WitnessFeedOptions;
  /** The tree at the witness's newest head; undefined while it holds none. */
  #base: MerkleFrontier | undefined;
  #start = -1;
  #leaves: Uint8Array[] = [];
  #queue: Promise<void> = Promise.resolve();
  #attached: () => void = () => undefined;
  /** Heads wait for attach: the first proof needs to know what the witness holds. */
  readonly #ready = new Promise<void>((resolve) => (this.#attached = resolve));

  constructor(options: WitnessFeedOptions) {
    this.#o = options;
  }

  /** Entries just made durable (in order). */
  appended(lines: readonly StoredLine[]): void {
    const first = lines[0]?.entry.seq;
    if (first === undefined) return;
    if (this.#start < 0) this.#start = first;
    if (first !== this.#start + this.#leaves.length || this.#leaves.length > MAX_BUFFERED) {
      this.#start = -1; // a gap (or too many): read them back when a proof needs them
      this.#leaves = [];
      return;
    }
    for (const l of lines) this.#leaves.push(leafHash(l.hash));
  }

  /** Learns what the witness holds; `size` is the ledger's size once open. Call once, before the first head. */
  async attach(size: number): Promise<void> {
    try {
      const latest = await this.#o.witness.latest();
      if (latest !== undefined && latest.checkpoint.size > size) {
        this.#o.onOutcome?.({ ok: false, size: latest.checkpoint.size, error: new Error(`the witness holds a tree head of ${latest.checkpoint.size} entries; the ledger has ${size}: it was truncated`) });
      }
      if (this.#start < 0) this.#start = size;
      if (latest !== undefined && latest.checkpoint.size <= size) this.#base = await this.#frontierOf(latest);
    } catch (error) {
      this.#o.onOutcome?.({ ok: false, size: -1, error });
    } finally {
      this.#attached();
    }
  }

  /** Queues a new head for the witness; outcomes go to onOutcome. */
  submit(head: CheckpointLine): void {
    void this.#enqueue(async () => {
      await this.#ready;
      await this.#send(head);
    });
  }

  /** Resolves when every queued head was sent (at shutdown). */
  idle(): Promise<void> {
    return this.#queue;
  }

  #enqueue(run: () => Promise<void>): Promise<void> {
    this.#queue = this.#queue.then(run).catch((error: unknown) => this.#o.onOutcome?.({ ok: false, size: -1, error }));
    return this.#queue;
  }

  async #send(head: CheckpointLine): Promise<void> {
    const { size } = head.checkpoint;
    const base = this.#base;
    let proof: string[] = [];
    let next: MerkleFrontier | undefined;
    try {
      if (base !== undefined && base.size > 0 && base.size < size) {
        const newer = await this.#leavesBetween(base.size, size);
        proof = consistencyProofFrom(base.peaks, base.size, newer).map((p) => Buffer.from(p).toString('hex'));
        next = base.clone();
        for (const l of newer) next.append(l);
      }
      const result = await this.#o.witness.submit(head, proof);
      this.#base = next ?? (await this.#frontierOf(head));
      this.#trim();
      this.#o.onOutcome?.({ ok: true, size, result });
    } catch (error) {
      this.#o.onOutcome?.({ ok: false, size, error });
    }
  }

  async #frontierOf(head: CheckpointLine): Promise<MerkleFrontier> {
    const { size, root } = head.checkpoint;
    try {
      const f = new MerkleFrontier(size, (head.frontier ?? []).map((p) => Buffer.from(p, 'hex')));
      if (Buffer.from(f.root()).toString('hex') === root) return f;
    } catch {
      // no usable hint: rebuild from the entries
    }
    const f = new MerkleFrontier();
    for (const l of await this.#leavesBetween(0, size)) f.append(l);
    return f;
  }

  async #leavesBetween(from: number, to: number): Promise<Uint8Array[]> {
    const end = this.#start + this.#leaves.length;
    if (this.#start >= 0 && from >= this.#start && to <= end) return this.#leaves.slice(from - this.#start, to - this.#start);
    if (this.#start >= 0 && from < this.#start && to <= end) {
      return [...(await this.#o.readLeaves(from, this.#start)), ...this.#leaves.slice(0, to - this.#start)];
    }
    return this.#o.readLeaves(from, to);
  }

  /** Leaves before the witnessed size are never needed again. */
  #trim(): void {
    const size = this.#base?.size ?? 0;
    if (this.#start < 0 || size <= this.#start) return;
    const drop = Math.min(size - this.#start, this.#leaves.length);
    this.#leaves = this.#leaves.slice(drop);
    this.#start += drop;
  }
}

/** readLeaves for a ledger folder: skips whole segments before `from`. */
export function folderLeaves(dir: string): (from: number, to: number) => Promise<Uint8Array[]> {
  return async (from, to) => {
    const leaves: Uint8Array[] = [];
    if (to <= from) return leaves;
    const segments = await listSegments(dir);
    const skipBefore = segments.filter((s) => s.firstSeq <= from).at(-1)?.firstSeq ?? 0;
    read: for (const segment of segments.filter((s) => s.firstSeq >= skipBefore && s.firstSeq < to)) {
      for await (const raw of readLines(segment.path)) {
        if (!raw.terminated) continue;
        const line = parseStoredLine(raw.text);
        if (line.entry.seq >= to) break read;
        if (line.entry.seq >= from) leaves.push(leafHash(line.hash));
      }
    }
    if (leaves.length !== to - from) throw new Error(`the ledger does not hold entries ${from}–${to - 1}`);
    return leaves;
  };
}
