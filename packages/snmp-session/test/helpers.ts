import { freeUdpPort } from '../../../test/support/index.js';
import { netSnmp, type NetSnmpAgent } from '@poets/snmp-session';

export { freeUdpPort };

export interface TestAgent {
  port: number;
  agent: NetSnmpAgent;
  close(): Promise<void>;
}

export const ENTERPRISE_COUNTER64 = '1.3.6.1.4.1.99999.1';
export const IF_ROWS = 5;

/**
 * An in-process net-snmp agent on 127.0.0.1: community 'public', the system group's sysDescr,
 * sysUpTime, sysContact (writable) and sysName, an ifTable of IF_ROWS rows (ifIndex, ifDescr),
 * a Counter64 beyond 2^53, and an SNMPv3 user 'tester' (authPriv SHA/AES).
 */
export async function startAgent(): Promise<TestAgent> {
  const port = await freeUdpPort();
  const agent = netSnmp.createAgent({ port, address: '127.0.0.1', disableAuthorization: false }, () => {});
  agent.getAuthorizer().addCommunity('public');
  agent.getAuthorizer().addUser({
    name: 'tester',
    level: netSnmp.SecurityLevel.authPriv,
    authProtocol: netSnmp.AuthProtocols.sha,
    authKey: 'testerauthpass',
    privProtocol: netSnmp.PrivProtocols.aes,
    privKey: 'testerprivpass',
  });
  const T = netSnmp.ObjectType;
  const RO = netSnmp.MaxAccess['read-only'];
  const RW = netSnmp.MaxAccess['read-write'];
  const mib = agent.getMib();
  const scalar = (name: string, oid: string, scalarType: number, maxAccess: number | undefined) =>
    mib.registerProvider({ name, type: netSnmp.MibProviderType.Scalar, oid, scalarType, maxAccess });
  scalar('sysDescr', '1.3.6.1.2.1.1.1', T.OctetString!, RO);
  scalar('sysUpTime', '1.3.6.1.2.1.1.3', T.TimeTicks!, RO);
  scalar('sysContact', '1.3.6.1.2.1.1.4', T.OctetString!, RW);
  scalar('sysName', '1.3.6.1.2.1.1.5', T.OctetString!, RO);
  scalar('bigCounter', ENTERPRISE_COUNTER64, T.Counter64!, RO);
  mib.setScalarValue('sysDescr', 'poets test agent');
  mib.setScalarValue('sysUpTime', 12345);
  mib.setScalarValue('sysContact', 'nobody');
  mib.setScalarValue('sysName', 'agent.test');
  mib.setScalarValue('bigCounter', Buffer.from([0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01])); // 2^56 + 1
  mib.registerProvider({
    name: 'ifTable',
    type: netSnmp.MibProviderType.Table,
    oid: '1.3.6.1.2.1.2.2.1',
    maxAccess: netSnmp.MaxAccess['not-accessible'],
    tableColumns: [
      { number: 1, name: 'ifIndex', type: T.Integer, maxAccess: RO },
      { number: 2, name: 'ifDescr', type: T.OctetString, maxAccess: RO },
    ],
    tableIndex: [{ columnName: 'ifIndex' }],
  });
  for (let i = 1; i <= IF_ROWS; i++) mib.addTableRow('ifTable', [i, `eth${i - 1}`]);
  // give the socket a moment to bind
  await new Promise((r) => setTimeout(r, 20));
  return {
    port,
    agent,
    close: () =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 1000);
        agent.close(() => {
          clearTimeout(timer);
          resolve();
        });
      }),
  };
}

/** Rejects after `ms` (bounds every wait). */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
    }),
  ]);
}
