// An estimate of the machine's peak float32 throughput for the benchmark's threads:
// threads x SIMD lanes x 2 (FMA = multiply + add) x 2 FMA units per core x clock. Lanes come from
// the /proc/cpuinfo flags (avx512f 16, avx2+fma 8, else 4) and the clock from its 'cpu MHz' (or
// Node's os.cpus() speed). Two FMA units per core is an assumption (true of server Xeons; some
// parts have one 512-bit unit), so the fraction of peak it gives is a lower bound then.
import { existsSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';

export interface MachinePeak {
  readonly gflops: number;
  readonly assumption: string;
}

function cpuinfo(): string {
  return existsSync('/proc/cpuinfo') ? readFileSync('/proc/cpuinfo', 'utf8') : '';
}

export function machinePeak(threads: number): MachinePeak {
  const info = cpuinfo();
  const flags = new Set((/^flags\s*:\s*(.*)$/m.exec(info)?.[1] ?? '').split(/\s+/));
  const mhz = Number(/^cpu MHz\s*:\s*([\d.]+)/m.exec(info)?.[1] ?? cpus()[0]?.speed ?? 0);
  const [lanes, isa] = flags.has('avx512f') ? [16, 'AVX-512'] : flags.has('avx2') && flags.has('fma') ? [8, 'AVX2+FMA'] : [4, 'SSE (assumed)'];
  const flopsPerCycle = lanes * 2 * 2;
  return {
    gflops: (threads * flopsPerCycle * mhz) / 1000,
    assumption: `${threads} threads x ${flopsPerCycle} FP32 FLOP/cycle (${isa}: ${lanes} lanes x FMA 2 FLOP x 2 FMA units, assumed) x ${(mhz / 1000).toFixed(2)} GHz (cpu MHz)`,
  };
}
