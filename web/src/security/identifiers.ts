/** Public pages of vulnerability and weakness identifiers, and which URLs the UI may link to at all. */

const CVE = /^CVE-\d{4}-\d{4,}$/i;
const GHSA = /^GHSA(-[23456789cfghjmpqrvwx]{4}){3}$/i;
const CWE = /^CWE-(\d{1,6})$/i;
/** Advisory databases whose ids osv.dev serves (Go, PyPI, RustSec, OSV's own, malicious packages). */
const OSV = /^(GO|PYSEC|RUSTSEC|OSV|GSD|MAL|RHSA|DSA|USN|ALSA|RLSA)-[\w.:-]+$/i;

/** The public page of an identifier: NVD for CVEs, GitHub's advisory database for GHSAs, MITRE for CWEs; osv.dev for other advisory ids it knows. */
export function identifierUrl(id: string): string | null {
  const text = id.trim();
  if (CVE.test(text)) return `https://nvd.nist.gov/vuln/detail/${text.toUpperCase()}`;
  if (GHSA.test(text)) return `https://github.com/advisories/GHSA-${text.slice(5).toLowerCase()}`;
  const cwe = CWE.exec(text);
  if (cwe) return `https://cwe.mitre.org/data/definitions/${Number(cwe[1])}.html`;
  if (OSV.test(text) && !/^(RHSA|DSA|USN|ALSA|RLSA)-/i.test(text)) return `https://osv.dev/vulnerability/${encodeURIComponent(text)}`;
  return null;
}

/**
 * The URL itself if the UI may put it in a link: http(s) or mailto, absolute. Scanner reports are
 * untrusted, and `javascript:` or `data:` URLs in them must never become clickable.
 */
export function safeHref(url: string | null | undefined): string | null {
  if (!url) return null;
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    return null;
  }
  return parsed.protocol === 'https:' || parsed.protocol === 'http:' || parsed.protocol === 'mailto:' ? parsed.href : null;
}
