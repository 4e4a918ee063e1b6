#!/bin/sh
# /init of the conform guest (scripts/conform-guest.sh puts it in the initramfs).
# Sets up fs-DAX on the emulated NVDIMM, ext4 on a RAM disk, tmpfs and
# soft-RoCE over a dummy netdev, then runs every program under /conform and
# powers off. Lines starting with "@@" are read by `pinlab conform`.
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mkdir -p /dev/shm /mnt/dax /mnt/ext4 /mnt/tmpfs /mnt/xfs /mnt/xfsdax
chmod 1777 /mnt/tmpfs /tmp
mount -t tmpfs tmp /tmp
mount -t tmpfs shm /dev/shm
mount -t tmpfs tmpfs /mnt/tmpfs
echo "@@ kernel $(uname -r)"
# Seconds since the kernel started, at each phase (the boot's cost, shown by pinlab conform).
stamp() { echo "@@ time $1 $(cut -d' ' -f1 /proc/uptime)"; }
stamp init
# /conform/needs lists what the programs of this boot use (dax ext4 xfs
# xfsdax rxe): the rest is not set up, which shortens the boot. No list: all.
need() {
  [ ! -e /conform/needs ] && return 0
  for w in "$@"; do grep -qw "$w" /conform/needs && return 0; done
  return 1
}
load() { for m in "$@"; do modprobe "$m" 2>/dev/null || echo "@@ note modprobe $m failed"; done; }
# ndctl's modprobe rule hides libnvdimm's dependencies: the initramfs has no
# modprobe.d (scripts/conform-guest.sh). crc32_generic before rdma_rxe.
load crc32c_generic crc16
need dax xfsdax && load nfit nd_pmem dax_pmem
need dax ext4 && load ext4
need xfs xfsdax && load xfs
need rxe && load crc32_generic rdma_rxe ib_uverbs dummy
# Two RAM disks: ext4 and XFS (mkfs.xfs wants at least 300 MB; brd allocates on write).
if need ext4 xfs; then modprobe brd rd_nr=2 rd_size=327680 2>/dev/null || echo "@@ note modprobe brd failed"; fi
stamp modules
# Every failure says why: DAX silently turns off otherwise.
note() { echo "@@ note $*" | tr '\n' ' '; echo; }
if ! need dax; then
  :
elif ! out=$(ndctl create-namespace -f -e namespace0.0 -m fsdax 2>&1); then
  note "ndctl create-namespace: $out"
elif [ ! -b /dev/pmem0 ]; then
  note "no /dev/pmem0 after ndctl"
elif ! out=$(mkfs.ext4 -q -F -b 4096 /dev/pmem0 2>&1); then
  note "mkfs.ext4 /dev/pmem0: $out"
elif ! out=$(mount -t ext4 -o dax /dev/pmem0 /mnt/dax 2>&1); then
  note "mount -o dax: $out"
elif ! grep -q ' /mnt/dax .*dax=always' /proc/mounts; then
  note "/mnt/dax mounted without dax=always: $(grep /mnt/dax /proc/mounts)"
else
  chmod 1777 /mnt/dax
  echo "@@ have dax /mnt/dax ($(grep /mnt/dax /proc/mounts | cut -d' ' -f3-4))"
fi
stamp dax-ext4
# 16 MB of the RAM disk is enough for ext4 (and quicker to make than all of it).
if ! need ext4; then
  :
elif [ ! -b /dev/ram0 ]; then
  note "no /dev/ram0 (brd)"
elif ! out=$(mkfs.ext4 -q -F -b 4096 /dev/ram0 4096 2>&1); then
  note "mkfs.ext4 /dev/ram0: $out"
elif ! out=$(mount -t ext4 /dev/ram0 /mnt/ext4 2>&1); then
  note "mount /dev/ram0: $out"
else
  chmod 1777 /mnt/ext4
  echo "@@ have ext4 /mnt/ext4"
fi
stamp ext4
# XFS with reflink (FICLONE) on the second RAM disk and, with -o dax, on the second NVDIMM.
if ! need xfs; then
  :
elif [ ! -b /dev/ram1 ]; then
  note "no /dev/ram1 (brd)"
elif ! out=$(mkfs.xfs -q -f -m reflink=1 /dev/ram1 2>&1); then
  note "mkfs.xfs /dev/ram1: $out"
elif ! out=$(mount -t xfs /dev/ram1 /mnt/xfs 2>&1); then
  note "mount xfs /dev/ram1: $out"
else
  chmod 1777 /mnt/xfs
  echo "@@ have xfs /mnt/xfs (reflink)"
fi
stamp xfs
if ! need xfsdax; then
  :
elif ! out=$(ndctl create-namespace -f -e namespace1.0 -m fsdax 2>&1); then
  note "ndctl create-namespace namespace1.0: $out"
elif [ ! -b /dev/pmem1 ]; then
  note "no /dev/pmem1 after ndctl"
elif ! out=$(mkfs.xfs -q -f -m reflink=1 /dev/pmem1 2>&1); then
  note "mkfs.xfs /dev/pmem1 ($(cat /sys/block/pmem1/size 2>/dev/null) sectors): $(echo "$out" | head -1)"
elif ! out=$(mount -t xfs -o dax=always /dev/pmem1 /mnt/xfsdax 2>&1); then
  note "mount xfs -o dax=always: $out"
elif ! grep -q ' /mnt/xfsdax .*dax=always' /proc/mounts; then
  note "/mnt/xfsdax mounted without dax=always: $(grep /mnt/xfsdax /proc/mounts)"
else
  chmod 1777 /mnt/xfsdax
  echo "@@ have xfsdax /mnt/xfsdax ($(grep /mnt/xfsdax /proc/mounts | cut -d' ' -f3-4), reflink)"
fi
stamp dax-xfs
echo "@@ have tmpfs /mnt/tmpfs"
if ! need rxe; then
  :
elif ! out=$(ip link add dum0 type dummy 2>&1 && ip link set dum0 up 2>&1); then
  note "dummy netdev: $out"
elif ! out=$(rdma link add rxe0 type rxe netdev dum0 2>&1); then
  note "rdma link add rxe0: $out"
else
  echo "@@ have rxe rxe0"
fi
stamp rxe
for p in /conform/*.bin; do
  [ -x "$p" ] || continue
  echo "@@ begin $(basename "$p" .bin)"
  "$p" 2>&1
  echo "@@ end $(basename "$p" .bin) $?"
done
stamp programs
echo "@@ done"
sync
poweroff -f
