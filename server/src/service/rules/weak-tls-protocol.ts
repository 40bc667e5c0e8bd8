import { Rule } from '../types';

// PLACEHOLDER: to be implemented.
export const weakTlsProtocol: Rule = {
  id: 'weak-tls-protocol',
  defaultSeverity: 'warning',
  description: 'TODO',
  appliesTo: ['catalina-server', 'axis2'],
  check() {},
};
