/**
 * The gup_test debugfs file (mm/gup_test.c) that
 * tools/testing/selftests/mm/gup_longterm.c drives: PIN_LONGTERM_TEST_START
 * pins a range with pin_user_pages() or pin_user_pages_fast() under
 * FOLL_LONGTERM (and FOLL_WRITE for a R/W test), PIN_LONGTERM_TEST_STOP drops
 * the pins with unpin_user_pages(). Nothing accesses the pages through the
 * pin, no RLIMIT_MEMLOCK is charged, and the pin is never revoked: it stands
 * for any kernel user of FOLL_LONGTERM.
 */
import type { Ctx } from "../ctx.js";
import { EINVAL } from "../errno.js";
import { MR_DEREG, MR_VALID, mr as mrOff } from "../layout.js";
import { pinMrPages, unpinMrPages } from "./gup.js";

/** PIN_LONGTERM_TEST_START on pin slot x: 0, or the pin's -errno with nothing pinned. */
export function pinLongterm(ctx: Ctx, x: number): number {
  const { m, s } = ctx;
  const e = pinMrPages(ctx, x);
  if (e < 0) return e;
  s[mrOff(m, x)] = MR_VALID;
  return x;
}

/** PIN_LONGTERM_TEST_STOP: unpin_user_pages() (no dirtying). EINVAL when nothing is pinned. */
export function unpinLongterm(ctx: Ctx, x: number): number {
  const { m, s } = ctx;
  const o = mrOff(m, x);
  if (s[o] !== MR_VALID) return -EINVAL;
  unpinMrPages(ctx, x);
  s[o] = MR_DEREG;
  s[o + 1] = 0;
  return 0;
}
