import { describe, expect, it } from 'vitest';
import { Kernel, componentLogger, formatLogLine, lineLogger, type LogLevel } from '../src/index.js';

describe('Logger', () => {
  it('formats the component and the peer, brackets around IPv6', () => {
    expect(formatLogLine('refused', { component: 'nscad', peer: { address: '::1', port: 5667 } })).toBe(
      'nscad: [::1]:5667 refused',
    );
    expect(formatLogLine('refused', { peer: { address: '127.0.0.1' } })).toBe('127.0.0.1 refused');
    expect(formatLogLine('plain')).toBe('plain');
  });

  it('writes only lines at or below the threshold, in Net::Server order', () => {
    const lines: [string, LogLevel][] = [];
    const logger = lineLogger((line, level) => lines.push([line, level]), 'notice');
    for (const level of ['error', 'warning', 'notice', 'info', 'debug'] as const) logger.log(level, level);
    expect(lines).toEqual([
      ['error', 'error'],
      ['warning', 'warning'],
      ['notice', 'notice'],
    ]);
  });

  it('componentLogger names the component unless the line names one', () => {
    const lines: string[] = [];
    const logger = componentLogger(lineLogger((line) => lines.push(line)), 'Server::TCP');
    logger.log('info', 'a');
    logger.log('info', 'b', { component: 'other' });
    expect(lines).toEqual(['Server::TCP: a', 'other: b']);
  });

  it("the kernel's warn goes through its logger, and the old warn option still works", () => {
    const seen: string[] = [];
    new Kernel({ logger: { log: (level, message) => seen.push(`${level} ${message}`) } }).warn('w1');
    new Kernel({ warn: (line) => seen.push(line) }).warn('w2');
    expect(seen).toEqual(['warning w1', 'w2']);
  });
});
