/* SPDX-License-Identifier: MIT */
/*
 * fs/report.h - what the reaper says when the tree has ended: the change
 * report (--report) and the audit summary (--audit). It runs in the reaper,
 * a process of its own, so it may allocate.
 */
#ifndef RW_FS_REPORT_H
#define RW_FS_REPORT_H

/**
 * Write the report of what the overlay under session folder @sessfd holds,
 * like "git status --short" (A, M, D with sizes) with totals, or as JSON,
 * to the report file or stderr.
 */
void rw_report_changes(int sessfd);

/** Sum up the refused writes the tree recorded, by folder, on stderr. */
void rw_report_audit(int sessfd);

#endif
