/* SPDX-License-Identifier: MIT */
/*
 * tests/unit/unit.h - what each Check suite shares. Every check_<module>.c
 * defines rw_suite(); main.c runs it. One binary per core module.
 */
#ifndef RW_TESTS_UNIT_H
#define RW_TESTS_UNIT_H

#include <check.h>

/** The suite of this test binary, defined once per check_<module>.c. */
Suite *rw_suite(void);

#endif
