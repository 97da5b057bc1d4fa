// Conformance: POE::Test::Loops k_aliases (aliases, IDs, IDLE and ZOMBIE for alias-held sessions).
import { describe, expect, it } from 'vitest';
import { EEXIST, EPERM, ESRCH, HEAP, KERNEL, Kernel, SESSION, Session } from '@poets/kernel';
import { runBounded } from './helpers.js';

interface Heap {
  idle: number;
  zombie: number;
}

/** k_aliases' two sessions: returns what the first one observed, and which signals reached the second. */
async function aliasScenario() {
  const kernel = new Kernel();
  const seen: Record<string, unknown> = {};
  let machine!: Session<Heap>;
  machine = Session.create<Heap>({
    kernel,
    heap: { idle: 0, zombie: 0 },
    inline_states: {
      _start: (_) => {
        const k = _[KERNEL];
        const self = _[SESSION];
        k.sig('IDLE', 'sigidle');
        k.sig('ZOMBIE', 'sigzombie');
        seen.setNew = k.alias_set('new name');
        seen.setAgain = k.alias_set('new name');
        seen.byId = k.alias_resolve(self.ID());
        seen.byAlias = k.alias_resolve('new name');
        seen.bySession = k.alias_resolve(self);
        seen.missing = k.alias_resolve('nonexistent');
        seen.missingCode = k.lastError?.code;
        seen.idToSession = k.ID_id_to_session(self.ID());
        seen.sessionToId = k.ID_session_to_id(self);
        seen.kernelIdToKernel = k.ID_id_to_session(k.ID());
        seen.kernelToKernelId = k.ID_session_to_id(k);
        seen.listOne = k.alias_list();
        k.alias_set('second name');
        seen.listTwo = [...k.alias_list(self)].sort();
      },
      sigidle: (_) => {
        _[HEAP].idle++;
        _[KERNEL].sig_handled();
      },
      sigzombie: (_) => {
        _[HEAP].zombie++;
        _[KERNEL].sig_handled();
      },
      _stop: (_) => {
        seen.idleAtStop = _[HEAP].idle;
        seen.zombieAtStop = _[HEAP].zombie;
      },
    },
  });
  const second: string[] = [];
  Session.create({
    kernel,
    inline_states: {
      _start: (_) => {
        const k = _[KERNEL];
        k.alias_set('a_sample_alias');
        seen.removeSample = k.alias_remove('a_sample_alias');
        k.sig('IDLE', 'sigidle');
        k.sig('ZOMBIE', 'sigzombie');
      },
      sigidle: () => void second.push('IDLE'),
      sigzombie: () => void second.push('ZOMBIE'),
      _stop: () => void second.push('_stop'),
    },
  });
  await runBounded(kernel);
  return { kernel, machine, seen, second };
}

describe('k_aliases: alias_set, alias_resolve, IDs', () => {
  it('alias_set returns 0 for a new alias, and 0 again when the session sets it again', async () => {
    const { seen } = await aliasScenario();
    expect(seen.setNew).toBe(0);
    expect(seen.setAgain).toBe(0);
  });

  it('alias_resolve resolves a session ID into its session', async () => {
    const { seen, machine } = await aliasScenario();
    expect(seen.byId).toBe(machine);
  });

  it('alias_resolve resolves an alias into its session', async () => {
    const { seen, machine } = await aliasScenario();
    expect(seen.byAlias).toBe(machine);
  });

  it('alias_resolve resolves a session into itself', async () => {
    const { seen, machine } = await aliasScenario();
    expect(seen.bySession).toBe(machine);
  });

  it('alias_resolve of an unknown alias fails, with ESRCH', async () => {
    const { seen } = await aliasScenario();
    expect(seen.missing).toBeUndefined();
    expect(seen.missingCode).toBe(ESRCH);
  });

  it('ID_id_to_session and ID_session_to_id map a session and its ID both ways', async () => {
    const { seen, machine } = await aliasScenario();
    expect(seen.idToSession).toBe(machine);
    expect(seen.sessionToId).toBe(machine.ID());
  });

  it("the kernel's ID resolves to the kernel, and the kernel to its ID", async () => {
    const { seen, kernel } = await aliasScenario();
    expect(seen.kernelIdToKernel).toBe(kernel);
    expect(seen.kernelToKernelId).toBe(kernel.ID());
  });

  it("alias_list() lists the current session's one alias", async () => {
    const { seen } = await aliasScenario();
    expect(seen.listOne).toEqual(['new name']);
  });

  it('alias_list(session) lists both aliases after a second alias_set', async () => {
    const { seen } = await aliasScenario();
    expect(seen.listTwo).toEqual(['new name', 'second name']);
  });

  it('a session held only by its alias gets exactly one IDLE, then one ZOMBIE, then stops', async () => {
    const { seen } = await aliasScenario();
    expect(seen.idleAtStop).toBe(1);
    expect(seen.zombieAtStop).toBe(1);
  });

  it('alias_remove of its own alias returns 0; without the alias the session just stops (no IDLE, no ZOMBIE)', async () => {
    const { seen, second } = await aliasScenario();
    expect(seen.removeSample).toBe(0);
    expect(second).toEqual(['_stop']);
  });
});

// POE::Kernel's POD (Session Identifiers): the failure codes of the alias API.
describe('k_aliases: documented failures of the alias API', () => {
  it("alias_set of another session's alias returns EEXIST; alias_remove returns ESRCH for an unknown alias and EPERM for another's", async () => {
    const kernel = new Kernel();
    const got: unknown[] = [];
    Session.create({
      kernel,
      inline_states: {
        _start: (_) => {
          _[KERNEL].alias_set('taken');
          _[KERNEL].yield('release');
        },
        release: (_) => void _[KERNEL].alias_remove('taken'),
      },
    });
    Session.create({
      kernel,
      inline_states: {
        _start: (_) => {
          const k = _[KERNEL];
          got.push(k.alias_set('taken'), k.alias_remove('nowhere'), k.alias_remove('taken'));
          got.push(k.alias_list());
        },
      },
    });
    await runBounded(kernel);
    expect(got).toEqual([EEXIST, ESRCH, EPERM, []]);
  });

  it('ID_id_to_session and ID_session_to_id fail with ESRCH for a session that is gone', async () => {
    const kernel = new Kernel();
    const gone = Session.create({ kernel, inline_states: { _start: () => {} } });
    await runBounded(kernel);
    const got: unknown[] = [];
    Session.create({
      kernel,
      inline_states: {
        _start: (_) => {
          const k = _[KERNEL];
          const code = () => k.lastError?.code;
          got.push(k.ID_id_to_session(gone.ID()), code());
          k.lastError = undefined;
          got.push(k.ID_session_to_id(gone), code());
        },
      },
    });
    await runBounded(kernel);
    expect(got).toEqual([undefined, ESRCH, undefined, ESRCH]);
  });
});
