import { HealthState, consume, isFirewallError, topics, type AuditEntry, type Bus, type Codec, type Logger, type ServiceLifecycle, type Subscription } from '@firewall/core';
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
  /** First and longest pause between attempts while entries cannot be made durable (default 100 ms, 5 s). */
  readonly retry?: { readonly firstMs?: number; readonly maxMs?: number };
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

export interface LedgerService extends ServiceLifecycle {
  readonly ledger: FileLedger;
  /** The newest signed tree head (what GET /v1/audit/checkpoint serves), if there is one yet. */
  latestCheckpoint(): CheckpointLine | undefined;
  readonly subscriptions: readonly Subscription[];
  /** 'ledger': failing with PF_LEDGER_UNAVAILABLE while entries cannot be made durable (PF_BUS_FULL: nor published). */
  readonly writable: HealthState;
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
  const writable = new HealthState('ledger');
  let closed = false;
  const wakers = new Set<() => void>();
  const pause = (ms: number) => new Promise<void>((resolve) => {
    const wake = () => {
      clearTimeout(timer);
      wakers.delete(wake);
      resolve();
    };
    const timer = setTimeout(wake, ms);
    wakers.add(wake);
  });
  const firstMs = deps.retry?.firstMs ?? 100;
  const maxMs = deps.retry?.maxMs ?? 5_000;
  /**
   * A message is handled only once its entry is durable. While the disk refuses (ENOSPC, EROFS, EIO) the handler
   * does not give up, and never dead-letters (a dead letter is one more entry the same disk must take): it waits,
   * cuts the files back to their durable length and tries again, with backoff, until the write succeeds or the
   * service closes. The consumer stays on this message meanwhile, and the health check says why.
   */
  const durably = async <T>(what: () => Promise<T>, code: 'PF_LEDGER_UNAVAILABLE' | 'PF_BUS_FULL' = 'PF_LEDGER_UNAVAILABLE'): Promise<T> => {
    for (let attempt = 0; ; attempt++) {
      try {
        const result = await what();
        if (writable.ok()) log.info({ attempts: attempt }, 'ledger writable again');
        return result;
      } catch (err) {
        if (closed || !isFirewallError(err) || !err.retriable) throw err;
        if (writable.fail(code)) log.error({ code: err.code, reason: err.details[0] ?? null }, code === 'PF_BUS_FULL' ? 'ledger cannot publish its entries; refusing requests until it can' : 'ledger cannot make entries durable; refusing requests until it can');
        await pause(Math.min(maxMs, firstMs * 2 ** Math.min(attempt, 16)));
        if (closed) throw err;
        await ledger.restore().catch(() => undefined);
      }
    }
  };
  const append = async (event: LedgerEvent) => {
    const stored = await durably(() => ledger.append(event));
    log.debug({ seq: stored.entry.seq, type: event.type, requestId: event.requestId }, 'ledger entry written');
    // Published only after the entry is fsynced: whoever acts on firewall.audit.v1 (the releaser, the gateway)
    // acts on durable entries only. A full bus is waited out too: the entry is written, its message must follow.
    const message = await deps.codec.encode(topics.audit, toAuditEntry(stored));
    await durably(() => deps.bus.publish(topics.audit, stored.entry.requestId ?? 'ledger', message), 'PF_BUS_FULL');
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
    writable,
    health: [writable],
    ready: Promise.all(subscriptions.map((s) => s.ready)).then(() => undefined),
    latestCheckpoint: () => latest,
    async close() {
      closed = true;
      for (const wake of [...wakers]) wake();
      await Promise.all(subscriptions.map((s) => s.close()));
      await ledger.close();
      await feed?.idle(); // the shutdown head reaches the witness before the process ends
    },
  };
}
