import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { DeadLetter, Decision, RecordRequest, RejectedInput, ReviewResolution } from '@firewall/core';
import type { OversightEntry } from './ledger-source.js';
import type { ReviewBacklog } from './oversight-index.js';
import { createVocabulary, type PolicyData, type Vocabulary } from './vocabulary.js';

export interface LedgerStats {
  /** Entries in the chain. */
  readonly entries: number;
  /** Time of the newest signed checkpoint, or null when there is none yet. */
  readonly lastCheckpointAt: Date | string | null;
  /** Entries the newest checkpoint covers. */
  readonly checkpointedEntries?: number;
}

export interface OversightMetricsOptions {
  /** The closed vocabularies; or give policyData (agency → classes), systems and the known rules. */
  readonly vocabulary?: Vocabulary;
  readonly policyData?: PolicyData;
  readonly systems?: readonly string[];
  readonly knownRules?: Iterable<string>;
  /** Ledger gauges, read at scrape time (FileLedger.size and checkpoints.ndjson; see ledgerStatsFromFolder). */
  readonly ledgerStats?: () => LedgerStats | null | Promise<LedgerStats | null>;
  /** The review backlog from the ledger; without it, from the decisions and resolutions this process saw. */
  readonly reviewBacklog?: () => ReviewBacklog | Promise<ReviewBacklog>;
  readonly now?: () => number;
}

export interface OversightMetrics {
  readonly registry: Registry;
  observeRequest(request: RecordRequest): void;
  observeDecision(decision: Decision): void;
  observeRejection(rejection: RejectedInput): void;
  observeDeadLetter(letter: DeadLetter): void;
  observeReviewResolution(resolution: ReviewResolution): void;
  observeAuditEntry(entry: OversightEntry): void;
  observePolicyEvaluation(seconds: number): void;
}

/** Topics named in labels (closed: anything else is "other"). */
const topicLabels: Readonly<Record<string, string>> = {
  'firewall.requests.v1': 'requests', 'firewall.decisions.v1': 'decisions', 'firewall.rejections.v1': 'rejections',
  'firewall.dlq.v1': 'dead_letters', 'firewall.audit.v1': 'audit', 'firewall.releases.v1': 'releases', 'firewall.reviews.v1': 'reviews',
  'firewall.access.v1': 'access',
};
const topicLabel = (topic: string) => topicLabels[topic] ?? 'other';

/** Remembers the last `limit` keys (redelivered messages are counted once). */
class RecentKeys {
  readonly #keys = new Map<string, number>();
  readonly #limit: number;
  constructor(limit: number) {
    this.#limit = limit;
  }
  /** Records `key` with `value`; false when it was already there. */
  add(key: string, value = 0): boolean {
    if (this.#keys.has(key)) return false;
    this.#keys.set(key, value);
    if (this.#keys.size > this.#limit) this.#keys.delete(this.#keys.keys().next().value!);
    return true;
  }
  take(key: string): number | undefined {
    const v = this.#keys.get(key);
    this.#keys.delete(key);
    return v;
  }
  get size(): number {
    return this.#keys.size;
  }
  values(): IterableIterator<number> {
    return this.#keys.values();
  }
}

/**
 * The firewall's Prometheus metrics. Every label value comes from a closed vocabulary (decisions, agency
 * classes, city systems, legal basis types, rule ids, reason codes, topic names): never an agency code, a
 * request id, a name or any text from a request. Counts are exact, for operators; the published figures
 * (dashboard, report) are the suppressed ones.
 */
export function createOversightMetrics(registry: Registry, options: OversightMetricsOptions): OversightMetrics {
  const v = options.vocabulary ?? createVocabulary({ policyData: options.policyData ?? {}, systems: options.systems ?? [], ...(options.knownRules ? { rules: options.knownRules } : {}) });
  const now = options.now ?? Date.now;
  const registers = [registry];
  const decisionsTotal = new Counter({ name: 'firewall_decisions_total', help: 'Requests decided (dry runs excluded), by outcome, requesting agency class, city system and legal basis type.', labelNames: ['decision', 'agency_class', 'system', 'basis_type'] as const, registers });
  const rulesTotal = new Counter({ name: 'firewall_decision_rules_total', help: 'Decisions citing each rule, by outcome (a decision cites every rule that matched).', labelNames: ['decision', 'rule'] as const, registers });
  const dryRuns = new Counter({ name: 'firewall_dry_runs_total', help: 'Dry-run evaluations for city IT (never released, not counted as decisions).', labelNames: ['decision'] as const, registers });
  const latency = new Histogram({ name: 'firewall_decision_latency_seconds', help: 'From the gateway receiving a request to its decision.', labelNames: ['decision'] as const, buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers });
  const evaluation = new Histogram({ name: 'firewall_policy_evaluation_seconds', help: 'One evaluation of the policy bundle (OPA wasm).', buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1], registers });
  const rejected = new Counter({ name: 'firewall_rejected_inputs_total', help: 'Requests refused before the policy (malformed, unauthenticated), by reason code.', labelNames: ['reason'] as const, registers });
  const deadLetters = new Counter({ name: 'firewall_dead_letters_total', help: 'Messages dead-lettered (kept whole and audited), by source topic and reason code.', labelNames: ['topic', 'reason'] as const, registers });

  const received = new RecentKeys(100_000);
  const decided = new RecentKeys(100_000);
  const held = new RecentKeys(1_000_000);
  const seen = { requests: 0, decisions: 0, rejections: 0, deadLetters: 0 };
  const audited = { requests: 0, decisions: 0, rejections: 0, deadLetters: 0 };
  const backlog = async (): Promise<ReviewBacklog> => {
    if (options.reviewBacklog) return options.reviewBacklog();
    let oldestAt: number | null = null;
    for (const t of held.values()) if (oldestAt === null || t < oldestAt) oldestAt = t;
    return { count: held.size, oldestAt };
  };
  new Gauge({ name: 'firewall_review_backlog', help: 'Held (REVIEW) requests waiting for a reviewer.', registers, async collect() {
    this.set((await backlog()).count);
  } });
  new Gauge({ name: 'firewall_review_oldest_age_seconds', help: 'How long the oldest held request has waited (0 when none).', registers, async collect() {
    const { oldestAt } = await backlog();
    this.set(oldestAt === null ? 0 : Math.max(0, (now() - oldestAt) / 1000));
  } });
  const stats = async () => (options.ledgerStats ? options.ledgerStats() : null);
  new Gauge({ name: 'firewall_ledger_entries', help: 'Entries in the audit ledger.', registers, async collect() {
    const s = await stats();
    if (s) this.set(s.entries);
  } });
  new Gauge({ name: 'firewall_ledger_last_checkpoint_age_seconds', help: 'Age of the newest signed checkpoint (-1 when there is none).', registers, async collect() {
    const s = await stats();
    if (s) this.set(s.lastCheckpointAt === null ? -1 : Math.max(0, (now() - new Date(s.lastCheckpointAt).getTime()) / 1000));
  } });
  new Gauge({ name: 'firewall_ledger_checkpointed_entries', help: 'Entries covered by the newest signed checkpoint.', registers, async collect() {
    const s = await stats();
    if (s) this.set(s.checkpointedEntries ?? 0);
  } });
  new Gauge({ name: 'firewall_consumer_lag_messages', help: 'Messages a stage has not handled yet, from what this process saw on the bus: the decider (requests without a decision) and the ledger (messages not yet chained).', labelNames: ['consumer', 'topic'] as const, registers, collect() {
    this.set({ consumer: 'decider', topic: 'requests' }, Math.max(0, seen.requests - seen.decisions));
    for (const [key, topic] of [['requests', 'requests'], ['decisions', 'decisions'], ['rejections', 'rejections'], ['deadLetters', 'dead_letters']] as const) {
      this.set({ consumer: 'ledger', topic }, Math.max(0, seen[key] - audited[key]));
    }
  } });

  return {
    registry,
    observeRequest(request) {
      seen.requests += 1;
      const at = Date.parse(request.receivedAt);
      if (!request.dryRun && !Number.isNaN(at)) received.add(request.requestId, at);
    },
    observeDecision(decision) {
      seen.decisions += 1;
      const outcome = v.decisionOf(decision.decision) ?? 'DENY';
      if (decision.context.dryRun) {
        dryRuns.inc({ decision: outcome });
        return;
      }
      if (!decided.add(decision.requestId)) return;
      const c = decision.context;
      decisionsTotal.inc({ decision: outcome, agency_class: v.agencyClassOf(c.agency), system: v.systemOf(c.system), basis_type: v.basisTypeOf(c.basisType) });
      for (const rule of new Set(decision.rules.map((r) => v.ruleOf(r.id)))) rulesTotal.inc({ decision: outcome, rule });
      const at = received.take(decision.requestId);
      const decidedAt = Date.parse(decision.decidedAt);
      if (at !== undefined && !Number.isNaN(decidedAt)) latency.observe({ decision: outcome }, Math.max(0, decidedAt - at) / 1000);
      if (outcome === 'REVIEW') held.add(decision.requestId, Number.isNaN(decidedAt) ? now() : decidedAt);
    },
    observeRejection(rejection) {
      seen.rejections += 1;
      rejected.inc({ reason: v.reasonOf(rejection.code) }, rejection.count ?? 1);
    },
    observeDeadLetter(letter) {
      seen.deadLetters += 1;
      deadLetters.inc({ topic: topicLabel(letter.sourceTopic), reason: v.reasonOf(letter.code) });
    },
    observeReviewResolution(resolution) {
      held.take(resolution.requestId);
    },
    observeAuditEntry(entry) {
      if (entry.type === 'REQUEST_RECEIVED' || (entry.type === 'DRY_RUN' && entry.summary.decision === undefined)) audited.requests += 1;
      else if (entry.type === 'DECISION' || entry.type === 'DRY_RUN') audited.decisions += 1;
      else if (entry.type === 'REJECTED_INPUT') audited.rejections += 1;
      else if (entry.type === 'DEAD_LETTER') audited.deadLetters += 1;
    },
    observePolicyEvaluation(seconds) {
      evaluation.observe(seconds);
    },
  };
}
