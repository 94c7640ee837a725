// Global setup of the vitest "integration" project: makes sure a real Kafka broker answers, then provides its
// bootstrap list to the tests as `inject('kafkaBrokers')` (see provided-context.ts).
//
// Where the broker comes from, in order:
//   1. KAFKA_BROKERS (comma-separated host:port): used as is, never started or stopped here.
//   2. A Docker engine that answers (testcontainers): an apache/kafka container, removed in teardown.
//      If the container cannot be started (no image, no registry access), falls back to 3 with a warning.
//   3. deploy/local/kafka.sh: a broker from Maven Central jars on 127.0.0.1:19092 (KAFKA_LOCAL_PORT and
//      KAFKA_LOCAL_CONTROLLER_PORT move it; the address is asked of `kafka.sh bootstrap`). The setup takes a lease
//      (`kafka.sh acquire <pid>`); teardown releases it, which stops the broker only when this harness started
//      it and no other test run still holds a lease. A broker started by hand keeps running.
// KAFKA_TEST_BROKER=local|container forces 3 or 2 (default auto).
//
// Never skips: when no broker answers, setup throws with the reason and the run fails. The wait for an answer
// is adaptive like kafka.sh's: it goes on while the answer changes (refused, then timing out, then errors of
// a broker still electing itself), and gives up after KAFKA_READY_STALL s (60) without change, or
// KAFKA_READY_TIMEOUT s (600) in all.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import type { TestProject } from 'vitest/node';
import type {} from './provided-context.js';

type Teardown = () => Promise<void>;

interface Broker {
  readonly brokers: string[];
  readonly source: string;
  readonly teardown: Teardown;
}

const kafkaScript = fileURLToPath(new URL('../../deploy/local/kafka.sh', import.meta.url));
const kafkaImage = process.env['KAFKA_TEST_IMAGE'] ?? 'apache/kafka:4.1.1';
const seconds = (name: string, fallback: number): number => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number of seconds, not "${process.env[name]}"`);
  return value * 1000;
};
const readyStallMs = seconds('KAFKA_READY_STALL', 60);
const readyCeilingMs = seconds('KAFKA_READY_TIMEOUT', 600);

const log = (message: string): void => {
  process.stderr.write(`[kafka-setup] ${message}\n`);
};

const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export default async function setup(project: TestProject): Promise<Teardown> {
  const started = Date.now();
  const broker = await startBroker();
  try {
    await waitForMetadata(broker.brokers, readyStallMs, readyCeilingMs);
  } catch (err) {
    await broker.teardown().catch((teardownErr: unknown) => log(`teardown failed: ${errorText(teardownErr)}`));
    throw new Error(`Kafka from ${broker.source} (${broker.brokers.join(',')}) is not usable: ${errorText(err)}`, {
      cause: err,
    });
  }
  log(`Kafka ${broker.brokers.join(',')} from ${broker.source}, ready in ${Date.now() - started} ms`);
  project.provide('kafkaBrokers', broker.brokers);
  return broker.teardown;
}

async function startBroker(): Promise<Broker> {
  const fromEnv = process.env['KAFKA_BROKERS']?.trim();
  if (fromEnv) {
    const brokers = fromEnv.split(',').map((b) => b.trim()).filter((b) => b.length > 0);
    return { brokers, source: 'KAFKA_BROKERS', teardown: async () => {} };
  }
  const mode = process.env['KAFKA_TEST_BROKER'] ?? 'auto';
  switch (mode) {
    case 'local':
      return startLocal();
    case 'container':
      return startContainer();
    case 'auto':
      break;
    default:
      throw new Error(`KAFKA_TEST_BROKER must be auto, local or container, not "${mode}"`);
  }
  if (!(await dockerAnswers(5_000))) return startLocal();
  try {
    return await startContainer();
  } catch (containerErr) {
    log(`could not start ${kafkaImage} with testcontainers (${errorText(containerErr)}); using deploy/local/kafka.sh`);
    try {
      return await startLocal();
    } catch (localErr) {
      throw new Error(
        `no Kafka broker could be started. testcontainers: ${errorText(containerErr)}\nkafka.sh: ${errorText(localErr)}`,
        { cause: localErr },
      );
    }
  }
}

async function startLocal(): Promise<Broker> {
  const owner = String(process.pid);
  const result = await runKafkaScript(['acquire', owner]);
  const startedHere = result.trim().endsWith('started');
  const brokers = (await runKafkaScript(['bootstrap'])).trim().split(',');
  log(startedHere ? 'started the local broker (deploy/local/kafka.sh)' : 'using the already running local broker');
  return {
    brokers,
    source: 'deploy/local/kafka.sh',
    teardown: async () => {
      await runKafkaScript(['release', owner]);
    },
  };
}

/** Runs deploy/local/kafka.sh, echoing its progress (stderr) and returning its stdout. */
// Generous: the script may wait for another run's lock (up to 15 min), resolve jars, then wait for progress.
function runKafkaScript(args: string[], timeoutMs = 30 * 60_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [kafkaScript, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      process.stderr.write(chunk);
    });
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`could not run ${kafkaScript}: ${err.message}`, { cause: err }));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(stdout);
      else {
        const why = signal ? `killed by ${signal}` : `exit code ${code}`;
        reject(new Error(`deploy/local/kafka.sh ${args.join(' ')} failed (${why}):\n${stderr.trim()}`));
      }
    });
  });
}

/** True when testcontainers finds a container runtime within timeoutMs. */
async function dockerAnswers(timeoutMs: number): Promise<boolean> {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    const probe = getContainerRuntimeClient().then(
      () => true,
      () => false,
    );
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const answered = await Promise.race([probe, timeout]);
    clearTimeout(timer);
    return answered;
  } catch {
    return false;
  }
}

async function startContainer(): Promise<Broker> {
  const { GenericContainer, Wait, getContainerRuntimeClient } = await import('testcontainers');
  const client = await getContainerRuntimeClient();
  const host = client.info.containerRuntime.host;
  // The advertised listener must name the host port, so the port is chosen before the container starts.
  const port = await freeLocalPort();
  log(`starting ${kafkaImage} with testcontainers on ${host}:${port} ...`);
  const container = await new GenericContainer(kafkaImage)
    .withExposedPorts({ container: 9092, host: port })
    .withEnvironment({
      KAFKA_NODE_ID: '1',
      KAFKA_PROCESS_ROLES: 'broker,controller',
      KAFKA_LISTENERS: 'PLAINTEXT://0.0.0.0:9092,CONTROLLER://127.0.0.1:9093',
      KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://${host}:${port}`,
      KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
      KAFKA_INTER_BROKER_LISTENER_NAME: 'PLAINTEXT',
      KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
      KAFKA_CONTROLLER_QUORUM_VOTERS: '1@127.0.0.1:9093',
      // The same settings as deploy/kafka/server.properties.
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
      KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR: '1',
      KAFKA_OFFSETS_TOPIC_NUM_PARTITIONS: '5',
      KAFKA_TRANSACTION_STATE_LOG_NUM_PARTITIONS: '5',
      KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
      KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
    })
    .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/))
    .withStartupTimeout(180_000)
    .start();
  return {
    brokers: [`${host}:${port}`],
    source: `testcontainers ${kafkaImage}`,
    teardown: async () => {
      await container.stop();
    },
  };
}

function freeLocalPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

/**
 * Polls until the brokers answer a metadata request (describeCluster). Waits while the answer changes, and
 * throws the last error after stallMs without a change or ceilingMs in all.
 */
async function waitForMetadata(brokers: string[], stallMs: number, ceilingMs: number): Promise<void> {
  const begun = Date.now();
  let lastMove = begun;
  let lastError: unknown = new Error('no attempt made');
  let lastSignal = '';
  for (;;) {
    const admin = new Kafka({
      clientId: 'vitest-global-setup',
      brokers,
      logLevel: logLevel.NOTHING,
      connectionTimeout: 3_000,
      retry: { retries: 0 },
    }).admin();
    try {
      await admin.connect();
      const cluster = await admin.describeCluster();
      if (cluster.brokers.length > 0) return;
      lastError = new Error('metadata answered with no brokers');
    } catch (err) {
      lastError = err;
    } finally {
      await admin.disconnect().catch(() => {});
    }
    const now = Date.now();
    // Digits out: a timeout figure in the message is not the broker moving.
    const signal = errorText(lastError).replace(/[0-9]/g, '');
    if (signal !== lastSignal) {
      lastSignal = signal;
      lastMove = now;
    }
    if (now - lastMove >= stallMs) {
      throw new Error(`no metadata answer, and no change in the answer for ${now - lastMove} ms: ${errorText(lastError)}`, { cause: lastError });
    }
    if (now - begun >= ceilingMs) {
      throw new Error(`no metadata answer within ${now - begun} ms: ${errorText(lastError)}`, { cause: lastError });
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
