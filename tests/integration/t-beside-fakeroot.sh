#!/bin/bash
# SPDX-License-Identifier: MIT
# t-beside-fakeroot.sh - rwshim and fakeroot together, in both orders
# ("fakeroot rwshim -- ..." puts rwshim first in LD_PRELOAD, "rwshim --
# fakeroot ..." puts fakeroot first): writes into the read-only folder land
# in the overlay and fakeroot still fakes ownership.
. "$(dirname "$0")/lib.sh"
command -v fakeroot >/dev/null 2>&1 || skip_all "fakeroot is not installed (apt-get install fakeroot)"
plan 7

script="echo hi > '$RO/f'; cat '$RO/f'; id -u; stat -c %s '$RO/hello.txt'; ls '$RO' | grep -c '^f\$'"
want="hi
0
21
1"
capture timeout 60 fakeroot "$RWSHIM_BIN" -- sh -c "$script"
is "$RC:$OUT" "0:$want" "fakeroot rwshim -- sh: write, read, stat and list in the read-only folder"
capture timeout 60 "$RWSHIM_BIN" -- fakeroot sh -c "$script"
is "$RC:$OUT" "0:$want" "rwshim -- fakeroot sh: the same"
capture timeout 60 fakeroot sh -c "LD_PRELOAD='$RWSHIM_LIB':\$LD_PRELOAD sh -c \"$script\""
is "$RC:$OUT" "0:$want" "under fakeroot, LD_PRELOAD=librwshim.so:libfakeroot: the same"
capture timeout 60 fakeroot sh -c "LD_PRELOAD=\$LD_PRELOAD:'$RWSHIM_LIB' sh -c \"$script\""
is "$RC:$OUT" "0:$want" "under fakeroot, LD_PRELOAD=libfakeroot:librwshim.so: the same"

# fakeroot still fakes: a chown of an overlay file shows under fakeroot.
capture timeout 60 "$RWSHIM_BIN" -- fakeroot sh -c "echo o > '$RO/owned'; chown 123:45 '$RO/owned'; stat -c %u:%g '$RO/owned'"
is "$RC:$OUT" "0:123:45" "rwshim -- fakeroot: fakeroot's chown of an overlay file shows in stat"
capture timeout 60 fakeroot "$RWSHIM_BIN" -- sh -c "echo o > '$RO/owned'; chown 123:45 '$RO/owned'; stat -c %u:%g '$RO/owned'"
is "$RC:$OUT" "0:123:45" "fakeroot rwshim --: the same"
ERR=
assert_storage_empty "the storage is removed after the runs"
