/* logs-follow.c — file following with rotation (rename, truncation) and positions kept
 * across restarts in an atomically written state file. Contract in logs-follow.h. */
#include "logs/logs-follow.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "core/core-error.h"
#include "core/core-hash.h"
#include "core/core-log.h"
#include "core/core-str.h"
#include "logs/logs-frame.h"

/* Fixed key: a fingerprint must compare equal across restarts; it is not a table key. */
static const struct vg_hash_key fp_key = { 0x766967696c2d6670ull, 0x666f6c6c6f772d31ull };

#define READ_BUDGET (8u << 20) /* bytes read from one file per poll, for fairness */

struct saved { /* a position from the state file */
	char *path;
	uint64_t dev, ino, off, fp_hash;
	uint32_t fp_len;
};

struct ffile {
	char *path;
	char name[VG_MAX_NAME];   /* "file:" + path, the source name */
	int fd;                   /* -1 when not open */
	uint64_t dev, ino;
	uint64_t read_off;        /* file offset just after buf's last byte */
	char *buf;
	size_t blen, cap;
	struct vg_frame fr;
	uint32_t fp_len;          /* 0: first line not complete yet */
	uint64_t fp_hash;
	bool then_reopen;         /* reading a rotated file found at start; then open path */
};

struct vg_follow {
	char *state_path;
	bool from_end;
	struct ffile *files;
	size_t n;
	struct saved *saved;
	size_t nsaved;
	struct vg_follow_stats st;
};

static int64_t now_us(void)
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	return (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
}

/* Fingerprint of a file: hash of its first line (with its LF) or of its first
 * VG_FOLLOW_FP_LEN bytes; *len 0 while the first line is still incomplete. */
static void fp_compute(int fd, uint32_t *len, uint64_t *hash)
{
	char b[VG_FOLLOW_FP_LEN];
	*len = 0;
	*hash = 0;
	ssize_t n = pread(fd, b, sizeof(b), 0);
	if (n <= 0)
		return;
	const char *lf = memchr(b, '\n', (size_t)n);
	size_t l = lf ? (size_t)(lf - b) + 1 : ((size_t)n == sizeof(b) ? sizeof(b) : 0);
	if (l == 0)
		return;
	*len = (uint32_t)l;
	*hash = vg_siphash(&fp_key, b, l);
}

/* Does the file behind fd start with the fingerprint (len, hash)? len 0 always matches. */
static bool fp_matches(int fd, uint32_t len, uint64_t hash)
{
	if (len == 0)
		return true;
	char b[VG_FOLLOW_FP_LEN];
	if (len > sizeof(b))
		return false;
	ssize_t n = pread(fd, b, len, 0);
	return n == (ssize_t)len && vg_siphash(&fp_key, b, len) == hash;
}

static void ff_close(struct ffile *f)
{
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
	f->blen = 0;
	vg_frame_init(&f->fr, VG_FRAME_TRAILER, 0);
}

/* Start reading fd at off (the caller opened it). */
static void ff_attach(struct ffile *f, int fd, const struct stat *st, uint64_t off)
{
	f->fd = fd;
	f->dev = (uint64_t)st->st_dev;
	f->ino = (uint64_t)st->st_ino;
	f->read_off = off;
	f->blen = 0;
	vg_frame_init(&f->fr, VG_FRAME_TRAILER, 0);
	fp_compute(fd, &f->fp_len, &f->fp_hash);
}

static int open_path(const char *path, struct stat *st)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return -1;
	if (fstat(fd, st) != 0 || !S_ISREG(st->st_mode)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Look beside f->path for a rotated file (name starting with the base name) that is the
 * saved inode with the saved fingerprint; open it at the saved offset. */
static bool find_rotated(struct ffile *f, const struct saved *sv)
{
	const char *slash = strrchr(f->path, '/');
	char dir[4096];
	const char *base;
	if (slash) {
		size_t dl = (size_t)(slash - f->path);
		if (dl >= sizeof(dir))
			return false;
		vg_strlcpy(dir, f->path, dl ? dl : 1, sizeof(dir));
		if (dl == 0)
			vg_strlcpy(dir, "/", 1, sizeof(dir));
		base = slash + 1;
	} else {
		vg_strlcpy(dir, ".", 1, sizeof(dir));
		base = f->path;
	}
	DIR *d = opendir(dir);
	if (!d)
		return false;
	bool found = false;
	struct dirent *e;
	size_t bl = strlen(base);
	while (!found && (e = readdir(d)) != NULL) {
		if (strncmp(e->d_name, base, bl) != 0 || e->d_name[bl] == 0)
			continue;
		if ((uint64_t)e->d_ino != sv->ino)
			continue;
		char p[8192];
		int n = snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		if (n < 0 || (size_t)n >= sizeof(p))
			continue;
		struct stat st;
		int fd = open_path(p, &st);
		if (fd < 0)
			continue;
		if ((uint64_t)st.st_dev == sv->dev && (uint64_t)st.st_ino == sv->ino &&
		    (uint64_t)st.st_size >= sv->off && fp_matches(fd, sv->fp_len, sv->fp_hash)) {
			ff_attach(f, fd, &st, sv->off);
			f->then_reopen = true;
			found = true;
			vg_info("follow %s: resuming rotated file %s at %llu", f->path, p,
				(unsigned long long)sv->off);
		} else {
			close(fd);
		}
	}
	closedir(d);
	return found;
}

/* First open of a followed path: from the saved position when it is still valid. */
static void ff_open_first(struct vg_follow *fw, struct ffile *f)
{
	const struct saved *sv = NULL;
	for (size_t i = 0; i < fw->nsaved; i++)
		if (!strcmp(fw->saved[i].path, f->path))
			sv = &fw->saved[i];
	struct stat st;
	int fd = open_path(f->path, &st);
	if (sv) {
		if (fd >= 0 && (uint64_t)st.st_dev == sv->dev && (uint64_t)st.st_ino == sv->ino &&
		    (uint64_t)st.st_size >= sv->off && fp_matches(fd, sv->fp_len, sv->fp_hash)) {
			ff_attach(f, fd, &st, sv->off);
			fw->st.resumed++;
			return;
		}
		if (find_rotated(f, sv)) {
			fw->st.resumed++;
			if (fd >= 0)
				close(fd);
			return;
		}
		/* the saved file is gone or was replaced: the file at the path is new */
		if (fd >= 0)
			ff_attach(f, fd, &st, 0);
		return;
	}
	if (fd >= 0)
		ff_attach(f, fd, &st, fw->from_end ? (uint64_t)st.st_size : 0);
}

/* ---- state file ------------------------------------------------------------------ */
/* One line per file: "F\tDEV\tINO\tOFFSET\tFPLEN\tFPHASH(hex)\tPATH\n". */

static void load_state(struct vg_follow *fw)
{
	FILE *fp = fopen(fw->state_path, "r");
	if (!fp) {
		if (errno != ENOENT) {
			vg_warn("follow: cannot read state %s: %s", fw->state_path, strerror(errno));
			fw->st.errors++;
		}
		return;
	}
	char *line = NULL;
	size_t lcap = 0;
	ssize_t n;
	while ((n = getline(&line, &lcap, fp)) > 0) {
		if (line[n - 1] == '\n')
			line[--n] = 0;
		struct vg_str rest = vg_str_make(line, (size_t)n);
		struct vg_str fld[7];
		size_t nf = 0;
		while (nf < 6) {
			long t = vg_str_chr(rest, '\t');
			if (t < 0)
				break;
			fld[nf++] = vg_str_make(rest.p, (size_t)t);
			rest.p += t + 1;
			rest.len -= (size_t)t + 1;
		}
		fld[nf++] = rest;
		struct saved sv = { 0 };
		uint64_t fpl = 0;
		if (nf != 7 || !vg_str_eq_cstr(fld[0], "F") ||
		    vg_parse_u64(fld[1].p, fld[1].len, UINT64_MAX, &sv.dev) ||
		    vg_parse_u64(fld[2].p, fld[2].len, UINT64_MAX, &sv.ino) ||
		    vg_parse_u64(fld[3].p, fld[3].len, UINT64_MAX, &sv.off) ||
		    vg_parse_u64(fld[4].p, fld[4].len, VG_FOLLOW_FP_LEN, &fpl) ||
		    vg_parse_hex_u64(fld[5].p, fld[5].len, UINT64_MAX, &sv.fp_hash) || rest.len == 0) {
			vg_warn("follow: ignoring a malformed line of %s", fw->state_path);
			fw->st.errors++;
			continue;
		}
		sv.fp_len = (uint32_t)fpl;
		sv.path = vg_memdup_str(rest.p, rest.len);
		struct saved *ns = realloc(fw->saved, (fw->nsaved + 1) * sizeof(*ns));
		if (!sv.path || !ns) {
			free(sv.path);
			if (ns)
				fw->saved = ns;
			break;
		}
		fw->saved = ns;
		fw->saved[fw->nsaved++] = sv;
		if (fw->nsaved >= VG_FOLLOW_MAX_FILES)
			break;
	}
	free(line);
	fclose(fp);
}

int vg_follow_save(struct vg_follow *fw)
{
	if (!fw->state_path)
		return VG_OK;
	struct vg_buf b;
	vg_buf_init(&b, 0);
	int rc = VG_OK;
	for (size_t i = 0; i < fw->n; i++) {
		const struct ffile *f = &fw->files[i];
		if (strchr(f->path, '\n'))
			continue;
		if (f->fd < 0) { /* keep what we knew of a file that is away for now */
			for (size_t k = 0; k < fw->nsaved; k++) {
				const struct saved *sv = &fw->saved[k];
				if (!strcmp(sv->path, f->path))
					rc = vg_buf_printf(&b, "F\t%llu\t%llu\t%llu\t%u\t%016llx\t%s\n",
						(unsigned long long)sv->dev, (unsigned long long)sv->ino,
						(unsigned long long)sv->off, sv->fp_len,
						(unsigned long long)sv->fp_hash, sv->path);
			}
			continue;
		}
		/* the offset after the last delivered line: held partial bytes are re-read */
		uint64_t off = f->read_off - f->blen;
		rc = vg_buf_printf(&b, "F\t%llu\t%llu\t%llu\t%u\t%016llx\t%s\n",
				   (unsigned long long)f->dev, (unsigned long long)f->ino,
				   (unsigned long long)off, f->fp_len,
				   (unsigned long long)f->fp_hash, f->path);
		if (rc)
			break;
	}
	if (rc) {
		vg_buf_free(&b);
		return rc;
	}
	size_t tl = strlen(fw->state_path) + 8;
	char *tmp = malloc(tl);
	if (!tmp) {
		vg_buf_free(&b);
		return VG_ENOMEM;
	}
	snprintf(tmp, tl, "%s.tmp", fw->state_path);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		rc = VG_EIO;
		goto out;
	}
	size_t done = 0;
	while (done < b.len) {
		ssize_t w = write(fd, b.data + done, b.len - done);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			rc = VG_EIO;
			break;
		}
		done += (size_t)w;
	}
	if (rc == VG_OK && fsync(fd) != 0)
		rc = VG_EIO;
	close(fd);
	if (rc == VG_OK && rename(tmp, fw->state_path) != 0)
		rc = VG_EIO;
	if (rc == VG_OK) { /* make the rename itself durable */
		char dir[4096];
		const char *sl = strrchr(fw->state_path, '/');
		if (sl && sl > fw->state_path)
			vg_strlcpy(dir, fw->state_path, (size_t)(sl - fw->state_path), sizeof(dir));
		else
			vg_strlcpy(dir, sl ? "/" : ".", 1, sizeof(dir));
		int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd >= 0) {
			(void)fsync(dfd);
			close(dfd);
		}
	} else {
		vg_warn("follow: cannot write state %s: %s", fw->state_path, strerror(errno));
		unlink(tmp);
	}
out:
	free(tmp);
	vg_buf_free(&b);
	return rc;
}

/* ---- reading ---------------------------------------------------------------------- */

/* Deliver complete lines in f->buf. eof: the file is finished (rotated away): also its
 * partial last line. Returns lines delivered; *paused when the callback said VG_EFULL. */
static int ff_drain(struct vg_follow *fw, struct ffile *f, vg_log_line_fn fn, void *ctx,
		    bool eof, bool *paused)
{
	int lines = 0;
	for (;;) {
		struct vg_frame saved_fr = f->fr;
		struct vg_frame_msg m;
		size_t used;
		int rc = vg_frame_next(&f->fr, f->buf, f->blen, eof, &m, &used);
		if (rc == VG_OK) {
			struct vg_log_source src = {
				.transport = VG_LOGT_FILE, .name = f->name, .peer = NULL,
				.flags = (m.flags & VG_FRAME_F_TRUNCATED) ? VG_LOG_SRC_F_TRUNCATED : 0,
				.recv_us = now_us(),
			};
			int cr = fn(ctx, m.p, m.len, &src);
			if (cr == VG_EFULL) {
				f->fr = saved_fr; /* offered again next time, counted once */
				fw->st.backpressure++;
				*paused = true;
				return lines;
			}
			if (cr < 0)
				fw->st.errors++;
			fw->st.lines++;
			if (m.flags & VG_FRAME_F_TRUNCATED)
				fw->st.truncated++;
			lines++;
		}
		memmove(f->buf, f->buf + used, f->blen - used);
		f->blen -= used;
		if (rc != VG_OK && (used == 0 || f->blen == 0))
			return lines;
	}
}

/* Read and deliver what is new in f. Returns lines delivered. */
static int ff_read(struct vg_follow *fw, struct ffile *f, vg_log_line_fn fn, void *ctx,
		   bool *paused)
{
	int lines = 0;
	size_t budget = READ_BUDGET;
	lines += ff_drain(fw, f, fn, ctx, false, paused);
	while (!*paused && budget > 0) {
		if (f->blen == f->cap)
			break; /* cannot happen: the framer always makes room */
		ssize_t n = pread(f->fd, f->buf + f->blen, f->cap - f->blen, (off_t)f->read_off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fw->st.errors++;
			break;
		}
		if (n == 0)
			break;
		f->blen += (size_t)n;
		f->read_off += (uint64_t)n;
		budget = (size_t)n > budget ? 0 : budget - (size_t)n;
		lines += ff_drain(fw, f, fn, ctx, false, paused);
		if (f->fp_len == 0)
			fp_compute(f->fd, &f->fp_len, &f->fp_hash);
	}
	return lines;
}

static int ff_poll(struct vg_follow *fw, struct ffile *f, vg_log_line_fn fn, void *ctx)
{
	int lines = 0;
	bool paused = false;
	if (f->fd < 0) {
		struct stat st;
		int fd = open_path(f->path, &st);
		if (fd < 0)
			return 0;
		/* a file that appears while we run is new: read it from its start */
		ff_attach(f, fd, &st, 0);
	}
	for (int round = 0; round < 3 && !paused; round++) {
		struct stat fst;
		if (fstat(f->fd, &fst) == 0 &&
		    ((uint64_t)fst.st_size < f->read_off ||
		     (f->fp_len && !fp_matches(f->fd, f->fp_len, f->fp_hash)))) {
			/* copytruncate (or rewritten in place): start over */
			fw->st.truncations++;
			vg_info("follow %s: truncated, reading from the start", f->path);
			f->blen = 0;
			vg_frame_init(&f->fr, VG_FRAME_TRAILER, 0);
			f->read_off = 0;
			fp_compute(f->fd, &f->fp_len, &f->fp_hash);
		}
		lines += ff_read(fw, f, fn, ctx, &paused);
		if (paused)
			break;
		struct stat pst;
		if (stat(f->path, &pst) != 0)
			break; /* renamed away, new one not there yet: keep reading the old */
		if ((uint64_t)pst.st_dev == f->dev && (uint64_t)pst.st_ino == f->ino &&
		    !f->then_reopen)
			break;
		if ((uint64_t)pst.st_dev == f->dev && (uint64_t)pst.st_ino == f->ino) {
			f->then_reopen = false;
			break;
		}
		/* rotated by rename: the old file is read to its end; its last partial line is
		 * delivered, then the new file is read from its start */
		lines += ff_drain(fw, f, fn, ctx, true, &paused);
		if (paused)
			break;
		struct stat nst;
		int fd = open_path(f->path, &nst);
		if (fd < 0)
			break;
		close(f->fd);
		f->then_reopen = false;
		fw->st.rotations++;
		vg_info("follow %s: rotated, reading the new file", f->path);
		ff_attach(f, fd, &nst, 0);
	}
	return lines;
}

int vg_follow_poll(struct vg_follow *fw, vg_log_line_fn fn, void *ctx)
{
	int lines = 0;
	for (size_t i = 0; i < fw->n; i++)
		lines += ff_poll(fw, &fw->files[i], fn, ctx);
	return lines;
}

/* ---- setup ----------------------------------------------------------------------- */

struct vg_follow *vg_follow_new(const char *state_path, bool from_end)
{
	struct vg_follow *fw = calloc(1, sizeof(*fw));
	if (!fw)
		return NULL;
	fw->from_end = from_end;
	if (state_path) {
		fw->state_path = strdup(state_path);
		if (!fw->state_path) {
			free(fw);
			return NULL;
		}
		load_state(fw);
	}
	return fw;
}

int vg_follow_add(struct vg_follow *fw, const char *path)
{
	if (!path || !*path)
		return VG_EINVAL;
	if (fw->n >= VG_FOLLOW_MAX_FILES)
		return VG_EFULL;
	struct ffile *nf = realloc(fw->files, (fw->n + 1) * sizeof(*nf));
	if (!nf)
		return VG_ENOMEM;
	fw->files = nf;
	struct ffile *f = &fw->files[fw->n];
	memset(f, 0, sizeof(*f));
	f->fd = -1;
	vg_frame_init(&f->fr, VG_FRAME_TRAILER, 0);
	f->cap = vg_frame_bufsize(&f->fr);
	f->path = strdup(path);
	f->buf = malloc(f->cap);
	if (!f->path || !f->buf) {
		free(f->path);
		free(f->buf);
		return VG_ENOMEM;
	}
	snprintf(f->name, sizeof(f->name), "file:%s", path);
	fw->n++;
	ff_open_first(fw, f);
	return VG_OK;
}

void vg_follow_stats(const struct vg_follow *fw, struct vg_follow_stats *out)
{
	*out = fw->st;
}

void vg_follow_free(struct vg_follow *fw)
{
	if (!fw)
		return;
	for (size_t i = 0; i < fw->n; i++) {
		ff_close(&fw->files[i]);
		free(fw->files[i].path);
		free(fw->files[i].buf);
	}
	for (size_t i = 0; i < fw->nsaved; i++)
		free(fw->saved[i].path);
	free(fw->saved);
	free(fw->files);
	free(fw->state_path);
	free(fw);
}
