// Progress for long CLI work: a redrawn bar on a terminal, periodic plain lines otherwise (logs, CI).
// The detail (often a file name) is made printable first.
import { printable } from './format';
export interface ProgressBar {
  update(done: number, detail?: string): void;
  finish(detail?: string): void;
}

export function progressBar(label: string, total: number, stream: NodeJS.WriteStream = process.stderr): ProgressBar {
  const started = Date.now();
  let lastPlain = -1;
  const line = (done: number, detail: string): string => {
    const frac = total > 0 ? Math.min(1, done / total) : 1;
    const width = 28;
    const filled = Math.round(frac * width);
    const secs = (Date.now() - started) / 1000;
    const eta = secs >= 1 && done > 0 && done < total ? ` eta ${Math.ceil((secs / done) * (total - done))}s` : '';
    return `${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total} ${(frac * 100).toFixed(0)}%${eta}${detail ? `  ${printable(detail)}` : ''}`;
  };
  return {
    update(done, detail = '') {
      if (stream.isTTY) {
        stream.write(`\r\x1b[2K${line(done, detail)}`);
      } else {
        const decile = Math.floor((done / Math.max(total, 1)) * 10);
        if (decile !== lastPlain && done < total) {
          lastPlain = decile;
          stream.write(`${line(done, detail)}\n`);
        }
      }
    },
    finish(detail = '') {
      const text = `${line(total, detail)} in ${((Date.now() - started) / 1000).toFixed(1)}s`;
      stream.write(stream.isTTY ? `\r\x1b[2K${text}\n` : `${text}\n`);
    },
  };
}
