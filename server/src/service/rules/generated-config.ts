import { Rule } from '../types';
import { basename } from '../workspace/files';

export const generatedConfig: Rule = {
  id: 'generated-config',
  defaultSeverity: 'information',
  description: 'Carbon 4.5+ regenerates this XML from deployment.toml at every startup, so edits made here are lost.',
  appliesTo: ['carbon', 'user-mgt', 'catalina-server', 'axis2', 'datasources', 'registry', 'api-manager', 'broker', 'identity', 'embedded-ldap', 'output-event-adapters', 'axis2-client'],
  check({ doc, home, report }) {
    if (!home?.generatedBy || !doc.root) return;
    const source = basename(home.generatedBy) === 'deployment.toml' ? 'deployment.toml' : 'the templates in repository/resources/conf/templates';
    report({
      span: doc.root.nameSpan,
      message: `This product home is configured through ${source} (Carbon 4.5+): the server regenerates this file at startup and hand edits are lost. Make the change in deployment.toml instead.`,
      data: { generatedBy: home.generatedBy },
    });
  },
};
