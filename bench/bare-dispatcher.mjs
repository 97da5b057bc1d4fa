// The baseline the dispatch benchmarks compare with: the same work with no kernel, a ring-buffer
// FIFO of records dispatched by a while-loop to handler functions looked up in a Map.
export class BareDispatcher {
  ring = new Array(1024);
  mask = 1023;
  head = 0;
  tail = 0;
  /** destination name → (event name → handler) */
  sessions = new Map();

  post(dest, name, args) {
    if (this.tail - this.head === this.ring.length) this.grow();
    this.ring[this.tail++ & this.mask] = { dest, name, args };
  }

  run() {
    while (this.head !== this.tail) {
      const record = this.ring[this.head & this.mask];
      this.ring[this.head++ & this.mask] = undefined;
      this.sessions.get(record.dest).get(record.name)(record.args);
    }
  }

  grow() {
    const next = new Array(this.ring.length * 2);
    for (let i = 0; i < this.ring.length; i++) next[i] = this.ring[(this.head + i) & this.mask];
    this.tail = this.ring.length;
    this.head = 0;
    this.mask = next.length - 1;
    this.ring = next;
  }
}
