# Sourced by run.sh --rootless (W, HUSK, RUNS, time_n and t_engine set):
# `husk container run --rm IMAGE /bin/true` as an ordinary user (the
# rootless engine: husk's user namespace over /etc/subuid, the overlay
# mounted in it) against root's run above, and against rootless `podman
# run --rm` of the same image (runc, native overlay storage, no network).
# A throw-away user with a subordinate range is made and removed.
command -v newuidmap >/dev/null || { echo "newuidmap is missing (apt-get install uidmap)" >&2; exit 2; }
RL_USER=hbench$$
rl_cleanup() {
	pkill -9 -U "$RL_USER" 2>/dev/null || true
	userdel "$RL_USER" 2>/dev/null || true
	sed -i "/^$RL_USER:/d" /etc/subuid /etc/subgid
	cleanup
}
trap rl_cleanup EXIT
useradd -M -d "$W/home" -s /usr/sbin/nologin -K SUB_UID_COUNT=0 -K SUB_GID_COUNT=0 "$RL_USER"
usermod --add-subuids 460000-525535 --add-subgids 460000-525535 "$RL_USER"
chmod 755 "$W"
mkdir -m 700 "$W/home" "$W/run"
chown "$RL_USER:" "$W/home" "$W/run"
cp "$HUSK" "$W/husk-rl"
chmod 644 "$W/rootfs.tar"
as_user() {
	setpriv --reuid="$RL_USER" --regid="$(id -g "$RL_USER")" --init-groups \
		env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="$W/home" XDG_RUNTIME_DIR="$W/run" "$@"
}
as_user "$W/husk-rl" image import "$W/rootfs.tar" bench >/dev/null
rootless() { as_user "$W/husk-rl" container run --rm bench /bin/true; }
rootless >/dev/null
t_rl=$(time_n rootless)
echo "husk container run --rm, rootless:      $t_rl us"

t_prl=
if command -v podman >/dev/null && command -v runc >/dev/null; then
	# Rootless podman in its own user namespace, native overlay, no
	# journald (no systemd here), its runroot under XDG_RUNTIME_DIR.  (The
	# tests' podman_conf, with tmp_dir and static_dir of its own, made every
	# rootless run here wait 20 s: "Exceeded conmon timeout".)
	P=$W/home/podman
	mkdir -p "$P"
	printf '[containers]\nnetns = "none"\ndefault_ulimits = []\n[engine]\ncgroup_manager = "cgroupfs"\nevents_logger = "file"\nevents_logfile_path = "%s/run/events.log"\n' "$W" >"$P/containers.conf"
	printf '[storage]\ndriver = "overlay"\nrunroot = "%s/run/storage"\ngraphroot = "%s/storage"\n' "$W" "$P" >"$P/storage.conf"
	chown -R "$RL_USER:" "$P"
	pm() {
		as_user env CONTAINERS_CONF="$P/containers.conf" CONTAINERS_STORAGE_CONF="$P/storage.conf" \
			XDG_CONFIG_HOME="$W/home/cfg" \
			podman --runtime "$(command -v runc)" "$@"
	}
	if pm import "$W/rootfs.tar" localhost/bench >/dev/null 2>&1; then
		podman_rl() { pm run --rm --network none localhost/bench /bin/true; }
		podman_rl >/dev/null 2>&1 && t_prl=$(time_n podman_rl) || t_prl=
	fi
	pm system reset -f >/dev/null 2>&1 || true
fi
if [ -n "$t_prl" ]; then echo "podman run --rm, rootless (runc, overlay): $t_prl us"; else echo "podman rootless: not available here"; fi
awk -v l="$t_rl" -v r="$t_engine" -v p="${t_prl:-0}" 'BEGIN {
	printf "ratios: rootless/root %.2f, rootless/podman-rootless %s\n", l / r, p ? sprintf("%.3f", l / p) : "n/a" }'
