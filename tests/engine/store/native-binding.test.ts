// The SQLite binding choice: the package's own build under Node, the Electron-ABI build in Electron.
import { describe, expect, it } from 'vitest';
import { electronBindingPath, sqliteNativeBinding } from '../../../src/engine/store/native-binding';

describe('sqliteNativeBinding', () => {
  it('uses the package build under plain Node', () => {
    expect(sqliteNativeBinding(process.versions)).toBeUndefined();
  });

  it('asks for the Electron build inside Electron and explains when it is missing', () => {
    const versions = { ...process.versions, electron: '0.0.0-test' } as NodeJS.ProcessVersions;
    expect(() => sqliteNativeBinding(versions)).toThrow(/SQLite has not been built for Electron 0\.0\.0-test.*npm run setup/);
  });

  it('keeps the Electron build beside the package, per Electron version', () => {
    expect(electronBindingPath('/app/node_modules/better-sqlite3', '38.8.6')).toBe('/app/node_modules/.aptp/electron-38.8.6/better_sqlite3.node');
  });
});
