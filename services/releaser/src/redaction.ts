import { fieldClass, type Decision, type FieldCatalog, type ReviewResolution } from '@firewall/core';
import type { SourceRecord } from './adapter.js';

/** The ledger entry a release acts on. */
export type Authority = 'DECISION' | 'REVIEW';

export interface FieldPlan {
  readonly name: string;
  readonly action: 'release' | 'transform';
  readonly transform?: string;
}

/** What one release may deliver: the fields (raw or transformed), in the request's order; nothing else. */
export interface ReleasePlan {
  readonly fields: readonly FieldPlan[];
  /** Requested fields that are not delivered. */
  readonly withheld: readonly string[];
  /** Alert codes raised while planning (CLASS_A_RELEASE_BLOCKED). */
  readonly alerts: readonly string[];
}

export const alertCodes = {
  /** A source record holds a class A field (its value is never delivered, logged or audited). */
  classAInSource: 'CLASS_A_IN_SOURCE',
  /** The authority said to release a class A field; the releaser withheld it anyway. */
  classABlocked: 'CLASS_A_RELEASE_BLOCKED',
} as const;

/**
 * Transforms the releaser knows. Any other transform name makes the field withheld (fail closed).
 * generalise_location: street addresses to their block ("1234 Lake St, Apt 5" → "1200 block of Lake St"),
 * latitude/longitude rounded to 2 decimals (about 1.1 km north-south); anything else it cannot generalise
 * with confidence (an intersection, a place name, free text) becomes null.
 */
export const transforms: Readonly<Record<string, (field: string, value: unknown) => unknown>> = {
  generalise_location: generaliseLocation,
};

const coordinateFields = /(^|_)(lat|latitude|long|longitude|lng|lon)$/i;
const streetAddress = /^\s*(\d{1,6})[A-Za-z]?(?:-\d+)?\s+([^,#]+?)\s*(?:(?:,|#|\b(?:apt|apartment|unit|suite|ste|fl|floor)\b).*)?$/i;

export function generaliseLocation(field: string, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (coordinateFields.test(field)) {
    const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
    return Number.isFinite(n) ? Math.round(n * 100) / 100 : null;
  }
  if (typeof value !== 'string') return null;
  const match = streetAddress.exec(value);
  if (!match) return null;
  const block = Math.floor(Number(match[1]) / 100) * 100;
  const street = match[2]!.replace(/\s+/g, ' ').trim();
  return street ? `${block} block of ${street}` : null;
}

/** Field names that are class A in any system's catalog: a stray column is caught whatever system holds it. */
export function classANames(catalog: FieldCatalog): ReadonlySet<string> {
  let names = classACache.get(catalog);
  if (!names) {
    names = new Set(Object.values(catalog.systems).flatMap((s) => Object.entries(s.fields).filter(([, c]) => c === 'A').map(([f]) => f)));
    classACache.set(catalog, names);
  }
  return names;
}

const classACache = new WeakMap<FieldCatalog, ReadonlySet<string>>();

const isClassA = (catalog: FieldCatalog, system: string, field: string, anyA: ReadonlySet<string>) =>
  fieldClass(catalog, system, field) === 'A' || anyA.has(field);

/** The plan for an ALLOW / ALLOW_REDACTED decision: only requested fields, as the decision's per-field outcomes say. */
export function planFromDecision(decision: Decision, requested: readonly string[], catalog: FieldCatalog, system: string): ReleasePlan {
  const outcomes = new Map(decision.fields.map((f) => [f.name, f]));
  return plan(requested, catalog, system, (name) => {
    const outcome = outcomes.get(name);
    if (outcome?.outcome === 'release') return { name, action: 'release' };
    if (outcome?.outcome === 'transform' && outcome.transform && Object.hasOwn(transforms, outcome.transform)) {
      return { name, action: 'transform', transform: outcome.transform };
    }
    return undefined;
  });
}

/** The plan for an ALLOW resolution: the reviewer's fields that were requested, released raw. */
export function planFromResolution(resolution: ReviewResolution, requested: readonly string[], catalog: FieldCatalog, system: string): ReleasePlan {
  const allowed = new Set(resolution.outcome === 'ALLOW' ? (resolution.fields ?? []) : []);
  return plan(requested, catalog, system, (name) => (allowed.has(name) ? { name, action: 'release' } : undefined));
}

function plan(requested: readonly string[], catalog: FieldCatalog, system: string, choose: (name: string) => FieldPlan | undefined): ReleasePlan {
  const anyA = classANames(catalog);
  const fields: FieldPlan[] = [];
  const withheld: string[] = [];
  const alerts = new Set<string>();
  for (const name of new Set(requested)) {
    const chosen = fieldClass(catalog, system, name) === undefined ? undefined : choose(name);
    if (chosen && isClassA(catalog, system, name, anyA)) alerts.add(alertCodes.classABlocked);
    if (chosen && !isClassA(catalog, system, name, anyA)) fields.push(chosen);
    else withheld.push(name);
  }
  return { fields, withheld, alerts: [...alerts] };
}

/**
 * The delivered form of one source record: exactly the plan's fields (a field the source lacks is null),
 * transformed where the plan says so; every other field of the source is dropped, identifiers included.
 */
export function redactRecord(source: SourceRecord, releasePlan: ReleasePlan): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of releasePlan.fields) {
    const value = Object.hasOwn(source, field.name) ? source[field.name] : null;
    out[field.name] = field.action === 'transform' ? transforms[field.transform!]!(field.name, value) : (value ?? null);
  }
  return out;
}

/** Names of class A fields a source record holds a value for (names only: the values go nowhere). */
export function classAFieldsIn(source: SourceRecord, catalog: FieldCatalog, system: string): string[] {
  const anyA = classANames(catalog);
  return Object.keys(source).filter((k) => isClassA(catalog, system, k, anyA) && source[k] !== null && source[k] !== undefined && source[k] !== '');
}
