/** Where `lantern serve --feeds-refresh` reads the feeds when no URL is configured. */
export const OFFICIAL_FEEDS = {
  kev: 'https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json',
  epss: 'https://epss.cyentia.com/epss_scores-current.csv.gz',
} as const;
