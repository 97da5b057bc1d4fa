// Perfdata text as NSClient++ parses and renders it. The cases are the behaviour NSClient++'s own
// unit tests pin down (nscapi functions_perfdata, parsers/perfdata, str::xtos_non_sci), restated.
import { describe, expect, it } from 'vitest';
import { formatPerfNumber, isThresholdRange, parsePerfData, perfNumber, renderPerfData } from '../../src/protobuf/index.js';

/** Parse then render, as NSClient++ does when perfdata passes through the agent. */
const through = (text: string, maxLength = 0) => renderPerfData(parsePerfData(text), maxLength);

describe('perfdata through parse and render', () => {
  it.each([
    ['', ''],
    ['aaa=1g;0;4;2;5', "'aaa'=1g;0;4;2;5"],
    ["     'aaa'=1g;0;4;2;5     ", "'aaa'=1g;0;4;2;5"],
    ['aaa=1g;0;4;2;5 bbb=2g;3;4;2;5', "'aaa'=1g;0;4;2;5 'bbb'=2g;3;4;2;5"],
    ['aaa=1g', "'aaa'=1g"],
    ["aaa=1g bbb=2g 'ccc'=3g", "'aaa'=1g 'bbb'=2g 'ccc'=3g"],
    ["aaa=1 'bbb'=2 ccc=3", "'aaa'=1 'bbb'=2 'ccc'=3"],
    ['aaa=1g;0;5', "'aaa'=1g;0;5"],
    ['aaa=1g;;;0;5', "'aaa'=1g;;;0;5"],
    ['                   aaa=1g', "'aaa'=1g"],
    ['aaa=-1g;-0;-4;-2;-5 bbb=2g;-3;4;-2;5', "'aaa'=-1g;-0;-4;-2;-5 'bbb'=2g;-3;4;-2;5"],
    ['aaa=1ggggg;;;0;5', "'aaa'=1ggggg;;;0;5"],
    ['aaa=1gg__gg;;;0;5', "'aaa'=1gg__gg;;;0;5"],
    ['aaa=0.00gig;;;0;5', "'aaa'=0gig;;;0;5"],
    ['aaa=1.01g;1.02;1.03;1.04;1.05', "'aaa'=1.01g;1.02;1.03;1.04;1.05"],
    // 1.0001 is 1.00009999... as a double, and NSClient++ cuts rather than rounds.
    ['aaa=1.0001g;1.02;1.03;1.04;1.05', "'aaa'=1.00009g;1.02;1.03;1.04;1.05"],
    ['aaa=1.2337399999999999999g;0.123456;4.4753845;2.2374742;5.9484945', "'aaa'=1.23374g;0.12345;4.47538;2.23747;5.94849"],
    ["'TotalGetRequests__Total'=0.00requests/s;;;0;", "'TotalGetRequests__Total'=0requests/s;;;0"],
    ['aaa', "'aaa'=0"],
    ["'aaa'=\"string_value\"", "'aaa'=0"],
    ['aaa=0.5', "'aaa'=0.5"],
    ['aaa=0.00001', "'aaa'=0.00001"],
    ['aaa=0', "'aaa'=0"],
    ['aaa=50%', "'aaa'=50%"],
    ['aaa=1024B', "'aaa'=1024B"],
    ["'disk usage'=50%", "'disk usage'=50%"],
    ["'cpu/total'=75%", "'cpu/total'=75%"],
    // Nagios' undefined value stays the text U; longer words starting with U do not.
    ['label=U;;;;', "'label'=U"],
    ['label=U%;;;;', "'label'=U"],
    ['label=U%;;;; label2=100%;;;;', "'label'=U 'label2'=100%"],
    ['label=Unknown;;;;', "'label'=0"],
    ['label=Unicorn', "'label'=0"],
    // Threshold ranges survive as written; min and max stay numbers.
    ["'FOO'=10;4:5;6:9", "'FOO'=10;4:5;6:9"],
    ["'x'=1;10:;:20", "'x'=1;10:;:20"],
    ["'x'=1;@10:20;~:30", "'x'=1;@10:20;~:30"],
    ["'x'=5s;4:6;7:8", "'x'=5s;4:6;7:8"],
    ["'x'=10;5;6:9", "'x'=10;5;6:9"],
    ["'x'=50%;@10:90;:95;0;100", "'x'=50%;@10:90;:95;0;100"],
  ])('%j renders as %j', (input, output) => {
    expect(through(input)).toBe(output);
  });

  it.each(["'aaa'=1g;0;4;2;5", "'aaa'=6g;;2;3;4", "'aaa'=6g;1;;3;4", "'aaa'=6g;1;2;;4", "'aaa'=6g;1;2;3", "'aaa'=6g;;;3;4", "'aaa'=6g;1;;;4", "'aaa'=6g;1;2", "'aaa'=6g"])(
    'its own output %j reparses to itself',
    (text) => {
      expect(through(text)).toBe(text);
    },
  );

  it('leaves out items that would pass maxLength, whole', () => {
    const s = "'abcdefghijklmnopqrstuv'=1g;0;4;2;5 'abcdefghijklmnopqrstuv'=1g;0;4;2;5";
    expect(through(s, 71)).toBe(s);
    expect(through(s, 70)).toBe("'abcdefghijklmnopqrstuv'=1g;0;4;2;5");
    expect(through(s, 35)).toBe("'abcdefghijklmnopqrstuv'=1g;0;4;2;5");
    expect(through(s, 34)).toBe('');
  });

  it('reads whitespace alone as no perfdata (NSClient++ throws on it)', () => {
    expect(parsePerfData('     ')).toEqual([]);
  });
});

describe('parsePerfData fields', () => {
  it('reads label, value, unit, thresholds and bounds', () => {
    expect(parsePerfData('disk=50g;40;80;0;100')).toEqual([{ alias: 'disk', value: 50, unit: 'g', warning: 40, critical: 80, minimum: 0, maximum: 100 }]);
    expect(parsePerfData('temp=65;70;90')).toEqual([{ alias: 'temp', value: 65, warning: 70, critical: 90 }]);
    expect(parsePerfData('cpu=50.5%;60.1;90.9')).toEqual([{ alias: 'cpu', value: 50.5, unit: '%', warning: 60.1, critical: 90.9 }]);
  });

  it('leaves empty fields absent', () => {
    expect(parsePerfData('x=10;;90')).toEqual([{ alias: 'x', value: 10, critical: 90 }]);
    expect(parsePerfData('x=10;50;;0;100')).toEqual([{ alias: 'x', value: 10, warning: 50, minimum: 0, maximum: 100 }]);
    expect(parsePerfData('x=10;50;90;;')).toEqual([{ alias: 'x', value: 10, warning: 50, critical: 90 }]);
  });

  it('unquotes labels and splits on runs of spaces', () => {
    expect(parsePerfData("'disk c'=50% 'disk d'=75%").map((p) => p.alias)).toEqual(['disk c', 'disk d']);
    expect(parsePerfData('a=1   b=2   c=3').map((p) => p.value)).toEqual([1, 2, 3]);
    expect(parsePerfData('load=1   ')).toEqual([{ alias: 'load', value: 1 }]);
  });

  it('reads a value with no number as 0 and U as text', () => {
    expect(parsePerfData('status=')).toEqual([{ alias: 'status', value: 0 }]);
    expect(parsePerfData('label=KB')).toEqual([{ alias: 'label', value: 0 }]);
    expect(parsePerfData('label=U%')).toEqual([{ alias: 'label', value: 'U' }]);
  });

  it('keeps a range as written and its lower bound as the number', () => {
    expect(parsePerfData("'FOO'=10;4:5;6:9")).toEqual([{ alias: 'FOO', value: 10, warning: 4, warningRange: '4:5', critical: 6, criticalRange: '6:9' }]);
    expect(parsePerfData("'x'=1;5;10")).toEqual([{ alias: 'x', value: 1, warning: 5, critical: 10 }]);
  });

  it('skips items with an empty label', () => {
    expect(parsePerfData("=5 ''=6 b=7")).toEqual([{ alias: 'b', value: 7 }]);
  });
});

describe('numbers', () => {
  it('reads the leading number of a field, comma as decimal point, else 0', () => {
    expect(perfNumber('42')).toBe(42);
    expect(perfNumber('3.14')).toBe(3.14);
    expect(perfNumber('-5')).toBe(-5);
    expect(perfNumber('1024B')).toBe(1024);
    expect(perfNumber('1,5')).toBe(1.5);
    expect(perfNumber('')).toBe(0);
    expect(perfNumber('KB')).toBe(0);
    expect(perfNumber('999999999')).toBe(999999999);
    expect(perfNumber('1.2.3')).toBe(0);
    expect(perfNumber('-')).toBe(0);
  });

  it('tells a Nagios range from a number', () => {
    expect([...['10', '10s', ''].map(isThresholdRange), ...['4:5', ':10', '10:', '@10:20', '~:10'].map(isThresholdRange)]).toEqual([
      false, false, false, true, true, true, true, true,
    ]);
  });

  it('prints without exponent, cut to five decimals, no trailing zeros', () => {
    expect(formatPerfNumber(0)).toBe('0');
    expect(formatPerfNumber(1000)).toBe('1000');
    expect(formatPerfNumber(10230000)).toBe('10230000');
    expect(formatPerfNumber(1024000000000)).toBe('1024000000000');
    expect(formatPerfNumber(1024000000000000000)).toBe('1024000000000000000');
    expect(formatPerfNumber(9223372036854775807)).toBe('9223372036854775808');
    expect(formatPerfNumber(1e22)).toBe('10000000000000000000000');
    expect(formatPerfNumber(0.339)).toBe('0.339');
    expect(formatPerfNumber(1000.344585858585858585858585585)).toBe('1000.34458');
    expect(formatPerfNumber(10230000.3333333333333333333333)).toBe('10230000.33333');
    expect(formatPerfNumber(1024000000000.13123123123123)).toBe('1024000000000.13122');
    expect(formatPerfNumber(9223.13123432423423)).toBe('9223.13123');
    expect(formatPerfNumber(92233720.234324234234234)).toBe('92233720.23432');
    expect(formatPerfNumber(922337203685.2423423423423)).toBe('922337203685.24231');
    expect(formatPerfNumber(-0)).toBe('-0');
    expect(formatPerfNumber(-1.5)).toBe('-1.5');
    expect(formatPerfNumber(42.5)).toBe('42.5');
    expect([NaN, Infinity, -Infinity].map(formatPerfNumber)).toEqual(['nan', 'inf', '-inf']);
  });

  it('renders a string value verbatim and an item without value as a bare label', () => {
    expect(renderPerfData([{ alias: 'test', value: 'test_string' }, { alias: 'empty' }])).toBe("'test'=test_string 'empty'=");
    expect(renderPerfData([{ alias: 'metric', value: 50, warning: 4, warningRange: '4:5', critical: 6, criticalRange: '6:9' }])).toBe("'metric'=50;4:5;6:9");
    expect(renderPerfData([{ alias: 'metric', value: 50, unit: '%', warning: 70, critical: 90, minimum: 0, maximum: 100 }])).toBe("'metric'=50%;70;90;0;100");
  });
});
