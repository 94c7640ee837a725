// Two projects (STYLE §2.6):
//   unit         services/*/src/**/*.test.ts and test/unit/**: no network, no broker.
//   integration  test/integration/**: a real Kafka broker. Its global setup (test/setup/kafka-global-setup.ts)
//                uses KAFKA_BROKERS, else starts one (testcontainers when Docker answers, else
//                deploy/local/kafka.sh) and provides the list to tests as inject('kafkaBrokers').
// Run one with `npx vitest run --project unit` / `--project integration`; scripts/test-all.sh runs both.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const packages = ['core', 'http', 'policy', 'ledger', 'releaser', 'gateway', 'review', 'oversight', 'cli'] as const;

export default defineConfig({
  resolve: {
    // Tests run the TypeScript sources: `@firewall/<pkg>` is that package's src/index.ts, no build needed.
    alias: packages.map((pkg) => ({
      find: new RegExp(`^@firewall/${pkg}$`),
      replacement: fileURLToPath(new URL(`./services/${pkg}/src/index.ts`, import.meta.url)),
    })),
  },
  test: {
    // Root-only option; must outlast the broker's stop in the integration teardown (SIGKILL after 30 s).
    teardownTimeout: 90_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          environment: 'node',
          include: ['services/*/src/**/*.test.ts', 'test/unit/**/*.test.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          environment: 'node',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/setup/kafka-global-setup.ts'],
          // One broker shared by every file: run the files one after another.
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 60_000,
          env: { KAFKAJS_NO_PARTITIONER_WARNING: '1' },
        },
      },
    ],
  },
});
