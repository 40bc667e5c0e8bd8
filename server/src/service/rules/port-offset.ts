import { TextSpan } from '../model/text';
import { XmlDocument, childAt } from '../model/xml';
import { MAX_PORT, PRIVILEGED_PORT_LIMIT, PortFact, effectivePort, portsOf, readOffset } from '../ports/values';
import { OFFSET_SETTING, OffsetSource, describeOffset, settingOverridesOffset } from '../ports/offset';
import { Rule, RuleContext } from '../types';
import { HomeFacts } from '../workspace/facts';

/**
 * The port offset and the ports it produces (wso2/carbon-kernel v4.4.35 (CarbonBaseActivator.java, CarbonTomcat.java, CarbonUtils.getPortFromServerConfig) and wso2/wso2-synapse PassThroughHttpListener.java). carbon.xml's `<Offset>` is read with Integer.parseInt,
 * `-DportOffset` (the portOffset setting) overrides it, and the offset is added to every port that takes it; a port
 * beyond 65535 cannot be bound and one below 1024 needs root.
 */

export const portOffset: Rule = {
  id: 'port-offset',
  defaultSeverity: 'error',
  description: 'The port offset is not an integer, is negative or pushes a port beyond 65535; a listening port below 1024 needs root.',
  appliesTo: ['carbon', 'catalina-server', 'axis2', 'broker'],
  check(context) {
    if (context.file.kind === 'carbon') checkOffset(context);
    checkPorts(context);
  },
};

/** Where offset findings go: the `<Offset>` value, else the `<Ports>` name, else the root name. */
export function offsetAnchor(doc: XmlDocument): TextSpan | undefined {
  const offset = readOffset(doc);
  if (offset) {
    if (offset.span) return offset.span;
    const element = childAt(doc.root, 'Ports/Offset');
    if (element) return element.nameSpan;
  }
  return childAt(doc.root, 'Ports')?.nameSpan ?? doc.root?.nameSpan;
}

/** The offset the server runs this file's home with, and where it comes from; undefined when it cannot be known. */
function runningOffset(context: RuleContext): { value: number; source: OffsetSource } | undefined {
  const { home, file, doc } = context;
  if (home) return home.offset.value === undefined ? undefined : { value: home.offset.value, source: home.offset.source };
  // A file outside any home: carbon.xml speaks for itself; other files have no offset to go by.
  if (file.kind !== 'carbon') return { value: 0, source: 'default' };
  const own = readOffset(doc);
  if (!own) return { value: 0, source: 'default' };
  return own.value === undefined ? undefined : { value: own.value, source: 'carbon.xml' };
}

function checkOffset(context: RuleContext): void {
  const { doc, home, report } = context;
  const anchor = offsetAnchor(doc);
  if (!anchor) return;
  const own = readOffset(doc);
  const overridden = home?.offset.source === 'setting' ? home.offset.value : undefined;
  const overrideNote =
    overridden !== undefined
      ? ` ${settingOverridesOffset(overridden, 'this `<Offset>`')}`
      : '';

  if (own && own.value === undefined) {
    const shown = own.raw.trim();
    const what = shown === '' ? 'is empty' : shown.length > 40 ? 'is not an integer' : `"${shown}" is not an integer`;
    report({
      span: anchor,
      message: `The port offset ${what}: Carbon reads <Offset> with Integer.parseInt and the server will not start.${overrideNote}`,
      data: { problem: 'not-an-integer' },
    });
  } else if (own?.value !== undefined && own.value < 0) {
    report({
      span: anchor,
      message: `The port offset ${own.value} is negative: the offset is added to every port and must be 0 or more.${overrideNote}`,
      data: { problem: 'negative', offset: own.value },
    });
  }

  const running = runningOffset(context);
  if (!running) return;
  if (running.source === 'setting' && running.value < 0) {
    report({
      span: anchor,
      message: `The port offset ${running.value} comes from ${OFFSET_SETTING} and is negative: the offset is added to every port and must be 0 or more.`,
      data: { problem: 'negative', offset: running.value, source: 'setting' },
    });
  }

  const ports = homePorts(context, home);
  const pushedOut = ports
    .map((port) => ({ port, effective: effectivePort(port, running.value) }))
    .filter(({ port, effective }) => port.offsetApplies && port.configured !== undefined && port.configured <= MAX_PORT && effective !== undefined && effective > MAX_PORT);
  if (pushedOut.length === 0) return;
  const listed = pushedOut.map(({ port, effective }) => `${port.label} in ${port.confRelativePath}: ${port.configured} → ${effective}`).join('; ');
  report({
    span: anchor,
    message: `With ${describeOffset(running.value, running.source)}, ${pushedOut.length === 1 ? 'a port goes' : `${pushedOut.length} ports go`} beyond ${MAX_PORT} and cannot be opened: ${listed}. Lower the offset.`,
    data: {
      problem: 'beyond-max-port',
      offset: running.value,
      source: running.source,
      ports: pushedOut.map(({ port, effective }) => ({ label: port.label, file: port.path, configured: port.configured, effective })),
    },
  });
}

/** Every port of the home, this document's taken from the document itself (it may be newer than the home's copy). */
function homePorts(context: RuleContext, home: HomeFacts | undefined): PortFact[] {
  const own = portsOf(context.file.kind, context.doc, context.file.path, context.file.confRelativePath);
  const others = home ? home.ports.filter((p) => p.path !== context.file.path) : [];
  return [...own, ...others];
}

function checkPorts(context: RuleContext): void {
  const { doc, file, report } = context;
  const running = runningOffset(context);
  for (const port of portsOf(file.kind, doc, file.path, file.confRelativePath)) {
    if (port.configured === undefined) continue; // a ${…} placeholder or other non-number: resolved elsewhere
    if (port.configured > MAX_PORT) {
      report({
        span: port.span,
        message: `The ${port.label} port ${port.configured} is beyond ${MAX_PORT}: no such TCP port exists.`,
        data: { problem: 'beyond-max-port', label: port.label, configured: port.configured },
      });
      continue;
    }
    if (!running) continue;
    const effective = effectivePort(port, running.value)!;
    const how = port.offsetApplies && running.value !== 0 ? ` (${port.configured} + ${describeOffset(running.value, running.source)})` : '';
    // In carbon.xml the <Offset> finding already lists the ports it pushes out.
    if (effective > MAX_PORT && file.kind !== 'carbon') {
      report({
        span: port.span,
        message: `The ${port.label} port becomes ${effective}${how}, beyond ${MAX_PORT}: it cannot be opened. Lower the offset or this port.`,
        data: { problem: 'beyond-max-port', label: port.label, configured: port.configured, effective, offset: running.value },
      });
      continue;
    }
    if (port.listening && effective < PRIVILEGED_PORT_LIMIT && effective >= 0) {
      report({
        span: port.span,
        severity: 'warning',
        message: `The ${port.label} listens on port ${effective}${how}, a privileged port (below ${PRIVILEGED_PORT_LIMIT}): the server must run as root or with CAP_NET_BIND_SERVICE. Prefer a port of ${PRIVILEGED_PORT_LIMIT} or more behind a load balancer or port forwarding.`,
        data: { problem: 'privileged', label: port.label, configured: port.configured, effective },
      });
    }
  }
}
