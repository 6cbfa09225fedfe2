// Picks the transport at start: the desktop preload's `window.studio` when it exists, else the web
// studio's WebSocket with the token from the page URL. Callers get a StudioApi either way.
import type { StudioApi } from '../../../shared/studio-api';
import { connectWebSocketStudio, webSocketUrl } from './websocket-studio';

export async function connectStudio(window: Window): Promise<StudioApi> {
  if (window.studio) return window.studio;
  const token = new URLSearchParams(window.location.search).get('token');
  if (!token) throw new Error('This page needs the token from the URL that `aptp studio --web` printed.');
  return connectWebSocketStudio(webSocketUrl(window.location, token));
}
