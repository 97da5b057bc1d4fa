// Conformance: POE t/90_regression/neyuki_detach.t (the order of events around detach_myself).
import { describe, expect, it } from 'vitest';
import { ARG0, ARG1, KERNEL, Kernel, Session } from '@poets/kernel';
import { runBounded } from './helpers.js';

describe('neyuki_detach', () => {
  it('parent start, spawn, child start, _child create, detach, _child lose, then _parent with the kernel as new parent', async () => {
    const kernel = new Kernel();
    const sequence: string[] = [];
    const unexpected: string[] = [];
    let newParent: unknown;
    Session.create({
      kernel,
      inline_states: {
        _start: (_) => {
          sequence.push('parent _start');
          _[KERNEL].yield('parent');
        },
        _stop: () => undefined,
        _parent: () => void unexpected.push('parent got _parent'),
        _child: (_) => {
          if (_[ARG0] === 'create' || _[ARG0] === 'lose') sequence.push(`parent _child ${String(_[ARG0])}`);
          else unexpected.push(`parent got _child ${String(_[ARG0])}`);
        },
        done: () => undefined,
        parent: (_) => {
          sequence.push('parent spawns child');
          Session.create({
            kernel,
            inline_states: {
              _start: (c) => {
                sequence.push('child _start');
                c[KERNEL].yield('child');
              },
              _stop: () => undefined,
              _parent: (c) => {
                sequence.push('child _parent');
                newParent = c[ARG1];
              },
              _child: () => void unexpected.push('child got _child'),
              child: (c) => {
                sequence.push('child detaches itself');
                c[KERNEL].detach_myself();
                c[KERNEL].yield('done');
              },
              done: () => undefined,
            },
          });
          _[KERNEL].yield('done');
        },
      },
    });
    await runBounded(kernel);
    expect(sequence).toEqual([
      'parent _start',
      'parent spawns child',
      'child _start',
      'parent _child create',
      'child detaches itself',
      'parent _child lose',
      'child _parent',
    ]);
    expect(newParent).toBe(kernel);
    expect(unexpected).toEqual([]);
  });
});
