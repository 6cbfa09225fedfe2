// A benchmark child driven line by line: the parent writes one command per line ('step', 'end'),
// the child answers with `name: value` lines and a closing 'ok'. aptp-step.ts runs our step and
// PyTorch's this way, both loaded at once, and alternates their steps, so both sides are timed
// under the same machine load (this VM's speed drifts by a quarter over minutes).
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';

export type Reply = Record<string, string>;

export class LineChild {
  #stderr = '';

  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    private readonly lines: AsyncIterator<string>,
    private readonly label: string,
  ) {
    child.stderr.on('data', (d: Buffer) => (this.#stderr += d.toString()));
  }

  /** Starts the child and waits for its first answer (what it printed while loading). */
  static async start(label: string, command: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<{ child: LineChild; reply: Reply }> {
    const proc = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], env });
    const child = new LineChild(proc, createInterface({ input: proc.stdout })[Symbol.asyncIterator](), label);
    return { child, reply: await child.#answer('start') };
  }

  /** Sends one command and returns its answer. */
  async send(command: 'step' | 'end'): Promise<Reply> {
    this.child.stdin.write(`${command}\n`);
    const reply = await this.#answer(command);
    if (command === 'end') this.child.stdin.end(); // the child exits once its stdin closes
    return reply;
  }

  async #answer(command: string): Promise<Reply> {
    const reply: Reply = {};
    for (;;) {
      const next = await this.lines.next();
      if (next.done) throw new Error(`${this.label} exited during '${command}': ${this.#stderr.trim().slice(-1500)}`);
      if (next.value === 'ok') return reply;
      const at = next.value.indexOf(': ');
      if (at > 0) reply[next.value.slice(0, at)] = next.value.slice(at + 2);
    }
  }
}

/** Reads commands from stdin for a child process: calls `handle` per line until 'end' was handled. */
export async function serveLines(handle: (command: string) => Promise<void>): Promise<void> {
  for await (const line of createInterface({ input: process.stdin })) {
    await handle(line.trim());
    console.log('ok');
    if (line.trim() === 'end') return;
  }
}
