/**
 * Which ATT&CK data source (data component) a Sigma rule watches, derived from its logsource.
 * The mapping (also documented in rules/README.md):
 *
 * | logsource                                                        | data component                          |
 * |------------------------------------------------------------------|-----------------------------------------|
 * | category process_creation                                        | Process: Process Creation               |
 * | category file_event (Sysmon 11 also fires on overwrite)          | File: File Creation + File Modification |
 * | category file_change, file_rename                                | File: File Modification                 |
 * | category image_load, driver_load                                 | Module: Module Load                     |
 * | category registry_set / registry_event / registry_add            | Windows Registry: Key Modification      |
 * | category ps_script, ps_module, ps_classic_*; esxi shell          | Command: Command Execution              |
 * | category network_connection, firewall; zeek conn; suricata flow  | Network Traffic: Network Traffic Flow   |
 * | category webserver, proxy, dns; zeek http/dns/ssl/...;           | Network Traffic: Network Traffic Content|
 * |   suricata ids alerts and http/dns/tls/fileinfo records          |                                         |
 * | Sysmon for Linux (product linux): categories as on Windows       | (same as the Windows category)          |
 * | windows security + EventID 4657 / 4688 / 4663                    | registry / process / file modification  |
 * | linux auditd: file-creation fields (nametype) / otherwise        | File Creation / Command Execution       |
 * | product warden, category webshell_scan                           | File content (Warden scanner)           |
 * | product warden, category component_change                        | Component inventory (verify/watch)      |
 * | anything else (application/service logs: Windows application,   | Application Log: Application Log Content|
 * |   MSExchange, IIS configuration, MSSQL, MySQL general/error,     |                                         |
 * |   PostgreSQL server log, TeamCity, Jenkins, WAF,                 |                                         |
 * |   ESXi hostd/esxupdate, syslog)                                  |                                         |
 */
import type { YamlMap } from '../sigma/yaml.js';

export type DataSourceId =
  | 'application_log'
  | 'file_creation'
  | 'file_modification'
  | 'process_creation'
  | 'command_execution'
  | 'network_flow'
  | 'network_content'
  | 'module_load'
  | 'registry_modification'
  | 'file_content'
  | 'component_inventory';

export interface DataSourceInfo {
  id: DataSourceId;
  /** ATT&CK data source and component (or Warden's own for the scanner). */
  name: string;
  /** Short column header for the table. */
  short: string;
  /** ATT&CK data source id, when there is one. */
  attackId?: string;
}

export const DATA_SOURCES: readonly DataSourceInfo[] = [
  { id: 'application_log', name: 'Application Log: Application Log Content', short: 'AppLog', attackId: 'DS0015' },
  { id: 'file_creation', name: 'File: File Creation', short: 'FileCreate', attackId: 'DS0022' },
  { id: 'file_modification', name: 'File: File Modification', short: 'FileModify', attackId: 'DS0022' },
  { id: 'process_creation', name: 'Process: Process Creation', short: 'Process', attackId: 'DS0009' },
  { id: 'command_execution', name: 'Command: Command Execution', short: 'Command', attackId: 'DS0017' },
  { id: 'network_flow', name: 'Network Traffic: Network Traffic Flow', short: 'NetFlow', attackId: 'DS0029' },
  { id: 'network_content', name: 'Network Traffic: Network Traffic Content (web requests)', short: 'NetContent', attackId: 'DS0029' },
  { id: 'module_load', name: 'Module: Module Load', short: 'ModuleLoad', attackId: 'DS0011' },
  { id: 'registry_modification', name: 'Windows Registry: Windows Registry Key Modification', short: 'Registry', attackId: 'DS0024' },
  { id: 'file_content', name: 'File content (Warden web-shell scanner findings)', short: 'Scanner' },
  { id: 'component_inventory', name: 'Component inventory and integrity (Warden verify/watch changes)', short: 'Components' },
];

export interface LogSourceLike {
  product?: string;
  category?: string;
  service?: string;
}

const CATEGORY: Record<string, DataSourceId[]> = {
  process_creation: ['process_creation'],
  file_event: ['file_creation', 'file_modification'],
  file_change: ['file_modification'],
  file_rename: ['file_modification'],
  image_load: ['module_load'],
  driver_load: ['module_load'],
  registry_set: ['registry_modification'],
  registry_event: ['registry_modification'],
  registry_add: ['registry_modification'],
  ps_script: ['command_execution'],
  ps_module: ['command_execution'],
  ps_classic_start: ['command_execution'],
  ps_classic_provider_start: ['command_execution'],
  ps_classic_script: ['command_execution'],
  network_connection: ['network_flow'],
  firewall: ['network_flow'],
  webserver: ['network_content'],
  proxy: ['network_content'],
  dns: ['network_content'],
  dns_query: ['network_content'],
  webshell_scan: ['file_content'],
  component_change: ['component_inventory'],
};

/** Windows Security events whose meaning is not "an application log line". */
const SECURITY_EVENTS: Record<number, DataSourceId> = {
  4657: 'registry_modification',
  4688: 'process_creation',
  4663: 'file_modification',
  5156: 'network_flow',
};

function lower(s: string | undefined): string | undefined {
  return s === undefined ? undefined : s.toLowerCase();
}

/** Every value given to a field named `name` anywhere in the detection section. */
function valuesOf(node: unknown, name: string, out: unknown[], depth = 0): void {
  if (depth > 12 || node === null || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    for (const x of node) valuesOf(x, name, out, depth + 1);
    return;
  }
  for (const [k, v] of Object.entries(node as Record<string, unknown>)) {
    const field = k.split('|')[0];
    if (field === name) {
      if (Array.isArray(v)) out.push(...v);
      else out.push(v);
    } else valuesOf(v, name, out, depth + 1);
  }
}

function detectionOf(doc: YamlMap | undefined): unknown {
  return doc ? (doc as Record<string, unknown>)['detection'] : undefined;
}

/** The data sources a rule with this logsource (and detection) watches. Never empty. */
export function dataSourcesOf(ls: LogSourceLike, doc?: YamlMap): DataSourceId[] {
  const product = lower(ls.product);
  const category = lower(ls.category);
  const service = lower(ls.service);
  if (category !== undefined && CATEGORY[category]) return CATEGORY[category];
  // A network IDS inspects the traffic itself; a WAF's audit log is the web server's own record.
  if (category === 'ids') return ['network_content'];
  if (category === 'waf') return ['application_log'];
  if (product === 'zeek') return service === 'conn' ? ['network_flow'] : ['network_content'];
  if (product === 'suricata') return service === 'flow' || service === 'netflow' ? ['network_flow'] : ['network_content'];
  // Database servers' own logs (query, error and server logs) are application logs.
  if (product === 'mysql' || product === 'postgresql' || product === 'mssql') return ['application_log'];
  if (product === 'esxi' && service === 'shell') return ['command_execution'];
  if (product === 'windows' && service === 'security') {
    const ids: unknown[] = [];
    valuesOf(detectionOf(doc), 'EventID', ids);
    const mapped = new Set<DataSourceId>();
    for (const id of ids) {
      const ds = SECURITY_EVENTS[Number(id)];
      if (ds) mapped.add(ds);
    }
    if (mapped.size) return [...mapped];
  }
  if (product === 'windows' && (service === 'powershell' || service === 'powershell-classic')) return ['command_execution'];
  if (product === 'linux' && service === 'auditd') {
    const types: unknown[] = [];
    valuesOf(detectionOf(doc), 'nametype', types);
    return types.length ? ['file_creation'] : ['command_execution'];
  }
  return ['application_log'];
}
