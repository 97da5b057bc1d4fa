// EventMessage <-> plain EventBatch: what Registry.event handlers get as data and event_pb
// handlers as bytes. NSClient++ names an event `module:event` and sends its data as key/values.
import { headerToWire, withHeader } from './header.js';
import { decodeEventMessage, encodeEventMessage } from './messages.js';
import type { EventBatch, EventItem } from './types.js';

export function eventToWire(batch: EventBatch): Uint8Array {
  return encodeEventMessage({
    header: headerToWire(batch.header),
    payload: batch.payload.map((e) => ({ event: e.event, arguments: e.arguments, data: e.data?.map(([key, value]) => ({ key, value })) })),
  });
}

/** Throws ProtobufDecodeError when `bytes` is not an EventMessage. */
export function eventFromWire(bytes: Uint8Array): EventBatch {
  const message = decodeEventMessage(bytes);
  const payload = message.payload.map((r) => {
    const item: EventItem = { event: r.event };
    if (r.arguments.length > 0) item.arguments = r.arguments;
    if (r.data.length > 0) item.data = r.data.map((kv) => [kv.key, kv.value]);
    return item;
  });
  return withHeader<EventBatch>({ payload }, message.header);
}

/** One event with its data, as NSClient++'s core helper emits it (`module:event`, key/values in order). */
export function simpleEvent(event: string, data: Readonly<Record<string, string>>): EventBatch {
  return { payload: [{ event, data: Object.entries(data) }] };
}
