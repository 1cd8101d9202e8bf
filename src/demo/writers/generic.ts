import type { DemoScan } from '../scan.js';

/**
 * A DAST scan in the generic format (the Harness STO custom ingestion JSON), as a converter from
 * an OWASP ZAP report writes it: one issue per alert and URL, identified by alert name and URL.
 */
export function writeGeneric(scan: DemoScan): unknown {
  const site = new URL(scan.target.site ?? scan.target.name);
  return {
    meta: { key: ['issueName', 'url'], subproduct: 'ZAP', author: 'zap2sto 1.3.0' },
    issues: scan.alerts.map((alert) => {
      const url = `${site.origin}${alert.path}${alert.query ? `?${alert.query}=` : ''}`;
      return {
        subProduct: 'ZAP',
        issueName: alert.name,
        issueDescription: alert.description,
        issueType: 'DAST',
        host: site.hostname,
        port: Number(site.port || (site.protocol === 'https:' ? 443 : 80)),
        url,
        severity: alert.score,
        scanSeverity: alert.risk,
        confidence: alert.confidence,
        remediationSteps: alert.solution,
        referenceIdentifiers: [
          { type: 'cwe', id: String(alert.cwe) },
          { type: 'zap', id: String(alert.pluginId) },
        ],
        link: alert.reference,
        _rawMethod: alert.method,
        ...(alert.query ?? alert.param ? { _rawParam: alert.query ?? alert.param } : {}),
        ...(alert.evidence ? { _rawEvidence: alert.evidence } : {}),
        _rawPluginId: alert.pluginId,
      };
    }),
  };
}
