import { LineIndex } from '../model/text';
import { explicitEncryptSettings } from '../securevault/planner';
import type { DocumentKind, DocumentRequest, KindEngine, KindHost } from '../index';
import { DEPLOYMENT_TOML_KIND_ID, TomlEngineCore, recogniseDeploymentToml, tomlPortConflicts } from './kind';
import { applyTomlSuppressions } from './suppression';
import type { TomlFinding } from './types';
import { homePlanOfToml, tomlFileEncryption } from './wiring';

/**
 * deployment.toml of Carbon 4.5+ products (API Manager 3.2+, Identity Server 5.11+, Micro Integrator 4.x): the
 * engine of toml/kind.ts. It claims no formatting or completion, only findings, fixes, hovers and hints, so it sits
 * beside a TOML extension as the XML kind sits beside an XML one.
 */
export const DEPLOYMENT_TOML_KIND: DocumentKind = {
  id: DEPLOYMENT_TOML_KIND_ID,
  languageId: 'toml',
  watchGlobs: ['**/deployment.toml'],
  recognise: recogniseDeploymentToml,
  createEngine: (host) => createTomlEngine(host),
};

/** The deployment.toml engine behind the KindEngine answers (the toml core does the work; this only adapts). */
function createTomlEngine(host: KindHost): KindEngine {
  const core = new TomlEngineCore({ files: host.files, log: host.log });
  const analysed = (request: DocumentRequest) => core.analyse(request.path, request.content, request.settings);
  return {
    parse(path, content) {
      const location = recogniseDeploymentToml(path);
      if (!location) return undefined;
      const text = content.kind === 'text' ? content.text : Buffer.from(content.bytes).toString('utf8');
      return { kind: DEPLOYMENT_TOML_KIND, location, text, lines: new LineIndex(text) };
    },
    async analyse(request) {
      const result = await analysed(request);
      if (!result) return { location: undefined, doc: undefined, findings: [] };
      const home = result.location.home;
      const severity = request.settings.rules['port-conflict'];
      let findings = result.findings;
      if (home && result.model && severity !== 'off' && host.knownHomes) {
        const own = await host.homeFacts(home, request.settings);
        const others = [];
        for (const other of host.knownHomes()) if (other.homeDir !== home.homeDir) others.push(await host.homeFacts(other, request.settings));
        const conflicts = tomlPortConflicts(result.model, own, others, severity ?? 'warning');
        if (conflicts.length > 0) findings = [...findings, ...applyTomlSuppressions(result.model.doc, conflicts as TomlFinding[])];
      }
      return { location: result.location, doc: undefined, text: result.text, lines: result.lines, findings };
    },
    async fixesFor(request) {
      const result = await analysed(request);
      return result ? core.fixesFor(result, request.finding, request.settings) : [];
    },
    async hover(request) {
      const result = await analysed(request);
      return result ? core.hover(result, request.offset, request.settings) : undefined;
    },
    async inlayHints(request) {
      const result = await analysed(request);
      return result ? core.inlayHints(result, request.settings, request.from, request.to) : [];
    },
    invalidate: (path) => core.invalidate(path),
    clearCaches: () => core.clear(),
    planEncryption: ({ scope, keystorePassword }) => tomlFileEncryption(core, scope, explicitEncryptSettings(scope.settings), keystorePassword),
    planHomeEncryption: (home, keystorePassword, settingsFor) => homePlanOfToml(core, host.files, home, keystorePassword, settingsFor),
    // The toml TLS fixes write a profile's lists; run unattended they are planned one finding at a time (kind.ts).
    fixUnattended: (path, text, settings) => core.fixUnattended(path, text, settings),
  };
}
