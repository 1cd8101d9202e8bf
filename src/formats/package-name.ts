/**
 * The package name that goes into a vulnerability fingerprint. Scanners spell the same package
 * differently, and a fingerprint has no scanner in it (DESIGN.md), so Trivy, Grype and Snyk must
 * agree on one spelling:
 * - Python: PEP 503 normalisation (`PyYAML`, `pyyaml`, `py_yaml` are one project on PyPI).
 * - Maven: `groupId:artifactId`, the form Trivy and Snyk write; Grype's parser builds it from the purl.
 * Every other ecosystem already agrees across these scanners (OS packages by binary package name,
 * npm, Go modules, gems, crates by their registry name) and is kept as written.
 */
export function fingerprintPackageName(ecosystem: string | undefined, name: string | undefined): string | undefined {
  if (name === undefined) return undefined;
  if (ecosystem !== undefined && PYTHON_ECOSYSTEMS.has(ecosystem.toLowerCase())) return name.toLowerCase().replace(/[-_.]+/g, '-');
  return name;
}

/** Trivy's pip/pipenv/poetry/uv/python-pkg, Grype's python, Snyk's pip/poetry/pipenv. */
const PYTHON_ECOSYSTEMS = new Set(['pip', 'pipenv', 'poetry', 'uv', 'python-pkg', 'python', 'pypi']);

/**
 * `groupId:artifactId` from a Maven purl (`pkg:maven/org.apache.commons/commons-compress@1.14`), or
 * undefined when the purl is not a Maven one.
 */
export function mavenNameFromPurl(purl: string | undefined): string | undefined {
  const match = purl?.match(/^pkg:maven\/([^/@?#]+)\/([^/@?#]+)/);
  if (!match?.[1] || !match[2]) return undefined;
  return `${safeDecode(match[1])}:${safeDecode(match[2])}`;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
