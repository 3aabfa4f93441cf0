/**
 * Syscall numbers to names for the architectures whose raw audit.log Warden translates
 * (log_format=ENRICHED does this itself as `SYSCALL=name`). Covers the calls detection
 * rules and investigations ask about, not the whole table.
 */

const X86_64: Record<number, string> = {
  0: 'read', 1: 'write', 2: 'open', 3: 'close', 4: 'stat', 5: 'fstat', 6: 'lstat', 9: 'mmap', 10: 'mprotect',
  16: 'ioctl', 21: 'access', 22: 'pipe', 32: 'dup', 33: 'dup2', 39: 'getpid', 41: 'socket', 42: 'connect',
  43: 'accept', 44: 'sendto', 45: 'recvfrom', 49: 'bind', 50: 'listen', 56: 'clone', 57: 'fork', 58: 'vfork',
  59: 'execve', 60: 'exit', 61: 'wait4', 62: 'kill', 63: 'uname', 76: 'truncate', 77: 'ftruncate', 80: 'chdir',
  82: 'rename', 83: 'mkdir', 84: 'rmdir', 85: 'creat', 86: 'link', 87: 'unlink', 88: 'symlink', 90: 'chmod',
  91: 'fchmod', 92: 'chown', 93: 'fchown', 94: 'lchown', 99: 'sysinfo', 101: 'ptrace', 103: 'syslog',
  105: 'setuid', 106: 'setgid', 113: 'setreuid', 114: 'setregid', 117: 'setresuid', 119: 'setresgid',
  133: 'mknod', 135: 'personality', 155: 'pivot_root', 157: 'prctl', 159: 'adjtimex', 161: 'chroot',
  164: 'settimeofday', 165: 'mount', 166: 'umount2', 167: 'swapon', 168: 'swapoff', 169: 'reboot',
  170: 'sethostname', 175: 'init_module', 176: 'delete_module', 188: 'setxattr', 189: 'lsetxattr',
  190: 'fsetxattr', 197: 'removexattr', 198: 'lremovexattr', 199: 'fremovexattr', 200: 'tkill',
  227: 'clock_settime', 234: 'tgkill', 235: 'utimes', 257: 'openat', 258: 'mkdirat', 259: 'mknodat',
  260: 'fchownat', 261: 'futimesat', 263: 'unlinkat', 264: 'renameat', 265: 'linkat', 266: 'symlinkat',
  268: 'fchmodat', 269: 'faccessat', 280: 'utimensat', 288: 'accept4', 304: 'open_by_handle_at',
  313: 'finit_module', 316: 'renameat2', 319: 'memfd_create', 321: 'bpf', 322: 'execveat', 425: 'io_uring_setup',
  435: 'clone3',
};

const AARCH64: Record<number, string> = {
  33: 'mknodat', 35: 'unlinkat', 38: 'renameat', 56: 'openat', 92: 'personality', 105: 'init_module',
  106: 'delete_module', 116: 'syslog', 117: 'ptrace', 179: 'sysinfo', 198: 'socket', 203: 'connect',
  220: 'clone', 221: 'execve', 273: 'finit_module', 279: 'memfd_create', 281: 'execveat',
};

/** Name of syscall `num` on audit arch `arch` (hex AUDIT_ARCH value), when known. */
export function syscallName(arch: string | undefined, num: string | undefined): string | undefined {
  if (arch === undefined || num === undefined) return undefined;
  const n = Number(num);
  if (!Number.isInteger(n)) return undefined;
  const a = arch.toLowerCase();
  if (a === 'c000003e') return X86_64[n];
  if (a === 'c00000b7') return AARCH64[n];
  return undefined;
}
