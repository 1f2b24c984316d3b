# Sourced by cgroup-v2.sh after rootless-v2.sh (its users rla 1000 with
# /etc/subuid 100000:65536, `as`, $B's busybox rootfs): the engine on
# Debian 12's kernel (6.1: no overlay "lowerdir+", so the short-name
# lower dirs; overlayfs in a user namespace since 5.11; overlay over
# idmapped layers since 5.19).  The store is on the guest's /tmp.
ES=/tmp/eng-a EI=/tmp/eng-img
mkdir -p $EI/home/app $ES
cp -a $B/rootfs/. $EI/
for a in id stat touch; do ln -sf busybox $EI/bin/$a; done
echo 'app:x:1000:1000::/home/app:/bin/sh' >>$EI/etc/passwd
echo mine >$EI/home/app/file
chown -R 1000:1000 $EI/home/app
tar -C $EI -cf /tmp/eng.tar .
chmod 644 /tmp/eng.tar
chown 1000:1000 $ES
# (not `as`: its delegated cgroup is gone by now)
ea() { setpriv --reuid=1000 --regid=1000 --clear-groups env XDG_RUNTIME_DIR=/tmp/xdg-a "$HUSK" --store $ES "$@"; }

# 1. rootless: import with the image's owners, run on the user's overlay
ea image import /tmp/eng.tar app:1 >/tmp/out 2>&1 || cat /tmp/out
check "engine rootless: import maps uid 1000 to subuid 100999" sh -c \
	"[ \"\$(stat -c %u $ES/layers/*/diff/home/app/file)\" = 100999 ]"
ea container run --rm app:1 sh -c 'id -u; stat -c %u /home/app/file; echo x >/made; cat /made' >/tmp/out 2>&1
check "engine rootless: container run --rm (root inside, owners as the image's)" \
	sh -c "[ \"\$(tr '\n' ' ' </tmp/out)\" = '0 1000 x ' ]"
grep -qx 1000 /tmp/out || cat /tmp/out
ea container run -d --name d1 app:1 sleep 100 >/tmp/out 2>&1 || cat /tmp/out
check "engine rootless: run -d, exec from outside" eval '[ "$(ea container exec d1 id -u)" = 0 ]'
check "engine rootless: rm -f" eval 'ea container rm -f d1 && [ -z "$(ea container ls -aq)" ]'
check "engine rootless: nothing left in the store" sh -c \
	"[ -z \"\$(ls -A $ES/containers $ES/tmp | grep -v -e '^\.names$' -e ':$' -e '^\$')\" ]"

# 2. root --uidmap: idmapped lower layers under the overlay.  tmpfs
# allows idmapped mounts only from Linux 6.3: the store goes on an ext4
# (a loop file) where mkfs.ext4 was passed in, as a Debian host has it.
RS=/tmp/eng-root
mkdir -p $RS
if command -v mkfs.ext4 >/dev/null && dd if=/dev/zero of=/tmp/eng.ext4 bs=1M count=64 2>/dev/null &&
	mkfs.ext4 -q /tmp/eng.ext4 && mount -o loop /tmp/eng.ext4 $RS; then
	echo "# --uidmap store on ext4"
fi
"$HUSK" --root $R --store $RS image import /tmp/eng.tar app:1 >/dev/null
id=$("$HUSK" --root $R --store $RS container create --uidmap 0:300000:65536 app:1 \
	sh -c 'id -u; stat -c %u /etc/passwd /home/app/file; touch /home/app/w; echo x >>/home/app/file' 2>/tmp/err) || cat /tmp/err
"$HUSK" --root $R --store $RS container start "$id" >/tmp/out 2>&1
check "engine --uidmap: owners inside as the image's (idmapped layers, 6.1)" \
	sh -c "[ \"\$(tr '\n' ' ' </tmp/out)\" = '0 0 1000 ' ]"
grep -qx 1000 /tmp/out || cat /tmp/out
check "engine --uidmap: writes land mapped (root's 300000, app's copied up 301000)" sh -c \
	"[ \"\$(stat -c %u $RS/containers/$id/upper/home/app/w $RS/containers/$id/upper/home/app/file | tr '\n' ' ')\" = '300000 301000 ' ]"
"$HUSK" --root $R --store $RS container rm "$id"
check "engine --uidmap: no overlay left" sh -c "! grep -q $RS/containers /proc/self/mountinfo"
umount $RS 2>/dev/null
