/** Where a kernel method was called from: only computed when asked for, since a stack capture is slow. */
export interface CallerSite {
  file: string | undefined;
  line: number | undefined;
}

const FRAME = /\(?((?:file:\/\/)?[^()\s]+?):(\d+):\d+\)?$/;

/** The file and line of the code that called `method` (a kernel method). */
export function callerSite(method: Function): CallerSite {
  const holder: { stack?: string } = {};
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 1;
  Error.captureStackTrace(holder, method);
  Error.stackTraceLimit = limit;
  const frame = holder.stack?.split('\n')[1]?.trim() ?? '';
  const match = FRAME.exec(frame);
  return match ? { file: match[1], line: Number(match[2]) } : { file: undefined, line: undefined };
}
