import { Filter as Filters, FilterLine, isFilter, type Filter } from '@poets/kernel';

/** A filter class: any constructor of a filter, whatever its parameters. */
export type FilterClass<In = unknown, Out = In> = new (...args: never[]) => Filter<In, Out>;

/**
 * How a component is told which filter to use, in POE's three forms plus POE's class names:
 * - an instance: each connection gets its `clone()`;
 * - a class: each connection gets `new Class()`;
 * - `[Class, ...constructorArgs]`: each connection gets `new Class(...constructorArgs)`
 *   (POE's `[ "POE::Filter::Line", Literal => "\n" ]` is `[FilterLine, { Literal: '\n' }]`);
 * - a POE class name, `'POE::Filter::Line'` or just `'Line'`, alone or first in the list form.
 */
export type FilterSpec<In = unknown, Out = In> =
  | Filter<In, Out>
  | FilterClass<In, Out>
  | string
  | readonly [FilterClass<In, Out> | string, ...unknown[]];

/** Makes a fresh filter for each connection. */
export type FilterFactory = () => Filter<unknown, unknown>;

/** Resolves a POE filter class name ('POE::Filter::Line', 'Line') to the kernel's class. */
export function filterClassByName(name: string): FilterClass {
  const short = name.replace(/^POE::Filter::/, '');
  const cls = Object.hasOwn(Filters, short) ? (Filters as Record<string, unknown>)[short] : undefined;
  if (typeof cls !== 'function') {
    throw new TypeError(`unknown filter class '${name}' (known: ${Object.keys(Filters).map((n) => `POE::Filter::${n}`).join(', ')})`);
  }
  return cls as FilterClass;
}

/**
 * Validates a filter spec at construction time (building one filter, so that bad constructor
 * arguments fail at once) and returns a factory giving each connection its own filter.
 * `maxLength`, when given, is the MaxLength of the Line filter this spec makes: it is merged into
 * a Line class's options (the options given win), and refused for any other filter.
 */
export function filterFactory(spec: FilterSpec | undefined, maxLength: number | undefined, what: string): FilterFactory {
  if (spec === undefined) {
    const options = maxLength === undefined ? {} : { MaxLength: maxLength };
    const prototype = new FilterLine(options);
    return () => prototype.clone();
  }
  let cls: FilterClass;
  let args: unknown[];
  if (typeof spec === 'string') {
    cls = filterClassByName(spec);
    args = [];
  } else if (Array.isArray(spec)) {
    const [first, ...rest] = spec as readonly unknown[];
    cls = typeof first === 'string' ? filterClassByName(first) : (first as FilterClass);
    if (typeof cls !== 'function') throw new TypeError(`${what}: the first element of the list form must be a filter class`);
    args = rest;
  } else if (typeof spec === 'function') {
    cls = spec as FilterClass;
    args = [];
  } else if (isFilter(spec)) {
    if (maxLength !== undefined) {
      throw new TypeError(`${what}: maxLineLength cannot change a filter instance; give MaxLength to the filter itself, or give its class`);
    }
    const prototype = spec;
    return () => prototype.clone() as Filter<unknown, unknown>;
  } else {
    throw new TypeError(`${what} must be a filter, a filter class, [Class, ...args] or a POE filter name`);
  }
  if (maxLength !== undefined) {
    if (cls !== FilterLine && !(cls.prototype instanceof FilterLine)) {
      throw new TypeError(`${what}: maxLineLength applies to Line filters only; give your filter its own limit`);
    }
    const options = (args[0] ?? {}) as Record<string, unknown>;
    args = [{ MaxLength: maxLength, ...options }, ...args.slice(1)];
  }
  const make = cls as unknown as new (...a: unknown[]) => Filter<unknown, unknown>;
  const prototype = new make(...args);
  if (!isFilter(prototype)) throw new TypeError(`${what}: ${cls.name || 'the class'} does not make a filter`);
  return () => new make(...args);
}
