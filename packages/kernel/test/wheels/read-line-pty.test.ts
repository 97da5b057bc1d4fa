// ReadLine on a real pseudo-terminal: util-linux `script` runs a child node on a pty whose
// process.stdin is a TTY (raw mode, Node's own terminal handling); keystrokes are typed into the
// pty one at a time, as a person types, and the child prints the line the wheel gave it.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { describeWithPeer } from '../../../../test/support/index.js';

const dist = fileURLToPath(new URL('../../dist/index.js', import.meta.url));
const haveScript = spawnSync('script', ['--version']).status === 0;
const dir = mkdtempSync(join(tmpdir(), 'poets-pty-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeWithPeer(haveScript ? undefined : 'util-linux script(1) is not installed', 'POE::Wheel::ReadLine on a pty (script -q)', () => {
  it('edits a line typed on a terminal: Ctrl-A and Ctrl-F move, the text goes in at the cursor', async () => {
    const program = join(dir, 'readline.mjs');
    writeFileSync(
      program,
      `import { Kernel, Session, ReadLine, HEAP, ARG0 } from ${JSON.stringify(dist)};
const kernel = new Kernel();
Session.create({ kernel, inline_states: {
  _start: (_) => { _[HEAP].w = new ReadLine({ InputEvent: 'got' }); _[HEAP].w.get('Prompt: '); },
  got: (_) => { _[HEAP].w.put('tty=' + process.stdin.isTTY + ' got=' + JSON.stringify(_[ARG0])); _[HEAP].w.destroy(); },
}});
await kernel.run();
process.exit(0);
`,
    );
    const child = spawn('script', ['-qfec', `${JSON.stringify(process.execPath)} ${JSON.stringify(program)}`, '/dev/null'], { stdio: ['pipe', 'pipe', 'inherit'] });
    let screen = '';
    child.stdout.on('data', (data) => void (screen += data));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    // Wait for the prompt, then type.
    for (let i = 0; i < 200 && !screen.includes('Prompt: '); i++) await new Promise((resolve) => setTimeout(resolve, 25));
    for (const key of ['o', 'n', 'e', ' ', 't', 'h', 'r', 'e', 'e', '\x01', '\x06', '\x06', '\x06', '\x06', 't', 'w', 'o', ' ', '\r']) {
      child.stdin.write(key);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const code = await Promise.race([exited, new Promise((resolve) => setTimeout(() => resolve('timeout'), 15_000))]);
    if (code === 'timeout') child.kill('SIGKILL');
    expect(screen).toContain('tty=true got="one two three"');
    expect(code).toBe(0);
  });
});
