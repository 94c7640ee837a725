import type { CaseStatus, ReviewCase } from './case.js';

/**
 * Where cases live. Reads are synchronous (the store keeps every case in memory); `put` resolves once the case
 * is durable. Implementations: memory (tests, dry setups) and file (JSON lines, fsynced; see file-store.ts).
 */
export interface CaseStore {
  get(caseId: string): ReviewCase | undefined;
  /** Oldest first (by openedAt), optionally only one status. */
  list(status?: CaseStatus): ReviewCase[];
  put(reviewCase: ReviewCase): Promise<void>;
  close(): Promise<void>;
}

/** Cases sorted oldest first, filtered by status. */
export function listCases(cases: Iterable<ReviewCase>, status?: CaseStatus): ReviewCase[] {
  return [...cases]
    .filter((c) => status === undefined || c.status === status)
    .sort((a, b) => a.openedAt.localeCompare(b.openedAt) || a.caseId.localeCompare(b.caseId));
}

export class MemoryCaseStore implements CaseStore {
  readonly #cases = new Map<string, ReviewCase>();

  get(caseId: string): ReviewCase | undefined {
    return this.#cases.get(caseId);
  }

  list(status?: CaseStatus): ReviewCase[] {
    return listCases(this.#cases.values(), status);
  }

  async put(reviewCase: ReviewCase): Promise<void> {
    this.#cases.set(reviewCase.caseId, structuredClone(reviewCase));
  }

  async close(): Promise<void> {}
}
