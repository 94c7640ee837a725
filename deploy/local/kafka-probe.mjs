// Readiness probe for deploy/local/kafka.sh: one metadata round trip through kafkajs (the repo's own
// node_modules), so "ready" means a client can really talk to the broker, not only that the port is open.
//
// usage: node deploy/local/kafka-probe.mjs [brokers=127.0.0.1:19092] [timeoutMs=5000]
// exit 0: the broker answered a metadata request; 1: it did not (reason on stderr); 2: kafkajs is missing.

const [brokerList = '127.0.0.1:19092', timeoutArg = '5000'] = process.argv.slice(2);
const timeoutMs = Number(timeoutArg);

let kafkajs;
try {
  kafkajs = (await import('kafkajs')).default;
} catch (err) {
  console.error(`kafkajs is not installed (run npm ci at the repo root): ${err.message}`);
  process.exit(2);
}

const { Kafka, logLevel } = kafkajs;
const kafka = new Kafka({
  clientId: 'kafka-sh-probe',
  brokers: brokerList.split(','),
  logLevel: logLevel.NOTHING,
  connectionTimeout: Math.min(timeoutMs, 3000),
  requestTimeout: timeoutMs,
  retry: { retries: 0 },
});
const admin = kafka.admin();

const timer = setTimeout(() => {
  console.error(`no metadata answer within ${timeoutMs} ms`);
  process.exit(1);
}, timeoutMs);

try {
  await admin.connect();
  const cluster = await admin.describeCluster();
  if (cluster.brokers.length === 0) throw new Error('metadata answered with no brokers');
  await admin.listTopics();
  clearTimeout(timer);
  await admin.disconnect();
  process.exit(0);
} catch (err) {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
}
