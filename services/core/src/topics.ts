/** Topic names, defined once. Every topic is keyed by request id. */
export const topics = {
  requests: 'firewall.requests.v1',
  decisions: 'firewall.decisions.v1',
  rejections: 'firewall.rejections.v1',
  deadLetters: 'firewall.dlq.v1',
  /** The signed chain: an entry here is durable (see schemas/firewall/audit-entry.avsc). */
  audit: 'firewall.audit.v1',
  releases: 'firewall.releases.v1',
  reviews: 'firewall.reviews.v1',
  /** Uses of the audit API and the review desk, granted or refused (chained as ACCESS entries). */
  access: 'firewall.access.v1',
} as const;

export type TopicName = (typeof topics)[keyof typeof topics];

/** Topics that carry no firewall message: the ledger writers' lock (its one partition is the right to write). */
export const internalTopics = {
  ledgerLock: 'firewall.ledger-lock.v1',
  /** Signed Merkle tree heads of the audit chain (JSON lines as in checkpoints.ndjson), written with the entries. */
  checkpoints: 'firewall.checkpoints.v1',
} as const;

/** Topic settings that differ from the default (3 partitions): the chain is one ordered, never-expiring log. */
export const topicSettings: Record<string, { partitions: number; config?: Record<string, string> }> = {
  [topics.audit]: { partitions: 1, config: { 'retention.ms': '-1', 'retention.bytes': '-1', 'cleanup.policy': 'delete' } },
  [internalTopics.ledgerLock]: { partitions: 1 },
  [internalTopics.checkpoints]: { partitions: 1, config: { 'retention.ms': '-1', 'retention.bytes': '-1', 'cleanup.policy': 'delete' } },
};

/** Header keys, defined once. */
export const headers = {
  schema: 'pf-schema',
} as const;

/**
 * A namespace puts one firewall's topics and consumer groups beside another's on a shared cluster (a test run,
 * a staging copy): `<namespace>.<name>`. Without one, the names are used as they are.
 */
export function inNamespace(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}.${name}` : name;
}
