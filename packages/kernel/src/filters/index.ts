// POE's filters (POE::Filter::*): the whole public surface of this directory.
import { FilterBlock } from './block.js';
import type { Chunk, Filter as FilterInterface } from './filter.js';
import { FilterGrep } from './grep.js';
import { FilterHTTPChunk } from './http-chunk.js';
import { FilterHTTPD } from './httpd.js';
import { FilterLine } from './line.js';
import { FilterMap } from './map.js';
import { FilterRecordBlock } from './record-block.js';
import { FilterReference } from './reference.js';
import { FilterStackable } from './stackable.js';
import { FilterStream } from './stream.js';

export type { AnyFilter, Chunk } from './filter.js';
export { isFilter } from './filter.js';
export { FilterError, type FilterErrorCode } from './filter-error.js';
export { FilterBase } from './base.js';
export { FilterLine, LINE_MAX_LENGTH, type LineOptions } from './line.js';
export { FilterStream } from './stream.js';
export { FilterBlock, BLOCK_MAX_LENGTH, type BlockOptions } from './block.js';
export {
  decodeAsciiLength,
  encodeAsciiLength,
  type LengthDecoded,
  type LengthDecoder,
  type LengthEncoder,
} from './length-framing.js';
export { FilterRecordBlock, type RecordBlockOptions } from './record-block.js';
export { FilterMap, type MapModify, type MapOptions } from './map.js';
export { FilterGrep, type GrepOptions } from './grep.js';
export { FilterStackable, type StackableOptions } from './stackable.js';
export { FilterReference, type ReferenceOptions, type ReferenceSerializer } from './reference.js';
export { FilterHTTPD, HTTPRequest, HTTPResponse, type HTTPDOptions } from './httpd.js';
export { FilterHTTPChunk } from './http-chunk.js';
export { HTTPHeaders } from './http-headers.js';

/** The filter interface (see filter.ts). */
export type Filter<In, Out = In, Raw = Chunk> = FilterInterface<In, Out, Raw>;

/** POE's package names, so that ported scripts can say `new Filter.Line(...)`. */
export const Filter = {
  Line: FilterLine,
  Stream: FilterStream,
  Block: FilterBlock,
  RecordBlock: FilterRecordBlock,
  Map: FilterMap,
  Grep: FilterGrep,
  Stackable: FilterStackable,
  Reference: FilterReference,
  HTTPD: FilterHTTPD,
  HTTPChunk: FilterHTTPChunk,
} as const;
