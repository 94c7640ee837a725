// Generated from schemas/firewall/*.avsc by scripts/gen-types.ts. Do not edit.

export type AccessAction = 'AUDIT_SEARCH' | 'AUDIT_SUBJECT_HASH' | 'AUDIT_EVIDENCE' | 'REVIEW_SIGN_IN' | 'REVIEW_LIST' | 'REVIEW_VIEW' | 'REVIEW_RESOLVE';

export type AccessOutcome = 'GRANTED' | 'REFUSED';

/** One use of the audit API or the review desk, or one refused attempt at it, published on firewall.access.v1 and chained as an ACCESS ledger entry. Identity, codes, names and counts only: never a subject identifier, a name, a note or any other text. */
export interface AccessEvent {
  /** UUID assigned by the access log. */
  accessId: string;
  /** RFC 3339 time the access was recorded. */
  at: string;
  /** From the verified token or session only; null when the attempt had no verified identity. */
  agency?: null | string;
  /** The verified role (e.g. CITY_ATTORNEY); null when none was verified. */
  role?: null | string;
  /** What was used or attempted. */
  action: AccessAction;
  outcome: AccessOutcome;
  /** The HTTP status answered (below 400 when GRANTED, 400 or above when REFUSED). */
  status: number;
  /** The refusal's error code (PF_...); null when GRANTED. */
  code?: null | string;
  /** Names of the search filters used (e.g. agency, decision, subjectHash), never their values. */
  filters?: string[];
  /** The keyed hash (64 hex) of the subject searched for or looked up; the identifier itself never. */
  subjectHash?: null | string;
  /** The request (review case, evidence) the access concerned, when the firewall knows that id; null otherwise. */
  requestId?: null | string;
  /** How many entries or cases the answer held (search, list); null when not a list. */
  resultCount?: null | number;
}

/** One signed, chained ledger entry as published on firewall.audit.v1 (the durable chain in Kafka mode; in the embedded mode a copy published after the entry is fsynced). A consumer seeing an entry knows it is durable. */
export interface AuditEntry {
  seq: number;
  prevHash: string;
  /** REQUEST_RECEIVED, DECISION, REVIEW, RELEASE, DEAD_LETTER, DRY_RUN, KEY_ROTATION, REJECTED_INPUT, ACCESS (a use of the audit API or the review desk, or a refused attempt) */
  type: string;
  requestId?: null | string;
  time: string;
  /** SHA-256 (hex) of the canonical JSON of the event the entry records. */
  eventDigest: string;
  policyRevision?: null | string;
  /** Canonical JSON of the summary: codes, field names and counts only, never personal data. */
  summary: string;
  hash: string;
  jws: string;
}

/** A message a consumer could not process, kept whole on firewall.dlq.v1 so nothing is lost. */
export interface DeadLetter {
  sourceTopic: string;
  partition: number;
  offset: string;
  key?: null | string;
  /** Machine-readable reason, e.g. PF_BUS_UNDECODABLE. */
  code: string;
  consumer: string;
  /** The original bytes, untouched. */
  payload: Buffer;
  deadLetteredAt: string;
}

export type Outcome = 'ALLOW' | 'ALLOW_REDACTED' | 'DENY' | 'REVIEW';

export type FieldAction = 'release' | 'withhold' | 'transform';

export interface FieldOutcome {
  name: string;
  outcome: FieldAction;
  rules: string[];
  transform?: null | string;
}

export interface RuleCitation {
  id: string;
  title: string;
  sources: string[];
}

export interface Reason {
  rule: string;
  text: string;
}

export interface Alert {
  code: string;
  rule: string;
  fields?: string[];
}

export interface PolicyRef {
  revision: string;
  digest: string;
}

export interface DecisionContext {
  agency: string;
  purpose: string;
  basisType: string;
  channel: string;
  system: string;
  selection: string;
  count: number;
  dryRun?: boolean;
}

/** The policy's decision on one request, published on firewall.decisions.v1. Carries no record values. */
export interface Decision {
  requestId: string;
  decidedAt: string;
  decision: Outcome;
  /** One entry per requested field: released raw, withheld, or transformed. */
  fields: FieldOutcome[];
  released: string[];
  withheld: string[];
  /** Every rule that matched, with its legal sources. */
  rules: RuleCitation[];
  decisive: string[];
  reasons: Reason[];
  alerts: Alert[];
  councilReport: boolean;
  openQuestions?: string[];
  /** The signed bundle that decided: its manifest revision and the SHA-256 of its policy.wasm. */
  policy: PolicyRef;
  /** Set when the decision is a fail-closed DENY because something broke (error code only). */
  failure?: null | string;
  /** Closed-vocabulary facts about the request for audit summaries and metrics; no personal data. */
  context: DecisionContext;
}

export interface Requester {
  agency: string;
  role?: null | string;
  verified: boolean;
}

export interface Purpose {
  code: string;
  text?: null | string;
}

export interface LegalBasis {
  type: string;
  court?: null | string;
  judgeSigned?: null | boolean;
  verified?: null | boolean;
  /** YYYY-MM-DD (valid through that day, UTC) or RFC 3339. */
  expires?: null | string;
  namedSubjects?: null | number;
  listedFields?: null | string[];
  criminalPredicate?: null | string;
  /** The registered legal issuer whose credential supplied every fact above; null when none was verified (then only the type is the requester's, as a routing label, and every fact is absent). Not part of the policy input. */
  verifiedBy?: null | string;
}

export interface Subjects {
  count: number;
  selection: string;
}

/** A request for city records, as the gateway publishes it on firewall.requests.v1. Codes are strings, not enums: an unknown agency, purpose or basis type is not an error, it simply grants nothing (R26). */
export interface RecordRequest {
  /** Assigned by the gateway (or the caller of the bus). */
  requestId: string;
  /** RFC 3339 time the request arrived; the policy's only clock. */
  receivedAt: string;
  /** Who asks. Over HTTP it comes from the verified token, never from the body. */
  requester: Requester;
  purpose: Purpose;
  legalBasis?: null | LegalBasis;
  channel?: null | string;
  system: string;
  fields: string[];
  subjects?: null | Subjects;
  attestations?: null | string[];
  /** Identifiers of the named subjects (card, citation or 311 request numbers) the releaser fetches. Personal data: never logged; the ledger keeps only keyed hashes. */
  subjectIds?: null | string[];
  /** A what-if evaluation for city IT: decided and audited as a dry run, never released. */
  dryRun?: boolean;
  /** A dry run's authenticated caller (from its token): the ledger records the dry run as this agency's, never as the hypothetical requester's. */
  dryRunBy?: null | string;
}

/** A request refused before the policy (bad token, malformed body, rate limit), published on firewall.rejections.v1 so the refusal is audited. Never carries the body. */
export interface RejectedInput {
  rejectionId: string;
  rejectedAt: string;
  code: string;
  status: number;
  agency?: null | string;
  paths?: string[];
  /** How many refusals this message stands for: 1 for an authenticated caller's; refusals before authentication are counted per reason and chained once per interval. */
  count?: number;
}

/** What the releaser delivered for one request (firewall.releases.v1). Records travel only inside `payload`, a compact JWE encrypted to the requester's registered key: nothing on the bus is readable by anyone else. */
export interface Release {
  requestId: string;
  releasedAt: string;
  /** DECISION or REVIEW: which durable ledger entry this release acts on. */
  authority: string;
  /** eventDigest of that ledger entry. */
  authorityDigest: string;
  /** RELEASED, or FAILED (nothing released; see failure). */
  outcome: string;
  /** Error code when nothing could be released (adapter timeout, no key, ...). */
  failure?: null | string;
  recordCount?: number;
  /** Field names delivered raw. */
  fields?: string[];
  /** Field names delivered transformed. */
  transformed?: string[];
  /** Alert codes, e.g. CLASS_A_IN_SOURCE (a source record holds a class A field). */
  alerts?: string[];
  /** Compact JWE of the records for the requester. */
  payload?: null | string;
}

export interface ReviewFindings {
  court?: null | string;
  judgeSigned?: null | boolean;
  verified?: null | boolean;
  /** YYYY-MM-DD (valid through that day, UTC) or RFC 3339. */
  expires?: null | string;
  namedSubjects?: null | number;
  listedFields?: null | string[];
  criminalPredicate?: null | string;
}

/** A reviewer's resolution of a held (REVIEW) request, on firewall.reviews.v1: a new decision, audited as a REVIEW ledger entry, that the releaser then acts on. */
export interface ReviewResolution {
  requestId: string;
  resolvedAt: string;
  /** e.g. CITY_ATTORNEY; never the reviewer's name. */
  reviewerRole: string;
  /** Key id of the reviewer's signing key. */
  reviewerKid: string;
  /** DENY or ALLOW. */
  outcome: string;
  /** Fields allowed; never wider than requested; empty for DENY. */
  fields?: string[];
  /** The legal facts the reviewer verified on the paper document (same meaning as RecordRequest.legalBasis; null = not verified, and the whole record null when the reviewer recorded none). Part of the signed statement; the desk re-decided the request with them, and the ledger records only which facts were given. */
  findings?: null | ReviewFindings;
  /** The reviewer's signed note (compact JWS over the resolution without this field); its digest goes to the ledger, not its text. */
  note: string;
}
