import { FilterBase } from './base.js';
import { warnUnknownParams } from './params.js';
import { RecordQueue } from './record-queue.js';

export interface RecordBlockOptions {
  /** How many records make a block. Required. */
  BlockSize: number;
  /** When true, put() sends only whole blocks and holds the rest back (see put_pending). */
  CheckPut?: boolean;
}

const isBlockSize = (size: unknown): size is number =>
  typeof size === 'number' && Number.isSafeInteger(size) && size > 0;

/**
 * POE::Filter::RecordBlock: get() groups records into arrays of BlockSize;
 * put() flattens arrays back into records.
 */
export class FilterRecordBlock<T = unknown> extends FilterBase<T[], T[], T> {
  private size: number;
  private check: boolean;
  private readonly getBuffer = new RecordQueue<T>();
  private putBuffer: T[] = [];

  constructor(options: RecordBlockOptions) {
    super();
    warnUnknownParams('FilterRecordBlock', options, ['BlockSize', 'CheckPut']);
    if (!isBlockSize(options.BlockSize)) {
      throw new RangeError(`FilterRecordBlock BlockSize must be a positive integer, not ${String(options.BlockSize)}`);
    }
    this.size = options.BlockSize;
    this.check = Boolean(options.CheckPut);
  }

  get_one_start(records: readonly T[]): void {
    this.getBuffer.push(records);
  }

  get_one(): T[][] {
    if (this.getBuffer.length < this.size) return [];
    return [this.getBuffer.take(this.size)];
  }

  put(blocks: readonly T[][]): T[] {
    const out: T[] = [];
    if (this.check) {
      for (const block of blocks) for (const record of block) this.putBuffer.push(record);
      const whole = this.putBuffer.length - (this.putBuffer.length % this.size);
      for (const record of this.putBuffer.splice(0, whole)) out.push(record);
    } else {
      // Records held while CheckPut was on go out first.
      for (const record of this.putBuffer.splice(0)) out.push(record);
      for (const block of blocks) for (const record of block) out.push(record);
    }
    return out;
  }

  get_pending(): T[] | undefined {
    return this.getBuffer.length === 0 ? undefined : this.getBuffer.toArray();
  }

  /** Records held back by put() until they make a whole block; undefined when none (or CheckPut is off). */
  put_pending(): T[] | undefined {
    if (!this.check || this.putBuffer.length === 0) return undefined;
    return [...this.putBuffer];
  }

  /** BlockSize, after setting it to `size` if that is a positive integer. */
  blocksize(size?: number): number {
    if (isBlockSize(size)) this.size = size;
    return this.size;
  }

  /** CheckPut, after setting it to `value` when one is given. */
  checkput(value?: boolean): boolean {
    if (value !== undefined) this.check = Boolean(value);
    return this.check;
  }

  clone(): FilterRecordBlock<T> {
    return new FilterRecordBlock<T>({ BlockSize: this.size, CheckPut: this.check });
  }
}
