import type { Diagnostic, SummaryLink } from '../api/types.js';

/**
 * What a target link's diagnostic means in plain words, and what to change in `catalog-info.yaml`
 * (or elsewhere) to make the link show data. The diagnostic's own message stays the source of
 * detail; this adds the next step.
 */
export interface LinkAdvice {
  title: string;
  /** What to do, as one or two sentences. */
  change: string;
  /** A command that does it, when the fix is to ingest a report. */
  command?: string;
  /** The annotation as it could read after the change, when the fix is in catalog-info.yaml. */
  yaml: string | null;
}

const ANNOTATION = 'harness.io/sto-test-target';

/** The quoted values of a diagnostic message, in order ("acme/pay", "default.default"). */
export function quotedValues(message: string): string[] {
  return [...message.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => {
    // The server quotes with JSON.stringify: read the value back the same way.
    try {
      return JSON.parse(`"${m[1]}"`) as string;
    } catch {
      return m[1] as string;
    }
  });
}

/** A YAML scalar that reads back as the same string. */
export function yamlScalar(text: string): string {
  if (/^[A-Za-z0-9_./@-][A-Za-z0-9_./@:+-]*$/.test(text) && !/:$/.test(text) && !/^(true|false|null|yes|no|on|off|~|[-+]?\d[\d._]*)$/i.test(text)) return text;
  return JSON.stringify(text);
}

interface Entry {
  name: string;
  scope?: string | null;
  variant?: string | null;
}

/** The annotation holding one entry, as it would sit in the entity's catalog-info.yaml. */
export function annotationYaml(entry: Entry): string {
  const lines = ['metadata:', '  annotations:', `    ${ANNOTATION}:`, `      - name: ${yamlScalar(entry.name)}`];
  if (entry.scope) lines.push(`        scope: ${yamlScalar(entry.scope)}`);
  if (entry.variant) lines.push(`        variant: ${yamlScalar(entry.variant)}`);
  return lines.join('\n');
}

/** `lantern ingest` for a first report of the link's target. */
function ingestHint(link: SummaryLink): string {
  return `lantern ingest REPORT --target ${link.name} --scope ${link.scope}${link.variant ? ` --variant ${link.variant}` : ' --baseline'}`;
}

/** The scope as it would be written in the entry (`account` or `ORG.PROJECT`). */
function entryScope(link: SummaryLink): string | null {
  return link.scope || null;
}

export function adviceFor(link: SummaryLink, diagnostic: Diagnostic): LinkAdvice {
  const quoted = quotedValues(diagnostic.message);
  const fromUrl = link.origin === 'source-url';
  const name = `“${link.name}”`;
  switch (diagnostic.code) {
    case 'target-not-found':
      return fromUrl
        ? {
            title: `The repository ${name} has not been scanned`,
            change: `The entity's repository URL links it to the repository target ${name} in ${link.scope}, which has no scans. Upload a repository scan under that name (Targets & scans › Upload a report, or the command below), or, if the code is scanned under another name, name that target in catalog-info.yaml:`,
            command: ingestHint(link),
            yaml: annotationYaml({ name: 'NAME-OF-THE-SCANNED-TARGET', scope: entryScope(link) }),
          }
        : {
            title: `No scans of ${name} yet`,
            change: `If the target is scanned under another name, change the entry's name in catalog-info.yaml. If it is not scanned yet, upload a report for it (Targets & scans › Upload a report, or the command below).`,
            command: ingestHint(link),
            yaml: annotationYaml({ name: 'NAME-OF-THE-SCANNED-TARGET', scope: entryScope(link), variant: link.variant }),
          };
    case 'target-in-other-scope': {
      // "… set the entry's scope to "acme.pay" or "account" to link it."
      const hint = /set the entry's scope to (.*) to link it/.exec(diagnostic.message);
      const scopes = hint ? quotedValues(hint[1] as string) : [];
      const scope = scopes[0];
      return {
        title: `${name} is scanned in another scope`,
        change: scope
          ? `Set the entry's scope to ${scopes.map((s) => `“${s}”`).join(' or ')} in catalog-info.yaml:`
          : `Add an entry for the target with the scope it is scanned in to catalog-info.yaml (the message above names it).`,
        yaml: annotationYaml({ name: link.name, scope: scope ?? 'ORG.PROJECT', variant: link.variant }),
      };
    }
    case 'similar-target': {
      // "…; a target with a similar name does: "acme/payment" in default.default or …"
      const similar = /similar name does: "((?:[^"\\]|\\.)*)" (?:in ([\w$-]+(?:\.[\w$-]+)?)|at (account) level)/.exec(diagnostic.message);
      const suggestion = similar?.[1];
      const scope = similar?.[2] ?? similar?.[3] ?? entryScope(link);
      return {
        title: suggestion ? `No target named ${name}; did you mean “${suggestion}”?` : `No target named ${name}`,
        change: fromUrl
          ? `The repository URL names ${name}. If the suggested target is the one scanned, link it explicitly in catalog-info.yaml:`
          : `If the suggested target is the right one, change the entry's name in catalog-info.yaml:`,
        yaml: annotationYaml({ name: suggestion ?? 'NAME-OF-THE-SCANNED-TARGET', scope, variant: link.variant }),
      };
    }
    case 'variant-not-scanned': {
      // "…was never scanned; scanned variants: "main", "develop"."
      const listed = /scanned variants: (.*)$/.exec(diagnostic.message);
      const scanned = listed ? quotedValues(listed[1] as string) : [];
      if (link.variant) {
        return {
          title: `The variant “${link.variant}” of ${name} was never scanned`,
          change: scanned.length > 0
            ? `Change the entry's variant to one that was scanned (${scanned.map((v) => `“${v}”`).join(', ')}), or remove it to show the target's baseline:`
            : `No variant of the target has been scanned yet. Upload a report for “${link.variant}” (the command below), or remove the variant to show the target's baseline once it is scanned:`,
          ...(scanned.length === 0 ? { command: ingestHint(link) } : {}),
          yaml: annotationYaml({ name: link.name, scope: entryScope(link), variant: scanned[0] ?? null }),
        };
      }
      return {
        title: `The baseline of ${name} was never scanned`,
        change: `Set the target's baseline to a scanned variant on its page under Targets & scans, or name a scanned variant in the entry:`,
        yaml: annotationYaml({ name: link.name, scope: entryScope(link), variant: scanned[0] ?? 'A-SCANNED-VARIANT' }),
      };
    }
    case 'no-baseline-no-scan':
      return {
        title: `${name} has no scans yet`,
        change: 'The target exists but no report of it has been ingested. Upload one (Targets & scans › Upload a report, or the command below); catalog-info.yaml needs no change.',
        command: ingestHint(link),
        yaml: null,
      };
    case 'not-a-repository':
      return {
        title: `The repository URL names a target that is not a repository`,
        change: `Scan the repository as a target of type repository, or link the scanned target explicitly in catalog-info.yaml:`,
        yaml: annotationYaml({ name: link.name, scope: entryScope(link) }),
      };
    case 'case-folded':
      return {
        title: 'Matched, ignoring case',
        change: quoted[1] ? `Nothing to fix; to silence this note, write it as the target does: “${quoted[1]}”.` : 'Nothing to fix; the names differ only in case.',
        yaml: null,
      };
    case 'baseline-note':
      return {
        title: `No baseline set for ${name}`,
        change: 'Lantern shows the variant named in the note. To choose, set the target\'s baseline on its page under Targets & scans, or name a variant in the entry.',
        yaml: null,
      };
    default:
      return { title: 'This link has a problem', change: 'The message above says what Lantern found.', yaml: null };
  }
}

/** Every link that shows nothing, with the diagnostics that say why; notes on matched links apart. */
export function linkProblems(links: SummaryLink[]): { unmatched: SummaryLink[]; notes: Array<{ link: SummaryLink; diagnostic: Diagnostic }> } {
  return {
    unmatched: links.filter((l) => !l.matched),
    notes: links.filter((l) => l.matched).flatMap((link) => link.diagnostics.map((diagnostic) => ({ link, diagnostic }))),
  };
}
