// The StudioApi as typed Svelte context: App provides it, components read it. Tests supply their own.
import { createContext } from 'svelte';
import type { StudioApi } from '../../../shared/studio-api';

export const [getStudioApi, setStudioApi] = createContext<StudioApi>();
