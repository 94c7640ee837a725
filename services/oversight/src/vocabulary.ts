import { errorCodes, isPlainObject } from '@firewall/core';
import { ledgerErrorCodes } from '@firewall/ledger';

/**
 * The closed vocabularies oversight may publish. Everything the committee sees, and every metric label, is one
 * of these words: a value from a request that is not in the list becomes "other" (or "unknown" for an
 * unregistered agency), so a requester-chosen string can never reach a report, a page or a label.
 */
export const decisions = ['DENY', 'REVIEW', 'ALLOW_REDACTED', 'ALLOW'] as const;
export type DecisionCode = (typeof decisions)[number];

export const decisionLabels: Readonly<Record<DecisionCode, string>> = {
  DENY: 'Blocked',
  REVIEW: 'Held for legal review',
  ALLOW_REDACTED: 'Released in part',
  ALLOW: 'Released in full',
};

export const decisionHelp: Readonly<Record<DecisionCode, string>> = {
  DENY: 'Nothing was released.',
  REVIEW: 'Nothing is released until the city attorney decides.',
  ALLOW_REDACTED: 'Some requested fields were released; protected fields were withheld.',
  ALLOW: 'Every requested field was released.',
};

/** Agency classes of policies/agencies/data.json, most specific first: an agency with two classes counts once, under the first. */
export const agencyClasses = [
  'enforcement', 'federal_criminal', 'immigration_benefits', 'prevention', 'foreign_government', 'local_law_enforcement',
  'court_prosecutor', 'council_oversight', 'program_partner', 'city_department', 'other', 'unknown',
] as const;
export type AgencyClass = (typeof agencyClasses)[number];

/** Federal agencies asking for help: the ordinance's Council reporting items. */
export const federalClasses: readonly AgencyClass[] = ['enforcement', 'federal_criminal', 'immigration_benefits', 'prevention'];

export const agencyClassLabels: Readonly<Record<AgencyClass, string>> = {
  enforcement: 'Federal immigration enforcement (ICE ERO, CBP, DHS, 287(g) partners)',
  federal_criminal: 'Federal criminal investigators (FBI, ICE HSI, ATF, DEA, US Marshals)',
  immigration_benefits: 'Federal immigration benefits (USCIS)',
  prevention: 'Prevention and "CVE" programs (DHS CP3, fusion centers)',
  foreign_government: 'Foreign governments',
  local_law_enforcement: 'Local police and sheriff',
  court_prosecutor: 'Courts and prosecutors',
  council_oversight: 'City Council (oversight)',
  program_partner: 'City program partners (library, transit)',
  city_department: 'City departments',
  other: 'Others (researchers, journalists, the public, residents)',
  unknown: 'Unregistered requesters',
};

export const systemLabels: Readonly<Record<string, string>> = {
  municipal_id: 'Municipal ID (also library card and transit pass)',
  service_requests: '311 service requests',
  summons: 'Police summons and citations',
  parking: 'Parking ramps and lots',
  audit: "The firewall's own statistics",
  other: 'Other systems',
};

/** Legal basis types of the conformance vocabulary, with a plain label. */
export const basisTypeLabels: Readonly<Record<string, string>> = {
  NONE: 'None given',
  JUDICIAL_WARRANT: 'Judicial warrant',
  COURT_ORDER: 'Court order',
  JUDICIAL_SUBPOENA: 'Judicial subpoena',
  GRAND_JURY_SUBPOENA: 'Grand jury subpoena',
  ADMIN_WARRANT_I200: 'ICE administrative warrant (I-200)',
  ADMIN_WARRANT_I205: 'ICE administrative warrant (I-205)',
  ADMIN_ORDER_I203: 'ICE order to detain (I-203)',
  CUSTODY_NOTICE_I286: 'ICE custody notice (I-286)',
  NOTICE_TO_APPEAR: 'Notice to appear',
  REMOVAL_ORDER: 'Removal order',
  DETAINER_I247A: 'ICE detainer (I-247A)',
  NCIC_IMMIGRATION_HIT: 'NCIC immigration hit',
  ICE_REQUEST_LETTER: 'ICE request letter',
  ADMIN_SUBPOENA: 'Administrative subpoena',
  LETTER: 'Letter',
  STATUTE_1373: '8 U.S.C. 1373 (status information)',
  PUBLIC_RECORDS_REQUEST: 'Public records request',
  SUBJECT_AUTHORIZATION: "The person's own signed authorization",
  DATA_SHARING_AGREEMENT: 'Data sharing agreement',
  GRANT_AGREEMENT: 'Grant agreement',
  PROGRAM_AGREEMENT: 'Program agreement',
  DATA_USE_AGREEMENT: 'Data use agreement',
  INTERNAL_ASSIGNMENT: 'City work assignment',
  STATE_CRIMINAL_PROCESS: 'State criminal process',
  CASE_FILE: 'Case file',
  COURT_RULE: 'Court rule',
  ORDINANCE_REPORTING_DUTY: 'Ordinance reporting duty',
  other: 'Other (not a recognised basis type)',
};

/** Rule ids of POLICY-DOMAIN.md (R1–R27). */
export const domainRules: readonly string[] = Array.from({ length: 27 }, (_, i) => `R${i + 1}`);

/** Reason codes of refusals and dead letters: the firewall's own error codes. */
export const reasonCodes: readonly string[] = [...errorCodes, ...ledgerErrorCodes];

export interface PolicyData {
  readonly agencies?: unknown;
}

export interface Vocabulary {
  agencyClassOf(agency: unknown): AgencyClass;
  systemOf(system: unknown): string;
  basisTypeOf(basisType: unknown): string;
  ruleOf(rule: unknown): string;
  reasonOf(reason: unknown): string;
  decisionOf(decision: unknown): DecisionCode | undefined;
  readonly systems: readonly string[];
  readonly basisTypes: readonly string[];
  readonly rules: readonly string[];
  readonly reasons: readonly string[];
}

export interface VocabularyOptions {
  /** The policy data (`data` of the bundle, or policies/*.json merged): `agencies.<CODE>.classes`. */
  readonly policyData: PolicyData;
  /** City systems (the field catalog's keys). */
  readonly systems: readonly string[];
  /** Rule ids to accept besides R1–R27 (e.g. the rule catalog's keys). */
  readonly rules?: Iterable<string>;
}

export function createVocabulary(options: VocabularyOptions): Vocabulary {
  const classes = new Map<string, AgencyClass>();
  const agencies = isPlainObject(options.policyData.agencies) ? options.policyData.agencies : {};
  for (const [code, entry] of Object.entries(agencies)) {
    const listed = isPlainObject(entry) && Array.isArray(entry.classes) ? entry.classes : [];
    classes.set(code, agencyClasses.find((c) => c !== 'unknown' && listed.includes(c)) ?? 'other');
  }
  const systems = [...new Set(options.systems.filter((s) => s !== 'other')), 'other'];
  const basisTypes = Object.keys(basisTypeLabels);
  const rules = [...new Set([...domainRules, ...(options.rules ?? [])])].sort(byRuleNumber);
  const reasons = [...new Set(reasonCodes), 'other'];
  const pick = (list: readonly string[], value: unknown) => (typeof value === 'string' && list.includes(value) ? value : 'other');
  return {
    agencyClassOf: (agency) => (typeof agency === 'string' ? classes.get(agency) : undefined) ?? 'unknown',
    systemOf: (system) => pick(systems, system),
    basisTypeOf: (basis) => pick(basisTypes, basis),
    ruleOf: (rule) => pick(rules, rule),
    reasonOf: (reason) => pick(reasons, reason),
    decisionOf: (decision) => decisions.find((d) => d === decision),
    systems, basisTypes, rules: [...rules, 'other'], reasons,
  };
}

/** R2 before R10; anything else after, alphabetically. */
export function byRuleNumber(a: string, b: string): number {
  const n = (id: string) => (/^R(\d+)$/.exec(id) ? Number(id.slice(1)) : Number.POSITIVE_INFINITY);
  return n(a) - n(b) || a.localeCompare(b);
}

export function systemLabel(system: string): string {
  return systemLabels[system] ?? system;
}

export function basisTypeLabel(basis: string): string {
  return basisTypeLabels[basis] ?? basis;
}
