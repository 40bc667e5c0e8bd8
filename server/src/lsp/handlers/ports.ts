import { pathToFileURL } from 'node:url';
import { WorkspacePortsJson, workspaceJson, workspaceMarkdown, workspaceText } from '../../service';
import { EffectivePortsRequest, EffectivePortsResult, PortMapLocation, PortMapRequest, PortMapResult } from '../../protocol';
import { ServerContext } from '../server';

/** How long a whole-workspace report waits for the first scan for homes (then it answers with the homes known). */
const SCAN_WAIT_MS = 15_000;

/** The report of every home: after the first workspace scan, so that a report asked for at startup is not partial. */
async function workspaceReport(context: ServerContext) {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, SCAN_WAIT_MS)));
  await Promise.race([context.homesScanned(), timeout]);
  clearTimeout(timer);
  return context.service.portReport(context.knownHomes(), context.settingsFor);
}

/** The `wso2Config/effectivePorts` request: the core's port report, rendered (Markdown, text, JSON). */
export function registerEffectivePorts(context: ServerContext): void {
  context.connection.onRequest(
    EffectivePortsRequest.method,
    context.safe(
      EffectivePortsRequest.method,
      async (): Promise<EffectivePortsResult> => {
        const report = await workspaceReport(context);
        return { markdown: workspaceMarkdown(report), text: workspaceText(report), report: workspaceJson(report) };
      },
      { markdown: 'The effective ports could not be computed: see the WSO2 Config output.', text: 'The effective ports could not be computed.', report: null },
    ),
  );
  // The same report as data for the port map view: the client only draws it.
  context.connection.onRequest(
    PortMapRequest.method,
    context.safe(
      PortMapRequest.method,
      async (): Promise<PortMapResult> => portMapOf(workspaceJson(await workspaceReport(context))),
      { homes: [], conflicts: [] },
    ),
  );
}

/** The port map of the core's JSON report (absolute paths, as no displayPath is given): paths become file: uris. */
export function portMapOf(report: WorkspacePortsJson): PortMapResult {
  const uri = (path: string) => pathToFileURL(path).toString();
  return {
    homes: report.homes.map((home) => ({
      home: home.home,
      name: home.name,
      offset: {
        value: home.offset.value,
        source: home.offset.source,
        location:
          home.offset.carbonXmlPath !== null && home.offset.carbonXmlLine !== null
            ? { uri: uri(home.offset.carbonXmlPath), line: home.offset.carbonXmlLine, column: 1, endColumn: 1 }
            : null,
      },
      lowestFreeOffset: home.lowestFreeOffset,
      ports: home.ports.map((port) => {
        const location: PortMapLocation | null =
          port.path !== null && port.line !== null ? { uri: uri(port.path), line: port.line, column: port.column ?? 1, endColumn: port.endColumn ?? port.column ?? 1 } : null;
        return { label: port.label, file: port.file, written: port.written, effective: port.effective, how: port.how, listening: port.listening, location, conflictsWith: port.conflictsWith };
      }),
      defaultPortCount: home.productPorts.length,
    })),
    conflicts: report.conflicts.map((c) => ({ homes: c.homes, ports: c.ports.map((p) => p.port) })),
  };
}
