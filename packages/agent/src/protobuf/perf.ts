// Perf items <-> Common.PerformanceData.
import type { MessageInitShape } from '@bufbuild/protobuf';
import type { PerformanceData, PerformanceDataSchema } from './gen/common_pb.js';
import type { FloatPerf, Perf } from './types.js';

const optional = (value: number | undefined) => (value === undefined ? undefined : { value });

export function perfToWire(perf: Perf): MessageInitShape<typeof PerformanceDataSchema> {
  if (typeof perf.value === 'string') return { alias: perf.alias, value: { case: 'stringValue', value: { value: perf.value } } };
  if (typeof perf.value !== 'number') return { alias: perf.alias };
  const p = perf as FloatPerf;
  return {
    alias: p.alias,
    value: {
      case: 'floatValue',
      value: {
        value: p.value,
        unit: p.unit,
        warning: optional(p.warning),
        critical: optional(p.critical),
        minimum: optional(p.minimum),
        maximum: optional(p.maximum),
        warningRange: p.warningRange,
        criticalRange: p.criticalRange,
      },
    },
  };
}

export function perfFromWire(perf: PerformanceData): Perf {
  const { value } = perf;
  if (value.case === 'stringValue') return { alias: perf.alias, value: value.value.value };
  if (value.case !== 'floatValue') return { alias: perf.alias };
  const f = value.value;
  const out: FloatPerf = { alias: perf.alias, value: f.value };
  if (f.unit) out.unit = f.unit;
  if (f.warning) out.warning = f.warning.value;
  if (f.critical) out.critical = f.critical.value;
  if (f.minimum) out.minimum = f.minimum.value;
  if (f.maximum) out.maximum = f.maximum.value;
  if (f.warningRange) out.warningRange = f.warningRange;
  if (f.criticalRange) out.criticalRange = f.criticalRange;
  return out;
}
