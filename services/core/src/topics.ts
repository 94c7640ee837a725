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
} as const;

export type TopicName = (typeof topics)[keyof typeof topics];

/** Header keys, defined once. */
export const headers = {
  schema: 'pf-schema',
} as const;
