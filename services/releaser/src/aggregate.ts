import type { AggregateCell } from './adapter.js';
import { redactRecord, type ReleasePlan } from './redaction.js';

/** Used when the policy data names no threshold: the ordinance's usual small-cell bound. */
export const defaultSmallCellK = 10;

/** thresholds.small_cell_k from the policy bundle's data, or the default when it is missing or not a number. */
export function smallCellK(policyData: unknown): number {
  const k = (policyData as { thresholds?: { small_cell_k?: unknown } } | null | undefined)?.thresholds?.small_cell_k;
  return typeof k === 'number' && Number.isInteger(k) && k > 0 ? k : defaultSmallCellK;
}

/**
 * Cells grouped by the plan's delivered fields, values redacted first (a transformed field groups on its
 * generalised value), so the same plan governs records and counts.
 */
export function aggregateRecords(records: readonly Record<string, unknown>[], plan: ReleasePlan): AggregateCell[] {
  return mergeCells(records.map((r) => ({ values: r, count: 1 })), plan);
}

/** Redacts cell values with the plan (dropping ungranted fields, transforming) and merges cells that become equal. */
export function mergeCells(cells: readonly AggregateCell[], plan: ReleasePlan): AggregateCell[] {
  const merged = new Map<string, { values: Record<string, unknown>; count: number }>();
  for (const cell of cells) {
    const values = redactRecord(cell.values, plan);
    const key = JSON.stringify(plan.fields.map((f) => values[f.name] ?? null));
    const into = merged.get(key) ?? { values, count: 0 };
    into.count += cell.count;
    merged.set(key, into);
  }
  return [...merged.values()];
}

/** Drops cells counting fewer than k records; says how many were dropped (never which). */
export function suppressSmallCells(cells: readonly AggregateCell[], k: number): { cells: AggregateCell[]; suppressed: number } {
  const kept = cells.filter((c) => c.count >= k);
  return { cells: kept, suppressed: cells.length - kept.length };
}
