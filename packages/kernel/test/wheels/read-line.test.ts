// poe-test-loops wheel_readline, ported onto Node's readline: each case types its keystrokes
// into the wheel's input stream (a terminal's bytes, with terminal handling on) and checks the
// line that comes out. Cases that use keys Node's readline has no binding for (case changes,
// transpose-words) are left out; the README lists them.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ARG0, ARG1, ARG2, HEAP, KERNEL, Kernel, ReadLine, SESSION, Session, type EventArgs } from '../../src/index.js';

const ESC = '\x1b';
const ctrl = (letter: string) => String.fromCharCode(letter.toUpperCase().charCodeAt(0) - 64);

/** Types keys one at a time, as a terminal delivers keystrokes (an escape sequence is one key). */
async function typeKeys(input: PassThrough, text: string): Promise<void> {
  const keys = text.match(/\x1b\[[A-D]|\x1b[\s\S]|[\s\S]/g) ?? [];
  for (const key of keys) {
    input.write(key);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

interface Typed {
  lines: unknown[][];
  screen: string;
}

/** Runs a session that reads one line per script entry (each a list of keystroke groups) and records what came. */
async function type(scripts: string[][], extra: (wheel: ReadLine) => void = () => {}, options: Partial<ConstructorParameters<typeof ReadLine>[0]> = {}): Promise<Typed> {
  const input = new PassThrough();
  const output = new PassThrough();
  let screen = '';
  output.on('data', (data) => void (screen += data));
  const kernel = new Kernel();
  const lines: unknown[][] = [];
  Session.create<{ wheel?: ReadLine; n: number }>({
    kernel,
    heap: { n: 0 },
    inline_states: {
      _start: (_) => {
        _[HEAP].wheel = new ReadLine({ InputEvent: 'got_line', input, output, ...options });
        extra(_[HEAP].wheel);
        _[KERNEL].yield('next');
      },
      next: (_) => {
        const script = scripts[_[HEAP].n];
        if (script === undefined) return void _[HEAP].wheel!.destroy();
        _[HEAP].wheel!.get('Prompt: ');
        void typeKeys(input, script.join(''));
      },
      got_line: (_: EventArgs<{ wheel?: ReadLine; n: number }>) => {
        lines.push([_[ARG0], _[ARG1], _[ARG2] === _[HEAP].wheel!.ID()]);
        _[HEAP].n++;
        _[KERNEL].yield('next');
      },
    },
  });
  await kernel.run();
  return { lines, screen };
}

describe('POE::Wheel::ReadLine', () => {
  it.each([
    ['plain typing', ['this is a test', '\n'], 'this is a test'],
    ['backspace', ['this is a test', '\b\b\b\b', 'TEST', ctrl('a'), ctrl('a'), ctrl('d'), 'T', '\n'], 'This is a TEST'],
    [
      'forward/backward',
      ['one three five', ctrl('a'), ctrl('b'), `${ESC}b`, '\b', `${ctrl('f')}${ctrl('f')}${ctrl('f')} two`, ctrl('e'), ctrl('e'), ctrl('f'), ctrl('d'), `${ESC}f`, ctrl('b').repeat(4), 'four \n'],
      'one two three four five',
    ],
    ['delete words', ['one two three', `${ESC}d`, `${ESC}\x7f`, 'four', ctrl('a'), `${ESC}\x7f`, `${ESC}d`, '\n'], 'two four'],
  ])('%s', async (_name, steps, done) => {
    const { lines } = await type([steps]);
    expect(lines).toEqual([[done, undefined, true]]);
  });

  it("Ctrl-C gives (undefined, 'interrupt'); Ctrl-D on an empty line gives (undefined, 'eot'), and get() reads on", async () => {
    const { lines } = await type([['half a line', ctrl('c')], [ctrl('d')], ['after\n']]);
    expect(lines).toEqual([
      [undefined, 'interrupt', true],
      [undefined, 'eot', true],
      ['after', undefined, true],
    ]);
  });

  it('history: add_history and read_history lines come back with the up arrow; get_history is oldest first', async () => {
    let wheel!: ReadLine;
    const { lines } = await type([[`${ESC}[A\n`], [`${ESC}[A${ESC}[A\n`]], (w) => {
      wheel = w;
      w.add_history('first', 'second');
    });
    expect(lines).toEqual([
      ['second', undefined, true],
      // Node's readline put the accepted 'second' in the history again; it skips the duplicate going up.
      ['first', undefined, true],
    ]);
    expect(wheel.get_history().slice(0, 2)).toEqual(['first', 'second']);
  });

  it("put() in 'immediate' mode prints above the line being typed and repaints the prompt with what was typed", async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    let screen = '';
    output.on('data', (data) => void (screen += data));
    const kernel = new Kernel();
    const got: unknown[] = [];
    Session.create<{ wheel?: ReadLine }>({
      kernel,
      inline_states: {
        _start: (_) => {
          _[HEAP].wheel = new ReadLine({ InputEvent: 'got_line', PutMode: 'immediate', input, output });
          _[HEAP].wheel.get('Prompt: ');
          void typeKeys(input, 'partial').then(() => _[KERNEL].post(_[SESSION], 'tell'));
        },
        tell: (_) => {
          screen = '';
          _[HEAP].wheel!.put('a message');
          void typeKeys(input, ' line\n');
        },
        got_line: (_) => {
          got.push(_[ARG0]);
          _[HEAP].wheel!.destroy();
        },
      },
    });
    await kernel.run();
    expect(got).toEqual(['partial line']);
    expect(screen).toMatch(/a message\r\n(\x1b\[[0-9;]*[A-Za-z])*Prompt: partial/);
  });
});
