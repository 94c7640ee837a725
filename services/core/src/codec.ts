import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { BusError } from './errors.js';
import { topicTypes, type TopicMessages } from './schemas.js';
import type { TopicName } from './topics.js';

/** Encodes and decodes the message of each topic with its Avro schema. */
export interface Codec {
  encode<T extends TopicName>(topic: T, value: TopicMessages[T]): Promise<Buffer>;
  decode<T extends TopicName>(topic: T, bytes: Buffer): Promise<TopicMessages[T]>;
}

/** Plain Avro binary, schema known from the topic: no registry needed (embedded mode, local broker). */
export const avroCodec: Codec = {
  async encode(topic, value) {
    return topicTypes[topic].toBuffer(value);
  },
  async decode(topic, bytes) {
    try {
      return topicTypes[topic].fromBuffer(bytes) as never;
    } catch (cause) {
      throw new BusError('PF_BUS_UNDECODABLE', `A message on ${topic} does not decode with its schema.`, { cause });
    }
  },
};

/**
 * Confluent wire format through a schema registry (Apicurio or Confluent): each topic's schema is registered
 * under `<topic>-value`, so other consumers can read the topics without this code.
 */
export async function createRegistryCodec(url: string): Promise<Codec> {
  const registry = new SchemaRegistry({ host: url });
  const ids = new Map<TopicName, number>();
  for (const [topic, type] of Object.entries(topicTypes) as [TopicName, (typeof topicTypes)[TopicName]][]) {
    const { id } = await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(type.schema()) }, { subject: `${topic}-value` });
    ids.set(topic, id);
  }
  return {
    async encode(topic, value) {
      return registry.encode(ids.get(topic)!, value);
    },
    async decode(topic, bytes) {
      try {
        const decoded = (await registry.decode(bytes)) as unknown;
        // Re-check against our own schema: a message registered under another schema is not ours to trust.
        return topicTypes[topic].fromBuffer(topicTypes[topic].toBuffer(decoded)) as never;
      } catch (cause) {
        throw new BusError('PF_BUS_UNDECODABLE', `A message on ${topic} does not decode through the registry.`, { cause });
      }
    },
  };
}
