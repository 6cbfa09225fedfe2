// Which view the shell shows, mirrored in the URL hash so a reload keeps it (the token query stays).
// App provides it as context, so a view can send the user on (the gallery's "reuse these settings").
import { createContext } from 'svelte';

export const VIEWS = [
  { id: 'home', label: 'Home', ready: true },
  { id: 'model', label: 'Model', ready: true },
  { id: 'gallery', label: 'Gallery', ready: true },
  { id: 'dataset', label: 'Dataset', ready: true },
  { id: 'train', label: 'Train', ready: true },
  { id: 'routing', label: 'Routing', ready: true },
  { id: 'export', label: 'Export', ready: false },
] as const;

export type ViewId = (typeof VIEWS)[number]['id'];

function viewFromHash(hash: string): ViewId {
  const id = hash.replace(/^#\/?/, '');
  return VIEWS.find((v) => v.id === id)?.id ?? 'home';
}

export class Navigation {
  current = $state<ViewId>('home');
  readonly view = $derived(VIEWS.find((v) => v.id === this.current) ?? VIEWS[0]);

  constructor(private readonly location: Location) {
    this.current = viewFromHash(location.hash);
  }

  go(id: ViewId): void {
    this.current = id;
    this.location.hash = `/${id}`;
  }

  /** Follows back/forward; returns the function that stops following. */
  follow(window: Window): () => void {
    const onHash = () => (this.current = viewFromHash(window.location.hash));
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }
}

export const [getNavigation, setNavigation] = createContext<Navigation>();
