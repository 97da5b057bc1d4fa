// The committed gen/ is what `npm run generate:protobuf -w @poets/agent` writes from proto/.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { describeWithPeer } from '../../../../test/support/index.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const bin = join(root, 'node_modules/.bin');
const module = join(root, 'packages/agent/src/protobuf');
const present = existsSync(join(bin, 'buf')) && existsSync(join(bin, 'protoc-gen-es'));

describeWithPeer(present ? undefined : `buf or protoc-gen-es is missing from ${bin} (both come with npm ci)`, 'generated protobuf code', () =>
  it('regenerating from proto/ gives the committed gen/ exactly', () => {
  const out = mkdtempSync(join(tmpdir(), 'poets-agent-gen-'));
  try {
    execFileSync(join(bin, 'buf'), ['generate', '--output', out], {
      cwd: module,
      env: { ...process.env, PATH: `${bin}${delimiter}${process.env.PATH ?? ''}` },
      timeout: 60_000,
    });
    const committed = readdirSync(join(module, 'gen')).sort();
    expect(readdirSync(join(out, 'gen')).sort()).toEqual(committed);
    for (const file of committed) expect(readFileSync(join(out, 'gen', file), 'utf8'), file).toBe(readFileSync(join(module, 'gen', file), 'utf8'));
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}, 60_000),
);
