// The Console module: a line console on @poets/server-tcp ([/settings/console] port, bind to,
// allowed hosts), loopback by default, running the same commands as `poets-agent test`.
import { ARG0, HEAP, KERNEL, type EventArgs } from '@poets/kernel';
import { TCPServer, type ClientInputArgs, type ConnectedClientHeap, type TCPServerOptions } from '@poets/server-tcp';
import { ModuleError } from '../../errors.js';
import type { ModuleDefinition, Plugin } from '../../plugin.js';
import { CONSOLE_HELP, runConsoleLine } from './commands.js';

export interface ConsoleInstance {
  server: TCPServer;
  unload(): void;
}

const instances = new WeakMap<Plugin, ConsoleInstance>();

export function consoleOf(plugin: Plugin | undefined): ConsoleInstance | undefined {
  return plugin === undefined ? undefined : instances.get(plugin);
}

export const consoleModule: ModuleDefinition = {
  name: 'Console',
  description: 'An operator console on a loopback TCP port (nc/telnet): queries, exec, modules, load/unload, settings',
  async load(plugin: Plugin) {
    const s = plugin.settings;
    const path = '/settings/console';
    const agent = plugin.agent;
    const cidrAllow = s.get_string(path, 'allowed hosts', '127.0.0.1/32,::1/128').split(',').map((h) => h.trim()).filter((h) => h !== '');
    const pending = new WeakMap<object, Promise<void>>();
    const address = s.get_string(path, 'bind to', '127.0.0.1');
    const server = new TCPServer({
      kernel: plugin.kernel,
      logger: plugin.logger,
      Port: s.get_int(path, 'port', 5669),
      Address: address,
      Domain: address.includes(':') ? 'AF_INET6' : 'AF_INET',
      Alias: `${plugin.alias}-listener`,
      cidrAllow,
      ClientConnected: (_: EventArgs<ConnectedClientHeap>) => void _[HEAP].client?.put(CONSOLE_HELP),
      ClientInput: (_: EventArgs<ConnectedClientHeap, ClientInputArgs>) => {
        const client = _[HEAP].client;
        const kernel = _[KERNEL];
        const session = _[1];
        const line = String(_[ARG0]);
        // One line at a time per client, in the order typed: `load X` then `exit` must not race.
        const previous = pending.get(_[HEAP]) ?? Promise.resolve();
        const next = previous.then(async () => {
          try {
            if ((await runConsoleLine(agent, line, (text) => client?.put(text))) === 'exit') kernel.post(session, 'shutdown');
          } catch (error) {
            client?.put(`error: ${error instanceof Error ? error.message : String(error)}`);
          }
        });
        pending.set(_[HEAP], next);
      },
    } as TCPServerOptions);
    // The listener binds once the kernel has dispatched its _start: wait (bounded) so `load` means listening.
    for (let i = 0; i < 500 && server.getsockname() === undefined; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    if (server.getsockname() === undefined) throw new ModuleError(`Console: could not listen on port ${s.get_int(path, 'port', 5669)}`);
    plugin.logger.log('info', `console listening on port ${server.port ?? '?'}`);
    const instance: ConsoleInstance = {
      server,
      unload() {
        plugin.kernel.post(server.ID(), 'shutdown');
      },
    };
    instances.set(plugin, instance);
    return instance;
  },
};
