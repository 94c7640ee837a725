/**
 * @firewall/ledger: the tamper-evident audit ledger.
 *
 * Folder layout (`$FIREWALL_DATA_DIR/ledger/`, plain files a person can copy):
 *   entries-<12-digit first seq>.ndjson  one StoredLine { entry, hash, jws } per line, append-only, fdatasync'ed
 *   checkpoints.ndjson                   signed tree heads { checkpoint: { size, root, time, kid }, jws, frontier }
 *   jwks.json                            public keys of every key that signed in the folder
 *   LOCK                                 { pid, host, since } of the one writer while it is open
 *
 * Trust: verify with the JWKS the city published (`{ jwks }`). The folder's own jwks.json only shows the ledger
 * agrees with itself: whoever controls the folder can replace that file and re-sign every entry with their key.
 * Entries removed after the newest checkpoint are invisible from the folder alone: every new signed tree head goes
 * to a witness (witness.ts) with its consistency proof, and `verify` with the witness's heads catches the cut.
 */
export { canonicalBytes, canonicalJson, digestEvent, sha256, sha256Hex } from './canonical.js';
export { ledgerErrorCodes, LedgerError, isLedgerError, type LedgerErrorCode } from './errors.js';
export {
  ENTRY_TYP, GENESIS_HASH, entryHash, entryTypes, parseStoredLine, sealEntry,
  type EntryType, type LedgerEntry, type StoredLine,
} from './entry.js';
export { REDACTED, assertSummary, subjectHash, summarise, summaryKeys, type Summary } from './summary.js';
export { type Ed25519PublicJwk, type Jwks, type SignOptions, type Signer, jwksOf } from './signer/signer.js';
export { createMemorySigner } from './signer/memory-signer.js';
export { loadOrCreateSigningKey, signerFromPkcs8Pem, type LoadKeyOptions } from './signer/file-signer.js';
export { openKeyring, type Keyring } from './signer/keyring.js';
export { KeySet } from './keys.js';
export { CHECKPOINTS_FILE, JWKS_FILE, LOCK_FILE, segmentName } from './layout.js';
export { FileLedger, openLedger, type LedgerOptions, type OpenStatus } from './file-ledger.js';
export type { LedgerEvent } from './ledger-event.js';
export type { TailRepair } from './recovery.js';
export {
  EMPTY_ROOT, MerkleFrontier, consistencyProof, consistencyProofFrom, inclusionProof, leafHash, merkleRoot, nodeHash,
  verifyConsistency, verifyInclusion,
} from './merkle.js';
export {
  CHECKPOINT_TYP, parseCheckpointLine, readTreeHeads, serializeCheckpoint, signCheckpoint, verifyCheckpointConsistency,
  type CheckpointBody, type CheckpointLine,
} from './checkpoint.js';
export { verifyLedgerFolder, verifyPath } from './verify.js';
export {
  EVIDENCE_FORMAT, buildConsistencyProof, buildEvidence, verifyEvidence, verifyEvidenceContent, type Evidence,
} from './evidence.js';
export type { VerifyFailure, VerifyOk, VerifyOptions, VerifyProblem, VerifyResult } from './result.js';
export { benchLedger, type LedgerBench } from './bench.js';
export { startLedgerService, toAuditEntry, type LedgerService, type LedgerServiceDeps } from './service.js';
export { accessSummary, chainedTopics, decisionSummary, ledgerEventFor, releaseSummary, requestSummary, reviewSummary } from './events.js';
export { exportAuditTopic, fromAuditEntry, readAuditTopic, recoverHead, genesisHead, type ChainHead } from './kafka-chain.js';
export { KafkaLedger, type KafkaLedgerOptions, type LedgerRole } from './kafka-ledger.js';
export { ledgerEntries, matches, searchLedger, type AuditPage, type AuditQuery } from './audit-search.js';
export { loadOrCreateSubjectKey } from './subject-key.js';
export {
  FolderWitness, WITNESS_FILE, checkWitnessFolder, readWitnessFile,
  type FolderWitnessOptions, type Witness, type WitnessCheck, type WitnessedLine,
} from './witness.js';
export { WitnessFeed, folderLeaves, type WitnessFeedOptions, type WitnessOutcome } from './witness-feed.js';
