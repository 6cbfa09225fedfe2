// The bundled CLI's entry point (out/cli/aptp.mjs): runs `aptp` on the process arguments. A command
// marked `allocatorEnv` (`aptp prune`) first restarts itself with the engine's allocator settings
// when they are missing (allocator-rerun.ts), as the studio's run workers start with them.
import { rerunWithAllocatorEnv } from './allocator-rerun';
import { isGroup } from './command';
import { commands } from './commands';
import { run } from './index';

const argv = process.argv.slice(2);
const command = commands.find((c) => c.name === argv[0]);
const code = command && !isGroup(command) && command.allocatorEnv ? await rerunWithAllocatorEnv() : undefined;
if (code === undefined) void run(argv);
else process.exitCode = code;
