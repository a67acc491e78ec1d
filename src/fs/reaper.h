/* SPDX-License-Identifier: MIT */
/*
 * fs/reaper.h - the end of a tree's storage (see session.h for why the
 * lifetime holds): the reaper and its twin, which wait for the tree to end
 * and then report and remove, and the fallback of a tree whose reapers
 * were killed.
 */
#ifndef RW_FS_REAPER_H
#define RW_FS_REAPER_H

/**
 * Remember where the program's arguments are, so that the reaper can show
 * itself as "rwshim: reaper" to ps and pkill -f rather than as a copy of
 * the program (which a pkill -f aimed at the program would also hit).
 */
void rw_session_note_args(int argc, char **argv);

/**
 * Start the reaper and its twin for the session just made (rw_sess), and in
 * a root tree bind the helper's socket first. Returns 0 or -errno.
 */
int rw_reaper_spawn(void);

/**
 * At the exit of a process: if the reaper and its twin were killed, the last
 * process of the tree to leave removes the storage itself. Called from a
 * destructor and the _exit hooks, so it covers exit() and _exit(), not a
 * signal: a later run's sweep does. The process must be about to end.
 */
void rw_session_end(void);

#endif
