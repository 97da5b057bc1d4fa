import { SpecifierError } from './errors.js';

/** A state on a kernel: POE::Component::IKC::Specifier's three parts. `kernel` may be `*` (every kernel). */
export interface Specifier {
  kernel?: string;
  session?: string;
  state?: string;
}

/** What `post`/`call` take: a `poe://Kernel/session/state` string or the object form. */
export type SpecifierLike = string | Specifier;

/**
 * Parses IKC's specifier forms: `poe://Kernel/session/state`, `poe://Kernel/session` (no state),
 * `poe:/session/state` (this kernel), `poe:state` (this kernel, the current session), and the
 * `{ kernel, session, state }` object. Session names may contain `/` only in the object form.
 */
export function specifier_parse(spec: SpecifierLike): Specifier {
  if (typeof spec === 'object' && spec !== null) {
    for (const key of ['kernel', 'session', 'state'] as const) {
      const part = spec[key];
      if (part !== undefined && (typeof part !== 'string' || part === '')) throw new SpecifierError(`specifier ${key} must be a non-empty string`);
    }
    return { ...spec };
  }
  if (typeof spec !== 'string') throw new SpecifierError(`a specifier is a string or an object, not ${typeof spec}`);
  let match = /^poe:\/\/([^/]+)\/([^/]+)(?:\/([^/]+))?$/.exec(spec);
  if (match) return clean({ kernel: match[1], session: match[2], state: match[3] });
  match = /^poe:\/([^/]+)\/([^/]+)$/.exec(spec);
  if (match) return { session: match[1]!, state: match[2]! };
  match = /^poe:([^/]+)$/.exec(spec);
  if (match) return { state: match[1]! };
  throw new SpecifierError(`not an IKC specifier: '${spec}'`);
}

/** `poe://Kernel/session/state` (or the shorter forms when parts are missing). */
export function specifier_name(spec: Specifier): string {
  if (spec.kernel !== undefined) return `poe://${spec.kernel}/${spec.session ?? ''}${spec.state !== undefined ? `/${spec.state}` : ''}`;
  if (spec.session !== undefined) return `poe:/${spec.session}/${spec.state ?? ''}`;
  return `poe:${spec.state ?? ''}`;
}

function clean(spec: { kernel?: string | undefined; session?: string | undefined; state?: string | undefined }): Specifier {
  const out: Specifier = {};
  if (spec.kernel !== undefined) out.kernel = spec.kernel;
  if (spec.session !== undefined) out.session = spec.session;
  if (spec.state !== undefined) out.state = spec.state;
  return out;
}
