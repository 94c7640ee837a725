import { fieldClass, isPlainObject, isValidTime, type FieldCatalog, type ReviewFindings } from '@firewall/core';
import { ReviewError } from './errors.js';

/** The legal facts a reviewer can verify on the paper document: the RecordRequest legal basis facts, type aside. */
export const findingKeys = ['court', 'judgeSigned', 'verified', 'expires', 'namedSubjects', 'listedFields', 'criminalPredicate'] as const;
export type FindingKey = (typeof findingKeys)[number];

/**
 * What the reviewer verified, in its full form (every key, null = not verified), so the signed statement and the
 * ReviewResolution on the bus (which the Avro codec fills with nulls) are the same canonical JSON.
 */
export type LegalFindings = { readonly [K in FindingKey]: NonNullable<ReviewFindings[K]> | null };

const MAX_TEXT = 200;
const MAX_NAMED = 1_000_000;

type Check = (value: unknown, path: string, bad: string[]) => void;

const text: Check = (value, path, bad) => {
  if (typeof value !== 'string' || value.trim() === '' || value.length > MAX_TEXT) bad.push(path);
};
const flag: Check = (value, path, bad) => {
  if (typeof value !== 'boolean') bad.push(path);
};

/**
 * Checks the findings a reviewer sends, strictly: only the known keys; each null (not verified) or of its type —
 * `court` and `criminalPredicate` non-empty text, `judgeSigned` and `verified` booleans, `expires` a date
 * (YYYY-MM-DD) or an RFC 3339 date-time, `namedSubjects` a whole count, `listedFields` distinct field names of the
 * request's system (the catalog's). One PF_REVIEW_INVALID lists every bad path; values are never echoed.
 */
export function parseFindings(value: unknown, catalog: FieldCatalog, system: string): LegalFindings {
  if (!isPlainObject(value)) throw new ReviewError('PF_REVIEW_INVALID', 'findings must be an object of verified legal facts.', { details: ['findings'] });
  const bad: string[] = Object.keys(value).filter((k) => !(findingKeys as readonly string[]).includes(k)).slice(0, 10).map((k) => `findings.${k.slice(0, 64)}`);
  const checks: Readonly<Record<FindingKey, Check>> = {
    court: text,
    criminalPredicate: text,
    judgeSigned: flag,
    verified: flag,
    expires: (v, path, out) => {
      if (typeof v !== 'string' || !isValidTime(v, true)) out.push(path);
    },
    namedSubjects: (v, path, out) => {
      if (!Number.isSafeInteger(v) || (v as number) < 0 || (v as number) > MAX_NAMED) out.push(path);
    },
    listedFields: (v, path, out) => {
      if (!Array.isArray(v) || v.length > 500) return void out.push(path);
      v.forEach((f, i) => {
        if (typeof f !== 'string' || fieldClass(catalog, system, f) === undefined || v.indexOf(f) !== i) out.push(`${path}.${i}`);
      });
    },
  };
  for (const key of findingKeys) {
    const given = value[key];
    if (given !== undefined && given !== null) checks[key](given, `findings.${key}`, bad);
  }
  if (bad.length) {
    throw new ReviewError('PF_REVIEW_INVALID', `findings are not valid at: ${bad.join(', ')} (listedFields must name fields of the ${system} system).`, { details: bad });
  }
  const pick = <K extends FindingKey>(key: K) => (value[key] ?? null) as LegalFindings[K];
  return {
    court: (pick('court') as string | null)?.trim() ?? null,
    judgeSigned: pick('judgeSigned'),
    verified: pick('verified'),
    expires: pick('expires'),
    namedSubjects: pick('namedSubjects'),
    listedFields: pick('listedFields') ? [...pick('listedFields')!] : null,
    criminalPredicate: (pick('criminalPredicate') as string | null)?.trim() ?? null,
  };
}

/** The names of the facts the reviewer verified (what the ledger may say: names, never values). */
export function verifiedFactNames(findings: LegalFindings): FindingKey[] {
  return findingKeys.filter((k) => findings[k] !== null);
}
