// View state that outlives a page reload: the one mechanism the views use to remember what the user
// chose (a folder, a model, a dataset, a filter, prompt settings). The whole API is `remember`:
//
//   remember(key, schema, read, restore)
//     key      a short name, unique per view and piece ('model', 'dataset.filter'); stored under
//              'aptp.view.v1.' + key
//     schema   a zod schema of what is saved: a saved value that no longer parses (an older build,
//              a hand-edited entry) is ignored, never half-applied
//     read     () => value: reads runes; whenever what it read changes, the value is saved again
//     restore  (saved) => void: called once, at once, with the saved value when there is one
//   returns the function that stops saving (App-lived state never needs to call it)
//
// State that is saved at moments the view chooses (not on every change of what it reads) uses the
// same store through `recall(key, schema)` (the saved value, or undefined) and `keep(key, value)`.
//
// Where it is kept: the tab's sessionStorage. A reload (and Electron's reload) keeps it; a second tab
// or window starts fresh and chooses for itself, so two tabs never overwrite each other's model. What
// must outlive the studio (recent models, datasets, runs, generations, running jobs) lives in the
// engine's workspace database and is read from there; running jobs re-attach through listJobs.
import type { z } from 'zod';

const PREFIX = 'aptp.view.v1.';

/** The tab's storage, or none where the page may not use it (then nothing is remembered, nothing fails). */
function storage(): Storage | undefined {
  try {
    return globalThis.sessionStorage;
  } catch {
    return undefined;
  }
}

function load<T>(store: Storage, key: string, schema: z.ZodType<T>): { ok: true; value: T } | { ok: false } {
  const text = store.getItem(PREFIX + key);
  if (text === null) return { ok: false };
  try {
    const parsed = schema.safeParse(JSON.parse(text));
    return parsed.success ? { ok: true, value: parsed.data } : { ok: false };
  } catch {
    return { ok: false };
  }
}

function save(store: Storage, key: string, value: unknown): void {
  try {
    store.setItem(PREFIX + key, JSON.stringify(value));
  } catch {
    // A full or disabled storage only means this choice is not remembered across a reload.
  }
}

/** The value saved under `key` that still parses with `schema`, or undefined. */
export function recall<T>(key: string, schema: z.ZodType<T>): T | undefined {
  const store = storage();
  if (!store) return undefined;
  const saved = load(store, key, schema);
  return saved.ok ? saved.value : undefined;
}

/** Saves `value` under `key` now (for state saved at chosen moments rather than through `remember`). */
export function keep(key: string, value: unknown): void {
  const store = storage();
  if (store) save(store, key, value);
}

export function remember<T>(key: string, schema: z.ZodType<T>, read: () => T, restore: (saved: T) => void): () => void {
  const store = storage();
  if (!store) return () => undefined;
  const saved = load(store, key, schema);
  if (saved.ok) restore(saved.value);
  return $effect.root(() => {
    $effect(() => {
      save(store, key, $state.snapshot(read()));
    });
  });
}
