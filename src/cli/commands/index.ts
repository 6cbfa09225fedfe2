// Every `aptp` command, in the order --help lists them.
import type { CliEntry } from '../command';
import { dataCommand } from './data';
import { demoCommand } from './demo';
import { generateCommand } from './generate';
import { infoCommand } from './info';
import { pruneCommand } from './prune';
import { runsCommand } from './runs';
import { studioCommand } from './studio';
import { worldCommand } from './world';

export const commands: readonly CliEntry[] = [dataCommand, demoCommand, generateCommand, infoCommand, pruneCommand, runsCommand, studioCommand, worldCommand];
