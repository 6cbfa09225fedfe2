// What the desktop app adds to the StudioApi: the path of a file or folder dropped on the window
// (Electron's webUtils, through the preload). Absent in the web studio, where the engine may run
// on another machine and a dropped file has no path there. Provided as context like the api.
import { createContext } from 'svelte';

export interface DesktopBridge {
  pathForFile(file: File): string;
}

export const [getDesktopBridge, setDesktopBridge] = createContext<DesktopBridge | undefined>();
