import { loadCatalog, isPlainObject } from '@firewall/core';
import { LedgerFolderReader, type OversightEntry } from './ledger-source.js';
import { OversightIndex, monthOf } from './oversight-index.js';
import { buildReport, type TransparencyReport } from './report.js';
import type { RuleCatalog } from './rule-catalog.js';
import { buildSummary, type OversightSummary } from './summary.js';
import { createVocabulary, type PolicyData } from './vocabulary.js';

export interface OversightStoreOptions {
  /** The ledger folder (embedded mode). Without it, feed entries with ingest() (e.g. from firewall.audit.v1). */
  readonly ledgerDir?: string;
  /** Policy data: `agencies` (agency → classes) and `thresholds.small_cell_k`. */
  readonly policyData: PolicyData & { readonly thresholds?: unknown };
  /** Rule id → title and legal sources. Shared and mutable: the metrics service adds rules seen on decisions. */
  readonly ruleCatalog?: RuleCatalog;
  /** City systems; default: the field catalog's. */
  readonly systems?: readonly string[];
  readonly now?: () => Date;
}

/**
 * The ledger as oversight sees it: an index kept up to date from the ledger folder (each sync reads only new
 * lines) or from audit entries fed in, with the monthly reports cached per ledger position.
 */
export class OversightStore {
  readonly index: OversightIndex;
  readonly ruleCatalog: RuleCatalog;
  readonly smallCellK: number;
  readonly #reader: LedgerFolderReader | undefined;
  readonly #now: () => Date;
  readonly #cache = new Map<string, TransparencyReport>();

  constructor(options: OversightStoreOptions) {
    this.ruleCatalog = options.ruleCatalog ?? new Map();
    this.index = new OversightIndex(createVocabulary({
      policyData: options.policyData,
      systems: options.systems ?? Object.keys(loadCatalog().systems),
      rules: this.ruleCatalog.keys(),
    }));
    const thresholds = isPlainObject(options.policyData.thresholds) ? options.policyData.thresholds : {};
    const k = thresholds.small_cell_k;
    this.smallCellK = typeof k === 'number' && Number.isSafeInteger(k) && k >= 2 ? k : 10;
    this.#reader = options.ledgerDir ? new LedgerFolderReader(options.ledgerDir) : undefined;
    this.#now = options.now ?? (() => new Date());
  }

  /** Reads what the ledger folder gained since the last sync. */
  async sync(): Promise<void> {
    if (this.#reader) this.index.add(await this.#reader.refresh());
  }

  ingest(entries: Iterable<OversightEntry>): void {
    this.index.add(entries);
  }

  get currentMonth(): string {
    return monthOf(this.#now().getTime());
  }

  /** Ledger entries read, last seq and hash, and the newest checkpoint (folder mode). */
  get ledger(): { entries: number; lastSeq: number | null; headHash: string | null; checkpoint: { size: number; root: string; time: string } | null } {
    const cp = this.#reader?.lastCheckpoint ?? null;
    return {
      entries: this.index.position.entries,
      lastSeq: this.index.position.lastSeq,
      headHash: this.#reader?.head.headHash ?? null,
      checkpoint: cp ? { size: cp.size, root: cp.root, time: cp.time } : null,
    };
  }

  report(period: string): TransparencyReport {
    // The report names the newest tree head too: a head signed since (every few seconds) makes it a new report.
    const key = `${period}@${this.index.position.entries}@${this.ruleCatalog.size}@${this.ledger.checkpoint?.root ?? ''}`;
    let report = this.#cache.get(key);
    if (!report) {
      const ledger = this.ledger;
      report = buildReport(this.index, period, {
        ruleCatalog: this.ruleCatalog, smallCellK: this.smallCellK,
        source: { ledgerEntriesRead: ledger.entries, lastSeq: ledger.lastSeq, headHash: ledger.headHash, checkpoint: ledger.checkpoint },
      });
      if (this.#cache.size > 200) this.#cache.clear();
      this.#cache.set(key, report);
    }
    return report;
  }

  summary(from: string, to: string): OversightSummary {
    return buildSummary(this.index, from, to, { reportFor: (m) => this.report(m), now: this.#now });
  }
}
