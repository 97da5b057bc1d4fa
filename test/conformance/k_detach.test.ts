// Conformance: POE::Test::Loops k_detach (detach_myself, detach_child and their _parent/_child events).
import { describe, expect, it } from 'vitest';
import { ARG0, ARG1, KERNEL, Kernel, Session, type EventArgs } from '@poets/kernel';
import { runBounded } from './helpers.js';

/**
 * A "main" session (alias main) with three children (aliases a1..a3, named 1..3 in the trace),
 * each with three grandchildren (aliases and names aN_1..aN_3). Every session logs the _parent
 * and _child events it gets, naming sessions by asking them (call get_alias), as POE's test does.
 */
async function detachScenario() {
  const kernel = new Kernel();
  let trace = '';
  const steps: string[] = [];

  const nameOf = (k: Kernel, who: unknown): unknown => (who === k ? 'kernel' : k.call(who as Session, 'get_alias'));
  const family = (name: string): Record<string, (_: EventArgs) => unknown> => ({
    _parent: (_: EventArgs) => {
      const k = _[KERNEL];
      trace += `(p ${name} ${String(nameOf(k, _[ARG0]))} ${String(nameOf(k, _[ARG1]))})`;
    },
    _child: (_: EventArgs) => {
      const k = _[KERNEL];
      trace += `(c ${name} ${String(_[ARG0])} ${String(nameOf(k, _[ARG1]))})`;
    },
    get_alias: () => name,
    detach_self: (_: EventArgs) => _[KERNEL].detach_myself(),
    detach_child: (_: EventArgs) => _[KERNEL].detach_child(_[ARG0] as string),
    _stop: () => {},
  });

  const spawnGrandchild = (alias: string) =>
    Session.create({
      kernel,
      inline_states: {
        ...family(alias),
        _start: (_) => void _[KERNEL].alias_set(alias),
      },
    });

  const spawnChild = (n: number) => {
    const alias = `a${n}`;
    Session.create({
      kernel,
      inline_states: {
        ...family(String(n)),
        _start: (_) => {
          _[KERNEL].alias_set(alias);
          _[KERNEL].yield('spawn_grandchildren');
        },
        spawn_grandchildren: () => {
          for (const i of [1, 2, 3]) spawnGrandchild(`${alias}_${i}`);
        },
      },
    });
  };

  Session.create({
    kernel,
    inline_states: {
      ...family('main'),
      _start: (_) => {
        _[KERNEL].alias_set('main');
        _[KERNEL].yield('spawn_children');
      },
      spawn_children: (_) => {
        for (const n of [1, 2, 3]) spawnChild(n);
        _[KERNEL].delay('run_tests', 0.05);
      },
      run_tests: (_) => {
        const k = _[KERNEL];
        const step = (dest: string, event: string, arg?: string) => {
          trace = '';
          if (arg === undefined) k.call(dest, event);
          else k.call(dest, event, arg);
          steps.push(trace);
        };
        step('a1_1', 'detach_self');
        step('a2_1', 'detach_self');
        step('a3_1', 'detach_self');
        step('a1', 'detach_child', 'a1_2');
        step('a2', 'detach_child', 'a2_2');
        step('a3', 'detach_child', 'a3_2');
        step('a1', 'detach_self');
        // The last step's trace is kept: POE's final check includes it.
        trace = '';
        k.call('main', 'detach_child', 'a2');
        steps.push(trace);
      },
    },
  });

  await runBounded(kernel);
  return { steps, finalTrace: trace };
}

describe('k_detach: detach_myself and detach_child', () => {
  it('a1_1 detaches itself: its parent loses it, it gets the kernel as new parent', async () => {
    expect((await detachScenario()).steps[0]).toBe('(c 1 lose a1_1)(p a1_1 1 kernel)');
  });

  it('a2_1 detaches itself', async () => {
    expect((await detachScenario()).steps[1]).toBe('(c 2 lose a2_1)(p a2_1 2 kernel)');
  });

  it('a3_1 detaches itself', async () => {
    expect((await detachScenario()).steps[2]).toBe('(c 3 lose a3_1)(p a3_1 3 kernel)');
  });

  it('a1 detaches its child a1_2', async () => {
    expect((await detachScenario()).steps[3]).toBe('(c 1 lose a1_2)(p a1_2 1 kernel)');
  });

  it('a2 detaches its child a2_2', async () => {
    expect((await detachScenario()).steps[4]).toBe('(c 2 lose a2_2)(p a2_2 2 kernel)');
  });

  it('a3 detaches its child a3_2', async () => {
    expect((await detachScenario()).steps[5]).toBe('(c 3 lose a3_2)(p a3_2 3 kernel)');
  });

  it('a1 (a child of main) detaches itself', async () => {
    expect((await detachScenario()).steps[6]).toBe('(c main lose 1)(p 1 main kernel)');
  });

  it('main detaches its child a2', async () => {
    expect((await detachScenario()).steps[7]).toBe('(c main lose 2)(p 2 main kernel)');
  });

  it('when the alias-held sessions are finally stopped, children go before parents: only _child lose events, no _parent', async () => {
    const { finalTrace } = await detachScenario();
    const sorted = `(${finalTrace.slice(1, -1).split(')(').sort().join(')(')})`;
    expect(sorted).toBe(
      '(c 1 lose a1_3)(c 2 lose a2_3)(c 3 lose a3_3)(c main lose 2)(c main lose 3)(p 2 main kernel)',
    );
  });
});
