// Shared checks for the filter tests (the role of POE's t/10_units/05_filters/TestFilter.pm).
import { Buffer } from 'node:buffer';
import { expect } from 'vitest';
import type { Filter } from '../../src/filters/index.js';

/** Records and chunks in a comparable form: Buffers as UTF-8 text, arrays element by element. */
export function plain(value: unknown): unknown {
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  if (Array.isArray(value)) return value.map(plain);
  return value;
}

/** Every method of the filter interface is there. */
export function expectFilterInterface(filter: object): void {
  for (const method of ['get', 'get_one_start', 'get_one', 'put', 'get_pending', 'clone']) {
    expect(typeof (filter as Record<string, unknown>)[method], method).toBe('function');
  }
}

/**
 * The standard run: get() parses `input` into `records`; a clone starts
 * empty and is of the same class; get_one_start() only buffers; get_one()
 * returns the same records one at a time; put() serialises them to `raw`.
 */
export function expectStandardBehaviour<In, Out, Raw>(
  filter: Filter<In, Out, Raw>,
  input: Raw[],
  records: In[],
  raw: Raw[],
): void {
  expect(plain(filter.get(input)), 'get').toEqual(plain(records));

  const clone = filter.clone();
  expect(clone.get_pending(), 'clone starts empty').toBeUndefined();
  expect(clone.constructor, 'clone keeps the class').toBe(filter.constructor);

  clone.get_one_start(input);
  const pending = clone.get_pending();
  expect(pending, 'get_one_start buffers').toBeDefined();
  expect(joined(pending!), 'get_one_start only buffers').toEqual(joined(input));

  const one: In[] = [];
  for (let next = clone.get_one(); next.length > 0; next = clone.get_one()) {
    expect(Array.isArray(next)).toBe(true);
    expect(next.length).toBe(1);
    one.push(...next);
  }
  expect(plain(one), 'get_one').toEqual(plain(records));

  expect(plain(clone.put(records as unknown as Out[])), 'put').toEqual(plain(raw));
}

function joined(items: unknown[]): string {
  return items.map((item) => String(plain(item))).join('');
}
