import { readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { clearLine, createInterface, cursorTo, type Interface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { warnUnknownParameters, Wheel } from './wheel.js';

/** InputEvent's ARG1 when no line came: Ctrl-C, Ctrl-D on an empty line. */
export type ReadLineException = 'interrupt' | 'eot' | 'cancel';

export interface ReadLineOptions {
  /** ARG0 the line (undefined with an exception), ARG1 the exception, ARG2 the wheel ID. Required. */
  InputEvent: string;
  /** When put() text shows while a line is being typed: at once, once the user is idle IdleTime seconds (the default), or after the line. */
  PutMode?: 'immediate' | 'idle' | 'after';
  /** Seconds without a keystroke before 'idle' output shows. Default 2. */
  IdleTime?: number;
  /** POE's application name (for readline init files); kept, unused: Node's readline reads none. */
  AppName?: string;
  appname?: string;
  /** New to the port: the terminal's streams. Default: process.stdin and process.stdout. */
  input?: Readable;
  output?: Writable;
}

const KNOWN = ['InputEvent', 'PutMode', 'IdleTime', 'AppName', 'appname', 'input', 'output'];

/**
 * POE::Wheel::ReadLine on Node's `readline`: an interactive prompt with Emacs editing and history.
 * `get(prompt)` reads one line, which comes as InputEvent; `put()` prints above the line being
 * typed, by PutMode. Keys are Node's: Ctrl-A/E/B/F/H/D/K/U/W/T, Meta-B/F/D, Meta-Backspace,
 * arrows and Ctrl-P/N for history. POE's own editor also has case changes (Meta-L/U/C),
 * transpose-words, a kill ring and vi mode, which Node's readline does not. Node adds each
 * accepted line to the history itself; `add_history` adds more, as POE's does.
 */
export class ReadLine extends Wheel {
  private readonly names: { InputEvent: string };
  private readonly putMode: 'immediate' | 'idle' | 'after';
  private readonly idleMs: number;
  private readonly input: Readable;
  private readonly output: Writable;
  private rl: Interface | undefined = undefined;
  private history: string[] = [];
  private reading = false;
  private promptText = '';
  private readonly held: string[] = [];
  private idleTimer: NodeJS.Timeout | undefined = undefined;

  constructor(options: ReadLineOptions) {
    if (options === null || typeof options !== 'object') throw new TypeError('POE::Wheel::ReadLine: needs an options object');
    if (options.InputEvent === undefined || options.InputEvent === null) throw new TypeError('POE::Wheel::ReadLine requires an InputEvent parameter');
    const putMode = options.PutMode ?? 'idle';
    if (putMode !== 'immediate' && putMode !== 'idle' && putMode !== 'after') throw new TypeError("POE::Wheel::ReadLine PutMode must be either 'immediate', 'idle', or 'after'");
    warnUnknownParameters('POE::Wheel::ReadLine', options, KNOWN);
    super('POE::Wheel::ReadLine');
    this.names = { InputEvent: options.InputEvent };
    this.putMode = putMode;
    this.idleMs = (options.IdleTime ?? 2) * 1000;
    this.input = options.input ?? process.stdin;
    this.output = options.output ?? process.stdout;
  }

  /** Shows `prompt` and reads one line (a new prompt while reading repaints it). */
  get(prompt?: string): void {
    if (this.destroyed) return;
    if (prompt !== undefined) this.promptText = prompt;
    const rl = this.interface();
    rl.setPrompt(this.promptText);
    if (this.reading) {
      rl.prompt(true);
      return;
    }
    this.reading = true;
    rl.resume();
    rl.prompt();
  }

  /** Prints lines above the line being typed (when PutMode lets them show), then repaints it. */
  put(...lines: string[]): void {
    if (this.destroyed) return;
    // 'idle': held only while the user has typed within IdleTime (each keystroke rearms the timer).
    if (!this.reading || this.putMode === 'immediate' || (this.putMode === 'idle' && this.idleTimer === undefined)) {
      this.print(lines);
      return;
    }
    this.held.push(...lines);
  }

  /** Clears the screen. */
  clear(): void {
    this.output.write('\x1b[H\x1b[2J');
    if (this.reading) this.rl?.prompt(true);
  }

  /** [columns, rows] of the output terminal (80 × 25 when it is not one, as POE guesses). */
  terminal_size(): [number, number] {
    const tty = this.output as Writable & { columns?: number; rows?: number };
    return [tty.columns ?? 80, tty.rows ?? 25];
  }

  add_history(...lines: string[]): void {
    // Node keeps its history newest first.
    this.history = [...lines.slice().reverse(), ...this.currentHistory()];
    this.syncHistory();
  }

  addhistory(...lines: string[]): void {
    this.add_history(...lines);
  }

  /** The history, oldest first, as POE returns it. */
  get_history(): string[] {
    return [...this.currentHistory()].reverse();
  }

  GetHistory(): string[] {
    return this.get_history();
  }

  /** Writes the history, one line each, to `file` (default ~/.history); false when it cannot. */
  write_history(file = join(homedir(), '.history')): boolean {
    try {
      writeFileSync(file, this.get_history().join('\n') + '\n');
      return true;
    } catch {
      return false;
    }
  }

  WriteHistory(file?: string): boolean {
    return this.write_history(file);
  }

  /** Adds lines `from`..`to` (default all) of `file` to the history; false when it cannot be read. */
  read_history(file = join(homedir(), '.history'), from = 0, to = -1): boolean {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      return false;
    }
    const lines = text.split('\n');
    if (lines.at(-1) === '') lines.pop();
    this.add_history(...lines.filter((_, i) => i >= from && (to < from || i <= to)));
    return true;
  }

  ReadHistory(file?: string, from?: number, to?: number): boolean {
    return this.read_history(file, from, to);
  }

  protected release(): void {
    if (this.idleTimer !== undefined) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    const rl = this.rl;
    this.rl = undefined;
    if (rl !== undefined) {
      rl.removeAllListeners();
      rl.close();
    }
  }

  private interface(): Interface {
    if (this.rl !== undefined) return this.rl;
    const rl = createInterface({ input: this.input, output: this.output, terminal: true, history: [...this.history], historySize: 1000, prompt: this.promptText });
    rl.pause();
    rl.on('line', this.onLine);
    rl.on('SIGINT', this.onInterrupt);
    rl.on('close', this.onClose);
    this.input.on('keypress', this.onKeypress);
    this.rl = rl;
    return rl;
  }

  private readonly onLine = (line: string): void => {
    this.reading = false;
    this.rl?.pause();
    this.flushHeld();
    this.emit(this.names.InputEvent, line, undefined, this.ID());
  };

  private readonly onInterrupt = (): void => {
    if (!this.reading) return;
    this.output.write('^C\r\n');
    // POE drops the line that was being typed.
    this.rl?.write(null, { ctrl: true, name: 'e' });
    this.rl?.write(null, { ctrl: true, name: 'u' });
    this.reading = false;
    this.rl?.pause();
    this.flushHeld();
    this.emit(this.names.InputEvent, undefined, 'interrupt', this.ID());
  };

  /** Ctrl-D on an empty line closes Node's interface: POE's 'eot'. The next get() opens a new one. */
  private readonly onClose = (): void => {
    this.history = this.currentHistory();
    this.input.off('keypress', this.onKeypress);
    this.rl = undefined;
    if (this.destroyed || !this.reading) return;
    this.reading = false;
    this.flushHeld();
    this.emit(this.names.InputEvent, undefined, 'eot', this.ID());
  };

  private readonly onKeypress = (): void => {
    if (this.putMode === 'idle' && this.reading) this.armIdle();
  };

  private armIdle(): void {
    if (this.idleTimer !== undefined) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined;
      this.flushHeld();
    }, this.idleMs);
  }

  private flushHeld(): void {
    if (this.idleTimer !== undefined) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    if (this.held.length > 0) this.print(this.held.splice(0));
  }

  /** Wipes the line being typed, prints, and repaints the prompt with what was typed. */
  private print(lines: string[]): void {
    const text = lines.map((line) => `${line}\r\n`).join('');
    if (this.reading && this.rl !== undefined) {
      clearLine(this.output, 0);
      cursorTo(this.output, 0);
      this.output.write(text);
      this.rl.prompt(true);
    } else {
      this.output.write(text);
    }
  }

  private currentHistory(): string[] {
    const live = (this.rl as unknown as { history?: string[] } | undefined)?.history;
    return live ?? this.history;
  }

  private syncHistory(): void {
    // Node's Interface keeps its history in `history` (newest first); POE's add_history edits it.
    const rl = this.rl as unknown as { history?: string[] } | undefined;
    if (rl?.history !== undefined) rl.history = [...this.history];
  }
}
