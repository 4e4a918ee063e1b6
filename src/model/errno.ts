/**
 * Linux errno values (include/uapi/asm-generic/errno-base.h, errno.h).
 * A kernel error is domain data: operations return `-errno`, never throw.
 */
export const EPERM = 1;
export const ENOENT = 2;
export const ESRCH = 3;
export const EINTR = 4;
export const EBADF = 9;
export const EAGAIN = 11;
export const ENOMEM = 12;
export const EACCES = 13;
export const EFAULT = 14;
export const EBUSY = 16;
export const EEXIST = 17;
export const ENODEV = 19;
export const EINVAL = 22;
export const ETXTBSY = 26;
export const ENOSPC = 28;
export const EDEADLK = 35; // EDEADLOCK is an alias of EDEADLK on x86 and asm-generic
export const EOPNOTSUPP = 95;
export const EIO = 5;
export const EXDEV = 18;
export const ECONNREFUSED = 111;
export const ENXIO = 6;
export const ENOTTY = 25;
export const EFBIG = 27;
/** FIDEDUPERANGE's FILE_DEDUPE_RANGE_DIFFERS: the kernel's own -EBADE from the compare (fs/remap_range.c). */
export const EBADE = 52;

const NAMES: Record<number, string> = {
  [EPERM]: "EPERM",
  [ENOENT]: "ENOENT",
  [ESRCH]: "ESRCH",
  [EINTR]: "EINTR",
  [EIO]: "EIO",
  [EBADF]: "EBADF",
  [EAGAIN]: "EAGAIN",
  [ENOMEM]: "ENOMEM",
  [EACCES]: "EACCES",
  [EFAULT]: "EFAULT",
  [EBUSY]: "EBUSY",
  [EEXIST]: "EEXIST",
  [EXDEV]: "EXDEV",
  [ENODEV]: "ENODEV",
  [EINVAL]: "EINVAL",
  [ETXTBSY]: "ETXTBSY",
  [ENOSPC]: "ENOSPC",
  [EDEADLK]: "EDEADLOCK",
  [EOPNOTSUPP]: "EOPNOTSUPP",
  [ECONNREFUSED]: "ECONNREFUSED",
  [ENXIO]: "ENXIO",
  [ENOTTY]: "ENOTTY",
  [EFBIG]: "EFBIG",
  [EBADE]: "EBADE",
};

/** Name of an errno value (positive), e.g. 95 → "EOPNOTSUPP". */
export function errnoName(errno: number): string {
  return NAMES[errno] ?? `errno ${errno}`;
}

/** The errno for a name ("EDEADLK" and "EDEADLOCK" both resolve), or undefined. */
export function errnoByName(name: string): number | undefined {
  if (name === "EDEADLK") return EDEADLK;
  for (const [value, n] of Object.entries(NAMES)) if (n === name) return Number(value);
  return undefined;
}

/** Every errno name the model can return, for diagnostics and documentation. */
export const ERRNO_NAMES: readonly string[] = Object.values(NAMES);
