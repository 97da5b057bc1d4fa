// CheckSNMP: check_snmp_get (values of OIDs or MIB names through the filter engine) and
// check_snmp_interface (an ifTable walk: status, and traffic rates between two runs), each call one
// @poets/snmp-session component on the agent's kernel, finished when the call is done.
import { SNMPSession, varbindOid, type SnmpValue, type Varbind } from '@poets/snmp-session';
import { FilterError } from '../../errors.js';
import type { ModuleDefinition, Plugin } from '../../plugin.js';
import { runCheck, type CheckDefinition } from '../filter/check.js';

const TARGET_OPTIONS = { host: '127.0.0.1', port: '161', community: 'public', version: '2c', timeout: '5', retries: '1' };

function valueOf(v: SnmpValue | undefined): number | string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  return /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v;
}

let sessions = 0;
function session(plugin: Plugin, o: ReadonlyMap<string, readonly string[]>): SNMPSession {
  const one = (k: keyof typeof TARGET_OPTIONS): string => o.get(k)?.at(-1) ?? TARGET_OPTIONS[k];
  const port = Number(one('port'));
  const timeout = Number(one('timeout'));
  const retries = Number(one('retries'));
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new FilterError(`port: '${one('port')}' is not a port`);
  if (!(timeout > 0)) throw new FilterError(`timeout: '${one('timeout')}' is not a positive number of seconds`);
  if (!Number.isInteger(retries) || retries < 0) throw new FilterError(`retries: '${one('retries')}' is not a count`);
  const version = one('version');
  if (!['1', '2', '2c'].includes(version)) throw new FilterError(`version: '${version}' is not 1 or 2c (SNMPv3 is not offered by these checks)`);
  return SNMPSession.create({ kernel: plugin.kernel, Alias: `${plugin.alias}-snmp-${++sessions}`, DestHost: one('host'), RemotePort: port, Community: one('community'), Version: version, Timeout: timeout * 1_000_000, Retries: retries, logger: plugin.logger });
}

async function withSession<T>(plugin: Plugin, o: ReadonlyMap<string, readonly string[]>, fn: (s: SNMPSession) => Promise<T>): Promise<T> {
  const s = session(plugin, o);
  try {
    return await fn(s);
  } catch (error) {
    if (error instanceof FilterError) throw error;
    throw new FilterError(`SNMP ${o.get('host')?.at(-1) ?? TARGET_OPTIONS.host}: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    s.finish();
  }
}

interface GetItem { oid: string; name: string; value: number | string }
export const snmpGetCheck: CheckDefinition<GetItem> = {
  command: 'check_snmp_get',
  keywords: {
    oid: { kind: 'string', description: 'the numeric OID', value: (i) => i.oid },
    name: { kind: 'string', description: 'the name asked for', value: (i) => i.name },
    value: { kind: 'number', description: 'the value (numbers compare as numbers)', value: (i) => (typeof i.value === 'number' ? i.value : Number.NaN), text: (i) => String(i.value), perfSuffix: '' },
    text: { kind: 'string', description: 'the value as text', value: (i) => String(i.value) },
  },
  itemName: (i) => i.name,
  defaults: { top: '${status}: ${list}', detail: '${name} = ${value}', empty: '%(status): No values' },
  options: { ...Object.fromEntries(Object.keys(TARGET_OPTIONS).map((k) => [k, undefined])), oid: undefined },
};

interface IfItem { index: string; name: string; admin_status: string; oper_status: string; in_octets: number; out_octets: number; in_rate: number; out_rate: number; speed: number }
const STATUS: Record<number, string> = { 1: 'up', 2: 'down', 3: 'testing', 4: 'unknown', 5: 'dormant', 6: 'notPresent', 7: 'lowerLayerDown' };
export const snmpInterfaceCheck: CheckDefinition<IfItem> = {
  command: 'check_snmp_interface',
  keywords: {
    index: { kind: 'string', description: 'ifIndex', value: (i) => i.index },
    name: { kind: 'string', description: 'ifDescr', value: (i) => i.name },
    admin_status: { kind: 'string', description: 'ifAdminStatus (up, down, testing)', value: (i) => i.admin_status },
    oper_status: { kind: 'string', description: 'ifOperStatus (up, down, ...)', value: (i) => i.oper_status },
    in_octets: { kind: 'size', description: 'ifInOctets', value: (i) => i.in_octets },
    out_octets: { kind: 'size', description: 'ifOutOctets', value: (i) => i.out_octets },
    in_rate: { kind: 'number', description: 'bytes/s in since the last run (0 on the first)', value: (i) => i.in_rate, perfUnit: 'B/s' },
    out_rate: { kind: 'number', description: 'bytes/s out since the last run (0 on the first)', value: (i) => i.out_rate, perfUnit: 'B/s' },
    speed: { kind: 'number', description: 'ifSpeed (bits/s)', value: (i) => i.speed },
  },
  itemName: (i) => i.name,
  defaults: { filter: "admin_status = 'up'", crit: "oper_status != 'up'", detail: '${name}: ${oper_status} (in ${in_rate} B/s, out ${out_rate} B/s)', ok: '%(status): All %(count) interface(s) are ok', empty: '%(status): No interfaces found' },
  options: { ...Object.fromEntries(Object.keys(TARGET_OPTIONS).map((k) => [k, undefined])), interface: undefined },
};

const IF_COLUMNS = { ifDescr: '1.3.6.1.2.1.2.2.1.2', ifSpeed: '1.3.6.1.2.1.2.2.1.5', ifAdminStatus: '1.3.6.1.2.1.2.2.1.7', ifOperStatus: '1.3.6.1.2.1.2.2.1.8', ifInOctets: '1.3.6.1.2.1.2.2.1.10', ifOutOctets: '1.3.6.1.2.1.2.2.1.16' };
const MAX_PREVIOUS = 10_000;

/** CheckSNMP: check_snmp_get and check_snmp_interface. */
export const checkSnmpModule: ModuleDefinition = {
  name: 'CheckSNMP',
  description: 'SNMP gets and interface checks (@poets/snmp-session)',
  load(plugin) {
    const refused = (name: string) => (reason: string): void => plugin.logger.log('warning', `${name} refused: ${reason}`);
    // Counters from the previous run, by host:port/ifIndex: the rate is the difference over the time between runs.
    const previous = new Map<string, { at: number; in: number; out: number }>();
    plugin.agent.registerQuery(plugin, 'check_snmp_get', (q) => runCheck(snmpGetCheck, q.arguments, (o) => {
      const oids = (o.get('oid') ?? []).flatMap((x) => x.split(',')).map((x) => x.trim()).filter(Boolean);
      if (oids.length === 0) throw new FilterError('check_snmp_get: no oid given (oid=1.3.6.1.2.1.1.3.0 or oid=sysUpTime.0)');
      return withSession(plugin, o, async (s) => {
        const list = await s.get(oids.map((x) => [x] as Varbind));
        return list.map((vb, i) => {
          if (vb[3] === 'NOSUCHOBJECT' || vb[3] === 'NOSUCHINSTANCE' || vb[3] === 'ENDOFMIBVIEW') throw new FilterError(`check_snmp_get: ${oids[i]!}: ${vb[3].toLowerCase()}`);
          return { oid: varbindOid(vb), name: oids[i]!, value: valueOf(vb[2]) };
        });
      });
    }, refused('check_snmp_get')), 'SNMP values');
    plugin.agent.registerQuery(plugin, 'check_snmp_interface', (q) => runCheck(snmpInterfaceCheck, q.arguments, (o) => withSession(plugin, o, async (s) => {
      const columns = Object.values(IF_COLUMNS);
      const walked = await s.bulkWalk(0, 20, columns.map((c) => [c] as Varbind));
      const byIndex = new Map<string, Record<string, SnmpValue | undefined>>();
      walked.forEach((list, c) => {
        const name = Object.keys(IF_COLUMNS)[c]!;
        for (const vb of list ?? []) {
          const index = varbindOid(vb).split('.').at(-1)!;
          const row = byIndex.get(index) ?? {};
          row[name] = vb[2];
          byIndex.set(index, row);
        }
      });
      const now = Date.now() / 1000;
      const key = `${o.get('host')?.at(-1) ?? TARGET_OPTIONS.host}:${o.get('port')?.at(-1) ?? TARGET_OPTIONS.port}`;
      const wanted = (o.get('interface') ?? []).flatMap((x) => x.split(',')).map((x) => x.trim()).filter(Boolean);
      const items: IfItem[] = [];
      for (const [index, row] of byIndex) {
        const name = String(valueOf(row.ifDescr));
        if (wanted.length > 0 && !wanted.includes(name) && !wanted.includes(index)) continue;
        const inO = Number(valueOf(row.ifInOctets)) || 0;
        const outO = Number(valueOf(row.ifOutOctets)) || 0;
        const prev = previous.get(`${key}/${index}`);
        const dt = prev === undefined ? 0 : now - prev.at;
        // A counter that went back (wrap or agent restart) gives no rate for this run.
        const rate = (cur: number, old: number | undefined): number => (dt > 0 && old !== undefined && cur >= old ? Math.round((cur - old) / dt) : 0);
        items.push({ index, name, admin_status: STATUS[Number(valueOf(row.ifAdminStatus))] ?? 'unknown', oper_status: STATUS[Number(valueOf(row.ifOperStatus))] ?? 'unknown', in_octets: inO, out_octets: outO, in_rate: rate(inO, prev?.in), out_rate: rate(outO, prev?.out), speed: Number(valueOf(row.ifSpeed)) || 0 });
        if (previous.size < MAX_PREVIOUS || previous.has(`${key}/${index}`)) previous.set(`${key}/${index}`, { at: now, in: inO, out: outO });
      }
      for (const w of wanted) if (!items.some((i) => i.name === w || i.index === w)) throw new FilterError(`interface: '${w}' is not in ${key}'s ifTable`);
      return items;
    }), refused('check_snmp_interface')), 'SNMP interfaces (ifTable)');
  },
};
