/* core-error.c — names of the VG_E* codes. */
#include "core/core-error.h"

const char *vg_strerror(int err)
{
	switch (err) {
	case VG_OK: return "ok";
	case VG_EINVAL: return "invalid input";
	case VG_ENOMEM: return "out of memory or memory cap reached";
	case VG_ETRUNC: return "truncated input";
	case VG_EIO: return "input/output error";
	case VG_ERANGE: return "value out of range";
	case VG_ENOTSUP: return "not supported";
	case VG_ENOENT: return "not found";
	case VG_EEXIST: return "already exists";
	case VG_EFULL: return "table or queue full";
	case VG_EAGAIN: return "try again";
	case VG_ESTATE: return "invalid state";
	}
	return "unknown error";
}
