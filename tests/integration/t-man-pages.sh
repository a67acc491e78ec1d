#!/bin/bash
# SPDX-License-Identifier: MIT
# t-man-pages.sh - the manual pages render without a warning and document
# everything there is: rwshim(1) names every option of `rwshim --help`, every
# variable and exit status; librwshim(7) names every variable and every
# function the built library exports. And --help and --version follow the
# GNU conventions. Needs no mount, so it does not use lib.sh.
#
# Environment: RWSHIM_BIN, RWSHIM_LIB (from make check, or the installed
# files), RWSHIM_MAN1 and RWSHIM_MAN7 (the pages to check; default: the
# sources in man/), RWSHIM_NO_SKIP=1 (a missing man is an error).
top=$(cd "$(dirname "$0")/../.." && pwd)
man1=${RWSHIM_MAN1:-$top/man/rwshim.1}
man7=${RWSHIM_MAN7:-$top/man/librwshim.7}
n=0

ok() {
	n=$((n + 1))
	echo "ok $n - $*"
}

# not_ok DESC [DIAGNOSTIC...]
not_ok() {
	n=$((n + 1))
	echo "not ok $n - $1"
	shift
	[ $# -gt 0 ] && printf '%s\n' "$@" | sed 's/^/# /'
	return 0
}

# missing WHAT TEXT WORD...: the WORDs that TEXT does not hold, one line.
missing() {
	local text=$2 w out=
	shift 2
	for w in "$@"; do
		printf '%s\n' "$text" | grep -qwF -- "$w" || out="$out $w"
	done
	echo "${out# }"
}

# has_all DESC TEXT WORD...: TEXT holds every WORD.
has_all() {
	local desc=$1 text=$2 m
	shift 2
	m=$(missing x "$text" "$@")
	if [ -z "$m" ]; then ok "$desc"; else not_ok "$desc" "not mentioned: $m"; fi
}

# render PAGE: the page as man shows it, one paragraph a line; warnings to $WARN.
render() {
	MANWIDTH=2000 LC_ALL=C.UTF-8 MAN_KEEP_FORMATTING= man --warnings -E UTF-8 -l "$1" 2>"$tmp/warn"
}

for v in RWSHIM_BIN RWSHIM_LIB; do
	if [ -z "${!v:-}" ]; then
		echo "Bail out! $v is not set; run through make check"
		exit 1
	fi
done
if ! command -v man >/dev/null 2>&1; then
	if [ "${RWSHIM_NO_SKIP:-0}" = 1 ]; then
		echo "Bail out! man (man-db) is not installed, and RWSHIM_NO_SKIP=1"
		exit 1
	fi
	echo "1..0 # SKIP man (man-db) is not installed"
	exit 0
fi
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

echo "1..14"

# --- rendering --------------------------------------------------------------
page1=$(render "$man1")
rc=$? warn=$(cat "$tmp/warn")
if [ "$rc" = 0 ] && [ -z "$warn" ] && [ -n "$page1" ]; then
	ok "man -l renders rwshim(1) without a warning"
else
	not_ok "man -l renders rwshim(1) without a warning" "exit $rc" "$warn"
fi
page7=$(render "$man7")
rc=$? warn=$(cat "$tmp/warn")
if [ "$rc" = 0 ] && [ -z "$warn" ] && [ -n "$page7" ]; then
	ok "man -l renders librwshim(7) without a warning"
else
	not_ok "man -l renders librwshim(7) without a warning" "exit $rc" "$warn"
fi

has_all "rwshim(1) has the sections of a command's page" "$(printf '%s\n' "$page1" | grep -E '^[A-Z]')" \
	NAME SYNOPSIS DESCRIPTION OPTIONS ENVIRONMENT "EXIT STATUS" FILES EXAMPLES "SEE ALSO"
like_name() {
	if printf '%s\n' "$2" | grep -A1 '^NAME' | grep -Eq "^ +$1 - [a-z]"; then
		ok "$3"
	else
		not_ok "$3" "$(printf '%s\n' "$2" | head -5)"
	fi
}
like_name rwshim "$page1" "rwshim(1) has a whatis line"
like_name librwshim "$page7" "librwshim(7) has a whatis line"

# --- rwshim(1) documents the command -----------------------------------------
help=$("$RWSHIM_BIN" --help)
# Every "--option" the command's own help names, --help and --version too.
mapfile -t opts < <(printf '%s\n' "$help" | grep -oE -- '--[a-z][a-z-]*' | sort -u)
if [ "${#opts[@]}" -ge 8 ]; then
	has_all "rwshim(1) documents every option of rwshim --help (${#opts[@]})" "$page1" "${opts[@]}"
else
	not_ok "rwshim(1) documents every option of rwshim --help" "found only: ${opts[*]}"
fi

# Every setting's variable, from the one list in src/rwshim.h.
mapfile -t vars < <(sed -n 's/^#define RWSHIM_ENV_[A-Z_]* "\(RWSHIM_[A-Z_]*\)".*/\1/p' "$top/src/rwshim.h")
settings=()
for v in "${vars[@]}"; do [ "$v" = RWSHIM_SESSION ] || settings+=("$v"); done
has_all "rwshim(1) documents every variable (${#settings[@]} settings and RWSHIM_LIBRARY)" "$page1" \
	"${settings[@]}" RWSHIM_LIBRARY
has_all "rwshim(1) documents the exit statuses" \
	"$(printf '%s\n' "$page1" | sed -n '/^EXIT STATUS/,/^[A-Z]/p')" 125 126 127 "COMMAND's status"

# --- librwshim(7) documents the library --------------------------------------
has_all "librwshim(7) documents every variable (${#vars[@]})" "$page7" "${vars[@]}"
has_all "librwshim(7) covers the merged view, the hooks, the limits and the storage" \
	"$(printf '%s\n' "$page7" | grep -E '^ {3}[A-Z]')" "The merged view" "What is hooked" \
	"What cannot be reached" "The storage"
if command -v nm >/dev/null 2>&1; then
	# Every export must be a documented hook: the library's own functions
	# (rw_*) stay hidden. glob@GLIBC_2.2.5 is glob.
	mapfile -t funcs < <(nm -D --defined-only "$RWSHIM_LIB" |
		awk '$2 ~ /^[TtWi]$/ { sub(/@.*/, "", $3); print $3 }' | sort -u)
	hooked=$(printf '%s\n' "$page7" | sed -n '/^ *What is hooked/,/^ *What cannot be reached/p' |
		tr -c 'A-Za-z0-9_\n' ' ' | tr ' ' '\n')
	m=
	for f in "${funcs[@]}"; do
		printf '%s\n' "$hooked" | grep -qx -- "$f" || m="$m $f"
	done
	if [ "${#funcs[@]}" -ge 10 ] && [ -z "$m" ]; then
		ok "librwshim(7) names every function the library exports (${#funcs[@]})"
	else
		not_ok "librwshim(7) names every function the library exports" \
			"exported: ${#funcs[@]}; not under 'What is hooked':$m"
	fi
else
	n=$((n + 1))
	echo "ok $n # SKIP nm (binutils) is not installed"
fi

# --- --help and --version, GNU style ----------------------------------------
ver=$("$RWSHIM_BIN" --version)
rc=$?
first=$(printf '%s\n' "$ver" | head -1)
if [ "$rc" = 0 ] && printf '%s\n' "$first" | grep -Eqx 'rwshim \(rwshim\) [0-9]+\.[0-9]+\.[0-9]+' &&
	printf '%s\n' "$ver" | sed -n 2p | grep -q '^Copyright (C) [0-9]' &&
	printf '%s\n' "$ver" | grep -q '^License ' &&
	printf '%s\n' "$ver" | grep -q 'NO WARRANTY'; then
	ok "--version: 'rwshim (rwshim) VERSION', then copyright, licence and warranty lines"
else
	not_ok "--version: 'rwshim (rwshim) VERSION', then copyright, licence and warranty lines" \
		"exit $rc" "$ver"
fi
version=${first##* }
if printf '%s\n' "$page1" | tail -1 | grep -qF "rwshim $version" &&
	printf '%s\n' "$page7" | tail -1 | grep -qF "rwshim $version"; then
	ok "both pages are for version $version"
else
	not_ok "both pages are for version $version" "$(printf '%s\n' "$page1" | tail -1)" \
		"$(printf '%s\n' "$page7" | tail -1)"
fi
"$RWSHIM_BIN" --help >"$tmp/help" 2>"$tmp/help.err"
rc=$?
if [ "$rc" = 0 ] && [ ! -s "$tmp/help.err" ] && head -1 "$tmp/help" | grep -q '^Usage: rwshim ' &&
	! awk 'length > 79 && !/^  \/.*\/librwshim\.so$/ { bad = 1 } END { exit !bad }' "$tmp/help"; then
	ok "--help: exit 0, stdout only, a Usage: line first, lines under 80 columns (but the library's installed path)"
else
	not_ok "--help: exit 0, stdout only, a Usage: line first, lines under 80 columns (but the library's installed path)" "exit $rc" \
		"$(cat "$tmp/help.err" "$tmp/help")"
fi
