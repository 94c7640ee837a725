import { mkdir, open, truncate, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { isHex64 } from './canonical.js';
import { checkCheckpoint, parseCheckpointLine, verifyCheckpointConsistency, type CheckpointLine } from './checkpoint.js';
import { LedgerError } from './errors.js';
import { appendDurably, fsyncDir, isNotFound, readLines } from './fs-util.js';
import type { KeySet } from './keys.js';
import { MerkleFrontier, verifyConsistency } from './merkle.js';

/** The witness folder's file: one witnessed head per line, each with the consistency proof from the line before. */
export const WITNESS_FILE = 'heads.ndjson';

/** A signed tree head as a witness keeps it. `frontier` (unsigned, checked against the root) lets a writer resume. */
export interface WitnessedLine extends CheckpointLine {
  /** RFC 9162 consistency proof (hex) from the previous witnessed head to this one; empty for the first. */
  readonly proof: readonly string[];
  readonly witnessedAt: string;
}

/** Somewhere outside the ledger that keeps every tree head it was shown, and refuses one that rewrites history. */
export interface Witness {
  readonly name: string;
  /** The newest head it holds, if any. */
  latest(): Promise<WitnessedLine | undefined>;
  /**
   * Keeps `head` if it is signed by a trusted key and `proof` proves it extends the newest head held; a head equal to
   * that one is accepted and not kept twice. Otherwise throws PF_LEDGER_PROOF naming why.
   */
  submit(head: CheckpointLine, proof: readonly string[]): Promise<'recorded' | 'already held'>;
}

export interface FolderWitnessOptions {
  /** The ledger keys the witness trusts (the published JWKS). */
  readonly keys: () => KeySet | Promise<KeySet>;
  /** Told of each refused head (log it, count it). */
  readonly onRefused?: (reason: string, head: CheckpointLine) => void;
  readonly now?: () => Date;
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** The frontier hint, kept only if its peaks give the signed root (a writer resumes from it). */
function checkedFrontier(head: CheckpointLine): readonly string[] | undefined {
  if (head.frontier === undefined) return undefined;
  try {
    const f = new MerkleFrontier(head.checkpoint.size, head.frontier.map((p) => Buffer.from(p, 'hex')));
    return hex(f.root()) === head.checkpoint.root ? head.frontier : undefined;
  } catch {
    return undefined;
  }
}

/** Reads a witness file: its heads in order (an unterminated last line — a crash mid-append — is left out). */
export async function readWitnessFile(path: string): Promise<{ lines: WitnessedLine[]; goodBytes: number }> {
  const lines: WitnessedLine[] = [];
  let goodBytes = 0;
  try {
    for await (const l of readLines(path)) {
      if (!l.terminated) break;
      const head = parseCheckpointLine(l.text);
      const raw = JSON.parse(l.text) as { proof?: unknown; witnessedAt?: unknown };
      const proof = Array.isArray(raw.proof) && raw.proof.every(isHex64) ? (raw.proof as string[]) : [];
      lines.push({ ...head, proof, witnessedAt: typeof raw.witnessedAt === 'string' ? raw.witnessedAt : '' });
      goodBytes = l.offset + l.length + 1;
    }
  } catch (err) {
    if (isNotFound(err)) return { lines, goodBytes };
    if (err instanceof TypeError || err instanceof SyntaxError) {
      throw new LedgerError('PF_LEDGER_CORRUPT', `witness file line ${lines.length + 1}: ${err.message}`, { details: [path] });
    }
    throw err;
  }
  return { lines, goodBytes };
}

/** The last complete line of a witness file, read from its end. */
async function readLastWitnessed(path: string): Promise<WitnessedLine | undefined> {
  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
  try {
    const { size } = await fh.stat();
    const length = Math.min(size, 1 << 20);
    const buf = Buffer.alloc(length);
    await fh.read(buf, 0, length, size - length);
    const text = buf.toString('utf8');
    const end = text.lastIndexOf('\n');
    if (end < 0) return undefined;
    const line = text.slice(text.lastIndexOf('\n', end - 1) + 1, end);
    const head = parseCheckpointLine(line);
    const raw = JSON.parse(line) as { proof?: unknown; witnessedAt?: unknown };
    return { ...head, proof: Array.isArray(raw.proof) && raw.proof.every(isHex64) ? (raw.proof as string[]) : [], witnessedAt: String(raw.witnessedAt ?? '') };
  } finally {
    await fh.close();
  }
}

/** A witness that is a folder (another disk, another machine's mount): heads appended to heads.ndjson, fsynced. */
export class FolderWitness implements Witness {
  readonly name: string;
  readonly #path: string;
  readonly #fh: FileHandle;
  readonly #options: FolderWitnessOptions;
  #latest: WitnessedLine | undefined;
  #chain: Promise<unknown> = Promise.resolve();

  private constructor(dir: string, fh: FileHandle, latest: WitnessedLine | undefined, options: FolderWitnessOptions) {
    this.name = `folder ${dir}`;
    this.#path = join(dir, WITNESS_FILE);
    this.#fh = fh;
    this.#latest = latest;
    this.#options = options;
  }

  static async open(dir: string, options: FolderWitnessOptions): Promise<FolderWitness> {
    await mkdir(dir, { recursive: true, mode: 0o750 });
    const path = join(dir, WITNESS_FILE);
    const { lines, goodBytes } = await readWitnessFile(path);
    // A torn last line is cut so that the next head starts on a line of its own.
    await truncate(path, goodBytes).catch((err: unknown) => (isNotFound(err) ? undefined : Promise.reject(err)));
    const fh = await open(path, 'a', 0o640);
    await fsyncDir(dir);
    return new FolderWitness(dir, fh, lines.at(-1), options);
  }

  /** Read from the file each time: another process (a standby writer that took over) may have appended since. */
  async latest(): Promise<WitnessedLine | undefined> {
    this.#latest = (await readLastWitnessed(this.#path)) ?? this.#latest;
    return this.#latest;
  }

  submit(head: CheckpointLine, proof: readonly string[]): Promise<'recorded' | 'already held'> {
    const run = this.#chain.then(() => this.#submit(head, proof));
    this.#chain = run.catch(() => undefined);
    return run;
  }

  async #submit(head: CheckpointLine, proof: readonly string[]): Promise<'recorded' | 'already held'> {
    const refuse = (reason: string): never => {
      this.#options.onRefused?.(reason, head);
      throw new LedgerError('PF_LEDGER_PROOF', `witness refused the tree head of ${head.checkpoint.size} entries: ${reason}`);
    };
    const problem = await checkCheckpoint(head, await this.#options.keys());
    if (problem !== null) return refuse(`${problem.problem}: ${problem.detail}`);
    const last = await this.latest();
    if (last !== undefined) {
      const { size, root } = last.checkpoint;
      if (head.checkpoint.size < size) return refuse(`it covers fewer entries than the ${size} already witnessed (a truncated ledger)`);
      if (head.checkpoint.size === size) {
        if (head.checkpoint.root === root) return 'already held';
        return refuse(`another root for the ${size} entries already witnessed (a fork)`);
      }
      const ok = size === 0 || (proof.every(isHex64) && verifyConsistency(size, head.checkpoint.size, proof.map((p) => Buffer.from(p, 'hex')), Buffer.from(root, 'hex'), Buffer.from(head.checkpoint.root, 'hex')));
      if (!ok) return refuse(`no proof that it extends the ${size} entries already witnessed (a fork or a replaced tail)`);
    }
    const frontier = checkedFrontier(head);
    const line: WitnessedLine = {
      checkpoint: head.checkpoint, jws: head.jws, ...(frontier ? { frontier } : {}),
      proof: last === undefined ? [] : [...proof], witnessedAt: (this.#options.now?.() ?? new Date()).toISOString(),
    };
    await appendDurably(this.#fh, JSON.stringify(line) + '\n');
    this.#latest = line;
    return 'recorded';
  }

  async close(): Promise<void> {
    await this.#chain;
    await this.#fh.close().catch(() => undefined);
  }
}

export type WitnessCheck =
  | { readonly ok: true; readonly heads: number; readonly latest: WitnessedLine | undefined }
  | { readonly ok: false; readonly line: number; readonly detail: string };

/** `firewall witness <dir>`: every head signed by a trusted key, and each proven to extend the one before. */
export async function checkWitnessFolder(dir: string, keys: KeySet): Promise<WitnessCheck> {
  const { lines } = await readWitnessFile(join(dir, WITNESS_FILE));
  for (const [i, line] of lines.entries()) {
    const previous = lines[i - 1];
    if (previous === undefined || previous.checkpoint.size === 0) {
      const problem = await checkCheckpoint(line, keys);
      if (problem !== null) return { ok: false, line: i + 1, detail: `${problem.problem}: ${problem.detail}` };
      continue;
    }
    const result = await verifyCheckpointConsistency(previous, line, line.proof, keys);
    if (!result.ok) return { ok: false, line: i + 1, detail: `head of ${line.checkpoint.size} entries after the head of ${previous.checkpoint.size}: ${result.detail}` };
  }
  return { ok: true, heads: lines.length, latest: lines.at(-1) };
}
