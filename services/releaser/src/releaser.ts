import { consume, topics, type AuditEntry, type Bus, type Codec, type FieldCatalog, type Logger, type Subscription } from '@firewall/core';
import type { KeySet } from '@firewall/ledger';
import type { RecordSystemAdapter } from './adapter.js';
import { smallCellK } from './aggregate.js';
import { entryKid, verifyAuditEntry } from './audit-entry.js';
import { ReleaseGate, type ReleaseJob } from './gate.js';
import type { AgencyKeys } from './jwe.js';
import { BoundedMap } from './lru.js';
import { performRelease, type ReleaseContext } from './release.js';

export interface ReleaserDeps {
  readonly bus: Bus;
  readonly codec: Codec;
  readonly logger: Logger;
  /** One adapter per record system (the `system` each names). */
  readonly adapters: Iterable<RecordSystemAdapter>;
  /** Agency → JWKS; the agency's `use: "enc"` key is what releases are encrypted to. */
  readonly registry: AgencyKeys;
  readonly catalog: FieldCatalog;
  /** The policy bundle's data (evaluator.bundle.data): thresholds.small_cell_k bounds aggregate cells. */
  readonly policyData: unknown;
  /** Bound on each adapter call; past it the release is FAILED with PF_ADAPTER_TIMEOUT. */
  readonly timeoutMs: number;
  /**
   * When set, only ledger entries signed by one of these keys count (the ledger's published JWKS). A loader is
   * called again (once per key id) when an entry names a key it does not know, so a key rotation is picked up.
   */
  readonly ledgerKeys?: KeySet | (() => Promise<KeySet>);
  /** Record-level requests get at most this many records (default 100). */
  readonly maxRecords?: number;
  /** Set it to the gateway's release wait: a DECISION release later than receivedAt + this is FAILED, never late. */
  readonly releaseDeadlineMs?: number;
  /** Request ids remembered per kind of message (default 10 000). */
  readonly capacity?: number;
  /** Releases performed at once (default 16); further due releases wait for one to finish. */
  readonly maxInFlight?: number;
  readonly group?: string;
  /** Read each topic from its oldest message when the group is new (default false: a new releaser releases nothing old). */
  readonly fromBeginning?: boolean;
  readonly now?: () => Date;
}

export interface Releaser {
  readonly subscriptions: readonly Subscription[];
  /** Resolves when every release started so far has been published (tests, shutdown). */
  idle(): Promise<void>;
  /** Stops consuming, then waits for the releases in flight. */
  close(): Promise<void>;
}

/**
 * The releaser service. Consumes requests, decisions, review resolutions and the durable ledger entries, each
 * with its own consumer group; acts only when the ReleaseGate says a release is due (its decision or
 * resolution is durably in the ledger); publishes one Release per due release on firewall.releases.v1, the
 * records inside a JWE to the requester. Logs carry ids, codes, counts and field names, never values.
 *
 * Limits: state is in memory (bounded, see ReleaseGate); offsets are committed as messages are handled, so a
 * releaser that stops between a decision and its ledger entry does not release it after a restart (fail
 * closed: the gateway answers 504 and the requester asks again). Run one releaser: several instances would
 * split the topics' partitions independently and could hold a request and its decision in different processes.
 */
export async function startReleaser(deps: ReleaserDeps): Promise<Releaser> {
  const log = deps.logger.child({ component: 'releaser' });
  const adapters = new Map([...deps.adapters].map((a) => [a.system, a]));
  const gate = new ReleaseGate(deps.capacity ?? 10_000);
  const ctx: ReleaseContext = {
    adapters, registry: deps.registry, catalog: deps.catalog, smallCellK: smallCellK(deps.policyData),
    maxRecords: deps.maxRecords ?? 100, timeoutMs: deps.timeoutMs, now: deps.now ?? (() => new Date()),
    ...(deps.releaseDeadlineMs !== undefined ? { releaseDeadlineMs: deps.releaseDeadlineMs } : {}),
  };
  const inFlight = new Set<Promise<void>>();
  const maxInFlight = deps.maxInFlight ?? 16;

  const run = async (job: ReleaseJob) => {
    const { release, classAFields } = await performRelease(job, ctx);
    if (classAFields.length) log.warn({ requestId: job.request.requestId, system: job.request.system, fields: classAFields }, 'class A fields held by the source system (not delivered)');
    try {
      await deps.bus.publish(topics.releases, release.requestId, await deps.codec.encode(topics.releases, release));
      log.info({
        requestId: release.requestId, authority: release.authority, outcome: release.outcome, failure: release.failure ?? undefined,
        recordCount: release.recordCount, fields: release.fields, transformed: release.transformed, alerts: release.alerts,
      }, release.outcome === 'RELEASED' ? 'records released' : 'release failed, nothing released');
    } catch (err) {
      // Nothing was delivered: the requester's wait ends in a 504 and the ledger has no RELEASE entry.
      log.error({ err, requestId: release.requestId }, 'could not publish a release');
    }
  };
  const dispatch = async (jobs: readonly ReleaseJob[]) => {
    for (const job of jobs) {
      while (inFlight.size >= maxInFlight) await Promise.race(inFlight);
      const task: Promise<void> = run(job).finally(() => inFlight.delete(task));
      inFlight.add(task);
    }
  };
  const loadKeys = typeof deps.ledgerKeys === 'function' ? deps.ledgerKeys : undefined;
  let ledgerKeys: KeySet | undefined = loadKeys ? await loadKeys() : (deps.ledgerKeys as KeySet | undefined);
  const reloadedFor = new BoundedMap<string, true>(1_000);
  const signedByLedger = async (entry: AuditEntry): Promise<boolean> => {
    if (!ledgerKeys || (await verifyAuditEntry(entry, ledgerKeys))) return true;
    // An unknown key id may be the ledger's new key after a rotation: reload once per key id, then decide.
    const kid = entryKid(entry);
    if (!loadKeys || kid === undefined || ledgerKeys.has(kid) || reloadedFor.has(kid)) return false;
    reloadedFor.set(kid, true);
    ledgerKeys = await loadKeys();
    return verifyAuditEntry(entry, ledgerKeys);
  };
  const onEntry = async (entry: AuditEntry) => {
    if (!entry.requestId || !['REQUEST_RECEIVED', 'DECISION', 'REVIEW'].includes(entry.type)) return;
    if (!(await signedByLedger(entry))) {
      log.warn({ requestId: entry.requestId, seq: entry.seq, type: entry.type }, 'ignored a ledger entry that does not verify');
      return;
    }
    await dispatch(gate.offerAuditEntry(entry));
  };

  const group = deps.group ?? 'firewall-releaser';
  const common = { bus: deps.bus, codec: deps.codec, logger: deps.logger, fromBeginning: deps.fromBeginning ?? false } as const;
  const subscriptions = [
    await consume({ ...common, topic: topics.requests, group: `${group}.requests`, handle: async (m) => dispatch(gate.offerRequest(m)) }),
    await consume({ ...common, topic: topics.decisions, group: `${group}.decisions`, handle: async (m) => dispatch(gate.offerDecision(m)) }),
    await consume({ ...common, topic: topics.reviews, group: `${group}.reviews`, handle: async (m) => dispatch(gate.offerResolution(m)) }),
    await consume({ ...common, topic: topics.audit, group: `${group}.audit`, handle: onEntry }),
  ];
  const idle = async () => {
    while (inFlight.size) await Promise.all(inFlight);
  };
  log.info({ systems: [...adapters.keys()], timeoutMs: deps.timeoutMs, verifiesLedgerSignatures: Boolean(ledgerKeys) }, 'releaser started');
  return {
    subscriptions,
    idle,
    async close() {
      await Promise.all(subscriptions.map((s) => s.close()));
      await idle();
    },
  };
}
