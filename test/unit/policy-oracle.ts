/**
 * A test oracle for the firewall policy, written from /work/shared/POLICY-DOMAIN.md alone (not from the Rego):
 * the terms, defaults, each rule's match condition and yield, the ten-stage evaluation order and the field
 * outcomes of stage 9. It is deliberately literal and plain so a disagreement with the compiled policy points
 * at one sentence of the domain text. Points the text leaves open are options (see OracleOptions).
 */

import fc from 'fast-check';

export type FieldClass = 'A' | 'B' | 'C' | 'D' | 'E';
export type Outcome = 'ALLOW' | 'ALLOW_REDACTED' | 'DENY' | 'REVIEW';

/** Systems and fields with their class (conformance/README.md). */
export const SYSTEMS: Record<string, Record<string, FieldClass>> = {
  municipal_id: {
    full_name: 'C', preferred_name: 'B', gender: 'B', date_of_birth: 'C', residential_address: 'C', phone: 'C', photo: 'C',
    card_number: 'C', card_status: 'D', issue_date: 'D', expiry_date: 'D', preferred_language: 'B', emergency_contact: 'C',
    identity_document_type: 'A', identity_document_number: 'A', identity_document_image: 'A', residency_document_image: 'A',
    citizenship: 'A', immigration_status: 'A', birth_country: 'B', library_account_id: 'C', transit_card_id: 'C',
    transit_tap_history: 'C',
  },
  service_requests: {
    request_id: 'D', service_type: 'D', description: 'D', status: 'D', location_address: 'C', latitude: 'C', longitude: 'C',
    created_at: 'D', closed_at: 'D', media_url: 'D', caller_name: 'C', caller_phone: 'C', caller_email: 'C',
    caller_device_id: 'C', caller_language: 'B',
  },
  summons: {
    citation_id: 'D', full_name: 'C', date_of_birth: 'C', sex: 'D', height: 'D', residential_address: 'C', phone: 'C',
    employer: 'C', identification_method: 'A', drivers_license_number: 'C', offense: 'D', statute: 'D', offense_datetime: 'D',
    offense_location: 'D', vehicle_plate: 'C', court_date: 'C', court_location: 'C', disposition: 'D', custody_status: 'C',
    release_date: 'C', interpreter_language: 'B',
  },
  parking: { ramp_access_log: 'C', plate_read: 'C', camera_footage: 'C' },
  audit: { agency: 'E', decision: 'E', month: 'E', system: 'E', rule: 'E' },
};

export const ENFORCEMENT = ['ICE_ERO', 'CBP', 'DHS', 'ICE_287G_PARTNER'];
export const FEDERAL_CRIMINAL = ['ICE_HSI', 'FBI', 'ATF', 'DEA', 'USMS'];
export const PREVENTION_AGENCIES = ['DHS_CP3', 'FUSION_CENTER', 'SCN_PARTNER_CITY'];
export const LOCAL_LE = ['HENNEPIN_SHERIFF', 'MN_POLICE_OTHER'];
export const CITY_DEPARTMENTS = ['MPD', 'CITY_REGULATORY_SERVICES', 'CITY_CLERK', 'CITY_HEALTH', 'CITY_COUNCIL', 'CITY_ATTORNEY_CRIMINAL'];
export const PROGRAM_PARTNERS = ['METRO_TRANSIT', 'HENNEPIN_LIBRARY'];
export const COURTS_PROSECUTORS = ['MN_COURT', 'COUNTY_ATTORNEY', 'CITY_ATTORNEY_CRIMINAL'];
export const OTHER_AGENCIES = ['USCIS', 'RESEARCHER', 'JOURNALIST', 'PUBLIC', 'DATA_SUBJECT', 'SUBJECT_REPRESENTATIVE', 'FOREIGN_GOVERNMENT', 'PRIVATE_COMPANY', 'UNKNOWN'];

export const IMMIGRATION_PURPOSES = ['CIVIL_IMMIGRATION_ENFORCEMENT', 'LOCATE_FOR_REMOVAL', 'EXECUTE_REMOVAL', 'RELEASE_NOTIFICATION',
  'WORKSITE_ENFORCEMENT', 'STAGING_SUPPORT', 'ENFORCEMENT_LEADS', 'CRIMINAL_REENTRY', 'STATUS_VERIFICATION'];
export const PREVENTION_PURPOSES = ['CVE', 'TVTP', 'BTAM', 'SRC_REFERRAL', 'SCN_EXCHANGE', 'SAR_NONCRIMINAL', 'RADICALIZATION_RISK',
  'COMMUNITY_RESILIENCE_OUTREACH', 'REGISTRY'];
export const OTHER_PURPOSES = ['CRIMINAL_INVESTIGATION', 'CRIMINAL_CASE_PROCESSING', 'CIVIL_LITIGATION', 'STATUS_INQUIRY_1373', 'CODE_ENFORCEMENT',
  'SERVICE_DELIVERY', 'RESEARCH', 'JOURNALISM', 'OVERSIGHT_REPORTING', 'IMMIGRATION_BENEFIT', 'LEGAL_REPRESENTATION', 'OWN_RECORD_ACCESS',
  'LOCATE_NATIONAL', 'DATA_FEED', 'URGENT_OPERATIONAL_NEED', 'MARKETING'];

export const ADMIN_IMMIGRATION_DOCS = ['ADMIN_WARRANT_I200', 'ADMIN_WARRANT_I205', 'ADMIN_ORDER_I203', 'CUSTODY_NOTICE_I286', 'NOTICE_TO_APPEAR',
  'REMOVAL_ORDER', 'DETAINER_I247A', 'NCIC_IMMIGRATION_HIT', 'ICE_REQUEST_LETTER'];
export const BASIS_TYPES = ['JUDICIAL_WARRANT', 'COURT_ORDER', 'JUDICIAL_SUBPOENA', 'GRAND_JURY_SUBPOENA', ...ADMIN_IMMIGRATION_DOCS, 'ADMIN_SUBPOENA',
  'NONE', 'LETTER', 'STATUTE_1373', 'PUBLIC_RECORDS_REQUEST', 'SUBJECT_AUTHORIZATION', 'DATA_SHARING_AGREEMENT', 'GRANT_AGREEMENT',
  'PROGRAM_AGREEMENT', 'DATA_USE_AGREEMENT', 'INTERNAL_ASSIGNMENT', 'STATE_CRIMINAL_PROCESS', 'CASE_FILE', 'COURT_RULE', 'ORDINANCE_REPORTING_DUTY'];
export const CHANNELS = ['RECORD_REQUEST', 'PUBLIC_RECORDS', 'STANDING_FEED', 'DIRECT_DB_ACCESS'];
export const SELECTIONS = ['NAMED', 'ATTRIBUTE', 'ALL', 'AGGREGATE'];
export const ATTESTATIONS = ['NO_ONWARD_IMMIGRATION_SHARING', 'DATA_USE_AGREEMENT', 'IRB_APPROVAL'];

export const CALLER_IDENTITY = ['caller_name', 'caller_phone', 'caller_email', 'caller_device_id'];
export const CUSTODY_FIELDS = ['release_date', 'custody_status', 'court_date'];
export const LOCATING = ['location_address', 'latitude', 'longitude', 'residential_address', 'offense_location', 'court_location'];
export const PROGRAM_FIELDS: Record<string, string[]> = {
  METRO_TRANSIT: ['full_name', 'transit_card_id', 'card_status', 'expiry_date'],
  HENNEPIN_LIBRARY: ['full_name', 'library_account_id', 'card_status', 'expiry_date'],
};
export const PUBLIC_FIELDS: Record<string, string[]> = {
  summons: ['full_name', 'sex', 'residential_address', 'offense', 'statute', 'offense_datetime', 'offense_location'],
  service_requests: ['request_id', 'service_type', 'status', 'location_address', 'created_at', 'closed_at'],
  audit: Object.keys(SYSTEMS.audit!),
  municipal_id: [],
  parking: [],
};

export interface OracleRequest {
  requester: { agency: string; verified: boolean };
  purpose: { code: string };
  legalBasis?: {
    type: string; court?: string; judgeSigned?: boolean; verified?: boolean; expires?: string;
    namedSubjects?: number; listedFields?: string[];
  };
  channel?: string;
  system: string;
  fields: string[];
  subjects?: { count: number; selection: string };
  attestations?: string[];
  receivedAt: string;
}

/** Readings of points the domain text leaves open; the defaults are the author's literal reading of the text. */
export interface OracleOptions {
  /** R26 also when grants matched but none of them releases or transforms any requested field (else: only when no grant arm matched). */
  r26WhenNothingCovered?: boolean;
  /** R12 cited for aggregate requests with a prevention purpose or requester (the text says "record-level request ..."). */
  r12CitesAggregates?: boolean;
  /**
   * R14 "a program partner: a grant of its program fields only" limits R14's own grant only, so R20 aggregates and
   * R21 still release other fields to a partner (stage 9 names R7, R13 and R15 as the only obligations). Default:
   * the cap applies to every grant to a program partner on municipal_id.
   */
  r14CapsOwnGrantOnly?: boolean;
  /** An `expires` checked against a receivedAt or expires written with a lower-case "t" or "z" makes the order invalid (policy reading). */
  upperCaseTimesOnly?: boolean;
}

export interface OracleDecision {
  decision: Outcome;
  released: string[];
  withheld: string[];
  rules: string[];
  stage: number;
  /** Stage 9: the grants in effect after the restrictions of R10, R12 and R14 (for coverage statistics). */
  grants?: string[];
}

const ORDER = (id: string) => Number(id.slice(1));

/** Is an order expiring at `expires` still valid at `receivedAt`? A bare date is valid through the end of that day, UTC. */
export function notExpired(expires: string | undefined, receivedAt: string): boolean {
  if (expires === undefined) return true;
  // RFC 3339 (5.6): "T" and "Z" may be lower case.
  const at = Date.parse(receivedAt.toUpperCase());
  const end = /^\d{4}-\d{2}-\d{2}$/.test(expires) ? Date.parse(`${expires}T00:00:00Z`) + 86_400_000 : Date.parse(expires.toUpperCase());
  return at < end;
}

type Grant = { rule: string; release: Set<string>; transform: Set<string> };

/** A null value means "not shown", like an absent key. */
function stripNulls<T>(value: T): T {
  if (Array.isArray(value)) return value.map(stripNulls) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null && v !== undefined).map(([k, v]) => [k, stripNulls(v)])) as T;
  }
  return value;
}

/** The terms of POLICY-DOMAIN.md ("Terms the rules use"), with the defaults applied. */
export function terms(input: OracleRequest, opts: OracleOptions = {}) {
  const req = stripNulls(input);
  const agency = req.requester.agency;
  const purpose = req.purpose.code;
  const lb = req.legalBasis ?? { type: 'NONE' };
  const basis = lb.type;
  const subjects = req.subjects ?? { count: 1, selection: 'NAMED' };
  const attestations = req.attestations ?? [];
  const covers = lb.namedSubjects === undefined || lb.namedSubjects >= subjects.count;
  const validOrder = (basis === 'JUDICIAL_WARRANT' || basis === 'COURT_ORDER') && lb.judgeSigned === true
    && typeof lb.court === 'string' && lb.court.length > 0 && notExpired(lb.expires, req.receivedAt)
    && !(opts.upperCaseTimesOnly === true && lb.expires !== undefined && /[tz]/.test(lb.expires + req.receivedAt)) && covers;
  const judicialProcess = validOrder || ((basis === 'JUDICIAL_SUBPOENA' || basis === 'GRAND_JURY_SUBPOENA') && covers);
  const subjectAuthorized = basis === 'SUBJECT_AUTHORIZATION' && lb.verified === true && subjects.selection === 'NAMED' && subjects.count === 1;
  const cityDept = CITY_DEPARTMENTS.includes(agency);
  return {
    req, agency, purpose, lb, basis, subjects, attestations, covers, validOrder, judicialProcess, subjectAuthorized, cityDept,
    channel: req.channel ?? 'RECORD_REQUEST',
    system: req.system,
    fields: [...new Set(req.fields)],
    enforcement: ENFORCEMENT.includes(agency),
    immigrationPurpose: IMMIGRATION_PURPOSES.includes(purpose),
    criminalPurpose: purpose === 'CRIMINAL_INVESTIGATION' || purpose === 'CRIMINAL_CASE_PROCESSING',
    legalProcess: judicialProcess || (basis === 'ADMIN_SUBPOENA' && covers),
    partner: PROGRAM_PARTNERS.includes(agency),
    outside: subjectAuthorized ? false : req.system === 'municipal_id' ? agency !== 'CITY_CLERK' : !cityDept,
    recordLevel: subjects.selection !== 'AGGREGATE',
    listed: validOrder ? (lb.listedFields ?? []) : [],
    hasDua: basis === 'DATA_USE_AGREEMENT' || attestations.includes('DATA_USE_AGREEMENT'),
    preventionReq: PREVENTION_PURPOSES.includes(purpose) || PREVENTION_AGENCIES.includes(agency),
  };
}

export function oracle(input: OracleRequest, opts: OracleOptions = {}): OracleDecision {
  const t = terms(input, opts);
  const { req, agency, purpose, basis, subjects, channel, system, fields, enforcement, immigrationPurpose, criminalPurpose, validOrder,
    judicialProcess, legalProcess, subjectAuthorized, cityDept, partner, outside, recordLevel, listed, hasDua, preventionReq } = t;
  const attest = t.attestations;
  const cls = (f: string): FieldClass => SYSTEMS[system]![f]!;

  const matched = new Set<string>(['R25']);
  const m = (id: string, cond: boolean) => { if (cond) matched.add(id); return cond; };

  // ---- match conditions
  const r1 = m('R1', immigrationPurpose);
  const r2 = m('R2', enforcement);
  const r3 = m('R3', ADMIN_IMMIGRATION_DOCS.includes(basis));
  const r4 = m('R4', validOrder);
  const r4Review = r4 && (immigrationPurpose || enforcement || system === 'municipal_id');
  const r5 = m('R5', basis === 'ADMIN_SUBPOENA');
  const r6 = m('R6', basis === 'JUDICIAL_SUBPOENA' || basis === 'GRAND_JURY_SUBPOENA');
  const classA = fields.filter((f) => cls(f) === 'A');
  const r7 = m('R7', classA.length > 0 && !subjectAuthorized);
  const r7Review = r7 && outside && validOrder && classA.some((f) => listed.includes(f));
  const r8 = m('R8', fields.length > 0 && fields.every((f) => f === 'citizenship' || f === 'immigration_status')
    && (basis === 'STATUTE_1373' || purpose === 'STATUS_INQUIRY_1373'));
  const r9 = m('R9', channel === 'PUBLIC_RECORDS');
  const r9Review = r9 && (enforcement || immigrationPurpose);
  const r9Grants = r9 && !r9Review;
  const publicFields = PUBLIC_FIELDS[system] ?? [];
  const r9GrantsRequested = r9Grants && fields.some((f) => publicFields.includes(f));
  const r20 = ['RESEARCH', 'JOURNALISM', 'OVERSIGHT_REPORTING'].includes(purpose);
  const r20Deid = r20 && recordLevel && hasDua;
  const bulk = recordLevel && (subjects.selection === 'ATTRIBUTE' || subjects.selection === 'ALL' || subjects.count > (enforcement ? 1 : 25));
  const r10 = m('R10', bulk && !(subjects.selection === 'NAMED' && legalProcess) && !r20Deid && !r9GrantsRequested);
  const r9Only = bulk && r9GrantsRequested;
  const r11 = m('R11', ((channel === 'STANDING_FEED' || channel === 'DIRECT_DB_ACCESS') && !cityDept)
    || (basis === 'DATA_SHARING_AGREEMENT' && (enforcement || FEDERAL_CRIMINAL.includes(agency) || PREVENTION_AGENCIES.includes(agency) || agency === 'FOREIGN_GOVERNMENT')));
  const r12 = m('R12', recordLevel && preventionReq);
  if (!recordLevel && preventionReq && opts.r12CitesAggregates === true) matched.add('R12');
  const r13Fields = recordLevel && outside ? fields.filter((f) => cls(f) === 'B') : [];
  m('R13', r13Fields.length > 0);
  const r14 = m('R14', system === 'municipal_id');
  const r14Deny = r14 && outside && !partner && !judicialProcess;
  const r14Review = r14 && outside && !partner && judicialProcess;
  const callerFields = fields.filter((f) => CALLER_IDENTITY.includes(f));
  const r15 = m('R15', callerFields.length > 0);
  const r16 = m('R16', FEDERAL_CRIMINAL.includes(agency) && !immigrationPurpose);
  const r16Review = r16 && !validOrder;
  const r17 = m('R17', LOCAL_LE.includes(agency));
  const r17Grant = r17 && criminalPurpose && !validOrder && attest.includes('NO_ONWARD_IMMIGRATION_SHARING');
  const r17Deny = r17 && !(criminalPurpose && validOrder) && !r17Grant;
  const r18 = m('R18', cityDept || partner);
  const r18Deny = r18 && purpose === 'STATUS_VERIFICATION';
  const r19 = m('R19', COURTS_PROSECUTORS.includes(agency) && purpose === 'CRIMINAL_CASE_PROCESSING');
  m('R20', r20);
  const r21 = m('R21', subjectAuthorized && system !== 'audit');
  const r22 = m('R22', req.requester.verified !== true);
  const r23 = m('R23', fields.some((f) => CUSTODY_FIELDS.includes(f)) && (enforcement || immigrationPurpose));
  const r24 = m('R24', agency === 'FOREIGN_GOVERNMENT' && purpose !== 'CRIMINAL_INVESTIGATION');
  const r27 = m('R27', system === 'parking' && (immigrationPurpose || enforcement));

  const rules = () => [...matched].sort((a, b) => ORDER(a) - ORDER(b));
  const hold = (decision: Outcome, stage: number): OracleDecision => ({ decision, released: [], withheld: [...fields].sort(), rules: rules(), stage });

  // ---- stages 1-8
  if (r22) return hold('DENY', 1);
  if (r11 || r12 || r24 || r27 || r3 || r23) return hold('DENY', 2);
  if (r8) return hold('REVIEW', 3);
  if (r9Review) return hold('REVIEW', 4);
  if (r10) return hold('DENY', 5);
  if (r1 || r2) return hold(legalProcess ? 'REVIEW' : 'DENY', 6);
  if (r14Deny || r17Deny || r18Deny) return hold('DENY', 7);
  if (r5 || r6 || r4Review || r7Review || r14Review || r16Review) return hold('REVIEW', 8);

  // ---- stage 9: grants
  const grants: Grant[] = [];
  const all = Object.keys(SYSTEMS[system]!);
  // A grant whose definition names no field of this system (R9 on municipal_id, an order listing nothing, R18 to a
  // partner off municipal_id) is no grant at all.
  const grant = (rule: string, release: string[], transform: string[] = []) => {
    if (!release.some((f) => all.includes(f)) && !transform.some((f) => all.includes(f))) return;
    grants.push({ rule, release: new Set(release.filter((f) => fields.includes(f))), transform: new Set(transform.filter((f) => fields.includes(f))) });
  };
  const ofClass = (...c: FieldClass[]) => all.filter((f) => c.includes(cls(f)));
  if (r4 && !r4Review) grant('R4', listed);
  if (r9Grants) grant('R9', publicFields);
  if (r14 && partner) grant('R14', PROGRAM_FIELDS[agency]!);
  if (r17Grant) grant('R17', ofClass('C', 'D'));
  if (r18 && !r18Deny) {
    if (cityDept && agency !== 'CITY_COUNCIL') grant('R18', ofClass(...(purpose === 'SERVICE_DELIVERY' ? ['B', 'C', 'D'] as const : ['C', 'D'] as const)));
    if (partner) grant('R18', system === 'municipal_id' ? PROGRAM_FIELDS[agency]! : []);
  }
  if (r19) grant('R19', all.filter((f) => cls(f) !== 'A' && cls(f) !== 'B' && !CALLER_IDENTITY.includes(f)));
  if (r20 && !recordLevel) grant('R20', all);
  if (r20Deid) grant('R20', ofClass('D', 'E').filter((f) => !LOCATING.includes(f)), LOCATING);
  if (r21) grant('R21', all);

  // Restrictions the rules put on every grant.
  let effective = grants;
  if (r9Only) effective = effective.filter((g) => g.rule === 'R9'); // R10: "R9's grant is the only grant"
  if (!recordLevel && preventionReq) effective = effective.filter((g) => g.rule === 'R20'); // R12: "aggregates only through R20"
  if (r14 && partner && opts.r14CapsOwnGrantOnly !== true) { // R14: "a program partner: a grant of its program fields only"
    const pf = PROGRAM_FIELDS[agency]!;
    effective = effective.map((g) => ({ ...g, release: new Set([...g.release].filter((f) => pf.includes(f))), transform: new Set([...g.transform].filter((f) => pf.includes(f))) }));
  }

  const coveringSomething = effective.some((g) => g.release.size > 0 || g.transform.size > 0);
  const noGrant = opts.r26WhenNothingCovered ? !coveringSomething : effective.length === 0;
  if (noGrant) { matched.add('R26'); return hold('DENY', 10); }

  const withheldBy = (f: string) => (r7 && cls(f) === 'A') || (r13Fields.includes(f) && !listed.includes(f)) || CALLER_IDENTITY.includes(f);
  const released = fields.filter((f) => effective.some((g) => g.release.has(f)) && !withheldBy(f)).sort();
  const withheld = fields.filter((f) => !released.includes(f)).sort();
  if (released.length === 0) {
    const callerCovered = r15 && callerFields.some((f) => effective.some((g) => g.release.has(f)));
    return { decision: callerCovered ? 'REVIEW' : 'DENY', released, withheld, rules: rules(), stage: 9, grants: effective.map((g) => g.rule) };
  }
  return { decision: withheld.length === 0 ? 'ALLOW' : 'ALLOW_REDACTED', released, withheld, rules: rules(), stage: 9, grants: effective.map((g) => g.rule) };
}

// ---------------------------------------------------------------------------------------------------------------
// Request generator (fast-check), weighted toward realistic combinations and the thresholds of R10.


export const RECEIVED_AT = '2026-12-01T15:00:00Z';
const EXPIRIES = ['2030-06-30', '2026-12-01', '2026-11-30', '2026-12-02', RECEIVED_AT, '2026-12-01T14:59:59Z', '2026-12-01T15:00:01Z',
  '2026-12-01T16:00:00+02:00', '2026-12-01T10:30:00-05:00', '2025-01-01T00:00:00Z', '2026-12-01T15:00:00.000Z', '2026-12-01T15:00:00.5Z',
  '2026-12-01t16:00:00z', '2026-12-02T04:00:00Z'];
const COUNTS = [0, 1, 1, 1, 2, 3, 9, 10, 24, 25, 26, 27, 100, 80000];

const agencyArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...ENFORCEMENT) },
  { weight: 3, arbitrary: fc.constantFrom(...FEDERAL_CRIMINAL) },
  { weight: 2, arbitrary: fc.constantFrom(...PREVENTION_AGENCIES) },
  { weight: 3, arbitrary: fc.constantFrom(...LOCAL_LE) },
  { weight: 4, arbitrary: fc.constantFrom(...CITY_DEPARTMENTS) },
  { weight: 2, arbitrary: fc.constantFrom(...PROGRAM_PARTNERS) },
  { weight: 2, arbitrary: fc.constantFrom('MN_COURT', 'COUNTY_ATTORNEY') },
  { weight: 4, arbitrary: fc.constantFrom(...OTHER_AGENCIES) },
  { weight: 1, arbitrary: fc.constantFrom('SPACE_AGENCY', 'ice_ero', 'CITY_PARKS', '') },
);
const purposeArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...IMMIGRATION_PURPOSES) },
  { weight: 2, arbitrary: fc.constantFrom(...PREVENTION_PURPOSES) },
  { weight: 6, arbitrary: fc.constantFrom(...OTHER_PURPOSES) },
  { weight: 1, arbitrary: fc.constantFrom('BIRDWATCHING', 'research', '') },
);
const basisTypeArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom('JUDICIAL_WARRANT', 'COURT_ORDER') },
  { weight: 2, arbitrary: fc.constantFrom('JUDICIAL_SUBPOENA', 'GRAND_JURY_SUBPOENA', 'ADMIN_SUBPOENA') },
  { weight: 2, arbitrary: fc.constantFrom('SUBJECT_AUTHORIZATION') },
  { weight: 1, arbitrary: fc.constantFrom('DATA_USE_AGREEMENT', 'DATA_SHARING_AGREEMENT', 'STATUTE_1373') },
  { weight: 4, arbitrary: fc.constantFrom(...BASIS_TYPES) },
  { weight: 1, arbitrary: fc.constantFrom('MAGIC_WARRANT', 'court_order') },
);

function opt<T>(arb: fc.Arbitrary<T>, freq = 3): fc.Arbitrary<T | undefined> {
  return fc.option(arb, { nil: undefined, freq });
}

function legalBasisArb(systemFields: string[]): fc.Arbitrary<OracleRequest['legalBasis']> {
  return fc.record({
    type: basisTypeArb,
    court: opt(fc.constantFrom('U.S. District Court, D. Minn.', 'Hennepin County District Court', ''), 4),
    judgeSigned: opt(fc.boolean(), 4),
    verified: opt(fc.boolean(), 4),
    expires: opt(fc.constantFrom(...EXPIRIES), 2),
    namedSubjects: opt(fc.constantFrom(...COUNTS), 2),
    listedFields: opt(fc.subarray(systemFields), 2),
  }).map((lb) => Object.fromEntries(Object.entries(lb).filter(([, v]) => v !== undefined)) as OracleRequest['legalBasis']);
}

const RECEIVED_ATS = [RECEIVED_AT, RECEIVED_AT, RECEIVED_AT, RECEIVED_AT, '2026-12-01T23:30:00-05:00', '2026-12-02T00:00:00Z',
  '2026-12-01T15:00:00.500Z', '2026-11-30T23:59:59.999Z', '2026-12-01t15:00:00z'];
const strip = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

function randomRequestArb(system: string): fc.Arbitrary<OracleRequest> {
  const systemFields = Object.keys(SYSTEMS[system]!);
  return fc.record({
    requester: fc.record({ agency: agencyArb, verified: fc.oneof({ weight: 12, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }) }),
    purpose: fc.record({ code: purposeArb }),
    legalBasis: opt(legalBasisArb(systemFields), 6),
    channel: opt(fc.constantFrom('RECORD_REQUEST', 'RECORD_REQUEST', 'PUBLIC_RECORDS', 'PUBLIC_RECORDS', 'STANDING_FEED', 'DIRECT_DB_ACCESS', 'FAX'), 4),
    system: fc.constant(system),
    fields: fieldsArb(systemFields),
    subjects: opt(fc.record({
      count: fc.constantFrom(...COUNTS),
      selection: fc.constantFrom('NAMED', 'NAMED', 'NAMED', 'ATTRIBUTE', 'ALL', 'AGGREGATE', 'AGGREGATE', 'SAMPLE'),
    }), 4),
    attestations: opt(fc.subarray([...ATTESTATIONS, 'PINKY_SWEAR']), 2),
    receivedAt: fc.constantFrom(...RECEIVED_ATS),
  }).map((r) => strip(r) as unknown as OracleRequest);
}

function fieldsArb(systemFields: string[]): fc.Arbitrary<string[]> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.shuffledSubarray(systemFields, { minLength: 1, maxLength: 3 }) },
    { weight: 2, arbitrary: fc.shuffledSubarray(systemFields, { minLength: 1 }) },
  );
}

/** A valid (or nearly valid) judicial order: the knobs that make it invalid are each flipped now and then. */
function orderArb(systemFields: string[], count: number): fc.Arbitrary<NonNullable<OracleRequest['legalBasis']>> {
  return fc.record({
    type: fc.constantFrom('JUDICIAL_WARRANT', 'COURT_ORDER'),
    court: fc.oneof({ weight: 9, arbitrary: fc.constant('U.S. District Court, D. Minn.') }, { weight: 1, arbitrary: fc.constantFrom('', undefined) }),
    judgeSigned: fc.oneof({ weight: 9, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constantFrom(false, undefined) }),
    expires: opt(fc.constantFrom(...EXPIRIES), 3),
    namedSubjects: opt(fc.constantFrom(count, count, count + 1, Math.max(0, count - 1)), 2),
    listedFields: fc.oneof({ weight: 6, arbitrary: fc.subarray(systemFields) }, { weight: 1, arbitrary: fc.constant(undefined) }),
  }).map(strip);
}

/** Realistic profiles: who usually asks for what, on which basis. */
function profileArb(system: string): fc.Arbitrary<OracleRequest> {
  const systemFields = Object.keys(SYSTEMS[system]!);
  const subjectsArb = fc.record({
    count: fc.constantFrom(...COUNTS),
    selection: fc.constantFrom('NAMED', 'NAMED', 'NAMED', 'ATTRIBUTE', 'ALL', 'AGGREGATE'),
  });
  const base = (agency: fc.Arbitrary<string>, purpose: fc.Arbitrary<string>, basis: fc.Arbitrary<OracleRequest['legalBasis'] | undefined>,
    extra: { channel?: fc.Arbitrary<string | undefined>; attestations?: fc.Arbitrary<string[] | undefined>; subjects?: fc.Arbitrary<OracleRequest['subjects'] | undefined> } = {}) =>
    fc.record({
      requester: fc.record({ agency, verified: fc.oneof({ weight: 20, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }) }),
      purpose: fc.record({ code: purpose }),
      legalBasis: basis,
      channel: extra.channel ?? opt(fc.constantFrom('RECORD_REQUEST', 'PUBLIC_RECORDS'), 1),
      system: fc.constant(system),
      fields: fieldsArb(systemFields),
      subjects: extra.subjects ?? opt(subjectsArb, 4),
      attestations: extra.attestations ?? opt(fc.subarray([...ATTESTATIONS]), 1),
      receivedAt: fc.constantFrom(...RECEIVED_ATS),
    }).map((r) => strip(r) as unknown as OracleRequest);
  const named = (n: number) => fc.constant({ count: n, selection: 'NAMED' });
  const withOrder = (agency: fc.Arbitrary<string>, purpose: fc.Arbitrary<string>) =>
    fc.constantFrom(1, 1, 3, 26).chain((n) => base(agency, purpose, orderArb(systemFields, n), { subjects: fc.oneof(named(n), subjectsArb) }));
  const anyPurpose = fc.oneof(purposeArb, fc.constantFrom('CRIMINAL_INVESTIGATION', 'CRIMINAL_CASE_PROCESSING'));
  return fc.oneof(
    // city departments at work
    base(fc.constantFrom(...CITY_DEPARTMENTS), fc.constantFrom('SERVICE_DELIVERY', 'CODE_ENFORCEMENT', 'CRIMINAL_INVESTIGATION', 'CRIMINAL_CASE_PROCESSING', 'OVERSIGHT_REPORTING', 'STATUS_VERIFICATION', 'CVE'),
      opt(fc.constantFrom({ type: 'INTERNAL_ASSIGNMENT' }, { type: 'NONE' }, { type: 'CASE_FILE' }), 2)),
    // program partners
    base(fc.constantFrom(...PROGRAM_PARTNERS), fc.constantFrom('SERVICE_DELIVERY', 'RESEARCH', 'STATUS_VERIFICATION', 'MARKETING'),
      opt(fc.constantFrom({ type: 'PROGRAM_AGREEMENT' }, { type: 'DATA_USE_AGREEMENT' }), 2)),
    // local law enforcement, with and without the attestation
    base(fc.constantFrom(...LOCAL_LE), fc.constantFrom('CRIMINAL_INVESTIGATION', 'CRIMINAL_CASE_PROCESSING', 'RELEASE_NOTIFICATION', 'CODE_ENFORCEMENT'),
      opt(fc.constantFrom({ type: 'STATE_CRIMINAL_PROCESS' }, { type: 'NONE' }, { type: 'JUDICIAL_SUBPOENA' }), 2),
      { attestations: opt(fc.subarray(['NO_ONWARD_IMMIGRATION_SHARING', 'NO_ONWARD_IMMIGRATION_SHARING', 'DATA_USE_AGREEMENT']), 4) }),
    // judicial orders from anyone
    withOrder(agencyArb, anyPurpose),
    withOrder(fc.constantFrom(...FEDERAL_CRIMINAL, ...LOCAL_LE, 'MN_COURT', 'PRIVATE_COMPANY', 'PUBLIC'), fc.constantFrom('CRIMINAL_INVESTIGATION', 'CRIMINAL_CASE_PROCESSING', 'CIVIL_LITIGATION')),
    // courts and prosecutors
    base(fc.constantFrom(...COURTS_PROSECUTORS), fc.constantFrom('CRIMINAL_CASE_PROCESSING', 'CRIMINAL_CASE_PROCESSING', 'CIVIL_LITIGATION'),
      opt(fc.constantFrom({ type: 'COURT_RULE' }, { type: 'CASE_FILE' }), 2)),
    // research, journalism, oversight
    base(fc.constantFrom('RESEARCHER', 'JOURNALIST', 'CITY_COUNCIL', 'PUBLIC', 'FBI', 'DHS_CP3', 'METRO_TRANSIT'), fc.constantFrom('RESEARCH', 'JOURNALISM', 'OVERSIGHT_REPORTING'),
      opt(fc.constantFrom({ type: 'DATA_USE_AGREEMENT' }, { type: 'PUBLIC_RECORDS_REQUEST' }, { type: 'ORDINANCE_REPORTING_DUTY' }), 3),
      { attestations: opt(fc.subarray(['DATA_USE_AGREEMENT', 'IRB_APPROVAL']), 3) }),
    // the subject, a representative or an agency acting on a signed release
    base(fc.oneof(fc.constantFrom('DATA_SUBJECT', 'SUBJECT_REPRESENTATIVE', 'USCIS'), agencyArb), purposeArb,
      fc.record({ type: fc.constant('SUBJECT_AUTHORIZATION'), verified: fc.oneof({ weight: 8, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constantFrom(false, undefined) }) }).map(strip),
      { subjects: fc.oneof({ weight: 6, arbitrary: opt(named(1), 3) }, { weight: 1, arbitrary: subjectsArb }) }),
    // public records requests
    base(agencyArb, purposeArb, opt(fc.constant({ type: 'PUBLIC_RECORDS_REQUEST' }), 3), { channel: fc.constant('PUBLIC_RECORDS') }),
    // 8 U.S.C. 1373 status inquiries (R8)
    base(agencyArb, fc.constantFrom('STATUS_INQUIRY_1373', 'STATUS_VERIFICATION', 'CRIMINAL_INVESTIGATION'),
      opt(fc.constantFrom({ type: 'STATUTE_1373' }, { type: 'NONE' }, { type: 'SUBJECT_AUTHORIZATION', verified: true }), 4))
      .map((r) => (r.system === 'municipal_id' ? { ...r, fields: r.fields.length % 3 === 0 ? ['citizenship'] : r.fields.length % 3 === 1 ? ['immigration_status', 'citizenship'] : [...r.fields, 'citizenship'].filter((f, i, a) => a.indexOf(f) === i) } : r)),
    // bulk requests around the R10 exceptions: named subjects with process, data use agreements, public records
    fc.constantFrom(26, 27, 100, 80000).chain((n) => base(agencyArb, purposeArb,
      fc.oneof(orderArb(systemFields, n), fc.constantFrom({ type: 'ADMIN_SUBPOENA', namedSubjects: n }, { type: 'JUDICIAL_SUBPOENA' }, { type: 'DATA_USE_AGREEMENT' }, { type: 'PUBLIC_RECORDS_REQUEST' }, { type: 'INTERNAL_ASSIGNMENT' })),
      { subjects: fc.record({ count: fc.constantFrom(n, 2), selection: fc.constantFrom('NAMED', 'ATTRIBUTE', 'ALL') }), channel: opt(fc.constant('PUBLIC_RECORDS'), 1) })),
    // enforcement with process
    base(fc.constantFrom(...ENFORCEMENT, 'ICE_HSI'), fc.oneof(fc.constantFrom(...IMMIGRATION_PURPOSES), fc.constantFrom('STATUS_INQUIRY_1373', 'CRIMINAL_INVESTIGATION')),
      fc.oneof(legalBasisArb(systemFields), fc.constantFrom({ type: 'ADMIN_SUBPOENA' }, { type: 'STATUTE_1373' }, { type: 'ADMIN_WARRANT_I200' }))),
  );
}

/** A request in the conformance input format (without requestId); every key optional in the format is sometimes absent. */
export const requestArb: fc.Arbitrary<OracleRequest> = fc.constantFrom(...Object.keys(SYSTEMS)).chain((system) =>
  fc.oneof({ weight: 2, arbitrary: randomRequestArb(system) }, { weight: 3, arbitrary: profileArb(system) }));
