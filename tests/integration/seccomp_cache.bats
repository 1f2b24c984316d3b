#!/usr/bin/env bats
# The cache of compiled seccomp programs (src/linux/seccomp_cache.h):
# STORE/cache/seccomp for the engine, --seccomp-cache DIR for the runtime.
# A hostile or broken cache must never give a container a weaker filter:
# every attack below leaves an entry that, were it loaded, would let the
# container run uname(2), which its profile denies.

load helpers
load engine_image

setup() {
	setup_test
	STORE=$TESTDIR/store
	CACHE=$STORE/cache/seccomp
	make_image bb '{"Cmd":["true"]}' "$BUNDLE/rootfs"
	# The right filter denies uname; the permissive one allows it.
	DENY=$TESTDIR/deny.json
	PERM=$TESTDIR/perm.json
	printf '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["uname"],"action":"SCMP_ACT_ERRNO"}]}' >"$DENY"
	printf '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["kexec_load"],"action":"SCMP_ACT_ERRNO"}]}' >"$PERM"
}

teardown() {
	teardown_test
}

# entries: the names of the cache's entries.
entries() {
	ls -A "$CACHE" | grep -E '^[0-9a-f]{64}$' || true
}

# probe PROFILE: the container's seccomp mode and whether uname ran.
probe() {
	crun --security-opt "seccomp=$1" bb sh -c \
		'grep ^Seccomp: /proc/self/status; [ "$(uname 2>/dev/null)" = Linux ] && echo uname-allowed || echo uname-denied'
	[ "$status" -eq 0 ] || fail "status $status: $stderr"
}

assert_denied() {
	probe "$DENY" || return
	[ "${lines[0]}" = "Seccomp:	2" ] || fail "${lines[0]}" || return
	[ "${lines[1]}" = uname-denied ] || fail "the container got a weaker filter: ${lines[1]}"
}

# prime: one run of each profile; D and P are their entries' names, DENY_COPY
# the right entry as husk wrote it.
prime() {
	assert_denied || return
	D=$(entries)
	[ -n "$D" ] && [ "$(entries | wc -l)" = 1 ] || fail "entries after one run: $(entries)" || return
	probe "$PERM" || return
	[ "${lines[1]}" = uname-allowed ] || fail "the permissive profile denied uname" || return
	P=$(entries | grep -vx "$D")
	cp "$CACHE/$D" "$TESTDIR/deny.entry"
	cp "$CACHE/$P" "$TESTDIR/perm.entry"
}

# forge SRC KEYFILE NAME DST: SRC's header and program, tagged for NAME
# with the key in KEYFILE (the format of seccomp_cache.c: the last 32 bytes
# are HMAC-SHA256(key, name || the rest)).
forge() {
	python3 - "$@" <<-'EOF'
	import hashlib, hmac, sys
	src, keyfile, name, dst = sys.argv[1:5]
	body = open(src, 'rb').read()[:-32]
	key = open(keyfile, 'rb').read()
	open(dst, 'wb').write(body + hmac.new(key, name.encode() + body, hashlib.sha256).digest())
	EOF
}

@test "seccomp cache: an entry per profile, 0600 in a 0700 directory of the store with a 0600 key; the second run is served by it" {
	prime
	[ "$(stat -c %a "$CACHE")" = 700 ] || fail "cache dir mode $(stat -c %a "$CACHE")"
	[ "$(stat -c '%a %s' "$CACHE/key")" = "600 32" ] || fail "key: $(stat -c '%a %s' "$CACHE/key")"
	[ "$(stat -c %a "$CACHE/$D")" = 600 ]
	# Whole instructions: header (16), program, tag (32).
	(( $(stat -c %s "$CACHE/$D") % 8 == 0 )) || fail "entry size $(stat -c %s "$CACHE/$D")"
	# The default profile has its own entry too.
	crun bb sh -c 'grep ^Seccomp: /proc/self/status'
	[ "$output" = "Seccomp:	2" ] || fail "$output"
	[ "$(entries | wc -l)" = 3 ] || fail "entries: $(entries)"
	# Served from the cache: an entry made by the key's holder is what the
	# container gets (so the attacks below test the checks, not the format).
	forge "$TESTDIR/perm.entry" "$CACHE/key" "$D" "$CACHE/$D"
	probe "$DENY"
	[ "${lines[1]}" = uname-allowed ] || fail "the cache was not used: ${lines[1]}"
	# No temporary files left.
	[ -z "$(ls -A "$CACHE" | grep -vx key | grep -Ev '^[0-9a-f]{64}$')" ] || fail "left: $(ls -A "$CACHE")"
	assert_engine_clean
}

@test "seccomp cache: a corrupted entry is ignored and written again" {
	prime
	# The program's instructions overwritten with the permissive
	# program's: a valid filter, but not the one the tag covers.
	size=$(stat -c %s "$TESTDIR/perm.entry")
	dd if="$TESTDIR/perm.entry" of="$CACHE/$D" bs=1 skip=16 seek=16 count=$((size - 48)) conv=notrunc status=none
	assert_denied
	cmp "$CACHE/$D" "$TESTDIR/deny.entry" || fail "the entry was not written again"
	# Random bytes in the middle.
	head -c 64 /dev/urandom | dd of="$CACHE/$D" bs=1 seek=24 conv=notrunc status=none
	assert_denied
	cmp "$CACHE/$D" "$TESTDIR/deny.entry"
	assert_engine_clean
}

@test "seccomp cache: truncated entries (whole instructions, odd sizes, empty) are ignored" {
	prime
	for n in 8 32 $(( $(stat -c %s "$TESTDIR/deny.entry") - 8 )) 21 0; do
		cp "$TESTDIR/deny.entry" "$CACHE/$D"
		truncate -s "-$n" "$CACHE/$D"
		[ "$n" != 0 ] || : >"$CACHE/$D"
		assert_denied || fail "truncated by $n"
		cmp "$CACHE/$D" "$TESTDIR/deny.entry"
	done
	assert_engine_clean
}

@test "seccomp cache: an entry replaced by a permissive program (another profile's entry, another key's tag) is ignored" {
	prime
	# Another profile's valid entry under this profile's name.
	cp "$CACHE/$P" "$CACHE/$D"
	assert_denied
	cmp "$CACHE/$D" "$TESTDIR/deny.entry"
	# The permissive program tagged with a key that is not the cache's.
	head -c 32 /dev/urandom >"$TESTDIR/other.key"
	forge "$TESTDIR/perm.entry" "$TESTDIR/other.key" "$D" "$CACHE/$D"
	assert_denied
	cmp "$CACHE/$D" "$TESTDIR/deny.entry"
	assert_engine_clean
}

@test "seccomp cache: symlinks in the cache dir are not followed (the key, an entry)" {
	prime
	# The key a symlink to a key the attacker knows, and an entry tagged
	# with it: the cache is passed by, nothing is written through it.
	head -c 32 /dev/urandom >"$TESTDIR/known.key"
	chmod 600 "$TESTDIR/known.key"
	cp -p "$CACHE/key" "$TESTDIR/real.key"
	ln -sf "$TESTDIR/known.key" "$CACHE/key"
	forge "$TESTDIR/perm.entry" "$TESTDIR/known.key" "$D" "$CACHE/$D"
	assert_denied
	[ -L "$CACHE/key" ] || fail "the key symlink was replaced"
	# The real key back, the entry a symlink to a permissive entry outside.
	rm "$CACHE/key" && cp -p "$TESTDIR/real.key" "$CACHE/key"
	forge "$TESTDIR/perm.entry" "$CACHE/key" "$D" "$TESTDIR/outside.entry"
	cp "$TESTDIR/outside.entry" "$TESTDIR/outside.orig"
	ln -sf "$TESTDIR/outside.entry" "$CACHE/$D"
	assert_denied
	[ -f "$CACHE/$D" ] && [ ! -L "$CACHE/$D" ] || fail "the entry is still a symlink"
	cmp "$CACHE/$D" "$TESTDIR/deny.entry"
	cmp "$TESTDIR/outside.entry" "$TESTDIR/outside.orig" || fail "written through the symlink"
	# A fifo as the entry: no hang, a miss.
	rm "$CACHE/$D" && mkfifo -m 600 "$CACHE/$D"
	assert_denied
	cmp "$CACHE/$D" "$TESTDIR/deny.entry"
	assert_engine_clean
}

@test "seccomp cache: a cache dir owned by another user, or writable by others, is not used" {
	prime
	# Everything the other user's: their key, and the permissive
	# program tagged with it as this profile's entry.
	head -c 32 /dev/urandom >"$CACHE/key"
	forge "$TESTDIR/perm.entry" "$CACHE/key" "$D" "$CACHE/$D"
	cp "$CACHE/$D" "$TESTDIR/forged.entry"
	chown -R 65534:65534 "$CACHE"
	assert_denied
	cmp "$CACHE/$D" "$TESTDIR/forged.entry" || fail "husk wrote into another user's cache"
	[ "$(stat -c %u "$CACHE/$D")" = 65534 ]
	# Root's again, but writable by all: anyone could have put these there.
	chown -R 0:0 "$CACHE"
	chmod 777 "$CACHE"
	assert_denied
	cmp "$CACHE/$D" "$TESTDIR/forged.entry" || fail "husk wrote into a world-writable cache"
	# A key file readable by others is no secret: not used either.
	chmod 700 "$CACHE"
	chmod 644 "$CACHE/key"
	assert_denied
	cmp "$CACHE/$D" "$TESTDIR/forged.entry"
	assert_engine_clean
}

@test "seccomp cache: the runtime uses one only with --seccomp-cache; image prune clears the store's" {
	local dir=$TESTDIR/rtcache
	jq --slurpfile p "$DENY" '.linux.seccomp = $p[0] | .process.args = ["sh", "-c", "[ \"$(uname 2>/dev/null)\" = Linux ] && echo allowed || echo denied"]' \
		"$BUNDLE/config.json" >"$TESTDIR/c" && mv "$TESTDIR/c" "$BUNDLE/config.json"
	hrun husk run --bundle "$BUNDLE" "rt-$TAG-1"
	[ "$output" = denied ] || fail "$output $stderr"
	[ ! -e "$dir" ] && [ ! -e "$CACHE" ] || fail "a cache made without --seccomp-cache"
	hrun husk --seccomp-cache "$dir" run --bundle "$BUNDLE" "rt-$TAG-2"
	[ "$output" = denied ] || fail "$output $stderr"
	[ "$(ls "$dir" | grep -cE '^[0-9a-f]{64}$')" = 1 ] || fail "runtime cache: $(ls -A "$dir")"
	# Attacked as above: still denied.
	name=$(ls "$dir" | grep -E '^[0-9a-f]{64}$')
	: >"$dir/$name"
	hrun husk --seccomp-cache "$dir" run --bundle "$BUNDLE" "rt-$TAG-3"
	[ "$output" = denied ] || fail "$output $stderr"
	prime
	hrun eng image prune
	[ "$status" -eq 0 ] || fail "$stderr"
	[ -z "$(ls -A "$CACHE" 2>/dev/null)" ] || fail "left after prune: $(ls -A "$CACHE")"
	assert_denied
	assert_engine_clean
}
