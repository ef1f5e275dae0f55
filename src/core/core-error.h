/* core-error.h — the one error convention (STYLE.md 5).
 * Functions return 0 (VG_OK) or a negative VG_E* code; out-parameters are zeroed on
 * entry; vg_strerror() names a code for messages. */
#ifndef VG_CORE_ERROR_H
#define VG_CORE_ERROR_H

enum vg_err {
	VG_OK = 0,
	VG_EINVAL = -1,   /* malformed input or bad argument */
	VG_ENOMEM = -2,   /* allocation failed or a memory cap was hit */
	VG_ETRUNC = -3,   /* input shorter than its headers say */
	VG_EIO = -4,      /* read/write/system call failed; errno holds detail */
	VG_ERANGE = -5,   /* a number or size out of its bound */
	VG_ENOTSUP = -6,  /* valid but not supported (unknown protocol, keyword, ...) */
	VG_ENOENT = -7,   /* not found */
	VG_EEXIST = -8,   /* already present */
	VG_EFULL = -9,    /* a capped table or queue is full */
	VG_EAGAIN = -10,  /* try again later (no data yet, would block) */
	VG_ESTATE = -11,  /* call not valid in the object's current state */
};

/* Static string naming the code; never NULL. */
const char *vg_strerror(int err);

#endif
