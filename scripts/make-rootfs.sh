#!/bin/sh
# Assembles a minimal root filesystem from Debian's busybox-static:
# /bin/busybox, its applets as symlinks, /etc/passwd and /etc/group.
#   scripts/make-rootfs.sh DIR
set -eu
dir=${1:?usage: $0 DIR}
busybox=/bin/busybox
[ -x "$busybox" ] || {
	echo "make-rootfs: $busybox missing (apt-get install busybox-static)" >&2; exit 1; }
mkdir -p "$dir/bin" "$dir/etc" "$dir/tmp" "$dir/root" "$dir/proc" "$dir/sys" "$dir/dev"
chmod 1777 "$dir/tmp"
cp "$busybox" "$dir/bin/busybox"
for applet in $("$busybox" --list); do
	[ "$applet" = busybox ] || ln -sf busybox "$dir/bin/$applet"
done
cat > "$dir/etc/passwd" <<PASSWD
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
PASSWD
cat > "$dir/etc/group" <<GROUP
root:x:0:
tty:x:5:
nogroup:x:65534:
GROUP
