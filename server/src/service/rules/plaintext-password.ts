import { Rule } from '../types';

// PLACEHOLDER: to be implemented.
export const plaintextPassword: Rule = {
  id: 'plaintext-password',
  defaultSeverity: 'warning',
  description: 'TODO',
  appliesTo: ['carbon', 'user-mgt', 'catalina-server', 'axis2', 'datasources', 'registry'],
  check() {},
};
