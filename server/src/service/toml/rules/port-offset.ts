import { MAX_PORT } from '../../ports';
import { tomlPorts } from '../ports';
import { TomlRule } from '../types';

/**
 * `[server] offset` of deployment.toml: an integer or a numeric string (carbon.xml.j2 renders it into <Offset>, which
 * Carbon parses as an integer); negative, or pushing a port past 65535, is an error. In Micro Integrator a written
 * offset replaces the template default 10 (product-micro-integrator v4.4.0 conf/carbon.xml.j2 l.130; docs-mi
 * changing-the-default-ports-with-offset.md @16e6cc44: offset 3 gives 8283, not 8293), which a hint says.
 */
export const portOffset: TomlRule = {
  id: 'port-offset',
  defaultSeverity: 'error',
  description: '[server] offset of deployment.toml is not an integer, is negative, or pushes a port past 65535.',
  check({ model, portOffsetOverride, report }) {
    const { offset, ports } = tomlPorts(model, portOffsetOverride);
    const entry = offset.entry;
    if (!entry) return;
    if (offset.problem) {
      report({
        span: entry.valueSpan,
        message: `[server] offset ${offset.problem}: write a whole number from 0 up, e.g. offset = 1 (an integer or a numeric string like "1").`,
        data: { offset: offset.configured ?? null, problem: offset.problem },
      });
      return;
    }
    const configured = offset.configured ?? 0;
    const over = ports.filter((p) => p.base !== undefined && p.base + configured > MAX_PORT);
    if (over.length > 0) {
      report({
        span: entry.valueSpan,
        message: `[server] offset ${configured} pushes ${over.map((p) => `${p.label} (${p.base} + ${configured} = ${p.base! + configured})`).join(', ')} past ${MAX_PORT}.`,
        data: { offset: configured, ports: over.map((p) => p.key) },
      });
      return;
    }
    if (model.home.product === 'mi' && configured !== 10) {
      const http = ports.find((p) => p.key === 'transport.http.listener.parameter.port');
      report({
        span: entry.valueSpan,
        severity: 'hint',
        message: `In Micro Integrator this offset replaces the default 10${http?.base !== undefined ? `: the HTTP listener is ${http.base} + ${configured} = ${http.base + configured}, not ${http.base + 10 + configured}` : ''}.`,
        data: { offset: configured, replacesDefault: 10 },
      });
    }
  },
};
