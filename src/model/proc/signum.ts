/**
 * Signal numbers and default actions (include/uapi/asm-generic/signal.h,
 * x86/asm-generic numbering; kernel/signal.c sig_kernel_ignore / SIG_KERNEL_*_MASK;
 * man 7 signal). The model sends signals in three ways: a lease break
 * (lease_break_callback → kill_fasync → send_sigio: SIGIO, or the signal chosen
 * with F_SETSIG), `kill PROC [SIG]`, and the kernel's own SIGKILL escalation.
 */

export const SIGINT = 2;
export const SIGKILL = 9;
export const SIGUSR1 = 10;
export const SIGUSR2 = 12;
export const SIGTERM = 15;
export const SIGCHLD = 17;
export const SIGURG = 23;
export const SIGWINCH = 28;
export const SIGIO = 29;
export const SIGRTMIN = 34;

/** The signals a scenario may name (SIGPOLL is an alias of SIGIO). */
export const SIGNALS: Readonly<Record<string, number>> = {
  SIGINT,
  SIGKILL,
  SIGUSR1,
  SIGUSR2,
  SIGTERM,
  SIGCHLD,
  SIGURG,
  SIGWINCH,
  SIGIO,
  SIGPOLL: SIGIO,
  SIGRTMIN,
};

export const SIGNAL_NAMES: readonly string[] = Object.keys(SIGNALS);

/** Each number's name (SIGIO, not its alias SIGPOLL), read once: signals are named on every delivery. */
const NAME_OF: ReadonlyMap<number, string> = new Map(
  Object.entries(SIGNALS)
    .filter(([n]) => n !== "SIGPOLL")
    .reverse()
    .map(([n, v]) => [v, n]),
);

export function signalName(sig: number): string {
  return NAME_OF.get(sig) ?? `signal ${sig}`;
}

/**
 * Whether the default action (SIG_DFL) of sig terminates the process. SIGCHLD,
 * SIGURG and SIGWINCH are ignored by default (sig_kernel_ignore()); every other
 * signal here terminates, SIGIO included (man 7 signal: SIGIO "Term").
 */
export function defaultTerminates(sig: number): boolean {
  return sig !== SIGCHLD && sig !== SIGURG && sig !== SIGWINCH;
}
