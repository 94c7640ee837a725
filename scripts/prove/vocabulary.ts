/**
 * The codes a requester can send that the policy data does not list (conformance/README.md, "Vocabulary"):
 * they have no role in any rule, so each is decided like an unknown code, but the space counts them. Every
 * code the data does list (agencies, purposes, basis types, attestations, systems, fields) is read from the
 * bundle's own data.json, never from here.
 */
export const UNLISTED_PURPOSES = [
  'CIVIL_LITIGATION', 'CODE_ENFORCEMENT', 'IMMIGRATION_BENEFIT', 'LEGAL_REPRESENTATION', 'OWN_RECORD_ACCESS',
  'LOCATE_NATIONAL', 'DATA_FEED', 'URGENT_OPERATIONAL_NEED', 'MARKETING',
] as const;

export const UNLISTED_BASIS_TYPES = [
  'NONE', 'LETTER', 'PUBLIC_RECORDS_REQUEST', 'GRANT_AGREEMENT', 'PROGRAM_AGREEMENT', 'INTERNAL_ASSIGNMENT',
  'STATE_CRIMINAL_PROCESS', 'CASE_FILE', 'COURT_RULE', 'ORDINANCE_REPORTING_DUTY',
] as const;

export const UNLISTED_ATTESTATIONS = ['IRB_APPROVAL'] as const;

export const CHANNELS = ['RECORD_REQUEST', 'PUBLIC_RECORDS', 'STANDING_FEED', 'DIRECT_DB_ACCESS'] as const;

/** One code of each kind that no vocabulary has: must be decided by default deny (R26). */
export const UNKNOWN_CODES = { agency: 'ZZ_UNLISTED_AGENCY', purpose: 'ZZ_UNLISTED_PURPOSE', basis: 'ZZ_UNLISTED_BASIS' } as const;

/** The legal facts a credential (or a body) can carry, besides `type` (services/http VerifiedLegalFacts). */
export const FACT_KEYS = ['judgeSigned', 'court', 'expires', 'namedSubjects', 'listedFields', 'criminalPredicate', 'verified'] as const;
export type FactKey = (typeof FACT_KEYS)[number];
