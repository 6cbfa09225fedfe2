// The bundled CLI's entry point (out/cli/aptp.mjs): runs `aptp` on the process arguments.
import { run } from './index';

void run(process.argv.slice(2));
