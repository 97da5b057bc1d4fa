// NSClient++ wire messages: encode and decode of a query request and its response (what a raw
// Core.query costs on top of the simple form), beside JSON.stringify/parse of the same plain
// objects in the same run; and the strict decode's schema walk beside the library's decode alone.
import { fromBinary } from '@bufbuild/protobuf';
import {
  QueryResponseMessageSchema,
  queryRequestFromWire,
  queryRequestToWire,
  queryResponseFromWire,
  queryResponseToWire,
  decodeQueryResponseMessage,
} from '../packages/agent/dist/protobuf/index.js';
import { compare, report } from './lib.mjs';

const N = 100_000;

const request = { payload: [{ command: 'check_cpu', arguments: ['warn=load > 80', 'crit=load > 90', 'time=5m', 'time=1m'] }] };
const response = {
  payload: [
    {
      command: 'check_cpu',
      result: 0,
      lines: [
        {
          message: 'OK: CPU load is ok.',
          perf: [
            { alias: 'total 5m', value: 12, unit: '%', warning: 80, critical: 90, minimum: 0, maximum: 100 },
            { alias: 'total 1m', value: 7, unit: '%', warning: 80, critical: 90, minimum: 0, maximum: 100 },
          ],
        },
      ],
    },
  ],
};
const responseBytes = queryResponseToWire(response);

let sink = 0;

function protobufRoundTrip() {
  for (let i = 0; i < N; i++) {
    const req = queryRequestFromWire(queryRequestToWire(request));
    const res = queryResponseFromWire(queryResponseToWire(response));
    sink += req.payload.length + res.payload.length;
  }
}

function jsonRoundTrip() {
  for (let i = 0; i < N; i++) {
    const req = JSON.parse(JSON.stringify(request));
    const res = JSON.parse(JSON.stringify(response));
    sink += req.payload.length + res.payload.length;
  }
}

function strictDecode() {
  for (let i = 0; i < N; i++) sink += decodeQueryResponseMessage(responseBytes).payload.length;
}

function libraryDecode() {
  for (let i = 0; i < N; i++) sink += fromBinary(QueryResponseMessageSchema, responseBytes).payload.length;
}

export async function run() {
  const ratio = report('protobuf query req+resp round trip', 'op/s', await compare(N, protobufRoundTrip, jsonRoundTrip), undefined, 'JSON stringify+parse, same');
  report('strict decode of a query response', 'op/s', await compare(N, strictDecode, libraryDecode), undefined, 'fromBinary alone (no walk)');
  if (sink === 0) throw new Error('nothing ran');
  return ratio;
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
