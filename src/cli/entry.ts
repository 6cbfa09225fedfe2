// The bundled CLI's entry point (out/cli/aptp.mjs): runs `aptp` on the process arguments. `aptp
// prune` first restarts itself with the engine's allocator settings when they are missing
// (allocator-rerun.ts), as the studio's run workers start with them.
import { rerunWithAllocatorEnv } from './allocator-rerun';
import { run } from './index';

const argv = process.argv.slice(2);
if (argv[0] === 'prune') {
  const code = await rerunWithAllocatorEnv();
  if (code === undefined) void run(argv);
  else process.exitCode = code;
} else {
  void run(argv);
}
