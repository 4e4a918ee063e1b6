#!/bin/sh
# /init of the conform guest (scripts/conform-guest.sh puts it in the initramfs).
# Sets up fs-DAX on the emulated NVDIMM, ext4 on a RAM disk, tmpfs and
# soft-RoCE over a dummy netdev, then runs every program under /conform and
# powers off. Lines starting with "@@" are read by `pinlab conform`.
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mkdir -p /dev/shm /mnt/dax /mnt/ext4 /mnt/tmpfs
mount -t tmpfs tmp /tmp
mount -t tmpfs shm /dev/shm
mount -t tmpfs tmpfs /mnt/tmpfs
echo "@@ kernel $(uname -r)"
# ndctl's modprobe rule hides libnvdimm's dependencies: -C /dev/null.
for m in nfit nd_pmem dax_pmem ext4 brd crc32_generic rdma_rxe ib_uverbs dummy; do
  modprobe -C /dev/null "$m" 2>/dev/null || echo "@@ note modprobe $m failed"
done
ok_dax=0
if ndctl create-namespace -f -e namespace0.0 -m fsdax >/dev/null 2>&1 && [ -b /dev/pmem0 ]; then
  mkfs.ext4 -q -F -b 4096 /dev/pmem0 >/dev/null 2>&1 &&
    mount -t ext4 -o dax /dev/pmem0 /mnt/dax 2>/dev/null &&
    grep -q ' /mnt/dax .*dax=always' /proc/mounts && ok_dax=1
fi
[ $ok_dax -eq 1 ] && echo "@@ have dax /mnt/dax" || echo "@@ note no fs-DAX (DAX silently off or no pmem)"
if [ -b /dev/ram0 ] && mkfs.ext4 -q -F -b 4096 /dev/ram0 >/dev/null 2>&1 && mount -t ext4 /dev/ram0 /mnt/ext4; then
  echo "@@ have ext4 /mnt/ext4"
fi
echo "@@ have tmpfs /mnt/tmpfs"
ip link add dum0 type dummy 2>/dev/null && ip link set dum0 up &&
  rdma link add rxe0 type rxe netdev dum0 2>/dev/null && echo "@@ have rxe rxe0" ||
  echo "@@ note no rdma_rxe"
for p in /conform/*.bin; do
  [ -x "$p" ] || continue
  echo "@@ begin $(basename "$p" .bin)"
  "$p" 2>&1
  echo "@@ end $(basename "$p" .bin) $?"
done
echo "@@ done"
sync
poweroff -f
