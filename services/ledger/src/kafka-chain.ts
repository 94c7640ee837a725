import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { avroCodec, inNamespace, internalTopics, topics, type AuditEntry } from '@firewall/core';
import { sha256Hex, canonicalJson } from './canonical.js';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GENESIS_HASH, serializeLine, type LedgerEntry } from './entry.js';
import { CHECKPOINTS_FILE, JWKS_FILE, segmentName } from './layout.js';
import { parseCheckpointLine } from './checkpoint.js';
import { MerkleFrontier, leafHash } from './merkle.js';
import type { Jwks } from './signer/signer.js';
import { LedgerError } from './errors.js';

/** The head of the chain: the last committed entry's position and hash (-1 / genesis when empty). */
export interface ChainHead {
  readonly seq: number;
  readonly hash: string;
}

export const genesisHead: ChainHead = { seq: -1, hash: GENESIS_HASH };

/**
 * Reads every committed entry of firewall.audit.v1 (one partition, read_committed) up to the end of the log as it
 * was when the call started, in order.
 */
export async function readAuditTopic(kafka: Kafka, onEntry: (entry: AuditEntry) => void, options: { timeoutMs?: number; namespace?: string } = {}): Promise<number> {
  return readTopicToEnd(kafka, inNamespace(options.namespace, topics.audit), async (value) => onEntry(await avroCodec.decode(topics.audit, value)), options);
}

/** Reads every committed message of a one-partition topic up to its end as of the call, in order. */
export async function readTopicToEnd(kafka: Kafka, topic: string, onValue: (value: Buffer) => void | Promise<void>, options: { timeoutMs?: number } = {}): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  let high: number;
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    high = Math.max(0, ...offsets.map((o) => Number(o.high)));
  } finally {
    await admin.disconnect();
  }
  if (high === 0) return 0;
  const consumer = kafka.consumer({ groupId: `firewall-ledger-reader-${randomUUID()}`, readUncommitted: false, maxWaitTimeInMs: 200 });
  let count = 0;
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new LedgerError('PF_LEDGER_CORRUPT', `Timed out reading ${topic}.`)), options.timeoutMs ?? 120_000);
      // Also emitted for batches that held only transaction markers: their last offset tells when we reached the end.
      consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
        if (Number(payload.lastOffset) + 1 >= high) {
          clearTimeout(timer);
          resolve();
        }
      });
      consumer.run({
        autoCommit: false,
        eachMessage: async ({ message }) => {
          await onValue(message.value ?? Buffer.alloc(0));
          count++;
        },
      }).catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return count;
}

/**
 * The head of the committed chain, its last entry's hash checked. Called by the active writer right after it has
 * fenced any earlier writer, so no transaction is left open and the end of the log is stable.
 */
export async function recoverHead(kafka: Kafka, namespace?: string): Promise<{ head: ChainHead; entries: number; frontier: MerkleFrontier; checkpointed: number }> {
  let last: AuditEntry | undefined;
  const frontier = new MerkleFrontier();
  const count = await readAuditTopic(kafka, (entry) => {
    last = entry;
    frontier.append(leafHash(entry.hash));
  }, { namespace });
  let checkpointed = 0;
  await readTopicToEnd(kafka, inNamespace(namespace, internalTopics.checkpoints), (value) => {
    checkpointed = Math.max(checkpointed, parseCheckpointLine(value.toString('utf8')).checkpoint.size);
  });
  if (!last) return { head: genesisHead, entries: 0, frontier, checkpointed };
  checkEntry(last, count - 1);
  return { head: { seq: last.seq, hash: last.hash }, entries: count, frontier, checkpointed };
}

/**
 * Writes the chain from the audit topic into a ledger folder (entries + the given JWKS), so `firewall verify`
 * checks it offline like an embedded ledger.
 */
export async function exportAuditTopic(kafka: Kafka, dir: string, jwks: Jwks, namespace?: string): Promise<number> {
  const lines: string[] = [];
  const count = await readAuditTopic(kafka, (message) => {
    lines.push(serializeLine({ entry: fromAuditEntry(message) as LedgerEntry, hash: message.hash, jws: message.jws }));
  }, { namespace });
  const checkpoints: string[] = [];
  await readTopicToEnd(kafka, inNamespace(namespace, internalTopics.checkpoints), (value) => void checkpoints.push(value.toString('utf8')));
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, segmentName(0)), lines.length ? `${lines.join('\n')}\n` : '');
  await writeFile(join(dir, CHECKPOINTS_FILE), checkpoints.length ? `${checkpoints.join('\n')}\n` : '');
  await writeFile(join(dir, JWKS_FILE), `${JSON.stringify(jwks, null, 2)}\n`);
  return count;
}

/** The hash must be the hash of the entry it travels with, and its position must match: otherwise refuse to extend. */
function checkEntry(message: AuditEntry, position: number): void {
  const entry = fromAuditEntry(message);
  if (sha256Hex(canonicalJson(entry)) !== message.hash || message.seq !== position) {
    throw new LedgerError('PF_LEDGER_CORRUPT', 'The last entry on the audit topic does not match its hash or position: refusing to extend the chain.');
  }
}

/** The ledger entry an AuditEntry message carries (summary parsed back from its canonical JSON). */
export function fromAuditEntry(message: AuditEntry) {
  return {
    seq: message.seq, prevHash: message.prevHash, type: message.type, requestId: message.requestId ?? null, time: message.time,
    eventDigest: message.eventDigest, policyRevision: message.policyRevision ?? null, summary: JSON.parse(message.summary) as Record<string, unknown>,
  };
}
