#!/bin/bash
# SPDX-License-Identifier: MIT
# t-planted-links-not-followed.sh - links another user plants in the
# temporary folder (a symlink named like a session, a fake session whose
# upper/ and work/ are symlinks to a victim folder) are never followed,
# neither while a tree uses the storage nor when sessions are removed or
# swept; and removing a session whose overlay holds a symlink to a victim
# folder removes the link, never what it points to.
lower_extra() {
	ln -s "${1%/ro}/rw/victim" "$1/link-to-victim"
}
. "$(dirname "$0")/lib.sh"
plan 9

chmod 1777 "$STORE"
mkdir -p "$RW/victim/sub"
printf 'keep\n' >"$RW/victim/keep.txt"
printf 'keep\n' >"$RW/victim/sub/deep.txt"
victim_state() { (cd "$RW/victim" && find . -printf '%y %m %u %s %p\n' | sort); }
before=$(victim_state)

# Planted by uid 65534 in the shared temporary folder.
setpriv --reuid=65534 --regid=65534 --clear-groups sh -c "
	ln -s '$RW/victim' '$STORE/rwshim.fake'
	ln -s '$RW/victim/keep.txt' '$STORE/rwshim.fakefile'
	mkdir '$STORE/rwshim.evil' && : > '$STORE/rwshim.evil/index'
	ln -s '$RW/victim' '$STORE/rwshim.evil/upper'
	ln -s '$RW/victim' '$STORE/rwshim.evil/work'"
planted=$(ls -A "$STORE" | sort | tr '\n' ' ')
is "$planted" "rwshim.evil rwshim.fake rwshim.fakefile " "uid 65534 planted three entries in the temporary folder"

capture preload sh -c "echo x > '$RO/a'; rm '$RO/victim.txt'; mkdir '$RO/newd'; echo y > '$RO/newd/z'; cat '$RO/a' '$RO/newd/z'"
is "$RC:$OUT" "0:x
y" "a tree writes, deletes and makes folders with the planted entries beside its storage"
capture preload sh -c "mv '$RO/link-to-victim' '$RO/moved-link' && ls '$RO/moved-link/' >/dev/null"
is "$RC" 0 "a tree moves a read-only symlink to the victim folder into its overlay"
i=0
while [ "$(ls -A "$STORE" | sort | tr '\n' ' ')" != "$planted" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
is "$(ls -A "$STORE" | sort | tr '\n' ' ')" "$planted" "the sessions are gone; the planted entries are neither followed nor removed"
is "$(victim_state)" "$before" "the victim folder behind the planted links is untouched"
is "$(readlink "$STORE/rwshim.fake"):$(readlink "$STORE/rwshim.evil/upper")" "$RW/victim:$RW/victim" \
	"the planted links still point where they pointed"

# A session left by a crash that holds a symlink to the victim: sweeping it
# removes the link, not the victim's files.
setsid env LD_PRELOAD="$RWSHIM_LIB" sh -c "mv '$RO/link-to-victim' '$RO/moved'; touch '$RW/started'; sleep 100" </dev/null >/dev/null 2>&1 &
tree=$!
wait_for_file "$RW/started" 10
for p in /proc/[0-9]*; do
	[ "$(cat "$p/comm" 2>/dev/null)" = rwshim-reaper ] && ls -l "$p/fd" 2>/dev/null | grep -q -- "$STORE" && kill -9 "${p#/proc/}"
done
kill_tree "$tree"
wait "$tree" 2>/dev/null
capture preload sh -c "echo later > '$RO/b'"
i=0
while [ "$(ls -A "$STORE" | sort | tr '\n' ' ')" != "$planted" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
is "$(ls -A "$STORE" | sort | tr '\n' ' ')" "$planted" "the crashed session holding a link to the victim is swept"
is "$(victim_state)" "$before" "and the victim folder is still untouched"
rm -rf "$STORE"/rwshim.*
ERR=
assert_storage_empty "nothing else is left"
