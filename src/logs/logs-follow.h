/* logs-follow.h — following log files like `tail -F`, with positions kept across restarts.
 *
 * Each followed path is read line by line (LF/CRLF/NUL, logs-frame.c trailer mode; a
 * partial last line is held until its newline arrives). vg_follow_poll() reads what is new
 * and handles rotation:
 *   - by rename (logrotate "create", rsyslog): when the path names another inode, the old
 *     file is read to its end (its partial last line delivered), then the new file is read
 *     from its start;
 *   - by truncation (copytruncate): when the file got shorter than our position, or its first
 *     line (the fingerprint: up to VG_FOLLOW_FP_LEN bytes) changed, reading restarts at 0.
 * Positions (device, inode, offset after the last delivered line, fingerprint) are saved to a
 * state file atomically (write tmp, fsync, rename). On start a saved position is used when
 * the file at the path is the same one (same inode and fingerprint); when the path now holds
 * a new file, the rotated one is looked for beside it (a name starting with the base name,
 * same inode and fingerprint) and read to its end first. So a restart neither loses nor
 * repeats lines, also across a rotation made while vigil was down.
 * Known limit: lines appended to a renamed file after we switched to the new one are not
 * read (logrotate's postrotate signal makes the writer switch first). */
#ifndef VG_LOGS_FOLLOW_H
#define VG_LOGS_FOLLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "logs/logs-recv.h"

struct vg_follow;

struct vg_follow_stats {
	uint64_t lines, truncated, rotations, truncations, errors, resumed, backpressure;
};

/* state_path may be NULL (positions not kept). from_end: files with no saved position start
 * at their current end instead of their start. Returns NULL on allocation failure; caller
 * frees with vg_follow_free(). state_path is copied. A state file that cannot be read or
 * parsed is ignored (counted in errors, warned). */
struct vg_follow *vg_follow_new(const char *state_path, bool from_end);
/* NULL-safe; does not save (call vg_follow_save first). */
void vg_follow_free(struct vg_follow *fw);

/* Add a path (copied). Returns 0, VG_EFULL (VG_FOLLOW_MAX_FILES), VG_ENOMEM, VG_EINVAL. */
int vg_follow_add(struct vg_follow *fw, const char *path);

/* Read what is new in every file and hand each line to fn (see vg_log_line_fn: VG_EFULL
 * pauses that file, the line is offered again at the next poll). A partial last line is
 * never delivered here (it is the next run's, after a restart). Returns the number of
 * lines delivered (>= 0). */
int vg_follow_poll(struct vg_follow *fw, vg_log_line_fn fn, void *ctx);

/* Write positions to the state file atomically. 0, VG_EIO, or 0 when there is no path. */
int vg_follow_save(struct vg_follow *fw);

void vg_follow_stats(const struct vg_follow *fw, struct vg_follow_stats *out);

#endif
