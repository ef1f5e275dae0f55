/* core-json.h — a small streaming JSON writer over vg_buf for the hot-path encoders.
 *
 * Writing directly into a buffer avoids building a jansson tree per flow record. Strings
 * are escaped per RFC 8259; bytes that are not valid UTF-8 (log lines are untrusted) are
 * replaced by U+FFFD so the output is always valid JSON and valid UTF-8. Commas are
 * tracked per nesting level; the first error (buffer cap, nesting too deep) sticks and
 * is returned by vg_jw_finish(). */
#ifndef VG_CORE_JSON_H
#define VG_CORE_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/core-str.h"
#include "core/limits.h"

typedef struct json_t json_t;

struct vg_jw {
	struct vg_buf *b;        /* borrowed */
	int err;
	unsigned depth;
	bool need_comma[VG_MAX_JSON_DEPTH + 1];
};

void vg_jw_init(struct vg_jw *w, struct vg_buf *b);
/* key is NULL inside arrays (and for the outermost value). */
void vg_jw_obj_open(struct vg_jw *w, const char *key);
void vg_jw_obj_close(struct vg_jw *w);
void vg_jw_arr_open(struct vg_jw *w, const char *key);
void vg_jw_arr_close(struct vg_jw *w);
void vg_jw_str(struct vg_jw *w, const char *key, const char *s);        /* s NULL → null */
void vg_jw_strn(struct vg_jw *w, const char *key, const char *s, size_t len);
void vg_jw_u64(struct vg_jw *w, const char *key, uint64_t v);
void vg_jw_i64(struct vg_jw *w, const char *key, int64_t v);
void vg_jw_double(struct vg_jw *w, const char *key, double v);     /* NaN/inf → null */
void vg_jw_bool(struct vg_jw *w, const char *key, bool v);
void vg_jw_null(struct vg_jw *w, const char *key);
/* A jansson value serialised compactly (v borrowed). */
void vg_jw_json(struct vg_jw *w, const char *key, const json_t *v);
/* s (len bytes, borrowed) written exactly as json_dumps writes a jansson string: \" \\
 * \b \f \n \r \t, other control characters as \u00XX (upper-case hex), the rest as is.
 * Returns false and writes nothing when s is not valid UTF-8 (jansson refuses such a
 * string, so a member built from it is absent). For output that must stay byte for
 * byte what a jansson tree gave. */
bool vg_jw_jstrn(struct vg_jw *w, const char *key, const char *s, size_t len);
/* Members already encoded as JSON text, "k":v,"k2":v2 (len bytes, borrowed), added to
 * the open object as they are. */
void vg_jw_members(struct vg_jw *w, const char *json, size_t len);
/* Returns 0 or the first error (VG_ENOMEM past the buffer's cap, VG_ERANGE too deep). */
int vg_jw_finish(struct vg_jw *w);

/* Append s (len bytes) to b as a quoted JSON string, escaping and replacing invalid
 * UTF-8 with U+FFFD. */
int vg_json_escape(struct vg_buf *b, const char *s, size_t len);

/* Timestamps: Suricata EVE "2026-11-22T23:59:27.866757+0000" and ECS/RFC 3339
 * "2026-11-22T23:59:27.866757Z". buf must hold 40 bytes; returns buf. */
const char *vg_json_ts_eve(int64_t ts_us, char buf[40]);
const char *vg_json_ts_iso(int64_t ts_us, char buf[40]);

#endif
