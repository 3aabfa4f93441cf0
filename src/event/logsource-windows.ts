/**
 * Built-in Windows logsource tables: which channels carry a Sigma `service`, and which
 * (channel, EventID[, EventType]) events make up a Sigma `category`, with the field
 * aliases a category needs on a non-Sysmon source (Security 4688 writes NewProcessName
 * where Sigma's process_creation says Image). Facts from the Sigma taxonomy appendix,
 * SigmaHQ's tests/thor.yml and pySigma's Windows/Sysmon pipelines.
 */
import type { LogSourceTables } from './logsource.js';

const SYSMON = 'Microsoft-Windows-Sysmon/Operational';
const SYSMON_PROVIDER = 'Microsoft-Windows-Sysmon';
const PS_OPERATIONAL = ['Microsoft-Windows-PowerShell/Operational', 'PowerShellCore/Operational'];
const PS_CLASSIC = 'Windows PowerShell';

export const WINDOWS_SERVICES: Record<string, string[]> = {
  security: ['Security'],
  system: ['System'],
  application: ['Application'],
  sysmon: [SYSMON],
  powershell: PS_OPERATIONAL,
  'powershell-classic': [PS_CLASSIC],
  taskscheduler: ['Microsoft-Windows-TaskScheduler/Operational'],
  wmi: ['Microsoft-Windows-WMI-Activity/Operational'],
  dhcp: ['Microsoft-Windows-DHCP-Server/Operational'],
  'printservice-admin': ['Microsoft-Windows-PrintService/Admin'],
  'printservice-operational': ['Microsoft-Windows-PrintService/Operational'],
  'smbclient-security': ['Microsoft-Windows-SmbClient/Security'],
  'smbclient-connectivity': ['Microsoft-Windows-SmbClient/Connectivity'],
  'smbserver-connectivity': ['Microsoft-Windows-SMBServer/Connectivity'],
  'terminalservices-localsessionmanager': ['Microsoft-Windows-TerminalServices-LocalSessionManager/Operational'],
  'codeintegrity-operational': ['Microsoft-Windows-CodeIntegrity/Operational'],
  applocker: [
    'Microsoft-Windows-AppLocker/MSI and Script',
    'Microsoft-Windows-AppLocker/EXE and DLL',
    'Microsoft-Windows-AppLocker/Packaged app-Deployment',
    'Microsoft-Windows-AppLocker/Packaged app-Execution',
  ],
  'msexchange-management': ['MSExchange Management'],
  windefend: ['Microsoft-Windows-Windows Defender/Operational'],
  'firewall-as': ['Microsoft-Windows-Windows Firewall With Advanced Security/Firewall'],
  'bits-client': ['Microsoft-Windows-Bits-Client/Operational'],
  'security-mitigations': ['Microsoft-Windows-Security-Mitigations/Kernel Mode', 'Microsoft-Windows-Security-Mitigations/User Mode'],
  'diagnosis-scripted': ['Microsoft-Windows-Diagnosis-Scripted/Operational'],
  'shell-core': ['Microsoft-Windows-Shell-Core/Operational'],
  openssh: ['OpenSSH/Operational'],
  ldap: ['Microsoft-Windows-LDAP-Client/Debug'],
  bitlocker: ['Microsoft-Windows-BitLocker/BitLocker Management'],
  vhdmp: ['Microsoft-Windows-VHDMP/Operational'],
  'appxdeployment-server': ['Microsoft-Windows-AppXDeploymentServer/Operational'],
  'lsa-server': ['Microsoft-Windows-LSA/Operational'],
  'appxpackaging-om': ['Microsoft-Windows-AppxPackaging/Operational'],
  'dns-client': ['Microsoft-Windows-DNS Client Events/Operational', 'Microsoft-Windows-DNS-Client/Operational'],
  'appmodel-runtime': ['Microsoft-Windows-AppModel-Runtime/Admin'],
  capi2: ['Microsoft-Windows-CAPI2/Operational'],
  'certificateservicesclient-lifecycle-system': ['Microsoft-Windows-CertificateServicesClient-Lifecycle-System/Operational'],
  'kernel-shimengine': ['Microsoft-Windows-Kernel-ShimEngine/Operational', 'Microsoft-Windows-Kernel-ShimEngine/Diagnostic'],
  'application-experience': ['Microsoft-Windows-Application-Experience/Program-Telemetry', 'Microsoft-Windows-Application-Experience/Program-Compatibility-Assistant'],
  ntfs: ['Microsoft-Windows-Ntfs/Operational'],
  'hyper-v-worker': ['Microsoft-Windows-Hyper-V-Worker', 'Microsoft-Windows-Hyper-V-Worker-Admin'],
  'kernel-event-tracing': ['Microsoft-Windows-Kernel-EventTracing', 'Microsoft-Windows-Kernel-EventTracing/Admin'],
  sense: ['Microsoft-Windows-SENSE/Operational'],
  'servicebus-client': ['Microsoft-ServiceBus-Client/Admin', 'Microsoft-ServiceBus-Client/Operational'],
  'microsoft-servicebus-client': ['Microsoft-ServiceBus-Client/Admin', 'Microsoft-ServiceBus-Client/Operational'],
  'iis-configuration': ['Microsoft-IIS-Configuration/Operational'],
  'dns-server': ['DNS Server'],
  'dns-server-analytic': ['Microsoft-Windows-DNS-Server/Analytical'],
  'dns-server-audit': ['Microsoft-Windows-DNS-Server/Audit'],
  'driver-framework': ['Microsoft-Windows-DriverFrameworks-UserMode/Operational'],
  ntlm: ['Microsoft-Windows-NTLM/Operational'],
};

function sysmon(category: string, eventIds: number[], conditions?: Record<string, string[]>): LogSourceTables['categories'][number] {
  return { category, channels: [SYSMON], providers: [SYSMON_PROVIDER], eventIds, ...(conditions ? { conditions } : {}) };
}

export const WINDOWS_CATEGORIES: LogSourceTables['categories'] = [
  sysmon('process_creation', [1]),
  {
    category: 'process_creation',
    channels: ['Security'],
    eventIds: [4688],
    fields: {
      Image: 'NewProcessName',
      ParentImage: 'ParentProcessName',
      ProcessId: 'NewProcessId',
      ParentProcessId: 'ProcessId',
      LogonId: 'SubjectLogonId',
    },
  },
  sysmon('file_change', [2]),
  sysmon('network_connection', [3]),
  sysmon('sysmon_status', [4, 16]),
  sysmon('process_termination', [5]),
  sysmon('driver_load', [6]),
  sysmon('image_load', [7]),
  sysmon('create_remote_thread', [8]),
  sysmon('raw_access_thread', [9]),
  sysmon('process_access', [10]),
  sysmon('file_event', [11]),
  sysmon('registry_event', [12, 13, 14]),
  sysmon('registry_add', [12], { EventType: ['CreateKey'] }),
  sysmon('registry_delete', [12], { EventType: ['DeleteKey', 'DeleteValue'] }),
  sysmon('registry_set', [13]),
  sysmon('registry_rename', [14]),
  sysmon('create_stream_hash', [15]),
  sysmon('pipe_created', [17, 18]),
  sysmon('wmi_event', [19, 20, 21]),
  sysmon('dns_query', [22]),
  sysmon('file_delete', [23, 26]),
  sysmon('clipboard_capture', [24]),
  sysmon('clipboard_change', [24]),
  sysmon('process_tampering', [25]),
  sysmon('file_delete_detected', [26]),
  sysmon('file_block_executable', [27]),
  sysmon('file_block_shredding', [28]),
  sysmon('file_executable_detected', [29]),
  sysmon('sysmon_error', [255]),
  { category: 'ps_module', channels: PS_OPERATIONAL, eventIds: [4103] },
  { category: 'ps_script', channels: PS_OPERATIONAL, eventIds: [4104] },
  { category: 'ps_classic_start', channels: [PS_CLASSIC], eventIds: [400] },
  { category: 'ps_classic_provider_start', channels: [PS_CLASSIC], eventIds: [600] },
  { category: 'ps_classic_script', channels: [PS_CLASSIC], eventIds: [800] },
  {
    category: 'antivirus',
    channels: ['Microsoft-Windows-Windows Defender/Operational'],
    eventIds: [1006, 1007, 1008, 1009, 1010, 1011, 1012, 1017, 1018, 1019, 1115, 1116],
    fields: { Signature: 'ThreatName', Filename: 'Path' },
  },
];
