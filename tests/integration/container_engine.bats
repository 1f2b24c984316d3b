#!/usr/bin/env bats
# `husk container ...`: containers made from images of the store (issue 14,
# "Image -> bundle"): an overlay of the image's layers, config.json from the
# image config with docker's rules, the verbs around it.

load helpers
load engine_image

setup() {
	setup_engine_test
	# A second layer: a file of its own and a user with groups.
	TOP=$TESTDIR/top
	mkdir -p "$TOP/etc"
	echo top > "$TOP/top-file"
	cat "$BASE/etc/passwd" > "$TOP/etc/passwd"
	echo 'app:x:1000:1000:app:/home/app:/bin/sh' >> "$TOP/etc/passwd"
	cat "$BASE/etc/group" > "$TOP/etc/group"
	printf 'app:x:1000:\nstaff:x:50:app\nwheel:x:10:root,app\n' >> "$TOP/etc/group"
	make_image bb '{"Cmd":["sh","-c","echo hello"],"Env":["FOO=image","BAR=image"]}' "$BASE" "$TOP"
}

teardown() {
	teardown_test
}

@test "container run --rm: the image's command on its layers; the exit code; nothing left" {
	crun bb
	[ "$status" -eq 0 ] || fail "status $status: $stderr"
	[ "$output" = hello ]
	crun bb sh -c 'cat /top-file; test -x /bin/busybox && exit 7'
	[ "$status" -eq 7 ] || fail "status $status: $stderr"
	[ "$output" = top ]
	# --rm: the upper dir is thrown away, so overlayfs need not sync it.
	crun bb sh -c 'grep " / / " /proc/self/mountinfo | grep -c volatile'
	[ "$output" = 1 ] || fail "a --rm container's overlay is not volatile: $output"
	assert_engine_clean
	# No cgroup of the containers: husk's default cgroup path is husk/<id>.
	left=$(find /sys/fs/cgroup -maxdepth 4 -path '*husk/*' -newer "$STORE/index.json" -name '[0-9a-f]*' \
		-type d 2>/dev/null | awk -F/ 'length($NF) == 64' || true)
	[ -z "$left" ] || fail "cgroups left: $left"
}

@test "container run: two containers share the image's lower dirs, each writes its own upper dir" {
	hrun eng container create --name one -e "HUSK_TEST_TAG=$TAG" bb sh -c 'echo one > /top-file; cat /top-file'
	[ "$status" -eq 0 ] || fail "$stderr"
	id1=$output
	hrun eng container create --name two -e "HUSK_TEST_TAG=$TAG" bb cat /top-file
	[ "$status" -eq 0 ] || fail "$stderr"
	id2=$output
	[ ${#id1} -eq 64 ] && [ "$id1" != "$id2" ]
	# Both overlays name the same layer directories.
	l1=$(awk -v m="$STORE/containers/$id1/rootfs" '$5 == m' /proc/self/mountinfo | grep -o 'lowerdir+\?=[^,]*' | tr '\n' ' ')
	l2=$(awk -v m="$STORE/containers/$id2/rootfs" '$5 == m' /proc/self/mountinfo | grep -o 'lowerdir+\?=[^,]*' | tr '\n' ' ')
	[ -n "$l1" ] && [ "$l1" = "$l2" ] || fail "lower dirs [$l1] vs [$l2]"
	# A kept container's upper dir is synced as usual; only --rm's is volatile.
	! awk -v m="$STORE/containers/$id1/rootfs" '$5 == m' /proc/self/mountinfo | grep -q volatile ||
		fail "a kept container's overlay is volatile"
	[[ "$l1" == *"$STORE/layers/"*/diff* ]] || fail "lower dirs $l1"
	hrun eng container start one
	[ "$status" -eq 0 ] && [ "$output" = one ] || fail "status $status: $output $stderr"
	hrun eng container start two
	[ "$status" -eq 0 ] && [ "$output" = top ] || fail "the write of one showed in two: $output"
	grep -qx top "$STORE"/layers/*/diff/top-file
	grep -qx one "$STORE/containers/$id1/upper/top-file"
	hrun eng container rm one two
	[ "$status" -eq 0 ] || fail "$stderr"
	assert_engine_clean
}

@test "container run: an image of 200 layers" {
	local dirs=("$BASE") i
	for i in $(seq 1 199); do
		mkdir -p "$TESTDIR/l/$i"
		echo "$i" > "$TESTDIR/l/$i/f$i"
		echo "$i" > "$TESTDIR/l/$i/last"
	done
	for i in $(seq 1 199); do dirs+=("$TESTDIR/l/$i"); done
	make_image many '{"Cmd":["sh","-c","cat /last /f1 /f199"]}' "${dirs[@]}"
	crun many
	[ "$status" -eq 0 ] || fail "status $status: $stderr"
	[ "$output" = "$(printf '199\n1\n199')" ] || fail "output: $output"
	assert_engine_clean
}

@test "container run: Entrypoint and Cmd follow docker's rules" {
	make_image ep '{"Entrypoint":["echo","E"],"Cmd":["C"]}' "$BASE"
	make_image cmdonly '{"Cmd":["echo","C"]}' "$BASE"
	make_image none '{}' "$BASE"
	# image, run arguments -> expected output
	while IFS='|' read -r image flags args want; do
		# shellcheck disable=SC2086
		crun $flags "$image" $args
		[ "$status" -eq 0 ] || fail "$image $flags $args: status $status: $stderr"
		[ "$output" = "$want" ] || fail "$image [$flags] [$args]: \"$output\", expected \"$want\""
	done <<-'TABLE'
	ep|||E C
	ep||X Y|E X Y
	ep|--entrypoint=echo||
	ep|--entrypoint=echo|X|X
	cmdonly|||C
	cmdonly||echo X|X
	cmdonly|--entrypoint=echo|Z|Z
	none||echo N|N
	TABLE
	hrun eng container run --rm none
	assert_husk_error 'no command'
	assert_engine_clean
}

@test "container run: Env of the image, -e and --env-file merged, the later wins; WorkingDir; -w" {
	printf 'BAR=file\n# a comment\n\nBAZ=file\n' > "$TESTDIR/env"
	crun --env-file "$TESTDIR/env" -e BAZ=flag -e NEW=1 bb sh -c 'echo $FOO $BAR $BAZ $NEW; echo $PATH; pwd'
	[ "$status" -eq 0 ] || fail "$stderr"
	[ "${lines[0]}" = "image file flag 1" ] || fail "env: ${lines[0]}"
	[ "${lines[1]}" = /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin ]
	[ "${lines[2]}" = / ]
	make_image wd '{"Cmd":["pwd"],"WorkingDir":"/etc"}' "$BASE"
	crun wd
	[ "$output" = /etc ] || fail "WorkingDir: $output"
	crun -w /tmp wd
	[ "$output" = /tmp ] || fail "-w: $output"
}

@test "container run: User by name, uid, uid:gid and name:group through the image's passwd and group" {
	while IFS='|' read -r user want; do
		crun -u "$user" bb sh -c 'echo $(id -u) $(id -g) $(id -G) $HOME'
		[ "$status" -eq 0 ] || fail "-u $user: $stderr"
		[ "$output" = "$want" ] || fail "-u $user: \"$output\", expected \"$want\""
	done <<-'TABLE'
	app|1000 1000 1000 10 50 /home/app
	1000|1000 1000 1000 10 50 /home/app
	1000:50|1000 50 50 /home/app
	app:wheel|1000 10 10 /home/app
	4242|4242 0 0 /
	root|0 0 0 10 /root
	:wheel|0 10 10 /root
	:50|0 50 50 /root
	TABLE
	make_image usr '{"Cmd":["id","-u"],"User":"app"}' "$BASE" "$TOP"
	crun usr
	[ "$output" = 1000 ] || fail "image User: $output"
	hrun eng container run --rm -u nosuchuser bb true
	assert_husk_error 'user nosuchuser: no such user'
	hrun eng container run --rm -u app:nosuchgroup bb true
	assert_husk_error 'no such group'
	assert_engine_clean
}

@test "container run: the image's /etc/passwd is read inside its root, never the host's" {
	mkdir -p "$TESTDIR/evil/etc"
	# An absolute symlink to the host's passwd resolves in the image.
	ln -s /etc/shadow-of-host "$TESTDIR/evil/etc/passwd"
	mkdir -p "$TESTDIR/evil2/etc"
	ln -s ../../../../../../etc/passwd "$TESTDIR/evil2/etc/passwd"
	make_image evil '{"Cmd":["true"]}' "$BASE" "$TESTDIR/evil"
	make_image evil2 '{"Cmd":["id","-u"]}' "$BASE" "$TESTDIR/evil2"
	# the host has a user "daemon"; the image (busybox rootfs) has none.
	getent passwd daemon >/dev/null || skip "the host has no user daemon"
	hrun eng container run --rm -u daemon evil true
	assert_husk_error 'user daemon: no such user'
	hrun eng container run --rm -u daemon evil2 true
	assert_husk_error 'user daemon: no such user'
	assert_engine_clean
}

@test "container run: -v HOST:CTR[:ro], --tmpfs, --read-only, --hostname and the /etc files" {
	mkdir -p "$TESTDIR/vol"
	echo host > "$TESTDIR/vol/f"
	crun -v "$TESTDIR/vol:/v" -v "$TESTDIR/vol:/vro:ro" --tmpfs /scratch:size=1m --read-only \
		--hostname web bb sh -c 'cat /v/f; echo c > /v/new; touch /vro/x || echo ro-vol;
			touch /x || echo ro-root; echo t > /scratch/t && cat /scratch/t;
			hostname; cat /etc/hostname; grep -c web /etc/hosts; grep -q " /scratch tmpfs" /proc/mounts && echo tmpfs'
	[ "$status" -eq 0 ] || fail "$stderr"
	[ "$output" = "$(printf 'host\nro-vol\nro-root\nt\nweb\nweb\n1\ntmpfs')" ] || fail "output: $output"
	[ "$(cat "$TESTDIR/vol/new")" = c ]
	# Without --hostname: the id's first 12 digits, as docker.
	hrun eng container create bb hostname
	id=$output
	hrun eng container start "$id"
	[ "$output" = "${id:0:12}" ] || fail "hostname $output, id $id"
	hrun eng container rm "$id"
	assert_engine_clean
}

@test "container run: podman's capabilities and seccomp profile by default; --cap-add/--cap-drop; --privileged" {
	# CHOWN DAC_OVERRIDE FOWNER FSETID KILL NET_BIND_SERVICE SETFCAP SETGID SETPCAP SETUID SYS_CHROOT
	crun bb sh -c 'grep -E "^(CapEff|Seccomp):" /proc/self/status'
	[ "${lines[0]}" = "CapEff:	00000000800405fb" ] || fail "${lines[0]}"
	[ "${lines[1]}" = "Seccomp:	2" ] || fail "${lines[1]}"
	crun --cap-drop ALL --cap-add net_raw --cap-add CAP_SYS_ADMIN bb sh -c 'grep ^CapEff: /proc/self/status'
	[ "$output" = "CapEff:	0000000000202000" ] || fail "$output"
	crun --cap-drop chown bb sh -c 'grep ^CapEff: /proc/self/status'
	[ "$output" = "CapEff:	00000000800405fa" ] || fail "$output"
	crun --security-opt seccomp=unconfined bb sh -c 'grep ^Seccomp: /proc/self/status'
	[ "$output" = "Seccomp:	0" ] || fail "$output"
	# podman's profile, converted for the process's capabilities:
	# sethostname is denied without CAP_SYS_ADMIN, allowed with it;
	# kexec_load always denied (EPERM).
	local deny='[.syscalls[] | select(.action == "SCMP_ACT_ERRNO") | .names[]]'
	local allow='[.syscalls[] | select(.action == "SCMP_ACT_ALLOW") | .names[]]'
	hrun eng container create bb true
	id=$output
	jq -e ".linux.seccomp | .defaultAction == \"SCMP_ACT_ERRNO\" and .defaultErrnoRet == 38
		and ($deny | index(\"sethostname\") != null) and ($allow | index(\"sethostname\") == null)
		and ($deny | index(\"kexec_load\") != null)
		and (.architectures | index(\"SCMP_ARCH_X86_64\") != null)" "$STORE/containers/$id/config.json"
	hrun eng container rm "$id"
	hrun eng container create --cap-add SYS_ADMIN bb true
	id=$output
	jq -e ".linux.seccomp | ($allow | index(\"sethostname\") != null) and ($deny | index(\"sethostname\") == null)" \
		"$STORE/containers/$id/config.json"
	hrun eng container rm "$id"
	crun --cap-add SYS_ADMIN bb sh -c 'hostname renamed && hostname'
	[ "$output" = renamed ] || fail "sethostname with SYS_ADMIN: $output $stderr"
	# A profile of the OCI form by --security-opt seccomp=FILE: uname denied.
	printf '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["uname"],"action":"SCMP_ACT_ERRNO"}]}' > "$TESTDIR/prof.json"
	crun --security-opt "seccomp=$TESTDIR/prof.json" bb uname
	[ "$output" != Linux ] || fail "uname ran under a profile denying it: $output"
	crun bb uname
	[ "$output" = Linux ] || fail "uname under the default profile: $output"
	crun --privileged bb sh -c 'grep -E "^(CapEff|Seccomp):" /proc/self/status'
	[ "${lines[0]}" = "$(grep ^CapBnd: /proc/self/status | sed 's/CapBnd/CapEff/')" ] || fail "${lines[0]}"
	[ "${lines[1]}" = "Seccomp:	0" ] || fail "${lines[1]}"
	crun --security-opt no-new-privileges bb sh -c 'grep ^NoNewPrivs: /proc/self/status'
	[ "$output" = "NoNewPrivs:	1" ] || fail "$output"
	crun bb sh -c 'grep ^NoNewPrivs: /proc/self/status'
	[ "$output" = "NoNewPrivs:	0" ] || fail "$output"
	hrun eng container run --rm --cap-add NOPE bb true
	assert_husk_error 'cap-add NOPE: unknown capability'
}

@test "container run: --network none has only lo, --network host the host's; --memory, --cpus, --pids-limit" {
	crun bb sh -c 'ls /sys/class/net'
	[ "$output" = lo ] || fail "none: $output"
	crun --network host bb sh -c 'readlink /proc/self/ns/net'
	[ "$output" = "$(readlink /proc/self/ns/net)" ] || fail "host: $output"
	hrun eng container create --memory 64m --cpus 1.5 --pids-limit 100 bb true
	id=$output
	jq -e '.linux.resources.memory.limit == 67108864 and .linux.resources.cpu.quota == 150000
		and .linux.resources.cpu.period == 100000 and .linux.resources.pids.limit == 100' \
		"$STORE/containers/$id/config.json"
	hrun eng container inspect "$id"
	echo "$output" | jq -e '.[0].HostConfig | .Memory == 67108864 and .NanoCpus == 1500000000 and .PidsLimit == 100'
	hrun eng container rm "$id"
	hrun eng container run --rm --network nosuch bb true
	assert_husk_error 'network nosuch: no such network$'
	hrun eng container run --rm --memory lots bb true
	assert_husk_error 'memory lots'
	assert_engine_clean
}

@test "container create/start/ls/inspect/rm: the recorded state and exit code" {
	make_image lab '{"Cmd":["sh","-c","exit 4"],"Labels":{"org.example.k":"v"},"StopSignal":"SIGUSR1"}' "$BASE"
	hrun eng container create --name job lab
	[ "$status" -eq 0 ] || fail "$stderr"
	id=$output
	jq -e '.annotations["org.example.k"] == "v"' "$STORE/containers/$id/config.json"
	[ "$(cat "$STORE/containers/$id/image")" = "$IMAGE_ID" ]
	hrun eng container ls -a -q
	[ "$output" = "${id:0:12}" ] || fail "ls -a -q: $output"
	hrun eng container ls -q
	[ -z "$output" ] || fail "ls (running only): $output"
	hrun eng container inspect job
	echo "$output" | jq -e --arg id "$id" --arg img "$IMAGE_ID" '.[0] | .Id == $id and .Name == "/job"
		and .Image == $img and .State.Status == "created" and .Config.Labels["org.example.k"] == "v"
		and .Config.StopSignal == "SIGUSR1" and .Config.Cmd == ["sh","-c","exit 4"]'
	hrun eng container start job
	[ "$status" -eq 4 ] || fail "start: status $status"
	hrun eng container inspect job
	echo "$output" | jq -e '.[0].State | .Status == "exited" and .ExitCode == 4 and .Running == false
		and .Pid == 0 and (.FinishedAt > .StartedAt)'
	hrun eng container ls -a --format json
	echo "$output" | jq -e '.[0].Names == ["job"] and .[0].State == "exited" and .[0].ExitCode == 4'
	! grep -qF "$STORE/containers/$id/rootfs" /proc/self/mountinfo || fail "an exited container stays mounted"
	hrun eng container rm job
	[ "$status" -eq 0 ] || fail "$stderr"
	assert_engine_clean
}

# Until the runtime's own state says running: ls lists a container from the
# moment it is made, while its process may still be setting up.
wait_engine_running() {
	local id
	wait_for 10 sh -c "'$HUSK' --root '$ROOT' --store '$STORE' container ls -q | grep -q ." || return
	id=$("$HUSK" --root "$ROOT" --store "$STORE" container inspect "$1" | jq -r '.[0].Id')
	wait_for 10 sh -c "'$HUSK' --root '$ROOT' state '$id' 2>/dev/null | jq -e '.status == \"running\"' >/dev/null"
}

@test "container stop/kill/exec/rm -f of a running container" {
	bg_tagged "$HUSK" --root "$ROOT" --store "$STORE" container run --name svc -e "HUSK_TEST_TAG=$TAG" bb sleep 1000 </dev/null >/dev/null 2>&1
	wait_engine_running svc
	hrun eng container exec svc sh -c 'echo in; cat /top-file'
	[ "$status" -eq 0 ] && [ "$output" = "$(printf 'in\ntop')" ] || fail "exec: $status $output $stderr"
	hrun eng container inspect svc
	echo "$output" | jq -e '.[0].State | .Status == "running" and .Running and .Pid > 0'
	hrun eng container rm svc
	assert_husk_error 'is running'
	hrun eng container stop -t 1 svc
	[ "$status" -eq 0 ] || fail "stop: $stderr"
	hrun eng container inspect svc
	echo "$output" | jq -e '.[0].State | .Status == "exited" and .ExitCode == 137'
	# started again, then killed with a signal, then rm -f of a running one
	bg_tagged "$HUSK" --root "$ROOT" --store "$STORE" container start svc </dev/null >/dev/null 2>&1
	wait_engine_running svc
	hrun eng container kill -s TERM svc
	[ "$status" -eq 0 ] || fail "kill: $stderr"
	bg_tagged "$HUSK" --root "$ROOT" --store "$STORE" container start svc </dev/null >/dev/null 2>&1
	wait_engine_running svc
	hrun eng container rm -f svc
	[ "$status" -eq 0 ] || fail "rm -f: $stderr"
	wait $BG_PID || true
	assert_engine_clean
}

@test "container run: bad input fails with one line and leaves nothing" {
	hrun eng container run --rm nosuchimage true
	assert_husk_error 'nosuchimage.*not in the store'
	hrun eng container run --rm -v relative:/x bb true
	assert_husk_error '^-v relative:/x: '
	hrun eng container run --rm -v "$TESTDIR/missing:/x" bb true
	assert_husk_error "missing"
	hrun eng container run --rm --tmpfs relative bb true
	assert_husk_error 'tmpfs relative'
	hrun eng container create --name dup bb true
	[ "$status" -eq 0 ] || fail "$stderr"
	id=$output
	hrun eng container create --name dup bb true
	assert_husk_error '^--name dup: the name is in use'
	hrun eng container create --name 'bad/name' bb true
	assert_husk_error 'name bad/name'
	hrun eng container start nosuch
	assert_husk_error 'container nosuch: no such container'
	hrun eng container rm "$id"
	assert_engine_clean
}
