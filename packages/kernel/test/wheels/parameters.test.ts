import { PassThrough } from 'node:stream';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Driver, DriverSysRW, FilterLine, FilterStream, FollowTail, HEAP, Kernel, ReadWrite, Run, Session, SocketFactory, type EventArgs } from '../../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'poets-params-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Makes one wheel in a session of a kernel whose warnings are captured; returns them. */
async function warningsOf(make: () => { destroy(): void }): Promise<string[]> {
  const lines: string[] = [];
  const kernel = new Kernel({ warn: (line) => void lines.push(line) });
  Session.create({
    kernel,
    inline_states: {
      _start: (_: EventArgs<{ wheel?: { destroy(): void } }>) => {
        _[HEAP].wheel = make();
        _[HEAP].wheel.destroy();
      },
    },
  });
  await kernel.run();
  return lines;
}

describe('wheel parameters, as POE carps about them', () => {
  const file = join(dir, 'log');
  writeFileSync(file, '');
  const wheels: [string, (extra: object) => { destroy(): void }][] = [
    ['POE::Wheel::ReadWrite', (extra) => new ReadWrite({ Handle: new PassThrough(), ...extra })],
    ['POE::Wheel::SocketFactory', (extra) => new SocketFactory({ BindAddress: '127.0.0.1', SuccessEvent: 'ok', FailureEvent: 'failed', ...extra })],
    ['POE::Wheel::Run', (extra) => new Run({ Program: ['true'], ...extra })],
    ['POE::Wheel::FollowTail', (extra) => new FollowTail({ Filename: file, InputEvent: 'got', ...extra })],
  ];

  for (const [kind, make] of wheels) {
    it(`${kind} warns of an unknown parameter (a typo) in the same words as every wheel, and goes on`, async () => {
      const lines = await warningsOf(() => make({ InputEvnt: 'typo', Bogus: 1 }));
      expect(lines).toEqual([`${kind}: ignoring unknown parameters: Bogus, InputEvnt`]);
    });
  }

  it('ReadWrite and FollowTail take POE::Driver::SysRW->new() as a documented no-op, without a warning', async () => {
    expect(await warningsOf(() => new ReadWrite({ Handle: new PassThrough(), Driver: new Driver.SysRW() }))).toEqual([]);
    expect(await warningsOf(() => new FollowTail({ Filename: file, InputEvent: 'got', Driver: new DriverSysRW({ BlockSize: 512 }) }))).toEqual([]);
    expect(new Driver.SysRW({ BlockSize: 512 }).BlockSize).toBe(512);
  });

  it('ReadWrite: Handle takes precedence over InputHandle/OutputHandle and Filter over InputFilter/OutputFilter, with a warning each', async () => {
    let wheel!: ReadWrite;
    const filter = new FilterStream();
    const lines = await warningsOf(
      () =>
        (wheel = new ReadWrite({
          Handle: new PassThrough(),
          InputHandle: new PassThrough(),
          Filter: filter as never,
          InputFilter: new FilterLine(),
        })),
    );
    expect(lines).toEqual([
      'POE::Wheel::ReadWrite: ignoring InputHandle parameter (Handle parameter takes precedence)',
      'POE::Wheel::ReadWrite: ignoring InputFilter parameter (Filter parameter takes precedence)',
    ]);
    expect(wheel.get_input_filter()).toBe(filter);
    expect(wheel.get_output_filter()).toBe(filter);
  });
});
