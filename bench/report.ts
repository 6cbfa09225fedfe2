// How every benchmark prints: one `name: value` line, numbers to 4 significant digits.
export function line(name: string, value: string | number): void {
  console.log(`${name}: ${typeof value === 'number' ? Number(value.toPrecision(4)) : value}`);
}
