import { InputError } from '../domain/errors.js';

/** One entry of CISA's Known Exploited Vulnerabilities catalog, as Lantern keeps it. */
export interface KevEntry {
  cve: string;
  dateAdded: string;
  dueDate: string | null;
  /** `Known` when CISA knows of its use in ransomware campaigns, else `Unknown`. */
  ransomware: string | null;
  vendor: string | null;
  product: string | null;
  name: string | null;
}

export interface KevFeed {
  version: string | null;
  /** dateReleased, as YYYY-MM-DD. */
  date: string | null;
  entries: KevEntry[];
}

export const CVE_ID = /^CVE-\d{4}-\d{4,}$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const MAX_TEXT = 500;

/**
 * Reads CISA's known_exploited_vulnerabilities.json. Refuses, naming the file and the entry, a
 * document that is not that catalog or an entry without a CVE id or a date added; nothing of a
 * refused file is kept.
 */
export function parseKev(text: string, file: string): KevFeed {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new InputError(`${file}: not a KEV catalog: the JSON does not parse (${(error as Error).message}).`);
  }
  if (!isObject(document) || !Array.isArray(document.vulnerabilities)) {
    throw new InputError(`${file}: not a KEV catalog: expected a JSON object with a "vulnerabilities" list (CISA's known_exploited_vulnerabilities.json).`);
  }
  const seen = new Map<string, KevEntry>();
  document.vulnerabilities.forEach((item: unknown, i: number) => {
    const where = `${file}: vulnerabilities[${i}]`;
    if (!isObject(item)) throw new InputError(`${where} is not an object.`);
    const cve = typeof item.cveID === 'string' ? item.cveID.trim().toUpperCase() : undefined;
    if (!cve || !CVE_ID.test(cve)) throw new InputError(`${where}.cveID is ${JSON.stringify(item.cveID ?? null)}; expected a CVE id such as CVE-2024-3400.`);
    const dateAdded = day(item.dateAdded);
    if (!dateAdded) throw new InputError(`${where}.dateAdded is ${JSON.stringify(item.dateAdded ?? null)}; expected a date such as 2024-03-05.`);
    if (item.dueDate !== undefined && item.dueDate !== null && !day(item.dueDate)) {
      throw new InputError(`${where}.dueDate is ${JSON.stringify(item.dueDate)}; expected a date such as 2024-03-26.`);
    }
    const entry: KevEntry = {
      cve,
      dateAdded,
      dueDate: day(item.dueDate),
      ransomware: text_(item.knownRansomwareCampaignUse),
      vendor: text_(item.vendorProject),
      product: text_(item.product),
      name: text_(item.vulnerabilityName),
    };
    // A CVE listed twice keeps its first listing.
    const earlier = seen.get(cve);
    if (!earlier || entry.dateAdded < earlier.dateAdded) seen.set(cve, entry);
  });
  return { version: text_(document.catalogVersion), date: day(document.dateReleased), entries: [...seen.values()] };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** YYYY-MM-DD from a date or an ISO 8601 time, else null. */
function day(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const head = value.trim().slice(0, 10);
  return DAY.test(head) && !Number.isNaN(Date.parse(head)) ? head : null;
}

function text_(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value.trim().slice(0, MAX_TEXT) : null;
}
