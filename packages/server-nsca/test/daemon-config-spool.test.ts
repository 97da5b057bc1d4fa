// poets-nscad's own nsca.cfg keys for the spool and the in-memory queue.
import { describe, expect, it } from 'vitest';
import { parseNscaConfig } from '../src/index.js';

describe('nsca.cfg: the spool keys', () => {
  it('reads spool_directory, spool_max_bytes, queue_max_bytes and queue_max_age', () => {
    const { config, errors, warnings } = parseNscaConfig(['spool_directory=/var/spool/poets-nscad ', 'spool_max_bytes=10485760', 'queue_max_bytes=1048576', 'queue_max_age=3600'].join('\n'));
    expect(errors).toEqual([]);
    expect(warnings).toEqual([]);
    expect(config).toMatchObject({ spool_directory: '/var/spool/poets-nscad', spool_max_bytes: 10_485_760, queue_max_bytes: 1_048_576, queue_max_age: 3600 });
  });

  it('defaults: no spool, 1 GiB, 16 MiB, no age limit', () => {
    expect(parseNscaConfig('').config).toMatchObject({ spool_directory: undefined, spool_max_bytes: 1 << 30, queue_max_bytes: 16 << 20, queue_max_age: 0 });
  });

  it('refuses sizes below a page and negative ages, as errors', () => {
    const { errors } = parseNscaConfig(['spool_max_bytes=100', 'queue_max_bytes=abc', 'queue_max_age=-1'].join('\n'), 'x.cfg');
    expect(errors).toEqual(["x.cfg line 1: invalid spool_max_bytes '100'", "x.cfg line 2: invalid queue_max_bytes 'abc'", "x.cfg line 3: invalid queue_max_age '-1'"]);
  });
});
