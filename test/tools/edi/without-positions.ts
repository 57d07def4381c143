/** A read model without the segment positions readers keep (`at`), for comparing with a model written from memory. */
export function withoutPositions<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => withoutPositions(v)) as T;
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(Object.entries(value).filter(([k]) => k !== "at").map(([k, v]) => [k, withoutPositions(v)])) as T;
}
