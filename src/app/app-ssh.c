/* app-ssh.c — SSH identification strings (RFC 4253 4.2).
 *
 * "SSH-protoversion-softwareversion SP comments CR LF", at most 255 bytes with CR LF.
 * A server may send other lines first (not starting with "SSH-"); we allow
 * VG_SSH_MAX_PRE_LINES of them. A client must start with the banner. "SSH-1.99" is
 * a server that speaks 1.x and 2.0. After the banner the binary packet protocol
 * begins; this parser stops there. */
#include "app/app.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/core-error.h"

struct sdir {
	char line[VG_SSH_MAX_BANNER + 1];
	size_t len;
	unsigned lines;
	bool done, dead;
};

struct vg_ssh_state {
	struct sdir d[2];
	struct vg_ssh_info info;
};

int vg_ssh_parse_banner(const char *line, size_t len, struct vg_ssh_banner *out)
{
	if (!out)
		return VG_EINVAL;
	memset(out, 0, sizeof(*out));
	if (!line || len < 4 || memcmp(line, "SSH-", 4) != 0 || len > VG_SSH_MAX_BANNER)
		return VG_EINVAL;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)line[i];
		if (c < 0x20 || c > 0x7e)
			return VG_EINVAL; /* US-ASCII printable only (RFC 4253) */
	}
	const char *p = line + 4, *end = line + len;
	const char *dash = memchr(p, '-', (size_t)(end - p));
	if (!dash || dash == p)
		return VG_EINVAL;
	size_t pvl = (size_t)(dash - p);
	if (pvl >= sizeof(out->proto_version))
		return VG_EINVAL;
	memcpy(out->proto_version, p, pvl);
	p = dash + 1;
	const char *sp = memchr(p, ' ', (size_t)(end - p));
	const char *sv_end = sp ? sp : end;
	if (sv_end == p)
		return VG_EINVAL; /* empty software version */
	vg_strlcpy(out->software_version, p, (size_t)(sv_end - p), sizeof(out->software_version));
	if (sp)
		vg_strlcpy(out->comments, sp + 1, (size_t)(end - sp - 1), sizeof(out->comments));
	vg_strlcpy(out->line, line, len, sizeof(out->line));
	out->seen = true;
	return 0;
}

struct vg_ssh_state *vg_ssh_state_new(void)
{
	return calloc(1, sizeof(struct vg_ssh_state));
}

void vg_ssh_state_free(struct vg_ssh_state *st)
{
	free(st);
}

const struct vg_ssh_info *vg_ssh_info(const struct vg_ssh_state *st)
{
	return &st->info;
}

static int end_line(struct vg_ssh_state *st, int dir, bool *done)
{
	struct sdir *d = &st->d[dir];
	size_t n = d->len;
	if (n > 0 && d->line[n - 1] == '\r')
		n--;
	struct vg_ssh_banner *b = dir == VG_APP_TOSERVER ? &st->info.client : &st->info.server;
	d->len = 0;
	if (n >= 4 && memcmp(d->line, "SSH-", 4) == 0) {
		if (vg_ssh_parse_banner(d->line, n, b) < 0) {
			st->info.bad_banner++;
			d->dead = true;
			return VG_EINVAL;
		}
		d->done = true;
		if (done)
			*done = true;
		return 0;
	}
	/* other lines: allowed before a server's banner only */
	if (dir == VG_APP_TOSERVER) {
		st->info.bad_banner++;
		d->dead = true;
		return VG_EINVAL;
	}
	if (++d->lines > VG_SSH_MAX_PRE_LINES) {
		st->info.too_many_lines++;
		d->dead = true;
		return VG_EINVAL;
	}
	return 0;
}

int vg_ssh_parse(struct vg_ssh_state *st, int dir, const uint8_t *data, size_t len, bool *done)
{
	if (done)
		*done = false;
	if (!st || (dir != 0 && dir != 1) || (len > 0 && !data))
		return VG_EINVAL;
	struct sdir *d = &st->d[dir];
	for (size_t i = 0; i < len; i++) {
		if (d->done)
			return 0; /* binary packets follow: not ours */
		if (d->dead)
			return VG_EINVAL;
		char c = (char)data[i];
		if (c == '\n') {
			int rc = end_line(st, dir, done);
			if (rc < 0)
				return rc;
			continue;
		}
		if (d->len >= VG_SSH_MAX_BANNER) {
			st->info.banner_too_long++;
			d->dead = true;
			return VG_EINVAL;
		}
		d->line[d->len++] = c;
	}
	return 0;
}

static json_t *side(const struct vg_ssh_banner *b)
{
	json_t *o = json_object();
	json_object_set_new(o, "proto_version", json_string(b->proto_version));
	json_object_set_new(o, "software_version", json_string(b->software_version));
	return o;
}

json_t *vg_ssh_eve(const struct vg_ssh_info *in)
{
	json_t *root = json_object();
	json_t *s = json_object();
	if (!root || !s) {
		json_decref(root);
		json_decref(s);
		return NULL;
	}
	json_object_set_new(root, "ssh", s);
	if (in->client.seen)
		json_object_set_new(s, "client", side(&in->client));
	if (in->server.seen)
		json_object_set_new(s, "server", side(&in->server));
	return root;
}
