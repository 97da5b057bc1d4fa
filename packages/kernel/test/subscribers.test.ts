import { describe, expect, it } from 'vitest';
import { ARG0, ARG1, HEAP, KERNEL, Kernel, SENDER, Session, Subscribers, type EventArgs } from '../src/index.js';

describe('Subscribers', () => {
  it('registers sessions by pairs, object or position, holds them, and posts args then context', async () => {
    const kernel = new Kernel();
    const got: unknown[] = [];
    const refusals: (string | undefined)[] = [];
    type Heap = { subscribers: Subscribers };
    Session.create<Heap>({
      kernel,
      heap: { subscribers: new Subscribers(kernel, 'test') },
      inline_states: {
        _start: (_: EventArgs<Heap>) => void _[KERNEL].alias_set('hub'),
        register: (_: EventArgs<Heap>) => void refusals.push(_[HEAP].subscribers.register(_[SENDER], _.slice(ARG0))),
        publish: (_: EventArgs<Heap>) => {
          _[HEAP].subscribers.post(_[ARG0]);
          _[HEAP].subscribers.clear();
          _[KERNEL].alias_remove('hub');
        },
      },
    });
    for (const form of [['event', 'got', 'context', 'pairs'], [{ event: 'got', context: 'object' }], ['got', 'position']]) {
      Session.create({
        kernel,
        inline_states: {
          _start: (_: EventArgs) => void _[KERNEL].post('hub', 'register', ...form),
          got: (_: EventArgs) => void got.push([_[ARG0], _[ARG1]]),
        },
      });
    }
    Session.create({ kernel, inline_states: { _start: (_: EventArgs) => void _[KERNEL].post('hub', 'register', 'event', '') } });
    Session.create({ kernel, inline_states: { _start: (_: EventArgs) => _[KERNEL].delay('go', 0.01), go: (_: EventArgs) => void _[KERNEL].post('hub', 'publish', 'news') } });
    await kernel.run();
    expect(got.sort()).toEqual([
      ['news', 'object'],
      ['news', 'pairs'],
      ['news', 'position'],
    ]);
    expect(refusals.filter((r) => r !== undefined)).toEqual([expect.stringMatching(/without an event name/)]);
  });
});
