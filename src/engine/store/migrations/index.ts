// Every schema migration, in order. Adding one: a new numbered file, one line here, one test.
import type { Migration } from './migration';
import { initial } from './001-initial';

export const migrations: readonly Migration[] = [initial];
