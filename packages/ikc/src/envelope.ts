// The messages kernels exchange, and their checks: anything that fails them is refused, logged.

export const WIRE_VERSION = 1;

/** A post or call to a state of a published session. */
export interface PostEnvelope {
  t: 'post' | 'call';
  v: number;
  /** Sending kernel and session ID (errors go back there). */
  from: string;
  fs?: number;
  session: string;
  state: string;
  args: unknown[];
}

/** A refusal sent back to the kernel that posted. */
export interface ErrorEnvelope {
  t: 'err';
  v: number;
  from: string;
  /** The session ID on the receiving kernel that posted. */
  to?: number;
  code: string;
  message: string;
  spec: string;
}

/** A call's answer. */
export interface ReplyEnvelope {
  t: 'reply';
  v: number;
  from: string;
  ok: boolean;
  value?: unknown;
  code?: string;
  message?: string;
}

/** Presence: who is there and what it publishes. */
export interface PresenceEnvelope {
  t: 'hello' | 'beat' | 'bye' | 'publish' | 'retract';
  v: number;
  from: string;
  /** Instance: tells a restarted kernel of the same name from the old one. */
  iid: string;
  /** Heartbeat interval in seconds. */
  hb: number;
  /** Published sessions and their states (hello, beat, publish, retract: the full table). */
  pub: Record<string, string[]>;
}

export type Envelope = PostEnvelope | ErrorEnvelope | ReplyEnvelope | PresenceEnvelope;

const isString = (x: unknown): x is string => typeof x === 'string' && x.length > 0;

/** The reason `value` is not a well-formed envelope, or undefined. */
export function envelopeProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not an object';
  const e = value as Record<string, unknown>;
  if (e.v !== WIRE_VERSION) return `unknown wire version ${String(e.v)}`;
  if (!isString(e.from)) return 'no sending kernel';
  switch (e.t) {
    case 'post':
    case 'call':
      if (!isString(e.session) || !isString(e.state)) return 'no session or state';
      if (!Array.isArray(e.args)) return 'arguments are not a list';
      if (e.fs !== undefined && typeof e.fs !== 'number') return 'bad sender session';
      return undefined;
    case 'err':
      return typeof e.code === 'string' && typeof e.message === 'string' ? undefined : 'error without code';
    case 'reply':
      return typeof e.ok === 'boolean' ? undefined : 'reply without ok';
    case 'hello':
    case 'beat':
    case 'bye':
    case 'publish':
    case 'retract': {
      if (!isString(e.iid) || typeof e.hb !== 'number') return 'presence without instance';
      if (typeof e.pub !== 'object' || e.pub === null) return 'presence without table';
      for (const states of Object.values(e.pub as object)) {
        if (!Array.isArray(states) || !states.every(isString)) return 'bad published table';
      }
      return undefined;
    }
    default:
      return `unknown message type ${String(e.t)}`;
  }
}
