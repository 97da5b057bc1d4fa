import { describe, expect, it } from 'vitest';
import { ARG0, KERNEL, Kernel, MACHINE, NFA, RUNSTATE, SessionDiedError, type NFAEventArgs } from '../src/index.js';

type Ev = NFAEventArgs<{ log: string[] }>;

describe('POE::NFA', () => {
  it("goto_state: 'leave' in the old state, then the entry event with its arguments in the new one", async () => {
    const kernel = new Kernel();
    const log: string[] = [];
    NFA.spawn({
      kernel,
      runstate: { log },
      inline_states: {
        one: {
          start: (_: Ev) => {
            _[RUNSTATE].log.push(`start in ${_[NFA.STATE]}`);
            _[MACHINE].goto_state('two', 'arrive', 'a', 'b');
          },
          leave: (_: Ev) => void _[RUNSTATE].log.push(`leave ${_[NFA.STATE]}`),
        },
        two: {
          arrive: (_: Ev) => void _[RUNSTATE].log.push(`arrive in ${_[NFA.STATE]} ${_.slice(ARG0).join(',')}`),
        },
      },
    }).goto_state('one', 'start');
    await kernel.run();
    expect(log).toEqual(['start in one', 'leave one', 'arrive in two a,b']);
  });

  it('with the immediate option, state changes are calls: the new state is current as goto_state returns', async () => {
    const kernel = new Kernel();
    const log: string[] = [];
    NFA.spawn({
      kernel,
      options: { immediate: true },
      inline_states: {
        one: { start: (_: Ev) => void (_[MACHINE].goto_state('two'), log.push(_[MACHINE].get_current_state())) },
        two: {},
      },
    }).goto_state('one', 'start');
    await kernel.run();
    expect(log).toEqual(['two']);
  });

  it('an event no state handles, and a move to a state that does not exist, die as POE dies (DIE; run() rejects)', async () => {
    const unhandled = new Kernel({ warn: () => {} });
    NFA.spawn({ kernel: unhandled, inline_states: { one: { start: (_: Ev) => void _[KERNEL].yield('nobody') } } }).goto_state('one', 'start');
    const first = await unhandled.run().catch((error: unknown) => error);
    expect(first).toBeInstanceOf(SessionDiedError);
    expect(String((first as Error).message)).toMatch(/has neither a handler for it nor one for _default in its current state, 'one'/);

    const nowhere = new Kernel({ warn: () => {} });
    NFA.spawn({ kernel: nowhere, inline_states: { one: { start: (_: Ev) => _[MACHINE].goto_state('missing') } } }).goto_state('one', 'start');
    expect(String(((await nowhere.run().catch((error: unknown) => error)) as Error).message)).toMatch(/tried to enter nonexistent state 'missing'/);

    const empty = new Kernel({ warn: () => {} });
    NFA.spawn({ kernel: empty, inline_states: { one: { start: (_: Ev) => _[MACHINE].return_state() } } }).goto_state('one', 'start');
    expect(String(((await empty.run().catch((error: unknown) => error)) as Error).message)).toMatch(/tried to pop a state from an empty stack/);
  });

  it('an unknown entry event is refused before the machine leaves its state', async () => {
    const kernel = new Kernel({ warn: () => {} });
    const machine = NFA.spawn({ kernel, inline_states: { one: {} } });
    machine.goto_state('one', 'nope');
    expect(machine.get_current_state()).toBe('(undef)');
    expect(String(((await kernel.run().catch((error: unknown) => error)) as Error).message)).toMatch(/tried to invoke nonexistent enter event 'nope' in state 'one'/);
  });
});
