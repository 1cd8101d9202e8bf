export interface Config {
  /** Where the Lantern plugins read security results. */
  lantern?: {
    /** Lantern's address, such as https://lantern.acme.io. */
    baseUrl: string;
    /**
     * A Lantern API token (a viewer at account scope). Used by the backend only, never sent to the browser.
     * @visibility secret
     */
    token: string;
    /** How long the backend keeps an entity's summary, in seconds (default 30; 0 keeps none). */
    cacheSeconds?: number;
    /** How long a read from Lantern may take, in seconds (default 10). */
    timeoutSeconds?: number;
  };
}
