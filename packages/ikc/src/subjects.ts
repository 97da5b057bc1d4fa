// The NATS subjects one IKC cluster uses, all under one prefix (default `poe`).

/**
 * A kernel or session name as one subject token: letters, digits, `-` and `_` stay; every other
 * byte (`.`, `*`, `>`, spaces, `/`, non-ASCII) becomes `~XX`, so no name can widen a subscription.
 */
export function subjectToken(name: string): string {
  if (/^[A-Za-z0-9_-]+$/.test(name)) return name;
  let out = '';
  for (const byte of Buffer.from(name, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9_-]/.test(c) ? c : `~${byte.toString(16).padStart(2, '0')}`;
  }
  return out;
}

export class Subjects {
  readonly prefix: string;
  /** Posts to `*`: every kernel. */
  readonly all: string;
  /** Kernels announcing themselves, their published sessions, heartbeats and goodbyes. */
  readonly presence: string;
  /** Every kernel's durable posts (one JetStream stream captures them). */
  readonly durableAll: string;
  readonly parkedAll: string;
  constructor(prefix = 'poe') {
    if (!/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/.test(prefix)) throw new Error(`invalid subject prefix '${prefix}'`);
    this.prefix = prefix;
    this.all = `${prefix}.all`;
    this.presence = `${prefix}.presence`;
    this.durableAll = `${prefix}.d.>`;
    this.parkedAll = `${prefix}.parked.>`;
  }
  /** Core posts and calls to one kernel. */
  kernel(name: string): string {
    return `${this.prefix}.k.${subjectToken(name)}`;
  }
  /** Where a kernel's replies (call answers, presence answers) arrive: its NATS inbox prefix. */
  inbox(name: string): string {
    return `${this.prefix}.r.${subjectToken(name)}`;
  }
  /** Durable posts to one kernel. */
  durable(name: string): string {
    return `${this.prefix}.d.${subjectToken(name)}`;
  }
  /** Durable posts whose handler failed too often: kept in the stream for an operator. */
  parked(name: string): string {
    return `${this.prefix}.parked.${subjectToken(name)}`;
  }
}

/** A NATS permission block for kernel `name`'s user, as nats-server's `permissions` wants it. */
export interface KernelPermissions {
  publish: { allow: string[] };
  subscribe: { allow: string[] };
  allow_responses: boolean;
}

/**
 * What a kernel must be allowed so that it cannot impersonate another: it may subscribe only to
 * its own kernel subject, inbox and the shared subjects, and may publish replies only to requests
 * it received (`allow_responses`), so no other kernel can read its posts or answer its calls.
 * `durable` adds the JetStream API it needs.
 */
export function kernelPermissions(name: string, options: { prefix?: string; durable?: boolean } = {}): KernelPermissions {
  const s = new Subjects(options.prefix);
  const publish = [`${s.prefix}.k.*`, s.all, s.presence];
  const subscribe = [s.kernel(name), s.all, s.presence, `${s.inbox(name)}.>`];
  if (options.durable) {
    publish.push(`${s.prefix}.d.*`, s.parked(name), '$JS.API.>', '$JS.ACK.>');
    subscribe.push('_INBOX.>');
  }
  return { publish: { allow: publish }, subscribe: { allow: subscribe }, allow_responses: true };
}
