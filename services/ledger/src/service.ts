import { consume, topics, type AuditEntry, type Bus, type Codec, type Logger, type Subscription } from '@firewall/core';
import { canonicalJson } from './canonical.js';
import type { StoredLine } from './entry.js';
import { chainedTopics, ledgerEventFor, type ChainedTopic } from './events.js';
import type { FileLedger } from './file-ledger.js';
import { openLedger, type LedgerOptions } from './file-ledger.js';
import type { LedgerEvent } from './ledger-event.js';
import { loadOrCreateSigningKey } from './signer/file-signer.js';
import { join } from 'node:path';
import { readCheckpointFile, type CheckpointLine } from './checkpoint.js';
import { CHECKPOINTS_FILE } from './layout.js';
import type { Witness } from './witness.js';
import { folderLeaves, WitnessFeed, type WitnessOutcome } from './witness-feed.js';

export interface LedgerServiceDeps {
  readonly bus: Bus;
  readonly codec: Codec;
  readonly logger: Logger;
  readonly dir: string;
  readonly keyPath: string;
  /** Generate the signing key when missing (embedded mode's first run); otherwise a missing key is an error. */
  readonly createKey?: boolean;
  readonly options?: LedgerOptions;
  readonly group?: string;
  /** Key of the keyed hash of subject identifiers (see subject-key.ts); without it no subject hashes are kept. */
  readonly subjectKey?: Uint8Array;
  /** How long a decision, review or release waits for its request's entry before being chained anyway. */
  readonly requestWaitMs?: number;
  /** Where every new signed tree head is sent, with its consistency proof (see witness.ts). */
  readonly witness?: Witness;
  /** Each head's fate at the witness (log a refusal, count it). */
  readonly onWitness?: (outcome: WitnessOutcome) => void;
}

/**
 * Remembers which requests are chained (the most recent 50,000) so that what follows a request is chained after
 * it. A follower whose request never shows (it was dead-lettered, or chained before a restart) waits only
 * `waitMs`: the chain's completeness never depends on the order.
 */
class RequestFirst {
  readonly #chained = new Set<string>();
  readonly #waiting = new Map<string, (() => void)[]>();
  readonly #waitMs: number;

  constructor(waitMs: number) {
    this.#waitMs = waitMs;
  }

  chained(requestId: string): void {
    this.#chained.add(requestId);
    if (this.#chained.size > 50_000) this.#chained.delete(this.#chained.values().next().value!);
    for (const wake of this.#waiting.get(requestId) ?? []) wake();
    this.#waiting.delete(requestId);
  }

  async after(requestId: string): Promise<void> {
    if (this.#chained.has(requestId)) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, this.#waitMs);
      this.#waiting.set(requestId, [...(this.#waiting.get(requestId) ?? []), () => {
        clearTimeout(timer);
        resolve();
      }]);
    });
  }
}

/** The topics whose messages come after their request's REQUEST_RECEIVED entry. */
const followsRequest: ReadonlySet<ChainedTopic> = new Set([topics.decisions, topics.reviews, topics.releases]);

export interface LedgerService {
  readonly ledger: FileLedger;
  /** The newest signed tree head (what GET /v1/audit/checkpoint serves), if there is one yet. */
  latestCheckpoint(): CheckpointLine | undefined;
  readonly subscriptions: readonly Subscription[];
  close(): Promise<void>;
}

/** A stored ledger line as the AuditEntry message of firewall.audit.v1. */
export function toAuditEntry(stored: StoredLine): AuditEntry {
  const { entry } = stored;
  return {
    seq: entry.seq, prevHash: entry.prevHash, type: entry.type, requestId: entry.requestId, time: entry.time,
    eventDigest: entry.eventDigest, policyRevision: entry.policyRevision, summary: canonicalJson(entry.summary), hash: stored.hash, jws: stored.jws,
  };
}

/**
 * The ledger service: the single writer of the audit chain. It chains every message on the firewall's topics —
 * requests received, decisions (and dry runs), refusals before the policy, dead letters, uses of the audit trail
 * itself — each entry fsynced before the message counts as handled. The event itself stays out of the ledger; only
 * its digest goes in.
 */
export async function startLedgerService(deps: LedgerServiceDeps): Promise<LedgerService> {
  const log = deps.logger.child({ component: 'ledger' });
  const signer = await loadOrCreateSigningKey(deps.keyPath, { create: deps.createKey ?? false });
  const feed = deps.witness ? new WitnessFeed({ witness: deps.witness, readLeaves: folderLeaves(deps.dir), ...(deps.onWitness ? { onOutcome: deps.onWitness } : {}) }) : undefined;
  let latest = (await readCheckpointFile(join(deps.dir, CHECKPOINTS_FILE))).items.flatMap((i) => ('line' in i ? [i.line] : [])).at(-1);
  const ledger = await openLedger(deps.dir, signer, {
    ...deps.options,
    onAppend: (lines) => {
      deps.options?.onAppend?.(lines);
      feed?.appended(lines);
    },
    onCheckpoint: (line) => {
      latest = line;
      deps.options?.onCheckpoint?.(line);
      feed?.submit(line);
    },
  });
  await feed?.attach(ledger.size);
  if (ledger.status.repair !== 'none') log.warn({ repair: ledger.status.repair, bytesRemoved: ledger.status.bytesRemoved }, 'ledger tail repaired on open');
  log.info({ entries: ledger.status.entries }, 'ledger opened');
  const group = deps.group ?? 'firewall-ledger';
  const append = async (event: LedgerEvent) => {
    const stored = await ledger.append(event);
    log.debug({ seq: stored.entry.seq, type: event.type, requestId: event.requestId }, 'ledger entry written');
    // Published only after the entry is fsynced: whoever acts on firewall.audit.v1 (the releaser) acts on
    // durable entries only.
    await deps.bus.publish(topics.audit, stored.entry.requestId ?? 'ledger', await deps.codec.encode(topics.audit, toAuditEntry(stored)));
  };
  const order = new RequestFirst(deps.requestWaitMs ?? 3_000);
  // One consumer group per topic: Kafka's assignors expect every member of a group to subscribe to the same topics.
  const subscriptions = await Promise.all(chainedTopics.map((topic) => consume({
    bus: deps.bus, codec: deps.codec, logger: deps.logger, fromBeginning: true, topic, group: `${group}.${topic}`,
    handle: async (message) => {
      const event = ledgerEventFor(topic, message, deps.subjectKey ? { subjectKey: deps.subjectKey } : {});
      if (!event) return;
      // A request's story reads in order: what follows it (decision, review, release) waits for it, briefly. An
      // access (someone reading the audit trail) follows nothing and never waits.
      if (followsRequest.has(topic) && event.requestId) await order.after(event.requestId);
      await append(event);
      if (topic === topics.requests && event.requestId) order.chained(event.requestId);
    },
  })));
  return {
    ledger,
    subscriptions,
    latestCheckpoint: () => latest,
    async close() {
      await Promise.all(subscriptions.map((s) => s.close()));
      await ledger.close();
      await feed?.idle(); // the shutdown head reaches the witness before the process ends
    },
  };
}
