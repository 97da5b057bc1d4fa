// Conformance: POE t/90_regression/whelan-dieprop.t (DIE propagates from a child up to its parent).
import { describe, expect, it } from 'vitest';
import { KERNEL, Kernel, Session } from '@poets/kernel';
import { runOutcome } from './helpers.js';

describe('whelan-dieprop', () => {
  it('an exception in a child reaches the DIE watchers of the child, then of its parent; the parent handles it', async () => {
    const kernel = new Kernel();
    const got: string[] = [];
    Session.create({
      kernel,
      inline_states: {
        _start: (_) => {
          _[KERNEL].sig('DIE', 'parent_exception');
          Session.create({
            kernel,
            inline_states: {
              _start: (c) => {
                c[KERNEL].sig('DIE', 'child_exception');
                c[KERNEL].yield('throw_exception');
              },
              throw_exception: () => {
                throw new Error('goodbye sweet world');
              },
              child_exception: () => void got.push('child got exception'),
              _stop: () => {},
            },
          });
        },
        parent_exception: (_) => {
          got.push('parent got exception');
          _[KERNEL].sig_handled();
        },
        _stop: () => {},
        _child: () => {},
      },
    });
    const outcome = await runOutcome(kernel, 2000);
    expect(got).toEqual(['child got exception', 'parent got exception']);
    expect(outcome).toBeUndefined();
  });
});
