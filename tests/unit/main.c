/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/main.c - the main of every Check binary: run rw_suite().
 * Check reads its own environment: CK_FORK=no runs in one process (for
 * valgrind and gdb), CK_VERBOSITY changes the output (CK_NORMAL when unset),
 * CK_RUN_SUITE and CK_RUN_CASE pick tests.
 */
#include <stdlib.h>

#include "unit.h"

int main(void)
{
	SRunner *sr = srunner_create(rw_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
