// The same bytes through an independent protobuf implementation: buf's (Go's protobuf runtime,
// the npm-shipped buf binary) compiles our schema, reads what we encode, and writes it back; the
// bytes must come back unchanged (nothing misread, nothing dropped, the same canonical order).
// It also encodes a message from protobuf JSON, which we must decode to the expected fields.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  DataType,
  ItemType,
  RegistryCommand,
  Result_StatusCodeType,
  SettingsChangeType,
  SettingsCommand,
  encodeRegistryRequestMessage,
  encodeRegistryResponseMessage,
  encodeSettingsRequestMessage,
  encodeSettingsResponseMessage,
  eventToWire,
  execRequestToWire,
  execResponseToWire,
  queryResponseFromWire,
  queryRequestToWire,
  queryResponseToWire,
  submitRequestToWire,
  submitResponseToWire,
} from '../../src/protobuf/index.js';
import * as arb from './arbitraries.js';
import { describeWithPeer } from '../../../../test/support/index.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const buf = join(root, 'node_modules/.bin/buf');
const module = join(root, 'packages/agent/src/protobuf');
const present = existsSync(buf);

describeWithPeer(present ? undefined : `buf is missing at ${buf} (it comes with npm ci, as @bufbuild/buf)`, 'wire bytes through buf (Go protobuf)', () => {
  let dir = '';
  let image = '';
  const run = (args: string[]) => execFileSync(buf, args, { cwd: module, timeout: 30_000 });
  /** buf reads `bytes` as `type` and writes it out again in `format`. */
  const through = (type: string, bytes: Uint8Array, format: 'binpb' | 'json'): Buffer => {
    const input = join(dir, 'in.binpb');
    writeFileSync(input, bytes);
    return run(['convert', image, '--type', type, '--from', `${input}#format=binpb`, '--to', `-#format=${format}`]);
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'poets-agent-buf-'));
    image = join(dir, 'image.binpb');
    run(['build', '-o', image]);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const cases = [
    ['PB.Commands.QueryRequestMessage', arb.queryRequest, queryRequestToWire],
    ['PB.Commands.QueryResponseMessage', arb.queryResponse, queryResponseToWire],
    ['PB.Commands.SubmitRequestMessage', arb.submitRequest, submitRequestToWire],
    ['PB.Commands.SubmitResponseMessage', arb.submitResponse, submitResponseToWire],
    ['PB.Commands.ExecuteRequestMessage', arb.execRequest, execRequestToWire],
    ['PB.Commands.ExecuteResponseMessage', arb.execResponse, execResponseToWire],
    ['PB.Commands.EventMessage', arb.eventBatch, eventToWire],
  ] as const;

  it.each(cases)('%s: buf reads our bytes and writes the same bytes', (type, arbitrary, toWire) => {
    const samples = fc.sample(arbitrary as fc.Arbitrary<unknown>, { numRuns: 5, seed: 42 });
    for (const plain of samples) {
      const ours = (toWire as (x: unknown) => Uint8Array)(plain);
      expect(through(type, ours, 'binpb').toString('hex')).toBe(Buffer.from(ours).toString('hex'));
    }
  }, 60_000);

  it('buf reads our Settings and Registry messages and writes the same bytes', () => {
    const messages: [string, Uint8Array][] = [
      [
        'PB.Settings.SettingsRequestMessage',
        encodeSettingsRequestMessage({
          header: { sourceId: 'script' },
          payload: [
            { id: 1n, pluginId: 3, query: { node: { path: '/settings/NRPE/server', key: 'port' }, defaultValue: '5666', redactSensitive: true } },
            { update: { node: { path: '/modules', key: 'PythonScript', value: 'enabled' } } },
            { registration: { node: { path: '/settings/my', key: 'k' }, info: { title: 't', description: 'd', defaultValue: 'v', isSensitive: true, type: 'string' } } },
            { inventory: { node: { path: '/settings' }, recursiveFetch: true, fetchKeys: true, plugin: 'p' } },
            { control: { command: SettingsCommand.SAVE, context: 'ini://x.ini' } },
            { status: {} },
            { diff: { node: { path: '/' }, recursive: true } },
          ],
        }),
      ],
      [
        'PB.Settings.SettingsResponseMessage',
        encodeSettingsResponseMessage({
          payload: [
            { id: 1n, result: { code: Result_StatusCodeType.STATUS_OK }, query: { node: { path: '/modules', key: 'a', value: 'enabled' }, nodes: [{ path: '/modules', key: 'b' }] } },
            { status: { context: 'ini', type: 'file', hasChanged: true }, diff: { entries: [{ path: '/p', key: 'k', oldValue: 'a', newValue: 'b', changeType: SettingsChangeType.REMOVED, isSensitive: true }] } },
            { inventory: [{ node: { path: '/x' }, info: { title: 'x', advanced: true, plugin: ['A', 'B'] } }] },
          ],
        }),
      ],
      [
        'PB.Registry.RegistryRequestMessage',
        encodeRegistryRequestMessage({
          payload: [
            { id: 9n, registration: { pluginId: 2, type: ItemType.QUERY, name: 'check_py', info: { title: 'py', description: 'd', metadata: [{ key: 'a', value: 'b' }] }, alias: ['a1'], schedule: [{ id: 's', cron: '* * * * *', interval: '5m' }] } },
            { inventory: { plugin: 'PythonScript', type: [ItemType.QUERY, ItemType.COMMAND], fetchAll: true, fetchInformation: true } },
            { control: { command: RegistryCommand.UNLOAD, type: ItemType.MODULE, name: 'CheckEventLog', alias: 'el' } },
          ],
        }),
      ],
      [
        'PB.Registry.RegistryResponseMessage',
        encodeRegistryResponseMessage({
          payload: [
            { id: 9n, result: { code: Result_StatusCodeType.STATUS_ERROR, message: 'no such module' }, registration: { itemId: 4 } },
            { inventory: [{ plugin: ['P'], type: ItemType.QUERY, name: 'check_cpu', id: 'x', info: { title: 'CPU' }, parameters: { parameter: [{ name: 'warn', defaultValue: 'load > 80', required: true, contentType: DataType.STRING, keyword: [{ parameter: 'warn', key: 'load' }] }], fields: [{ name: 'load' }] } }] },
          ],
        }),
      ],
    ];
    for (const [type, bytes] of messages) expect(through(type, bytes, 'binpb').toString('hex'), type).toBe(Buffer.from(bytes).toString('hex'));
  }, 60_000);

  it('buf reads our QueryResponseMessage with the fields where NSClient++ names them', () => {
    const ours = queryResponseToWire({
      header: { sourceId: 'poets', metadata: [['target', 'local']] },
      payload: [{ command: 'check_cpu', result: 2, lines: [{ message: 'high', perf: [{ alias: 'load', value: 12.5, unit: '%', warning: 80, minimum: 0, warningRange: '@0:80' }] }] }],
    });
    expect(JSON.parse(through('PB.Commands.QueryResponseMessage', ours, 'json').toString())).toEqual({
      header: { sourceId: 'poets', metadata: [{ key: 'target', value: 'local' }] },
      payload: [
        {
          command: 'check_cpu',
          result: 'CRITICAL',
          lines: [{ message: 'high', perf: [{ alias: 'load', floatValue: { value: 12.5, unit: '%', warning: { value: 80 }, minimum: {}, warningRange: '@0:80' } }] }],
        },
      ],
    });
  });

  it('we read what buf encodes from protobuf JSON', () => {
    const json = join(dir, 'in.json');
    writeFileSync(
      json,
      JSON.stringify({ payload: [{ command: 'check_mem', result: 'WARNING', source: 'host1', lines: [{ message: 'm', perf: [{ alias: 'u', stringValue: { value: 'U' } }] }] }] }),
    );
    const bytes = run(['convert', image, '--type', 'PB.Commands.QueryResponseMessage', '--from', `${json}#format=json`, '--to', '-#format=binpb']);
    expect(queryResponseFromWire(bytes)).toEqual({
      payload: [{ command: 'check_mem', result: 1, source: 'host1', lines: [{ message: 'm', perf: [{ alias: 'u', value: 'U' }] }] }],
    });
  });
});
