// Renderer entry: picks the transport, then mounts the studio (or says why it cannot).
import { mount } from 'svelte';
import App from './App.svelte';
import { connectStudio } from './lib/api/connect';
import './styles/app.css';
import ConnectionFailed from './views/ConnectionFailed.svelte';

const target = document.getElementById('app');
if (!target) throw new Error('index.html lacks #app');

connectStudio(window).then(
  (api) => mount(App, { target, props: { api } }),
  (error: unknown) => mount(ConnectionFailed, { target, props: { message: error instanceof Error ? error.message : String(error) } }),
);
