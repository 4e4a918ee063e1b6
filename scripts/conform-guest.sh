#!/usr/bin/env bash
# Builds what the guest tier of `pinlab conform` boots: for each pinned Debian
# kernel, its vmlinuz, and a busybox initramfs with the kernel's modules for
# fs-DAX (an emulated NVDIMM), ext4, tmpfs and soft-RoCE (rdma_rxe), and the
# user-space tools the guest's setup needs (ndctl, mkfs.ext4, rdma), all taken
# from Debian's packages. The .deb files are cached; a second run downloads
# nothing. Nothing but Debian's packages is downloaded.
#
#   bash scripts/conform-guest.sh [6.1|6.12|all]     (default: all)
#
# Cache: $PINLAB_CONFORM_CACHE, default /var/cache/pinlab-conform. Needs root
# only to install qemu (qemu-system-x86); downloading and unpacking do not.
set -euo pipefail

CACHE=${PINLAB_CONFORM_CACHE:-/var/cache/pinlab-conform}
WANT=${1:-all}
HERE=$(cd "$(dirname "$0")" && pwd)

# The kernels, pinned by package version. 6.1 from bookworm, 6.12 from bookworm-backports.
declare -A KPKG=(
  [6.1]="linux-image-6.1.0-50-amd64-unsigned=6.1.176-1"
  [6.12]="linux-image-6.12.95+deb12-amd64-unsigned=6.12.95-1~bpo12+1"
)
declare -A KSUITE=([6.1]="bookworm" [6.12]="bookworm-backports")

# User space for the guest (bookworm), with the libraries each needs.
USERPKGS=(
  busybox-static e2fsprogs libext2fs2 libcom-err2 libblkid1 libuuid1 libss2
  ndctl libndctl6 libdaxctl1 libcxl1 libiniparser1 libjson-c5 libkeyutils1 libtraceevent1
  libtracefs1 libkmod2 liblzma5 libssl3 libzstd1 libudev1
  iproute2 libbpf1 libbsd0 libcap2 libdb5.3 libelf1 libmnl0 libselinux1 libtirpc3
  libxtables12 libmd0 libpcre2-8-0 libgssapi-krb5-2 libkrb5-3 libk5crypto3 libkrb5support0
  zlib1g libgcc-s1
  libibverbs1 ibverbs-providers libnl-3-200 libnl-route-3-200 liburing2 libc6
  xfsprogs libinih1 liburcu8
)

# The modules the guest loads (modprobe resolves their dependencies).
MODULES=(nfit nd_pmem dax_pmem ext4 xfs crc32_generic crc32c_generic rdma_rxe ib_uverbs dummy brd)

mkdir -p "$CACHE/debs" "$CACHE/apt/lists/partial" "$CACHE/apt/cache/archives/partial"
cat >"$CACHE/apt/sources.list" <<'EOF'
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm main
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm-backports main
EOF
: >"$CACHE/apt/empty.list"
mkdir -p "$CACHE/apt/parts"
APT=(-o "Dir::Etc::sourcelist=$CACHE/apt/sources.list" -o "Dir::Etc::sourceparts=$CACHE/apt/parts"
  -o "Dir::State::Lists=$CACHE/apt/lists" -o "Dir::Cache=$CACHE/apt/cache"
  -o "Dir::State::status=$CACHE/apt/empty.list" -o "APT::Default-Release=bookworm")

need_update=1
fetch() { # fetch PKG[=VERSION]... into $CACHE/debs (skipped when a matching .deb is cached)
  local missing=()
  for p in "$@"; do
    local name=${p%%=*}
    if ! ls "$CACHE/debs/${name}_"*.deb >/dev/null 2>&1; then missing+=("$p"); fi
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ $need_update -eq 1 ]; then
    apt-get "${APT[@]}" update >/dev/null
    need_update=0
  fi
  (cd "$CACHE/debs" && apt-get "${APT[@]}" download "${missing[@]}")
}

if ! command -v qemu-system-x86_64 >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends qemu-system-x86
  else
    echo "conform guest tier: qemu-system-x86_64 is missing; as root: apt-get install qemu-system-x86" >&2
    exit 1
  fi
fi

# The image build's own tools: depmod and modprobe (kmod), cpio, xz, readelf and strip (binutils).
declare -A TOOLPKG=([depmod]=kmod [modprobe]=kmod [cpio]=cpio [xz]=xz-utils [readelf]=binutils [strip]=binutils)
missing_tools=()
for t in "${!TOOLPKG[@]}"; do
  command -v "$t" >/dev/null 2>&1 || PATH="$PATH:/sbin:/usr/sbin" command -v "$t" >/dev/null 2>&1 || missing_tools+=("${TOOLPKG[$t]}")
done
if [ ${#missing_tools[@]} -gt 0 ]; then
  mapfile -t missing_tools < <(printf '%s\n' "${missing_tools[@]}" | sort -u)
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends "${missing_tools[@]}"
  else
    echo "conform guest tier: ${missing_tools[*]} missing; as root: apt-get install ${missing_tools[*]}" >&2
    exit 1
  fi
fi
export PATH="$PATH:/sbin:/usr/sbin"

fetch "${USERPKGS[@]}"
USR="$CACHE/userland"
# Unpacked again when the package list changes (.done holds the list it was made from).
if [ ! -e "$USR/.done" ] || [ "$(cat "$USR/.done")" != "${USERPKGS[*]}" ]; then
  rm -rf "$USR"
  mkdir -p "$USR"
  for p in "${USERPKGS[@]}"; do dpkg -x "$(ls "$CACHE/debs/${p}_"*.deb | head -1)" "$USR"; done
  echo "${USERPKGS[*]}" >"$USR/.done"
fi

# Keeps only the programs the guest's /init runs, the rxe verbs provider, and
# the libraries they (and the conform programs: libc, liburing, libibverbs)
# need, found through each ELF file's DT_NEEDED: a smaller initramfs unpacks
# faster under TCG.
prune_userland() {
  local R=$1 L=usr/lib/x86_64-linux-gnu
  local keep=(usr/bin/busybox usr/sbin/mke2fs usr/sbin/mkfs.xfs usr/bin/ndctl usr/bin/ip usr/sbin/ip usr/bin/rdma usr/sbin/rdma
    "$L/libibverbs/librxe-rdmav34.so" "$L/liburing.so.2" "$L/libibverbs.so.1")
  local -A want=()
  local todo=()
  for f in "${keep[@]}"; do [ -e "$R/$f" ] && todo+=("$f"); done
  while [ ${#todo[@]} -gt 0 ]; do
    local f=${todo[0]}
    todo=("${todo[@]:1}")
    [ -n "${want[$f]:-}" ] && continue
    want[$f]=1
    local real
    real=$(cd "$R" && readlink -f "$f")
    real=${real#"$R/"}
    [ -z "${want[$real]:-}" ] && todo+=("$real")
    for lib in $(readelf -d "$R/$f" 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
      for d in "$L" usr/lib lib64 usr/lib64; do
        if [ -e "$R/$d/$lib" ]; then todo+=("$d/$lib"); break; fi
      done
    done
  done
  for d in usr/bin usr/sbin "$L"; do
    while IFS= read -r -d '' f; do
      local rel=${f#"$R/"}
      # busybox's applets are links to it
      if [ -L "$f" ] && [ "$(readlink "$f")" = busybox ]; then continue; fi
      [ -n "${want[$rel]:-}" ] || rm -f "$f"
    done < <(find "$R/$d" -maxdepth 2 \( -type f -o -type l \) ! -name 'ld-linux*' -print0)
  done
  # mkfs.ext4 is mke2fs; the dynamic loader stays (it is not in anyone's DT_NEEDED).
  ln -sf mke2fs "$R/usr/sbin/mkfs.ext4"
  find "$R/etc/libibverbs.d" -type f ! -name 'rxe.driver' -delete 2>/dev/null || true
}

build_kernel() {
  local v=$1 pkg=${KPKG[$1]}
  fetch "$pkg"
  local deb
  deb=$(ls "$CACHE/debs/${pkg%%=*}_"*.deb | head -1)
  local K="$CACHE/kernel-$v"
  if [ ! -e "$K/.done" ]; then
    rm -rf "$K"
    mkdir -p "$K/root"
    dpkg -x "$deb" "$K/root"
    local kver
    kver=$(ls "$K/root/lib/modules" | head -1)
    depmod -b "$K/root" "$kver"
    cp "$K/root/boot/vmlinuz-$kver" "$K/vmlinuz"
    echo "$kver" >"$K/release"
    touch "$K/.done"
  fi
  local kver
  kver=$(cat "$K/release")
  if [ -e "$K/initrd.img" ] && [ "$K/initrd.img" -nt "$HERE/../conform/guest-init.sh" ] && [ "$K/initrd.img" -nt "$0" ] && [ "$K/initrd.img" -nt "$USR/.done" ]; then
    echo "conform guest $v: kernel $kver, cached at $K"
    return 0
  fi
  # The initramfs: user space, the needed modules and their dependencies, /init.
  local R="$K/initrd-root"
  rm -rf "$R"
  mkdir -p "$R"/{bin,sbin,etc,proc,sys,dev,tmp,mnt,run,lib/modules/"$kver"}
  cp -a "$USR"/. "$R"/
  # Debian's usrmerge layout: /lib → usr/lib, /bin → usr/bin for the dynamic loader and tools.
  for d in lib lib64 bin sbin; do
    if [ -d "$R/usr/$d" ] && [ ! -L "$R/$d" ]; then cp -a "$R/$d"/. "$R/usr/$d"/ 2>/dev/null || true; rm -rf "${R:?}/$d"; ln -s "usr/$d" "$R/$d"; fi
  done
  mkdir -p "$R/usr/lib/modules/$kver"
  local mods
  mods=$(modprobe -C /dev/null -d "$K/root" -S "$kver" --show-depends -a "${MODULES[@]}" 2>/dev/null | awk '$1=="insmod"{print $2}' | sort -u)
  for m in $mods; do
    local rel=${m#"$K/root"}
    mkdir -p "$R/$(dirname "$rel")"
    cp "$m" "$R/$rel"
  done
  # busybox's modprobe wants plain .ko files; Debian compresses them from 6.6 on.
  find "$R/usr/lib/modules/$kver" -name '*.ko.xz' -exec xz -d {} +
  # Without the appended signature the kernel skips its check (it only taints:
  # Debian's kernels do not enforce signatures), which is slow under TCG.
  find "$R/usr/lib/modules/$kver" -name '*.ko' -exec strip --strip-debug {} +
  cp "$K/root/lib/modules/$kver"/modules.{builtin,builtin.modinfo} "$R/usr/lib/modules/$kver/" 2>/dev/null || true
  # ndctl's modprobe rule hides libnvdimm's dependencies: the guest has no modprobe.d.
  rm -rf "$R/etc/modprobe.d" "$R/usr/lib/modprobe.d"
  depmod -b "$R" "$kver"
  # Relative links: busybox --install would point them at this build directory.
  for a in $("$R/bin/busybox" --list); do [ -e "$R/bin/$a" ] || [ -L "$R/bin/$a" ] || ln -s busybox "$R/bin/$a"; done
  rm -rf "$R/usr/share/doc" "$R/usr/share/man" "$R/usr/share/locale" "$R/usr/share/info" \
    "$R/usr/lib/x86_64-linux-gnu/gconv" "$R/usr/lib/x86_64-linux-gnu/engines-3" "$R/usr/lib/x86_64-linux-gnu/ossl-modules"
  prune_userland "$R"
  # The kernel's request_module() runs /sbin/modprobe (crc32c for ext4).
  ln -sf ../bin/busybox "$R/usr/sbin/modprobe"
  cp "$HERE/../conform/guest-init.sh" "$R/init"
  chmod +x "$R/init"
  # Written aside and renamed: a run cut short (npm test's time limit) leaves
  # no half image that a later run or the guest test would take for a whole one.
  # Uncompressed: gunzip of the image was a third of the boot under TCG.
  (cd "$R" && find . | cpio -o -H newc --quiet >"$K/initrd.img.part")
  mv -f "$K/initrd.img.part" "$K/initrd.img"
  rm -f "$K/initrd.gz"
  rm -rf "$R"
  echo "conform guest $v: kernel $kver, $(du -h "$K/initrd.img" | cut -f1) initramfs at $K"
}

case "$WANT" in
all) for v in 6.1 6.12; do build_kernel "$v"; done ;;
6.1 | 6.12) build_kernel "$WANT" ;;
*)
  echo "usage: $0 [6.1|6.12|all]" >&2
  exit 2
  ;;
esac
