// Conformance: POE t/90_regression/meh-startstop-return.t (what _start and _stop return reaches
// the parent's _child as ARG2).
import { describe, expect, it } from 'vitest';
import { ARG0, ARG2, Kernel, Session } from '@poets/kernel';
import { runBounded } from './helpers.js';

describe('meh-startstop-return', () => {
  it("_child create carries _start's return value and _child lose carries _stop's, for object states", async () => {
    const kernel = new Kernel();
    const results: unknown[][] = [];
    class Fubar {
      createSession(): void {
        Session.create({ kernel, object_states: [this, ['_start', '_stop']] });
      }
      _start() {
        return '_start';
      }
      _stop() {
        return '_stop';
      }
    }
    Session.create({
      kernel,
      inline_states: {
        _start: () => new Fubar().createSession(),
        _child: (_) => void results.push([_[ARG0], _[ARG2]]),
        _stop: () => undefined,
      },
    });
    await runBounded(kernel);
    expect(results).toEqual([
      ['create', '_start'],
      ['lose', '_stop'],
    ]);
  });
});
