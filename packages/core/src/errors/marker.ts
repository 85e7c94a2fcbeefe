/** Cross-copy `instanceof`: each error class stamps a `Symbol.for` marker that survives two installed copies. */
export function markerFor(name: string): symbol {
  return Symbol.for(`retouch.error.${name}`);
}

export function hasMarker(value: unknown, marker: symbol): boolean {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[marker] === true;
}
