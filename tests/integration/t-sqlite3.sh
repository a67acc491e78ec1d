#!/bin/bash
# SPDX-License-Identifier: MIT
# t-sqlite3.sh - sqlite3 creates a database in a read-only folder, inserts
# 1,000 rows and counts them; a second sqlite3 process of the tree sees them.
. "$(dirname "$0")/lib.sh"

command -v sqlite3 >/dev/null 2>&1 || skip_all "sqlite3 not found"
plan 6

SQL="CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT);
BEGIN;
WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 1000)
INSERT INTO t SELECT i, 'row ' || i FROM c;
COMMIT;
SELECT count(*), sum(id) FROM t;"

capture sqlite3 "$RO/db.sqlite" "$SQL"
isnt "$RC" 0 "without rwshim sqlite3 cannot create its database"

capture shim sqlite3 "$RO/db.sqlite" "$SQL"
is "$OUT" "1000|500500" "sqlite3 creates a table, inserts 1,000 rows and counts them"
is "$RC:$ERR" "0:" "sqlite3 exits 0 with nothing on stderr"

capture shim sh -c "sqlite3 '$RO/db.sqlite' \"$SQL\" >/dev/null && sqlite3 '$RO/db.sqlite' 'SELECT count(*) FROM t; SELECT name FROM t WHERE id = 777;'"
is "$OUT" "1000
row 777" "a second sqlite3 process of the tree reads the rows"

capture shim sh -c "sqlite3 '$RO/db.sqlite' \"$SQL\" >/dev/null && ls '$RO' | grep '^db'"
is "$OUT" "db.sqlite" "no journal is left next to the database"

capture shim sh -c "sqlite3 '$RO/db.sqlite' \"$SQL\" >/dev/null &&
	for i in 1 2 3 4 5; do sqlite3 '$RO/db.sqlite' \"INSERT INTO t(name) VALUES ('more \$i');\" || exit 1; done &&
	sqlite3 '$RO/db.sqlite' 'SELECT count(*) FROM t;'"
is "$OUT" "1005" "five more separate write transactions from separate processes all land"
