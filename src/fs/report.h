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

/**
 * Open the folder of the report file, in the tree's first process before
 * the reaper is forked: before any process of the tree can have become
 * another user who could put a link on the way. The report is written in
 * that folder under a temporary name and renamed onto the file's name, so
 * a link planted at the name is replaced, never followed. Returns the
 * descriptor (close-on-exec, above 63), or -1 without a report file.
 */
int rw_report_open_folder(void);

/** The descriptor of the report's folder, or -1; and use @fd instead (the
 * same folder, moved, or -1 for none). */
int rw_report_folder(void);
void rw_report_use_folder(int fd);

/** Sum up the refused writes the tree recorded, by folder, on stderr. */
void rw_report_audit(int sessfd);

#endif
