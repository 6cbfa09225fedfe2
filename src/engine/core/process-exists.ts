// Whether a process id names a live process on this machine (signal 0 checks without signalling).
// EPERM means it exists but belongs to someone else: still alive.
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
