/**
 * Ports of a product home, in one folder:
 *   values.ts       which values of the XML files are ports (schemas/ports.json), `${Ports.…}` references, URL ports
 *   offset.ts       the port offset (carbon.xml `<Offset>`, `-DportOffset`), its wording and the edit that sets it
 *   conflicts.ts    ports two homes both open (indexed per home, linear) and the lowest offset that clears them
 *   products.ts     which product a home is, and the ports it opens by default
 *   explanations.ts why a value is the port it is: hovers and inlay hints
 *   rendering.ts    the port table of a home and of a workspace (Markdown, text, JSON)
 * Rules and fixes depend only on values, offset and conflicts.
 */
export * from './values';
export * from './offset';
export * from './conflicts';
export * from './products';
export * from './explanations';
export * from './rendering';
