// The engine's version, taken from package.json at build time (one source of truth).
import pkg from '../../../package.json';

export const ENGINE_VERSION: string = pkg.version;
