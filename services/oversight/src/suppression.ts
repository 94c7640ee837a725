/**
 * Small-cell suppression with complementary suppression.
 *
 * The published numbers are linked: a row total is the sum of its cells, the month's "blocked" total is the sum
 * of blocked requests over every agency class, and so on. Hiding a count of 3 is pointless if the reader can
 * subtract the shown cells from a shown total. So:
 *
 * 1. Primary: every count from 1 to k-1 (k = small_cell_k, 10) is shown as "<10". Zero stays 0.
 * 2. Complementary: every published sum is an equation (total = parts). Treating each shown number as known,
 *    each "<10" as 1..k-1 and each complementary cell as k or more (a reader can infer that), the bounds of every
 *    hidden cell are tightened across all the equations until nothing changes. A small cell whose bounds come
 *    out narrower than `minRange` values is protected by also hiding one shown non-zero cell of its lines (shown
 *    as "suppressed"): the one that, looking one step ahead, leaves the fewest small cells exposed, then the
 *    smallest. The check runs again until every small cell is covered.
 *
 * Limits, stated plainly: the check is interval arithmetic over the equations, not a full linear-programming
 * attack, so a reader combining several lines at once with linear programming may narrow a small cell further
 * than this check assumes. Where no cell is left to hide in a line (for example a total that is itself under
 * 10), the narrower range is accepted and listed in `residual`.
 */
export type Published = number | '<10' | 'suppressed';
export type CellStatus = 'shown' | 'small' | 'complementary';

export interface Equation {
  readonly total: string;
  readonly parts: readonly string[];
}

export interface SuppressionOptions {
  /** Counts from 1 to k-1 are small. Default 10. */
  readonly k?: number;
  /** Fewest possible values a reader may narrow a small cell to. Default 3 (at best "between 1 and 3"). */
  readonly minRange?: number;
}

export interface Suppressed {
  status(id: string): CellStatus;
  publish(id: string): Published;
  /** The exact count (for tests and the internal recount; never published). */
  value(id: string): number;
  /** Small cells left narrower than minRange because nothing else in their lines could be hidden. */
  readonly residual: readonly string[];
}

type Bounds = [number, number];

export function suppress(values: ReadonlyMap<string, number>, equations: readonly Equation[], options: SuppressionOptions = {}): Suppressed {
  const k = options.k ?? 10;
  const minRange = options.minRange ?? 3;
  const value = (id: string) => values.get(id) ?? 0;
  const ids = [...new Set([...values.keys(), ...equations.flatMap((e) => [e.total, ...e.parts])])];
  const status = new Map<string, CellStatus>(ids.map((id) => [id, value(id) >= 1 && value(id) < k ? 'small' : 'shown']));
  const byId = new Map<string, Equation[]>();
  for (const eq of equations) for (const id of [eq.total, ...eq.parts]) byId.set(id, [...(byId.get(id) ?? []), eq]);
  const givenUp = new Set<string>();
  const initial = (id: string): Bounds => {
    const s = status.get(id)!;
    return s === 'shown' ? [value(id), value(id)] : s === 'small' ? [1, k - 1] : [k, Number.POSITIVE_INFINITY];
  };
  const width = (b: Bounds) => Math.min(b[1], k - 1) - Math.max(b[0], 1) + 1;

  for (let round = 0; round <= ids.length; round++) {
    const bounds = propagate(ids, equations, initial);
    const weak = ids.find((id) => status.get(id) === 'small' && !givenUp.has(id) && width(bounds.get(id)!) < minRange);
    if (weak === undefined) break;
    const candidate = nearestCandidate(weak);
    if (candidate === undefined) givenUp.add(weak);
    else status.set(candidate, 'complementary');
  }

  /**
   * The cell to hide next, among the shown non-zero cells of the weak cell's own lines or, when those have
   * nothing left to hide, of the nearest lines reached through hidden cells (a hidden neighbour that is itself
   * pinned is what gives the weak cell away).
   */
  function nearestCandidate(weak: string): string | undefined {
    const seen = new Set([weak]);
    let frontier = [weak];
    while (frontier.length > 0) {
      const found: string[] = [];
      const next: string[] = [];
      for (const id of frontier) {
        for (const eq of byId.get(id) ?? []) {
          found.push(...candidatesIn(eq, weak));
          for (const x of [eq.total, ...eq.parts]) {
            if (!seen.has(x) && status.get(x) !== 'shown') {
              seen.add(x);
              next.push(x);
            }
          }
        }
      }
      if (found.length > 0) return best(found);
      frontier = next;
    }
    return undefined;
  }

  /** One step of lookahead: the candidate that leaves the fewest small cells exposed, then the smallest. */
  function best(candidates: readonly string[]): string {
    const scored = [...new Set(candidates)].map((candidate) => {
      status.set(candidate, 'complementary');
      const after = propagate(ids, equations, initial);
      status.set(candidate, 'shown');
      return { candidate, exposed: ids.filter((id) => status.get(id) === 'small' && width(after.get(id)!) < minRange).length };
    });
    return scored.sort((a, b) => a.exposed - b.exposed || value(a.candidate) - value(b.candidate))[0]!.candidate;
  }

  function candidatesIn(eq: Equation, weak: string): string[] {
    return [eq.total, ...eq.parts].filter((id) => id !== weak && status.get(id) === 'shown' && value(id) > 0);
  }

  const residual = ids.filter((id) => givenUp.has(id));
  return {
    status: (id) => status.get(id) ?? 'shown',
    value,
    publish: (id) => {
      const s = status.get(id) ?? 'shown';
      return s === 'shown' ? value(id) : s === 'small' ? '<10' : 'suppressed';
    },
    residual,
  };
}

/** Bounds of `id` implied by one equation and the others' bounds. */
function derive(eq: Equation, id: string, bounds: ReadonlyMap<string, Bounds>): Bounds {
  const b = (x: string) => bounds.get(x)!;
  if (id === eq.total) return [sum(eq.parts.map((p) => b(p)[0])), sum(eq.parts.map((p) => b(p)[1]))];
  const others = eq.parts.filter((p) => p !== id);
  return [b(eq.total)[0] - sum(others.map((p) => b(p)[1])), b(eq.total)[1] - sum(others.map((p) => b(p)[0]))];
}

/** Tightens every cell's bounds through every equation until nothing changes (a reader's subtraction). */
function propagate(ids: readonly string[], equations: readonly Equation[], initial: (id: string) => Bounds): Map<string, Bounds> {
  const bounds = new Map(ids.map((id) => [id, initial(id)] as [string, Bounds]));
  for (let pass = 0; pass < 50; pass++) {
    let changed = false;
    for (const eq of equations) {
      for (const id of [eq.total, ...eq.parts]) {
        const [lo, hi] = bounds.get(id)!;
        const [dlo, dhi] = derive(eq, id, bounds);
        const next: Bounds = [Math.max(lo, dlo), Math.min(hi, dhi)];
        if (next[0] !== lo || next[1] !== hi) {
          bounds.set(id, next);
          changed = true;
        }
      }
    }
    if (!changed) break;
  }
  return bounds;
}

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
