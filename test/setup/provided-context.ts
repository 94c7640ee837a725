// Values the integration project's global setup (kafka-global-setup.ts) hands to tests.
// Read them in a test file with vitest's inject(): `inject('kafkaBrokers')`, or through
// test/helpers/kafka.ts (testBrokers(), testKafka()).
declare module 'vitest' {
  export interface ProvidedContext {
    /** Bootstrap brokers of the real Kafka broker under test, e.g. ['127.0.0.1:19092']. */
    kafkaBrokers: string[];
  }
}

export {};
