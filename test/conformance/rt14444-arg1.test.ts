// Conformance: POE t/90_regression/rt14444-arg1.t (_default gets the original event and its arguments).
import { describe, expect, it } from 'vitest';
import { ARG0, ARG1, KERNEL, Kernel, Session } from '@poets/kernel';
import { runBounded } from './helpers.js';

describe('rt14444-arg1', () => {
  async function scenario() {
    const kernel = new Kernel();
    const testArgs = ['some', 'random', 'args'];
    const got: Record<string, unknown[]> = { defaults: [], checkRef: [], checkCopy: [] };
    Session.create({
      kernel,
      inline_states: {
        _start: (_) => void _[KERNEL].yield('some_random_state', ...testArgs),
        _default: (_) => {
          got.defaults!.push([_[ARG0], _[ARG1]]);
          _[KERNEL].yield('check_ref', _[ARG1]);
          _[KERNEL].yield('check_copy', [...(_[ARG1] as unknown[])]);
        },
        check_ref: (_) => void got.checkRef!.push(_[ARG0]),
        check_copy: (_) => void got.checkCopy!.push(_[ARG0]),
      },
    });
    await runBounded(kernel);
    return { got, testArgs };
  }

  it('_default receives ARG0 the original event name and ARG1 the list of its arguments', async () => {
    const { got, testArgs } = await scenario();
    // _stop has no handler here either, so it reaches _default too (as in POE).
    expect(got.defaults).toEqual([
      ['some_random_state', testArgs],
      ['_stop', []],
    ]);
  });

  // The events _default yields while handling _stop are dropped with the session.
  it("_default's argument list survives being passed on by reference", async () => {
    const { got, testArgs } = await scenario();
    expect(got.checkRef).toEqual([testArgs]);
  });

  it("_default's argument list survives being passed on as a copy", async () => {
    const { got, testArgs } = await scenario();
    expect(got.checkCopy).toEqual([testArgs]);
  });
});
