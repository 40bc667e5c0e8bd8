import { workspaceJson, workspaceMarkdown, workspaceText } from '../../service';
import { EffectivePortsRequest, EffectivePortsResult } from '../../protocol';
import { ServerContext } from '../server';

/** The `wso2Config/effectivePorts` request behind "WSO2: Show Effective Ports": the core's port report, rendered. */
export function registerEffectivePorts(context: ServerContext): void {
  context.connection.onRequest(
    EffectivePortsRequest.method,
    context.safe(
      EffectivePortsRequest.method,
      async (): Promise<EffectivePortsResult> => {
        const report = await context.service.portReport(context.knownHomes(), context.settingsFor);
        return { markdown: workspaceMarkdown(report), text: workspaceText(report), report: workspaceJson(report) };
      },
      { markdown: 'The effective ports could not be computed: see the WSO2 Config output.', text: 'The effective ports could not be computed.', report: null },
    ),
  );
}
