/** The `lantern` section of Backstage's app-config, read by the backend plugin and the Tech Insights module. */

/** The part of Backstage's Config these read (Config from @backstage/config has these methods). */
export interface ConfigLike {
  getOptionalString(key: string): string | undefined;
  getOptionalNumber(key: string): number | undefined;
}

export interface LanternConfig {
  /** Lantern's address, e.g. `https://lantern.acme.io` (no trailing slash). */
  baseUrl: string;
  /** Where its insights routes are: `${baseUrl}/api/insights`. */
  insightsUrl: string;
  token: string;
  /** How long the backend keeps a summary (`lantern.cacheSeconds`, default 30). */
  summaryTtlMs: number;
  /** `lantern.timeoutSeconds`, default 10. */
  timeoutMs: number;
}

/** A sentence naming the config key and what was expected. */
export class LanternConfigError extends Error {
  override readonly name = 'LanternConfigError';
}

function seconds(config: ConfigLike, key: string, fallback: number, min: number): number {
  const value = config.getOptionalNumber(key);
  if (value === undefined) return fallback * 1000;
  if (!Number.isFinite(value) || value < min || value > 3600) {
    throw new LanternConfigError(`Invalid ${key} ${value}: expected a number of seconds from ${min} to 3600.`);
  }
  return value * 1000;
}

export function readLanternConfig(config: ConfigLike): LanternConfig {
  const baseUrl = config.getOptionalString('lantern.baseUrl');
  if (!baseUrl) throw new LanternConfigError('Missing lantern.baseUrl: expected the address of the Lantern server, such as https://lantern.acme.io.');
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new LanternConfigError(`Invalid lantern.baseUrl ${JSON.stringify(baseUrl)}: expected an http or https address, such as https://lantern.acme.io.`);
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.username || url.password || url.search || url.hash) {
    throw new LanternConfigError(`Invalid lantern.baseUrl ${JSON.stringify(baseUrl)}: expected an http or https address without user, password, query or fragment.`);
  }
  const token = config.getOptionalString('lantern.token');
  if (!token) throw new LanternConfigError('Missing lantern.token: expected a Lantern API token (a viewer at account scope), such as ${LANTERN_TOKEN}.');
  const root = baseUrl.replace(/\/+$/, '');
  return {
    baseUrl: root,
    insightsUrl: `${root}/api/insights`,
    token,
    summaryTtlMs: seconds(config, 'lantern.cacheSeconds', 30, 0),
    timeoutMs: seconds(config, 'lantern.timeoutSeconds', 10, 1),
  };
}
