import type { PortMapLocation, PortMapResult } from '../../../server/src/protocol';

/**
 * The port map's view model: every home of the workspace as a column on one shared port axis (a row per effective port,
 * ascending), built from the server's `wso2Config/portMap` answer. Pure (no vscode import) so that it is unit-tested;
 * the server computes the ports, conflicts and offsets, this only lays them out.
 */

export interface PortCell {
  /** Index into `PortMapViewModel.targets`: what clicking the port opens; undefined when the report has no place. */
  readonly target: number | undefined;
  readonly label: string;
  /** "tomcat/catalina-server.xml:17", shown in the tooltip. */
  readonly where: string;
  readonly written: number | null;
  readonly effective: number | null;
  readonly how: string;
  readonly listening: boolean;
  /** Other homes that open the same port. */
  readonly conflictsWith: readonly string[];
}

export interface AxisRow {
  readonly port: number;
  /** True when two homes open this port. */
  readonly conflict: boolean;
  /** Ports skipped since the previous row (0 when adjacent or first): the renderer marks the break in the axis. */
  readonly gapBefore: number;
  /** One list per home column, in the order of `homes`. */
  readonly cells: readonly (readonly PortCell[])[];
}

export interface HomeColumn {
  readonly name: string;
  readonly home: string;
  /** "offset 2 (carbon.xml)", "offset 3 (-DportOffset setting)", "offset 0 (default)", "offset unknown". */
  readonly offsetText: string;
  /** Index into `targets` of carbon.xml's `<Offset>`, when written. */
  readonly offsetTarget: number | undefined;
  /** True when the home shares a port with another home. */
  readonly inConflict: boolean;
  /** The lowest offset that clears every conflict of this home, as the port-conflict fix would set it. */
  readonly lowestFreeOffset: number | null | undefined;
  readonly lowestFreeText: string;
  /** Ports whose effective value is unknown (no offset, a `${…}` reference): listed under the axis. */
  readonly unplaced: readonly PortCell[];
  readonly defaultPortCount: number;
}

export interface PortMapViewModel {
  readonly homes: readonly HomeColumn[];
  readonly rows: readonly AxisRow[];
  /** Every place a click can open; cells and offsets refer to it by index, so the webview never sends a path. */
  readonly targets: readonly PortMapLocation[];
  readonly conflictCount: number;
}

function offsetText(offset: PortMapResult['homes'][number]['offset']): string {
  if (offset.value === null) return 'offset unknown';
  switch (offset.source) {
    case 'setting':
      return `offset ${offset.value} (-DportOffset setting)`;
    case 'carbon.xml':
      return `offset ${offset.value} (carbon.xml)`;
    default:
      return `offset ${offset.value} (no <Offset>)`;
  }
}

function lowestFreeText(value: number | null | undefined, offset: number | null): string {
  if (value === undefined) return offset === null ? 'Offset unknown: conflicts not checked' : 'No conflict';
  if (value === null) return 'No offset clears every conflict';
  return `Lowest free offset: ${value}`;
}

/** `display` shows a home folder (e.g. relative to the workspace folder); default: as is. */
export function buildPortMapModel(result: PortMapResult, display: (home: string) => string = (home) => home): PortMapViewModel {
  const targets: PortMapLocation[] = [];
  const targetOf = (location: PortMapLocation | null) => (location ? targets.push(location) - 1 : undefined);
  const byPort = new Map<number, PortCell[][]>();
  const homes: HomeColumn[] = result.homes.map((home, column) => {
    const unplaced: PortCell[] = [];
    let inConflict = false;
    for (const port of home.ports) {
      const cell: PortCell = {
        target: targetOf(port.location),
        label: port.label,
        where: port.location ? `${port.file}:${port.location.line}` : port.file,
        written: port.written,
        effective: port.effective,
        how: port.how,
        listening: port.listening,
        conflictsWith: port.conflictsWith.map(display),
      };
      if (cell.conflictsWith.length > 0) inConflict = true;
      if (port.effective === null) {
        unplaced.push(cell);
        continue;
      }
      let cells = byPort.get(port.effective);
      if (!cells) byPort.set(port.effective, (cells = result.homes.map(() => [])));
      cells[column].push(cell);
    }
    return {
      name: home.name,
      home: display(home.home),
      offsetText: offsetText(home.offset),
      offsetTarget: targetOf(home.offset.location),
      inConflict,
      lowestFreeOffset: home.lowestFreeOffset,
      lowestFreeText: lowestFreeText(home.lowestFreeOffset, home.offset.value),
      unplaced,
      defaultPortCount: home.defaultPortCount,
    };
  });
  const ports = [...byPort.keys()].sort((a, b) => a - b);
  const rows: AxisRow[] = ports.map((port, i) => {
    const cells = byPort.get(port)!;
    return {
      port,
      conflict: cells.some((list) => list.some((cell) => cell.conflictsWith.length > 0)),
      gapBefore: i === 0 ? 0 : port - ports[i - 1] - 1,
      cells,
    };
  });
  return { homes, rows, targets, conflictCount: result.conflicts.length };
}
