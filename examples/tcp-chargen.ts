// A character generator (RFC 864): each client gets an endless stream of 72-character lines.
// The next lines are written when the previous ones have been flushed (ClientFlushed), so a client
// that reads slowly gets them slowly, and the server never buffers more than one batch for it.
// Run: npm run build && node examples/dist/tcp-chargen.js [port]     (default 12019, on 127.0.0.1)
//   try: nc 127.0.0.1 12019 | head
import { HEAP, poe_kernel, type EventArgs } from '@poets/kernel';
import { Server, type ConnectedClientHeap } from '@poets/server-tcp';

const port = Number(process.argv[2] ?? 12019);
const PRINTABLE = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join('');
const LINES_PER_BATCH = 64;

/** RFC 864's pattern: line n is 72 printable characters starting at the n-th. */
function line(n: number): string {
  const start = n % PRINTABLE.length;
  return (PRINTABLE + PRINTABLE).slice(start, start + 72);
}

function sendBatch(_: EventArgs<ConnectedClientHeap>): void {
  const heap = _[HEAP];
  if (heap.shutdown) return;
  let n = Number(heap.next ?? 0);
  for (let i = 0; i < LINES_PER_BATCH; i++) heap.client.put(line(n++));
  heap.next = n;
}

Server.TCP({
  Address: '127.0.0.1',
  Port: port,
  Alias: 'chargen',
  ClientConnected: sendBatch,
  ClientFlushed: sendBatch,
  ClientInput: () => {}, // chargen ignores what clients send
  Started: (_) => console.log(`chargen server listening on 127.0.0.1:${_[HEAP].listener!.getsockname()!.port}`),
});

await poe_kernel.run();
