import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

const src = (pkg: string) => fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url));

export default defineConfig({
  resolve: {
    // Tests run against the TypeScript sources, not the built dist.
    alias: {
      '@poets/agent': src('agent'),
      '@poets/ikc': src('ikc'),
      '@poets/kernel': src('kernel'),
      '@poets/net-server': src('net-server'),
      '@poets/server-nsca': src('server-nsca'),
      '@poets/server-tcp': src('server-tcp'),
      '@poets/snmp-session': src('snmp-session'),
    },
  },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'packages/*/src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: 'forks',
  },
});
