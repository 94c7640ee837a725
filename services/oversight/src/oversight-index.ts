import type { OversightEntry } from './ledger-source.js';
import type { AgencyClass, DecisionCode, Vocabulary } from './vocabulary.js';

/** One decided request, in closed-vocabulary words only. */
export interface DecisionFact {
  readonly requestId: string;
  /** YYYY-MM (UTC) of the ledger entry's time. */
  readonly month: string;
  readonly time: number;
  readonly decision: DecisionCode;
  readonly agencyClass: AgencyClass;
  readonly system: string;
  readonly basisType: string;
  /** Every rule the decision cited, deduplicated. */
  readonly rules: readonly string[];
}

export interface ReasonFact {
  readonly month: string;
  readonly reason: string;
  /** How many refusals the entry stands for (refusals before authentication are chained in aggregate). */
  readonly count?: number;
}

export interface ReviewBacklog {
  /** Held (REVIEW) requests with no reviewer's resolution in the ledger yet. */
  readonly count: number;
  /** Time (ms) of the oldest of them, or null. */
  readonly oldestAt: number | null;
}

export const monthOf = (time: string | number): string => new Date(time).toISOString().slice(0, 7);

/**
 * The ledger, reduced to what oversight counts. The rules of counting, so anyone can re-derive the numbers:
 * - a request counts once, by its first DECISION entry (a redelivered decision chained twice counts once);
 *   its month is the UTC month of that entry's time; DRY_RUN entries are never counted;
 * - REJECTED_INPUT and DEAD_LETTER entries are counted by their reason code;
 * - a held request leaves the review backlog when a REVIEW entry (a reviewer's resolution) names its request id.
 */
export class OversightIndex {
  readonly #vocabulary: Vocabulary;
  readonly decisions: DecisionFact[] = [];
  readonly rejections: ReasonFact[] = [];
  readonly deadLetters: ReasonFact[] = [];
  readonly #decided = new Set<string>();
  readonly #resolved = new Set<string>();
  readonly #revisions = new Map<string, Set<string>>();
  #entries = 0;
  #lastSeq: number | null = null;

  constructor(vocabulary: Vocabulary) {
    this.#vocabulary = vocabulary;
  }

  get vocabulary(): Vocabulary {
    return this.#vocabulary;
  }

  /** Entries seen, and the seq of the last one. */
  get position(): { entries: number; lastSeq: number | null } {
    return { entries: this.#entries, lastSeq: this.#lastSeq };
  }

  add(entries: Iterable<OversightEntry>): void {
    for (const entry of entries) this.#add(entry);
  }

  #add(entry: OversightEntry): void {
    this.#entries += 1;
    this.#lastSeq = entry.seq;
    const time = Date.parse(entry.time);
    if (Number.isNaN(time)) return;
    const month = monthOf(time);
    const s = entry.summary;
    const v = this.#vocabulary;
    switch (entry.type) {
      case 'DECISION': {
        const decision = v.decisionOf(s.decision);
        if (!decision || entry.requestId === null || this.#decided.has(entry.requestId)) return;
        this.#decided.add(entry.requestId);
        const rules = Array.isArray(s.rules) ? [...new Set(s.rules.map((r) => v.ruleOf(r)))] : [];
        this.decisions.push({
          requestId: entry.requestId, month, time, decision, rules,
          agencyClass: v.agencyClassOf(s.agency), system: v.systemOf(s.system), basisType: v.basisTypeOf(s.basisType),
        });
        if (entry.policyRevision) this.#revisionsOf(month).add(entry.policyRevision);
        return;
      }
      case 'REJECTED_INPUT':
        this.rejections.push({ month, reason: v.reasonOf(s.reason), count: typeof s.count === 'number' && s.count > 0 ? s.count : 1 });
        return;
      case 'DEAD_LETTER':
        this.deadLetters.push({ month, reason: v.reasonOf(s.reason) });
        return;
      case 'REVIEW':
        if (entry.requestId !== null) this.#resolved.add(entry.requestId);
        return;
      default:
    }
  }

  #revisionsOf(month: string): Set<string> {
    let set = this.#revisions.get(month);
    if (!set) this.#revisions.set(month, (set = new Set()));
    return set;
  }

  /** Policy bundle revisions that decided requests in a month. */
  revisions(month: string): string[] {
    return [...(this.#revisions.get(month) ?? [])].sort();
  }

  reviewBacklog(): ReviewBacklog {
    let count = 0;
    let oldestAt: number | null = null;
    for (const fact of this.decisions) {
      if (fact.decision !== 'REVIEW' || this.#resolved.has(fact.requestId)) continue;
      count += 1;
      if (oldestAt === null || fact.time < oldestAt) oldestAt = fact.time;
    }
    return { count, oldestAt };
  }

  /** Months (YYYY-MM) that hold any counted entry, oldest first. */
  months(): string[] {
    return [...new Set([...this.decisions, ...this.rejections, ...this.deadLetters].map((f) => f.month))].sort();
  }
}
