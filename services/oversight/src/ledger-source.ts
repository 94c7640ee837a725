import { open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { AuditEntry } from '@firewall/core';
import { CHECKPOINTS_FILE, parseCheckpointLine, parseStoredLine, type CheckpointBody } from '@firewall/ledger';

/** What oversight reads from one ledger entry: its place, type, time and summary (codes and counts only). */
export interface OversightEntry {
  readonly seq: number;
  readonly type: string;
  readonly requestId: string | null;
  readonly time: string;
  readonly policyRevision: string | null;
  readonly summary: Readonly<Record<string, unknown>>;
}

export interface LedgerHead {
  readonly entries: number;
  readonly headSeq: number | null;
  readonly headHash: string | null;
  /** Lines that did not parse as ledger entries (skipped; `firewall verify` names them). */
  readonly unreadable: number;
}

const SEGMENT = /^entries-(\d{12})\.ndjson$/;

/**
 * Reads a ledger folder (entries-*.ndjson) incrementally: each refresh() parses only the bytes appended since
 * the last one, and never an unterminated last line (a write in progress). Read-only: the writer's LOCK is
 * neither taken nor needed, so the dashboard can read while the ledger service writes.
 */
export class LedgerFolderReader {
  readonly dir: string;
  readonly #offsets = new Map<string, number>();
  #head: LedgerHead = { entries: 0, headSeq: null, headHash: null, unreadable: 0 };
  #checkpoint: CheckpointBody | null = null;
  #reading: Promise<OversightEntry[]> | undefined;

  constructor(dir: string) {
    this.dir = dir;
  }

  get head(): LedgerHead {
    return this.#head;
  }

  /** The newest signed checkpoint in checkpoints.ndjson, as of the last refresh. */
  get lastCheckpoint(): CheckpointBody | null {
    return this.#checkpoint;
  }

  /** New entries since the last call, in order. Concurrent calls share one read. */
  refresh(): Promise<OversightEntry[]> {
    const run = async () => {
      try {
        return await this.#read();
      } finally {
        this.#reading = undefined;
      }
    };
    // Serialised: a caller arriving mid-read waits for it and then reads what came after.
    const previous = this.#reading;
    this.#reading = previous ? previous.then(run, run) : run();
    return this.#reading;
  }

  async #read(): Promise<OversightEntry[]> {
    const out: OversightEntry[] = [];
    for (const path of await this.#segments()) {
      const from = this.#offsets.get(path) ?? 0;
      const { size } = await stat(path);
      // A shorter file means the writer cut a torn tail we had not read (we never read unterminated lines).
      if (size <= from) continue;
      const fh = await open(path, 'r');
      let text: string;
      try {
        const buffer = Buffer.alloc(size - from);
        await fh.read(buffer, 0, buffer.length, from);
        text = buffer.toString('utf8');
      } finally {
        await fh.close();
      }
      const end = text.lastIndexOf('\n') + 1;
      this.#offsets.set(path, from + Buffer.byteLength(text.slice(0, end), 'utf8'));
      for (const line of text.slice(0, end).split('\n')) if (line.trim()) this.#take(line, out);
    }
    this.#checkpoint = await readLastCheckpoint(join(this.dir, CHECKPOINTS_FILE));
    return out;
  }

  #take(line: string, out: OversightEntry[]): void {
    try {
      const { entry, hash } = parseStoredLine(line);
      out.push({ seq: entry.seq, type: entry.type, requestId: entry.requestId, time: entry.time, policyRevision: entry.policyRevision, summary: entry.summary as Record<string, unknown> });
      this.#head = { ...this.#head, entries: this.#head.entries + 1, headSeq: entry.seq, headHash: hash };
    } catch {
      this.#head = { ...this.#head, unreadable: this.#head.unreadable + 1 };
    }
  }

  async #segments(): Promise<string[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    return names.filter((n) => SEGMENT.test(n)).sort().map((n) => join(this.dir, n));
  }
}

async function readLastCheckpoint(path: string): Promise<CheckpointBody | null> {
  let text: string;
  try {
    const fh = await open(path, 'r');
    try {
      text = (await fh.readFile()).toString('utf8');
    } finally {
      await fh.close();
    }
  } catch {
    return null;
  }
  const lines = text.split('\n').slice(0, -1).filter((l) => l.trim()).reverse();
  for (const line of lines) {
    try {
      return parseCheckpointLine(line).checkpoint;
    } catch {
      // an unparsable line: look at the one before
    }
  }
  return null;
}

/** Reads a whole ledger folder once (the `report` command). */
export async function readLedgerFolder(dir: string): Promise<{ entries: OversightEntry[]; head: LedgerHead; lastCheckpoint: CheckpointBody | null }> {
  const reader = new LedgerFolderReader(dir);
  const entries = await reader.refresh();
  return { entries, head: reader.head, lastCheckpoint: reader.lastCheckpoint };
}

/** An AuditEntry of firewall.audit.v1 (Kafka mode's ledger) as an oversight entry; null when its summary is not an object. */
export function fromAuditMessage(message: AuditEntry): OversightEntry | null {
  let summary: unknown;
  try {
    summary = JSON.parse(message.summary);
  } catch {
    return null;
  }
  if (typeof summary !== 'object' || summary === null || Array.isArray(summary)) return null;
  return {
    seq: message.seq, type: message.type, requestId: message.requestId ?? null, time: message.time,
    policyRevision: message.policyRevision ?? null, summary: summary as Record<string, unknown>,
  };
}
