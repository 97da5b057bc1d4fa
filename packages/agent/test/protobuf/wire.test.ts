// Wire compatibility, byte by byte. Each expected vector is written out by hand from the protobuf
// encoding rules and NSClient++'s field numbers: a tag byte is (field number << 3) | wire type
// (0 varint, 1 64-bit, 2 length-delimited), proto3 leaves out fields at their zero value, and
// fields go out in field-number order, as NSClient++'s C++ serializer writes them.
import { describe, expect, it } from 'vitest';
import {
  ProtobufDecodeError,
  RegistryCommand,
  ItemType,
  ResultCode,
  SettingsCommand,
  decodeEventMessage,
  decodeExecuteRequestMessage,
  decodeExecuteResponseMessage,
  decodeQueryRequestMessage,
  decodeRegistryResponseMessage,
  decodeSettingsResponseMessage,
  decodeSubmitResponseMessage,
  decodeQueryResponseMessage,
  decodeRegistryRequestMessage,
  decodeSettingsRequestMessage,
  decodeSubmitRequestMessage,
  encodeExecuteResponseMessage,
  encodeRegistryRequestMessage,
  encodeSettingsRequestMessage,
  encodeSubmitResponseMessage,
  queryRequestFromWire,
  queryRequestToWire,
  queryResponseFromWire,
  queryResponseToWire,
  submitRequestFromWire,
  submitRequestToWire,
  Result_StatusCodeType,
} from '../../src/protobuf/index.js';

const ascii = (s: string) => [...Buffer.from(s, 'utf8')];
const double = (x: number) => {
  const b = Buffer.alloc(8);
  b.writeDoubleLE(x);
  return [...b];
};
const hex = (bytes: Uint8Array | number[]) => Buffer.from(bytes).toString('hex');

describe('QueryRequestMessage bytes', () => {
  // header { source_id: "me" }, payload [{ command: "check_cpu", arguments: ["time=5m", "warn=80"] }]
  const expected = [
    0x0a, 0x04, //               field 1 header, length-delimited, 4 bytes
    0x1a, 0x02, ...ascii('me'), //  Header field 3 source_id, length-delimited
    0x12, 0x1d, //               field 2 payload, length-delimited, 29 bytes
    0x12, 0x09, ...ascii('check_cpu'), // Request field 2 command
    0x22, 0x07, ...ascii('time=5m'), //   Request field 4 arguments
    0x22, 0x07, ...ascii('warn=80'), //   Request field 4 arguments, again
  ];

  it('encodes as NSClient++ serializes it', () => {
    const bytes = queryRequestToWire({ header: { sourceId: 'me' }, payload: [{ command: 'check_cpu', arguments: ['time=5m', 'warn=80'] }] });
    expect(hex(bytes)).toBe(hex(expected));
  });

  it('decodes the hand-written bytes field by field', () => {
    const m = decodeQueryRequestMessage(Uint8Array.from(expected));
    expect(m.header?.sourceId).toBe('me');
    expect(m.payload).toHaveLength(1);
    expect(m.payload[0]!.command).toBe('check_cpu');
    expect(m.payload[0]!.arguments).toEqual(['time=5m', 'warn=80']);
    expect(queryRequestFromWire(Uint8Array.from(expected))).toEqual({
      header: { sourceId: 'me' },
      payload: [{ command: 'check_cpu', arguments: ['time=5m', 'warn=80'] }],
    });
  });

  it('puts alias (3), target (7) and id (1) where NSClient++ has them', () => {
    const bytes = queryRequestToWire({ payload: [{ id: 7, command: 'c', alias: 'a', target: 't', arguments: [] }] });
    expect(hex(bytes)).toBe(hex([0x12, 0x0b, 0x08, 0x07, 0x12, 0x01, ...ascii('c'), 0x1a, 0x01, ...ascii('a'), 0x3a, 0x01, ...ascii('t')]));
  });

  it('reads an empty message as no header and no payload', () => {
    expect(queryRequestFromWire(new Uint8Array(0))).toEqual({ payload: [] });
  });
});

describe('QueryResponseMessage bytes', () => {
  // payload [{ command: "check_cpu", result: CRITICAL, lines: [{ message: "high",
  //   perf: [{ alias: "load", float_value: { value: 12.5, unit: "%", warning 80, critical 90, minimum 0, maximum 100 } }] }] }]
  const floatValue = [
    0x09, ...double(12.5), //        FloatValue field 1 value, 64-bit
    0x12, 0x01, ...ascii('%'), //    field 2 unit
    0x1a, 0x09, 0x09, ...double(80), // field 3 warning: OptionalFloat { field 1 value }
    0x22, 0x09, 0x09, ...double(90), // field 4 critical
    0x32, 0x00, //                   field 6 minimum: an OptionalFloat whose value 0 is left out, still present
    0x3a, 0x09, 0x09, ...double(100), // field 7 maximum
  ];
  const perf = [0x0a, 0x04, ...ascii('load'), 0x2a, floatValue.length, ...floatValue]; // alias 1, float_value 5
  const line = [0x0a, 0x04, ...ascii('high'), 0x12, perf.length, ...perf]; // message 1, perf 2
  const response = [
    0x12, 0x09, ...ascii('check_cpu'), // Response field 2 command
    0x20, 0x02, //                     field 4 result, varint: CRITICAL
    0x4a, line.length, ...line, //     field 9 lines
  ];
  const expected = [0x12, response.length, ...response]; // field 2 payload

  it('has the lengths worked out by hand', () => {
    expect([floatValue.length, perf.length, line.length, response.length]).toEqual([0x2f, 0x37, 0x3f, 0x4e]);
  });

  it('encodes as NSClient++ serializes it', () => {
    const bytes = queryResponseToWire({
      payload: [
        {
          command: 'check_cpu',
          result: 2,
          lines: [{ message: 'high', perf: [{ alias: 'load', value: 12.5, unit: '%', warning: 80, critical: 90, minimum: 0, maximum: 100 }] }],
        },
      ],
    });
    expect(hex(bytes)).toBe(hex(expected));
  });

  it('decodes the hand-written bytes field by field', () => {
    const m = decodeQueryResponseMessage(Uint8Array.from(expected));
    const r = m.payload[0]!;
    expect(r.command).toBe('check_cpu');
    expect(r.result).toBe(ResultCode.CRITICAL);
    const p = r.lines[0]!.perf[0]!;
    expect(p.alias).toBe('load');
    expect(p.value.case).toBe('floatValue');
    if (p.value.case !== 'floatValue') return;
    expect(p.value.value.value).toBe(12.5);
    expect(p.value.value.unit).toBe('%');
    expect(p.value.value.warning?.value).toBe(80);
    expect(p.value.value.critical?.value).toBe(90);
    expect(p.value.value.minimum?.value).toBe(0);
    expect(p.value.value.maximum?.value).toBe(100);
  });

  it('carries a string value in field 4 and a range in fields 8 and 9', () => {
    const bytes = queryResponseToWire({
      payload: [{ command: 'x', result: 3, lines: [{ message: '', perf: [{ alias: 'u', value: 'U' }, { alias: 'r', value: 1, warningRange: '4:5', criticalRange: '@1:2' }] }] }],
    });
    const perfU = [0x0a, 0x01, ...ascii('u'), 0x22, 0x03, 0x0a, 0x01, ...ascii('U')];
    const fv = [0x09, ...double(1), 0x42, 0x03, ...ascii('4:5'), 0x4a, 0x04, ...ascii('@1:2')];
    const perfR = [0x0a, 0x01, ...ascii('r'), 0x2a, fv.length, ...fv];
    const line = [0x12, perfU.length, ...perfU, 0x12, perfR.length, ...perfR]; // message '' left out
    const response = [0x12, 0x01, ...ascii('x'), 0x20, 0x03, 0x4a, line.length, ...line];
    expect(hex(bytes)).toBe(hex([0x12, response.length, ...response]));
  });
});

describe('SubmitRequestMessage and SubmitResponseMessage bytes', () => {
  it('puts the channel in field 2 and the results (query responses) in field 3', () => {
    const bytes = submitRequestToWire({
      header: { sourceId: 'a', destinationId: 'b' },
      channel: 'NSCA',
      payload: [{ command: 'check_x', result: 1, lines: [{ message: 'warn', perf: [] }] }],
    });
    const header = [0x1a, 0x01, ...ascii('a'), 0x32, 0x01, ...ascii('b')]; // source_id 3, destination_id 6
    const line = [0x0a, 0x04, ...ascii('warn')];
    const result = [0x12, 0x07, ...ascii('check_x'), 0x20, 0x01, 0x4a, line.length, ...line];
    expect(hex(bytes)).toBe(hex([0x0a, header.length, ...header, 0x12, 0x04, ...ascii('NSCA'), 0x1a, result.length, ...result]));
    expect(submitRequestFromWire(bytes).channel).toBe('NSCA');
    expect(decodeSubmitRequestMessage(bytes).payload[0]!.result).toBe(ResultCode.WARNING);
  });

  it('puts each result as Common.Result in field 3: code 1, message 2, data 3', () => {
    const bytes = encodeSubmitResponseMessage({ payload: [{ id: 1, command: 'c', result: { code: Result_StatusCodeType.STATUS_ERROR, message: 'm', data: 'd' } }] });
    const result = [0x08, 0x02, 0x12, 0x01, ...ascii('m'), 0x1a, 0x01, ...ascii('d')];
    const response = [0x08, 0x01, 0x12, 0x01, ...ascii('c'), 0x1a, result.length, ...result];
    expect(hex(bytes)).toBe(hex([0x12, response.length, ...response]));
  });
});

describe('Execute, Registry and Settings bytes', () => {
  it('ExecuteRequestMessage.Request: command 2, arguments 3; header metadata as KeyValue (8)', () => {
    const bytes = Uint8Array.from([
      0x0a, 0x0c, 0x42, 0x0a, 0x0a, 0x06, ...ascii('target'), 0x12, 0x00, // header { metadata [{ key: target, value: '' }] }
      0x12, 0x0a, 0x12, 0x03, ...ascii('foo'), 0x1a, 0x03, ...ascii('bar'),
    ]);
    const m = decodeExecuteRequestMessage(bytes);
    expect(m.header?.metadata[0]?.key).toBe('target');
    expect(m.payload[0]!.command).toBe('foo');
    expect(m.payload[0]!.arguments).toEqual(['bar']);
  });

  it('ExecuteResponseMessage.Response: id 2, command 5, result 9, message 10 (two-byte tag)', () => {
    const bytes = encodeExecuteResponseMessage({ payload: [{ id: 3, command: 'c', result: ResultCode.UNKNOWN, message: 'm' }] });
    // field 10 wire type 2: (10 << 3) | 2 = 82 = 0x52; field 9 varint: 0x48.
    const response = [0x10, 0x03, 0x2a, 0x01, ...ascii('c'), 0x48, 0x03, 0x52, 0x01, ...ascii('m')];
    expect(hex(bytes)).toBe(hex([0x12, response.length, ...response]));
  });

  it('RegistryRequestMessage: a module load is Request.control (5) { command 1, type 2, name 3 }', () => {
    const bytes = encodeRegistryRequestMessage({ payload: [{ control: { command: RegistryCommand.LOAD, type: ItemType.MODULE, name: 'CheckSystem' } }] });
    const control = [0x08, 0x01, 0x10, 0x07, 0x1a, 0x0b, ...ascii('CheckSystem')];
    const request = [0x2a, control.length, ...control];
    expect(hex(bytes)).toBe(hex([0x12, request.length, ...request]));
    expect(decodeRegistryRequestMessage(bytes).payload[0]!.control?.name).toBe('CheckSystem');
  });

  it('RegistryRequestMessage: an inventory of all queries packs its repeated type (2)', () => {
    const bytes = encodeRegistryRequestMessage({ payload: [{ id: 1n, inventory: { type: [ItemType.QUERY, ItemType.ALL], fetchAll: true } }] });
    const inventory = [0x12, 0x02, 0x01, 0x63, 0x30, 0x01]; // type packed [1, 99]; fetch_all 6
    const request = [0x08, 0x01, 0x22, inventory.length, ...inventory];
    expect(hex(bytes)).toBe(hex([0x12, request.length, ...request]));
    // An unpacked repeated enum, as an old writer may send it, reads the same.
    const unpacked = Uint8Array.from([0x12, 0x0a, 0x08, 0x01, 0x22, 0x06, 0x10, 0x01, 0x10, 0x63, 0x30, 0x01]);
    expect(decodeRegistryRequestMessage(unpacked).payload[0]!.inventory?.type).toEqual([ItemType.QUERY, ItemType.ALL]);
  });

  it('SettingsRequestMessage: plugin_id 3, query 11 { node 1 { path 1, key 2 }, recursive 2 }, control 14', () => {
    const bytes = encodeSettingsRequestMessage({
      payload: [
        { pluginId: 4, query: { node: { path: '/modules', key: 'NRPEServer' }, recursive: true } },
        { control: { command: SettingsCommand.SAVE } },
      ],
    });
    const node = [0x0a, 0x08, ...ascii('/modules'), 0x12, 0x0a, ...ascii('NRPEServer')];
    const query = [0x0a, node.length, ...node, 0x10, 0x01];
    const first = [0x18, 0x04, 0x5a, query.length, ...query]; // field 11 wire type 2: 0x5a
    const second = [0x72, 0x02, 0x08, 0x02]; // field 14: 0x72
    expect(hex(bytes)).toBe(hex([0x12, first.length, ...first, 0x12, second.length, ...second]));
    expect(decodeSettingsRequestMessage(bytes).payload[0]!.query?.node?.key).toBe('NRPEServer');
  });
});

describe('bytes that are not the message', () => {
  const refuse = (bytes: Uint8Array | number[], decode: (b: Uint8Array) => unknown = decodeQueryRequestMessage) => {
    try {
      decode(Uint8Array.from(bytes));
    } catch (e) {
      expect(e).toBeInstanceOf(ProtobufDecodeError);
      return (e as ProtobufDecodeError).message;
    }
    throw new Error(`accepted ${hex(bytes)}`);
  };

  it('refuses text, whichever message is expected', () => {
    expect(refuse(ascii('hello world'))).toMatch(/^not a valid PB\.Commands\.QueryRequestMessage: /);
    const decoders = {
      'PB.Commands.QueryResponseMessage': decodeQueryResponseMessage,
      'PB.Commands.SubmitRequestMessage': decodeSubmitRequestMessage,
      'PB.Commands.SubmitResponseMessage': decodeSubmitResponseMessage,
      'PB.Commands.ExecuteRequestMessage': decodeExecuteRequestMessage,
      'PB.Commands.ExecuteResponseMessage': decodeExecuteResponseMessage,
      'PB.Settings.SettingsRequestMessage': decodeSettingsRequestMessage,
      'PB.Settings.SettingsResponseMessage': decodeSettingsResponseMessage,
      'PB.Registry.RegistryRequestMessage': decodeRegistryRequestMessage,
      'PB.Registry.RegistryResponseMessage': decodeRegistryResponseMessage,
      'PB.Commands.EventMessage': decodeEventMessage,
    };
    for (const [name, decode] of Object.entries(decoders)) {
      expect(refuse(ascii('hello world'), decode)).toBe(`not a valid ${name}: ${name} has no field 13 (wire type 0, at byte 0)`);
    }
  });

  it('refuses a truncated message', () => {
    const good = queryRequestToWire({ payload: [{ command: 'check_cpu', arguments: ['a'] }] });
    for (let cut = 1; cut < good.length; cut++) expect(refuse(good.subarray(0, cut))).toMatch(/past the end|premature EOF/);
  });

  it('refuses a field the message does not have, naming it', () => {
    expect(refuse([0x18, 0x01])).toMatch(/PB\.Commands\.QueryRequestMessage has no field 3/);
    expect(refuse([0x12, 0x02, 0x28, 0x01])).toMatch(/QueryRequestMessage\.Request has no field 5/);
  });

  it('refuses a known field with another wire type', () => {
    expect(refuse([0x10, 0x01])).toMatch(/field 2 \(payload\) .* has wire type 0, expected 2/);
    expect(refuse([0x12, 0x02, 0x20, 0x01])).toMatch(/field 4 \(arguments\) .* wire type 0, expected 2/);
  });

  it('refuses a message of another type when its fields do not fit (a well-formed one whose fields do fit is that message too)', () => {
    const response = queryResponseToWire({ payload: [{ command: 'c', result: 2, lines: [{ message: 'm', perf: [] }] }] });
    expect(refuse(response)).toMatch(/field 4 \(arguments\)|no field 9/);
    const request = queryRequestToWire({ payload: [{ command: 'c', arguments: ['x'] }] });
    expect(refuse(request, decodeQueryResponseMessage)).toMatch(/field 4 \(result\).* wire type 2, expected 0/);
    expect(refuse(request, decodeExecuteRequestMessage)).toMatch(/ExecuteRequestMessage\.Request has no field 4/);
  });

  it('refuses a string that is not UTF-8', () => {
    expect(refuse([0x12, 0x03, 0x12, 0x01, 0xff])).toMatch(/UTF-8|utf-8|invalid/i);
  });

  it('refuses a bad tag and an end-group out of nowhere', () => {
    expect(refuse([0x00])).toMatch(/illegal tag/);
    expect(refuse([0x0c])).toMatch(/wire type 4/);
  });

  it('refuses a varint longer than ten bytes', () => {
    expect(refuse([0x12, 0x0d, 0x08, ...Array(11).fill(0xff), 0x01])).toMatch(/varint longer than 10 bytes/);
  });

  it('refuses a sub-message whose length runs past its parent (header 1 > hosts 10)', () => {
    expect(refuse([0x0a, 0x04, 0x52, 0x09, 0x61, 0x62])).toMatch(/runs past the end/);
  });

  it('refuses what is not bytes at all', () => {
    expect(() => decodeQueryRequestMessage('x' as unknown as Uint8Array)).toThrow(ProtobufDecodeError);
    expect(() => queryResponseFromWire(null as unknown as Uint8Array)).toThrow(/expected bytes/);
  });

  it('refuses random bytes (almost always: the few that form a valid message decode as one)', () => {
    let refused = 0;
    let seed = 12345;
    const next = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) & 0xff;
    for (let i = 0; i < 500; i++) {
      const bytes = Array.from({ length: 8 + (i % 40) }, next);
      try {
        decodeQueryResponseMessage(Uint8Array.from(bytes));
      } catch (e) {
        expect(e).toBeInstanceOf(ProtobufDecodeError);
        refused++;
      }
    }
    expect(refused).toBeGreaterThan(490);
  });
});
