/** A header's value in a list of lines: several of the same name joined by ', ', as HTTP::Headers reads them. */
export function headerValue(list: readonly (readonly [string, string])[], name: string): string | undefined {
  const wanted = name.toLowerCase();
  const values = list.filter(([n]) => n.toLowerCase() === wanted).map(([, v]) => v);
  return values.length === 0 ? undefined : values.join(', ');
}

/** The trailer of a chunked body (POE gives an HTTP::Headers): the last record of each body. */
export class HTTPHeaders {
  private readonly list: [string, string][] = [];

  push_header(name: string, value: string): void {
    this.list.push([name, value]);
  }

  /** A header's value (several of a name joined by ', '). */
  header(name: string): string | undefined {
    return headerValue(this.list, name);
  }

  headers(): readonly [string, string][] {
    return this.list;
  }
}
