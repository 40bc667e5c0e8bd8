import { Rule } from '../types';

export const xmlSyntax: Rule = {
  id: 'xml-syntax',
  defaultSeverity: 'error',
  description: 'The file is not well-formed XML; Carbon refuses to start with it. Reported once, at the first fault.',
  appliesTo: ['carbon', 'user-mgt', 'catalina-server', 'axis2', 'datasources', 'registry', 'api-manager', 'broker', 'identity', 'embedded-ldap', 'output-event-adapters', 'axis2-client'],
  check({ doc, report }) {
    const error = doc.syntaxError;
    if (!error) return;
    report({ span: error.span, message: `Not well-formed XML: ${error.message}. The server will fail to read this file.` });
  },
};
