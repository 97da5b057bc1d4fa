// fast-check arbitraries of the plain shapes. Optional fields are either absent or carry a value
// proto3 writes (a non-empty string, a non-zero number), so a round trip is the identity.
import fc from 'fast-check';
import type {
  EventBatch,
  ExecRequest,
  ExecResponse,
  HeaderFields,
  Perf,
  QueryRequest,
  QueryResponse,
  QueryResult,
  Status,
  SubmitRequest,
  SubmitResponse,
} from '../../src/protobuf/index.js';

const text = fc.string({ unit: 'binary', maxLength: 12 });
const word = fc.string({ unit: 'binary', minLength: 1, maxLength: 12 });
const opt = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const nonEmpty = <T>(arb: fc.Arbitrary<T>) => fc.array(arb, { minLength: 1, maxLength: 3 });
const int32 = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }).filter((n) => n !== 0);
// proto3 implicit presence leaves a double out when it is 0, and @bufbuild/protobuf counts -0 as 0.
const double = fc.double().map((x) => (Object.is(x, -0) ? 0 : x));
const status = fc.constantFrom<Status>(0, 1, 2, 3);
const pairs = nonEmpty(fc.tuple(text, text));

/** Drops keys whose value is undefined, so toEqual and JSON both see the shape as written. */
function clean<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

export const header: fc.Arbitrary<HeaderFields> = fc
  .record({
    command: opt(word),
    sourceId: opt(word),
    senderId: opt(word),
    recipientId: opt(word),
    destinationId: opt(word),
    messageId: opt(word),
    metadata: opt(pairs),
    tags: opt(nonEmpty(text)),
    hosts: opt(nonEmpty(fc.record({ id: opt(word), host: opt(word), address: opt(word), protocol: opt(word), comment: opt(word), metadata: opt(pairs), tags: opt(nonEmpty(text)) }).map(clean))),
  })
  .map(clean);

export const perf: fc.Arbitrary<Perf> = fc.oneof(
  fc
    .record({
      alias: text,
      value: double,
      unit: opt(word),
      warning: opt(fc.double()),
      critical: opt(fc.double()),
      minimum: opt(fc.double()),
      maximum: opt(fc.double()),
      warningRange: opt(word),
      criticalRange: opt(word),
    })
    .map(clean),
  fc.record({ alias: text, value: text }),
  fc.record({ alias: text }),
);

export const queryResult: fc.Arbitrary<QueryResult> = fc
  .record({
    command: text,
    result: status,
    lines: fc.array(fc.record({ message: text, perf: fc.array(perf, { maxLength: 3 }) }), { maxLength: 3 }),
    alias: opt(word),
    source: opt(word),
    arguments: opt(nonEmpty(text)),
    id: opt(int32),
    data: opt(fc.uint8Array({ minLength: 1, maxLength: 8 })),
  })
  .map(clean);

export const queryRequest: fc.Arbitrary<QueryRequest> = fc
  .record({
    header: opt(header),
    payload: fc.array(
      fc.record({ command: text, arguments: fc.array(text, { maxLength: 4 }), alias: opt(word), target: opt(word), id: opt(int32) }).map(clean),
      { maxLength: 3 },
    ),
  })
  .map(clean);

export const queryResponse: fc.Arbitrary<QueryResponse> = fc.record({ header: opt(header), payload: fc.array(queryResult, { maxLength: 3 }) }).map(clean);

export const submitRequest: fc.Arbitrary<SubmitRequest> = fc
  .record({ header: opt(header), channel: text, payload: fc.array(queryResult, { maxLength: 3 }) })
  .map(clean);

export const submitResponse: fc.Arbitrary<SubmitResponse> = fc
  .record({
    header: opt(header),
    payload: fc.array(
      fc
        .record({
          command: text,
          status: fc.constantFrom('STATUS_OK', 'STATUS_WARNING', 'STATUS_ERROR', 'STATUS_DELAYED' as const),
          message: text,
          data: opt(word),
          id: opt(int32),
        })
        .map(clean),
      { maxLength: 3 },
    ),
  })
  .map(clean);

export const execRequest: fc.Arbitrary<ExecRequest> = fc
  .record({
    header: opt(header),
    payload: fc.array(fc.record({ command: text, arguments: fc.array(text, { maxLength: 4 }), id: opt(int32) }).map(clean), { maxLength: 3 }),
  })
  .map(clean);

export const execResponse: fc.Arbitrary<ExecResponse> = fc
  .record({
    header: opt(header),
    payload: fc.array(
      fc
        .record({
          command: text,
          result: status,
          message: text,
          arguments: opt(nonEmpty(text)),
          id: opt(int32),
          data: opt(fc.uint8Array({ minLength: 1, maxLength: 8 })),
        })
        .map(clean),
      { maxLength: 3 },
    ),
  })
  .map(clean);

export const eventBatch: fc.Arbitrary<EventBatch> = fc
  .record({
    header: opt(header),
    payload: fc.array(fc.record({ event: text, arguments: opt(nonEmpty(text)), data: opt(pairs) }).map(clean), { maxLength: 3 }),
  })
  .map(clean);
