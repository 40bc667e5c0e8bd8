import { Rule } from '../types';

// PLACEHOLDER: to be implemented.
export const weakTlsCiphers: Rule = {
  id: 'weak-tls-ciphers',
  defaultSeverity: 'warning',
  description: 'TODO',
  appliesTo: ['catalina-server', 'axis2'],
  check() {},
};
