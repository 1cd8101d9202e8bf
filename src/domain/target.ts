/** The kinds of things that are scanned (DESIGN.md: target). */
export const TARGET_TYPES = ['repository', 'container', 'instance', 'configuration'] as const;
export type TargetType = (typeof TARGET_TYPES)[number];

export function isTargetType(value: unknown): value is TargetType {
  return typeof value === 'string' && (TARGET_TYPES as readonly string[]).includes(value);
}

/** Target names are unique per scope compared case-insensitively; this is the comparison key. */
export function targetNameKey(name: string): string {
  return name.toLowerCase();
}
