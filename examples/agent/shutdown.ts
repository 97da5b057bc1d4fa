// shutdown: called when the script host unloads or the agent stops.
import { log } from '@poets/agent';

export function shutdown() {
  log('Good bye');
}
