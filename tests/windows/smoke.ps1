<#
.SYNOPSIS
  The Windows backend's smoke test, for a real Windows 11 machine: what Wine
  cannot check (docs/windows.md, "What is verified where").

.DESCRIPTION
  Checks, each "cannot" with its "can" twin, effects read back from the
  machine rather than from cordon's exit codes:
    1. read-only: a run reads the workspace, cannot write it (--mode read-only),
       cannot read the user's profile (a canary file);
    2. workspace-write: a run writes the workspace, not a sibling directory;
    3. network: offline reaches nothing (not even loopback); online reaches
       an allowed host through the proxy and not a refused one, and no
       direct connection (bypassing the proxy) gets out; setup recorded the
       proxy port and made the loopback exemption, an UNELEVATED doctor
       reads the filters back by key, the command gets HTTP_PROXY for the
       first port of the recorded range, the proxy's decisions are in the
       day file, two online runs at once each get a port of the range, a
       foreign listener on a port of the range and --net full are refused
       (exit 125);
    4. protected paths: .git\hooks, .git\config and .cordon.toml cannot be
       written, renamed or deleted, by any spelling (case, trailing dot,
       ::$DATA stream, 8.3 short name), while ordinary git (commit, fetch
       from a local remote, gc) works;
    5. ~/.ssh integrity the way OpenSSH checks it: owner is the user, and no
       ACE grants anyone but the user, SYSTEM and Administrators; the same
       for every file ~/.ssh/config names; unchanged before and after; the
       vault: a granted secret reaches a run, an ungranted one does not, the
       key file's DACL is protected; `cordon log` lists the runs; a run
       with stdout redirected on this console writes no input record into
       it (its twin, run directly, does);
    6. per-command overhead: the median of N runs of `cmd /c exit 0` inside
       cordon minus outside, under a budget;
    7. uninstall leaves nothing: no ACE naming a cordon SID on the workspace
       trees, no AppContainer profile, no firewall rule, no WFP filter or
       provider, no cordon-made account.
  NOT RUN YET: the backend it tests is in progress; this script was written
  on Linux and has never been executed. Expect to fix it on first run.
  It changes machine state only through cordon itself (setup and uninstall)
  and in a temporary directory it deletes at the end.

.PARAMETER Cordon
  Path to cordon.exe.
.PARAMETER Runs
  Number of runs for the overhead measurement.
.PARAMETER OverheadBudgetMs
  The largest acceptable median overhead per command, in milliseconds.
.PARAMETER AllowedHost
  A host the online identity's allowlist permits (reached through the
  proxy); RefusedHost is one it does not.
#>
[CmdletBinding()]
param(
  [Parameter(Mandatory = $true)][string]$Cordon,
  [int]$Runs = 20,
  [int]$OverheadBudgetMs = 250,
  [string]$AllowedHost = 'example.com',
  [string]$RefusedHost = 'example.org'
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$script:Failures = New-Object System.Collections.Generic.List[string]
$script:Passes = 0

function Check([string]$Name, [bool]$Ok, [string]$Detail = '') {
  if ($Ok) {
    $script:Passes++
    Write-Host "ok   $Name"
  } else {
    $script:Failures.Add("$Name $Detail")
    Write-Host "FAIL $Name $Detail" -ForegroundColor Red
  }
}

# Runs cordon with arguments; returns @{ Code; Out } (stdout and stderr).
function Invoke-Cordon([string[]]$Arguments) {
  $out = & $Cordon @Arguments 2>&1 | Out-String
  return @{ Code = $LASTEXITCODE; Out = $out }
}

# A run inside the sandbox of `cmd /c <command>` in the workspace.
function Invoke-Sandboxed([string]$Workspace, [string[]]$CordonFlags, [string]$Command) {
  return Invoke-Cordon (@('run', '--workspace', $Workspace) + $CordonFlags + @('--', 'cmd', '/d', '/c', $Command))
}

# OpenSSH for Windows' rule (contrib/win32/win32compat, check_secure_file_permission):
# the owner is the user, SYSTEM or Administrators, and no allow ACE grants
# any other principal access. Returns $null when the ACL is acceptable,
# else the offending principal.
function Test-OpenSshAcl([string]$Path) {
  $acl = Get-Acl -LiteralPath $Path
  $me = [System.Security.Principal.WindowsIdentity]::GetCurrent().User.Value
  $okSids = @($me, 'S-1-5-18', 'S-1-5-32-544')
  $owner = (New-Object System.Security.Principal.NTAccount($acl.Owner)).Translate([System.Security.Principal.SecurityIdentifier]).Value
  if ($okSids -notcontains $owner) { return "owner $owner" }
  foreach ($ace in $acl.GetAccessRules($true, $true, [System.Security.Principal.SecurityIdentifier])) {
    if ($ace.AccessControlType -ne 'Allow') { continue }
    if ($okSids -notcontains $ace.IdentityReference.Value) { return "ACE for $($ace.IdentityReference.Value)" }
  }
  return $null
}

# Every path ~/.ssh/config names through a file directive (the list of
# docs/windows.md, "OpenSSH's files"), without Include expansion.
function Get-SshConfigPaths {
  $paths = @()
  $config = Join-Path $env:USERPROFILE '.ssh\config'
  if (-not (Test-Path -LiteralPath $config)) { return $paths }
  $directives = 'identityfile', 'certificatefile', 'userknownhostsfile', 'globalknownhostsfile', 'revokedhostkeys'
  foreach ($line in Get-Content -LiteralPath $config) {
    $words = ($line -replace '#.*$', '').Trim() -split '\s+|=', 2
    if ($words.Count -lt 2 -or $directives -notcontains $words[0].ToLowerInvariant()) { continue }
    $p = $words[1].Trim('"') -replace '^(~|%d|\$\{HOME\})', $env:USERPROFILE
    if (Test-Path -LiteralPath $p) { $paths += $p }
  }
  return $paths
}

# SDDL of every file and directory under $Root (DACLs only).
function Get-TreeSddl([string]$Root) {
  Get-ChildItem -LiteralPath $Root -Recurse -Force -ErrorAction SilentlyContinue |
    ForEach-Object { (Get-Acl -LiteralPath $_.FullName).Sddl }
}

$tmp = Join-Path ([System.IO.Path]::GetTempPath()) ("cordon-smoke-" + [guid]::NewGuid())
$ws = Join-Path $tmp 'ws'
$sibling = Join-Path $tmp 'sibling'
New-Item -ItemType Directory -Path $ws, $sibling | Out-Null
$canary = Join-Path $env:USERPROFILE ("cordon-canary-" + [guid]::NewGuid() + '.txt')
Set-Content -LiteralPath $canary -Value 'canary-secret'

$sshDir = Join-Path $env:USERPROFILE '.ssh'
$sshPaths = @()
if (Test-Path -LiteralPath $sshDir) { $sshPaths = @($sshDir) + (Get-ChildItem -LiteralPath $sshDir -Force | ForEach-Object FullName) }
$sshPaths += Get-SshConfigPaths
$sshBefore = @{}
foreach ($p in $sshPaths) { $sshBefore[$p] = (Get-Acl -LiteralPath $p).Sddl }

try {
  # Setup: the one elevated step (run this script from an elevated prompt,
  # or expect one UAC prompt here).
  $r = Invoke-Cordon @('setup')
  Check 'setup succeeds' ($r.Code -eq 0) $r.Out
  # The online identity's 7 WFP filters (src/sandbox/windows/wfp_plan.h),
  # found by cordon's provider key and names, as the engine holds them.
  $wfpSetup = Join-Path $env:TEMP 'cordon-smoke-wfp-setup.xml'
  netsh wfp show filters file=$wfpSetup | Out-Null
  $wfpText = if (Test-Path -LiteralPath $wfpSetup) { Get-Content -Raw -LiteralPath $wfpSetup } else { '' }
  Remove-Item -LiteralPath $wfpSetup -Force -ErrorAction SilentlyContinue
  $wfpNames = [regex]::Matches($wfpText, '<name>cordon online: [^<]+</name>').Count
  Check 'setup: the online identity''s 7 WFP filters under cordon''s provider' (($wfpNames -eq 7) -and ($wfpText -match '49dbe4ad-29e0-4b6c-b529-67081921a64c')) "$wfpNames found"
  # The proxy port setup recorded, and the loopback exemption it made.
  $record = Join-Path $env:LOCALAPPDATA 'cordon\online'
  $recordText = if (Test-Path -LiteralPath $record) { Get-Content -Raw -LiteralPath $record } else { '' }
  $proxyPort = if ($recordText -match 'proxy 127\.0\.0\.1:(\d+)') { [int]$Matches[1] } else { 0 }
  Check 'setup: the proxy port recorded' ($proxyPort -gt 0) $recordText
  $exempt = CheckNetIsolation.exe LoopbackExempt -s | Out-String
  Check 'setup: cordon.online has the loopback exemption' ($exempt -match 'cordon\.online') $exempt
  # A run is unelevated: the filters must read back by key without an
  # administrator (setup granted FWPM_ACTRL_READ). runas /trustlevel gives
  # an unelevated token; its output goes through a file.
  $doctorOut = Join-Path $env:TEMP 'cordon-smoke-doctor.txt'
  Remove-Item -LiteralPath $doctorOut -Force -ErrorAction SilentlyContinue
  runas.exe /trustlevel:0x20000 "cmd /c `"`"$Cordon`" doctor > `"$doctorOut`" 2>&1`"" | Out-Null
  for ($i = 0; $i -lt 60 -and -not (Test-Path -LiteralPath $doctorOut); $i++) { Start-Sleep -Milliseconds 500 }
  Start-Sleep -Seconds 2
  $doctorText = if (Test-Path -LiteralPath $doctorOut) { Get-Content -Raw -LiteralPath $doctorOut } else { '' }
  Check 'unelevated doctor: the WFP filters read back by key' ($doctorText -match 'ok\s+online identity: WFP filters read by key') $doctorText
  Check 'unelevated doctor: the loopback exemption' ($doctorText -match 'ok\s+online identity: loopback exemption') $doctorText
  $r = Invoke-Cordon @('doctor')
  Check 'elevated doctor: all of cordon''s filters, nothing extra' ($r.Out -match 'ok\s+online identity: WFP filters, all of cordon''s provider and sublayer: exactly the plan') $r.Out

  # A git repository with a local remote, for the protected-path and git checks.
  git -C $ws init -q | Out-Null
  git -C $ws config user.email smoke@example.invalid
  git -C $ws config user.name smoke
  Set-Content -LiteralPath (Join-Path $ws 'a.txt') -Value 'a'
  Set-Content -LiteralPath (Join-Path $ws '.cordon.toml') -Value '# smoke'
  git -C $ws add -A | Out-Null
  git -C $ws commit -qm init | Out-Null
  $remote = Join-Path $tmp 'remote.git'
  git clone -q --bare $ws $remote | Out-Null
  git -C $ws remote add origin $remote
  New-Item -ItemType Directory -Force -Path (Join-Path $ws '.git\hooks') | Out-Null

  # 1. Read-only.
  $r = Invoke-Sandboxed $ws @('--mode', 'read-only') 'type a.txt'
  Check 'read-only: can read the workspace' ($r.Code -eq 0 -and $r.Out -match 'a') $r.Out
  $r = Invoke-Sandboxed $ws @('--mode', 'read-only') 'echo x> ro.txt'
  Check 'read-only: cannot write the workspace' (-not (Test-Path -LiteralPath (Join-Path $ws 'ro.txt')))
  $r = Invoke-Sandboxed $ws @() "type `"$canary`""
  Check 'cannot read the profile (canary)' ($r.Out -notmatch 'canary-secret') $r.Out

  # 2. Workspace-write.
  $r = Invoke-Sandboxed $ws @() 'echo x> rw.txt'
  Check 'workspace-write: can write the workspace' (Test-Path -LiteralPath (Join-Path $ws 'rw.txt')) $r.Out
  $r = Invoke-Sandboxed $ws @() "echo x> `"$sibling\out.txt`""
  Check 'workspace-write: cannot write a sibling' (-not (Test-Path -LiteralPath (Join-Path $sibling 'out.txt')))
  $r = Invoke-Sandboxed $ws @() "echo x> `"$env:USERPROFILE\cordon-smoke-write.txt`""
  Check 'workspace-write: cannot write the profile' (-not (Test-Path -LiteralPath "$env:USERPROFILE\cordon-smoke-write.txt"))

  # 3. Network. A loopback listener on the host: offline must not reach it.
  $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
  $listener.Start()
  $port = $listener.LocalEndpoint.Port
  $psConnect = "powershell -NoProfile -Command `"try { (New-Object Net.Sockets.TcpClient('127.0.0.1', $port)).Connected } catch { 'refused' }`""
  $r = Invoke-Sandboxed $ws @('--net', 'off') $psConnect
  $accepted = $listener.Pending()
  Check 'offline: loopback listener not reached' (-not $accepted) $r.Out
  $listener.Stop()
  $curl = "curl.exe -s -o NUL -w %{http_code} --max-time 15"
  $r = Invoke-Sandboxed $ws @('--net', 'off') "$curl https://$AllowedHost/"
  Check 'offline: no internet' ($r.Out -notmatch '200') $r.Out
  $r = Invoke-Sandboxed $ws @('--net', 'proxy', '--allow-domain', $AllowedHost) "$curl https://$AllowedHost/"
  Check 'online: allowed host through the proxy' ($r.Out -match '200|301|302') $r.Out
  $r = Invoke-Sandboxed $ws @('--net', 'proxy', '--allow-domain', $AllowedHost) "$curl https://$RefusedHost/"
  Check 'online: refused host stays refused' ($r.Out -notmatch '200') $r.Out
  $r = Invoke-Sandboxed $ws @('--net', 'proxy', '--allow-domain', $AllowedHost) "$curl --noproxy * https://$AllowedHost/"
  Check 'online: no direct connection around the proxy' ($r.Out -notmatch '200|301|302') $r.Out
  $r = Invoke-Sandboxed $ws @('--net', 'proxy', '--allow-domain', $AllowedHost) 'nslookup example.com 1.1.1.1'
  Check 'online: no direct DNS' ($r.Out -notmatch 'Addresses?:\s+\d') $r.Out
  $r = Invoke-Sandboxed $ws @('--net', 'proxy') 'set HTTP_PROXY & set https_proxy & set NO_PROXY'
  Check 'online: HTTP_PROXY names the recorded port' ($r.Out -match "HTTP_PROXY=http://127\.0\.0\.1:$proxyPort" -and $r.Out -match "https_proxy=http://127\.0\.0\.1:$proxyPort" -and $r.Out -match 'NO_PROXY=localhost,127\.0\.0\.1,::1') $r.Out
  $day = Join-Path $env:LOCALAPPDATA ("cordon\events\" + (Get-Date).ToUniversalTime().ToString('yyyy-MM-dd') + '.jsonl')
  $events = if (Test-Path -LiteralPath $day) { Get-Content -Raw -LiteralPath $day } else { '' }
  Check 'online: the proxy''s decisions are in the run''s events' ($events -match 'cordon\.net\.decision' -and $events -match [regex]::Escape($RefusedHost)) $day
  # Two online runs at once: the first holds its port (the first of the
  # range) while the second starts on the next and runs.
  $holdArgs = @('run', '--workspace', $ws, '--net', 'proxy', '--', 'cmd', '/d', '/c', 'ping -n 8 127.0.0.1 > nul')
  $holder = Start-Process -FilePath $Cordon -ArgumentList $holdArgs -PassThru -WindowStyle Hidden
  Start-Sleep -Seconds 3
  $r = Invoke-Sandboxed $ws @('--net', 'proxy') 'set HTTP_PROXY'
  $holder.WaitForExit()
  $next = $proxyPort + 1
  Check 'online: a second concurrent run gets the next port of the range' ($r.Code -eq 0 -and $r.Out -match "HTTP_PROXY=http://127\.0\.0\.1:$next") $r.Out
  # A program that is not cordon on a port of the range (the sandbox could
  # reach it): refused naming it, the command never runs.
  $squatter = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, $proxyPort)
  $squatter.Start()
  $r = Invoke-Sandboxed $ws @('--net', 'proxy') 'echo x> squat.txt'
  $squatter.Stop()
  Check 'online: a foreign listener in the proxy range is refused' ($r.Code -eq 125 -and $r.Out -match "127\.0\.0\.1:$proxyPort" -and $r.Out -match 'not a cordon proxy' -and $r.Out -match 'proxy-port' -and -not (Test-Path -LiteralPath (Join-Path $ws 'squat.txt'))) $r.Out
  $r = Invoke-Sandboxed $ws @('--net', 'full') 'echo x> full.txt'
  Check '--net full is refused' ($r.Code -eq 125 -and -not (Test-Path -LiteralPath (Join-Path $ws 'full.txt'))) $r.Out
  # Loopback is exempted for the proxy only: another host port stays shut.
  $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
  $listener.Start()
  $port = $listener.LocalEndpoint.Port
  $psConnect = "powershell -NoProfile -Command `"try { (New-Object Net.Sockets.TcpClient('127.0.0.1', $port)).Connected } catch { 'refused' }`""
  $r = Invoke-Sandboxed $ws @('--net', 'proxy', '--allow-domain', $AllowedHost) $psConnect
  Check 'online: a loopback port other than the proxy not reached' (-not $listener.Pending()) $r.Out
  $listener.Stop()

  # 4. Protected paths, by every spelling, and ordinary git beside them.
  $configBefore = Get-Content -Raw -LiteralPath (Join-Path $ws '.git\config')
  $short = (New-Object -ComObject Scripting.FileSystemObject).GetFolder((Join-Path $ws '.git')).ShortName
  $attempts = @(
    'echo x> .git\hooks\pre-commit',
    'echo x> .GiT\HOOKS\post-checkout',
    'echo x> .git.\hooks\pre-push',
    'echo x>> .git\config',
    'echo x>> .git\config::$DATA',
    'echo x> .git\config:evil',
    'echo x>> .cordon.toml',
    'ren .git\config config.bak',
    'ren .git git-moved',
    'del /q .cordon.toml',
    'rd /s /q .git\hooks'
  )
  if ($short -and $short -ne '.git') { $attempts += "echo x> $short\hooks\post-merge" }
  foreach ($a in $attempts) { Invoke-Sandboxed $ws @() $a | Out-Null }
  $hooks = @(Get-ChildItem -LiteralPath (Join-Path $ws '.git\hooks') -Force -ErrorAction SilentlyContinue)
  Check 'protected: no hook written (any spelling)' ($hooks.Count -eq 0) ($hooks | Out-String)
  Check 'protected: .git\config unchanged' ((Get-Content -Raw -LiteralPath (Join-Path $ws '.git\config')) -eq $configBefore)
  Check 'protected: .cordon.toml unchanged' ((Get-Content -Raw -LiteralPath (Join-Path $ws '.cordon.toml')).Trim() -eq '# smoke')
  Check 'protected: .git not renamed away' (Test-Path -LiteralPath (Join-Path $ws '.git\config'))
  $streams = Get-Item -LiteralPath (Join-Path $ws '.git\config') -Stream * | Where-Object Stream -ne ':$DATA'
  Check 'protected: no stream added to .git\config' ($null -eq $streams)
  $r = Invoke-Sandboxed $ws @() 'echo b> b.txt && git add b.txt && git commit -qm b && git fetch -q origin && git gc -q && git log --oneline'
  Check 'git: commit, fetch and gc work beside the protected paths' ($r.Code -eq 0 -and $r.Out -match ' b') $r.Out
  Check 'git: FETCH_HEAD written' (Test-Path -LiteralPath (Join-Path $ws '.git\FETCH_HEAD'))

  # MSVC, when installed: cl compiles inside the sandbox (unverified so far).
  $vswhere = "${env:ProgramFiles(x86)}\Microsoft Visual Studio\Installer\vswhere.exe"
  if (Test-Path -LiteralPath $vswhere) {
    Set-Content -LiteralPath (Join-Path $ws 'hello.c') -Value 'int main(void) { return 0; }'
    $vs = & $vswhere -latest -property installationPath
    $r = Invoke-Sandboxed $ws @() "call `"$vs\VC\Auxiliary\Build\vcvars64.bat`" >NUL && cl /nologo hello.c"
    Check 'msvc: cl compiles in the workspace' (Test-Path -LiteralPath (Join-Path $ws 'hello.exe')) $r.Out
  }

  # 5. ~/.ssh as OpenSSH sees it: unchanged, and still acceptable.
  foreach ($p in $sshPaths) {
    Check "ssh: ACL of $p unchanged" ((Get-Acl -LiteralPath $p).Sddl -eq $sshBefore[$p])
    $bad = Test-OpenSshAcl $p
    Check "ssh: OpenSSH would accept $p" ($null -eq $bad) $bad
  }

  # 5b. The vault: a secret reaches a confined run granted it, never one
  # without the grant; its key file is protected (no inherited ACE, only
  # the user and SYSTEM), which Wine cannot show (it drops the flag).
  'smoke-value-7d1' | & $Cordon secret set SMOKE_TOKEN --stdin | Out-Null
  $r = Invoke-Sandboxed $ws @('--secret', 'SMOKE_TOKEN') 'echo %SMOKE_TOKEN%'
  Check 'vault: a granted run sees the secret' ($r.Out -match 'smoke-value-7d1') $r.Out
  $r = Invoke-Sandboxed $ws @() 'echo %SMOKE_TOKEN%'
  Check 'vault: a run without the grant does not' ($r.Out -notmatch 'smoke-value-7d1') $r.Out
  $keyAcl = Get-Acl -LiteralPath (Join-Path $env:LOCALAPPDATA 'cordon\vault\key')
  $others = @($keyAcl.Access | Where-Object { $_.IdentityReference.Value -notmatch "^(NT AUTHORITY\\SYSTEM|$([regex]::Escape("$env:USERDOMAIN\$env:USERNAME")))$" -or $_.IsInherited })
  Check 'vault: the key file is protected, the user and SYSTEM only' ($keyAcl.AreAccessRulesProtected -and $others.Count -eq 0) ($keyAcl.Sddl)
  & $Cordon secret rm SMOKE_TOKEN | Out-Null
  # The audit trail: the runs above are in `cordon log`.
  $r = Invoke-Cordon @('log', '--kind', 'exec')
  Check 'log: the runs are recorded' ($r.Code -eq 0 -and $r.Out -match 'exit 0') $r.Out

  # 5c. A run with its stdout redirected on this console: the command is on
  # a hidden console of its own, so a key record it writes into CONIN$
  # never reaches this console's input (docs/windows.md, "Redirected stdio
  # on a console"); the twin, run directly, does. Only where this script
  # runs on a console (not the ISE, not a remoting session).
  $injectScript = @'
Add-Type -Namespace CordonSmoke -Name Con -MemberDefinition @"
[DllImport("kernel32.dll", CharSet = CharSet.Unicode, SetLastError = true)]
public static extern IntPtr CreateFileW(string name, uint access, uint share, IntPtr sa, uint disposition, uint flags, IntPtr template);
[DllImport("kernel32.dll", SetLastError = true)]
public static extern bool WriteConsoleInputW(IntPtr h, ushort[] record, uint n, out uint written);
"@
$h = [CordonSmoke.Con]::CreateFileW('CONIN$', 0xC0000000, 3, [IntPtr]::Zero, 3, 0, [IntPtr]::Zero)
# INPUT_RECORD, KEY_EVENT: key down, repeat 1, the character U+E123.
$record = [uint16[]](1, 0, 1, 0, 1, 0, 0, 0xE123, 0, 0)
$n = 0
"wrote=" + [CordonSmoke.Con]::WriteConsoleInputW($h, $record, 1, [ref]$n)
'@
  $encoded = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($injectScript))
  $injected = {
    $found = $false
    while ([Console]::KeyAvailable) { if ([Console]::ReadKey($true).KeyChar -eq [char]0xE123) { $found = $true } }
    return $found
  }
  $onConsole = $true
  try { $null = [Console]::KeyAvailable } catch { $onConsole = $false }
  if ($onConsole) {
    $null = & $injected
    $direct = powershell -NoProfile -EncodedCommand $encoded | Out-String
    Check 'console (twin): a command on this console can write into its input' (& $injected) $direct
    $r = Invoke-Cordon @('run', '--mode', 'full-access', '--workspace', $ws, '--', 'powershell', '-NoProfile', '-EncodedCommand', $encoded)
    Check 'console: a run with stdout redirected writes nothing into this console''s input' (-not (& $injected)) $r.Out
    Check 'console: its output arrives through the pipe' ($r.Out -match 'wrote=') $r.Out
  } else {
    Write-Host 'skip console: this script is not on a console'
  }

  # 6. Per-command overhead: median inside minus median outside.
  $inside = 1..$Runs | ForEach-Object { (Measure-Command { Invoke-Sandboxed $ws @() 'exit 0' | Out-Null }).TotalMilliseconds }
  $outside = 1..$Runs | ForEach-Object { (Measure-Command { cmd /d /c 'exit 0' | Out-Null }).TotalMilliseconds }
  $median = { param($xs) $s = $xs | Sort-Object; $s[[int][math]::Floor($s.Count / 2)] }
  $overhead = (& $median $inside) - (& $median $outside)
  Write-Host ("overhead per command: {0:N0} ms (median of {1})" -f $overhead, $Runs)
  Check "overhead under $OverheadBudgetMs ms" ($overhead -lt $OverheadBudgetMs) ("{0:N0} ms" -f $overhead)

  # 7. Uninstall leaves nothing.
  $r = Invoke-Cordon @('uninstall')
  Check 'uninstall succeeds and reports nothing left' ($r.Code -eq 0) $r.Out
  # Every SID cordon can have made is S-1-15-2-... (its profiles) or
  # S-1-15-3-1024-... (a workspace capability); after uninstall no ACE in
  # the workspace trees or on ~/.ssh names either kind that Windows cannot
  # resolve to a name it knows (a leftover cordon SID has no name).
  $leftover = @()
  foreach ($root in @($ws, $sibling) + $sshPaths) {
    foreach ($sddl in @((Get-Acl -LiteralPath $root).Sddl) + @(Get-TreeSddl $root)) {
      if ($sddl -match 'S-1-15-(2|3-1024)-[0-9-]+') { $leftover += "$root $($Matches[0])" }
    }
  }
  Check 'uninstall: no cordon SID in any ACE' ($leftover.Count -eq 0) ($leftover -join '; ')
  $profiles = Get-ChildItem 'HKCU:\Software\Classes\Local Settings\Software\Microsoft\Windows\CurrentVersion\AppContainer\Mappings' -ErrorAction SilentlyContinue |
    Where-Object { (Get-ItemProperty $_.PSPath).Moniker -like 'cordon.*' }
  Check 'uninstall: no AppContainer profile' ($null -eq $profiles)
  $rules = Get-NetFirewallRule -ErrorAction SilentlyContinue | Where-Object { $_.DisplayName -like 'cordon*' -or $_.Group -like 'cordon*' }
  Check 'uninstall: no firewall rule' ($null -eq $rules)
  $wfp = Join-Path $tmp 'wfp.xml'
  netsh wfp show filters file=$wfp | Out-Null
  $wfpLeft = (Test-Path -LiteralPath $wfp) -and ((Get-Content -Raw -LiteralPath $wfp) -match 'cordon|49dbe4ad-29e0-4b6c-b529-67081921a64c|d4e832cc-3f9e-444a-8713-62d6dbc3faaf')
  Check 'uninstall: no WFP filter or provider' (-not $wfpLeft)
  $exempt = CheckNetIsolation.exe LoopbackExempt -s | Out-String
  Check 'uninstall: no loopback exemption for cordon' ($exempt -notmatch 'cordon\.') $exempt
  Check 'uninstall: the proxy port record removed' (-not (Test-Path -LiteralPath (Join-Path $env:LOCALAPPDATA 'cordon\online')))
  $users = Get-LocalUser -ErrorAction SilentlyContinue | Where-Object Name -like 'cordon*'
  Check 'uninstall: no local account' ($null -eq $users)
} finally {
  Remove-Item -LiteralPath $canary -Force -ErrorAction SilentlyContinue
  Remove-Item -LiteralPath "$env:USERPROFILE\cordon-smoke-write.txt" -Force -ErrorAction SilentlyContinue
  Remove-Item -LiteralPath $tmp -Recurse -Force -ErrorAction SilentlyContinue
}

Write-Host ""
Write-Host "$($script:Passes) passed, $($script:Failures.Count) failed"
if ($script:Failures.Count -gt 0) {
  $script:Failures | ForEach-Object { Write-Host "  $_" }
  exit 1
}
exit 0
