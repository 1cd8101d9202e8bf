import { InputError } from './errors.js';

const UNIT_SECONDS: Record<string, number> = { '': 1, s: 1, m: 60, h: 3600 };

/** `30s`, `5m`, `1h` or a number of seconds, in milliseconds (`0` is 0: the caller says what it means). `what` names the setting in the error. */
export function parseInterval(text: string, what = '--refresh-interval'): number {
  const match = /^(\d+(?:\.\d+)?)\s*(s|m|h)?$/i.exec(text.trim());
  if (!match) throw new InputError(`Invalid ${what} ${JSON.stringify(text)}: expected a duration such as 30s, 5m or 1h, or a number of seconds.`);
  return Math.round(Number(match[1]) * (UNIT_SECONDS[(match[2] ?? '').toLowerCase()] ?? 1) * 1000);
}
