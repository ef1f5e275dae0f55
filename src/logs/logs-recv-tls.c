/* logs-recv-tls.c — syslog over TLS (RFC 5425) with GnuTLS: server credentials from the
 * certificate and key files given in the options, one non-blocking session per connection.
 * Framing and backpressure are the TCP code's (logs-recv-tcp.c); this file only turns the
 * socket into a byte stream. Client certificates are not requested: RFC 5425's mutual
 * authentication is left to a later option. */
#include <gnutls/gnutls.h>
#include <stdlib.h>

#include "core/core-error.h"
#include "core/core-log.h"
#include "logs/logs-recv-int.h"

struct recv_tls {
	gnutls_certificate_credentials_t cred;
	gnutls_priority_t prio;
};

int vg_recv_tls_setup(struct vg_logrecv *r)
{
	if (r->tls)
		return VG_OK;
	if (!r->o.tls_cert || !r->o.tls_key) {
		vg_err("tls listener: a certificate and a key file are required");
		return VG_EINVAL;
	}
	struct recv_tls *t = calloc(1, sizeof(*t));
	if (!t)
		return VG_ENOMEM;
	int rc = gnutls_certificate_allocate_credentials(&t->cred);
	if (rc < 0)
		goto fail;
	rc = gnutls_certificate_set_x509_key_file(t->cred, r->o.tls_cert, r->o.tls_key,
						  GNUTLS_X509_FMT_PEM);
	if (rc < 0) {
		vg_err("tls: cannot load %s / %s: %s", r->o.tls_cert, r->o.tls_key,
		       gnutls_strerror(rc));
		goto fail;
	}
	const char *prio = r->o.tls_priority ? r->o.tls_priority
					     : "NORMAL:-VERS-TLS1.1:-VERS-TLS1.0";
	rc = gnutls_priority_init(&t->prio, prio, NULL);
	if (rc < 0) {
		vg_err("tls: bad priority string '%s': %s", prio, gnutls_strerror(rc));
		goto fail;
	}
	r->tls = t;
	return VG_OK;
fail:
	if (t->cred)
		gnutls_certificate_free_credentials(t->cred);
	free(t);
	return VG_EINVAL;
}

void vg_recv_tls_free(struct vg_logrecv *r)
{
	if (!r->tls)
		return;
	gnutls_priority_deinit(r->tls->prio);
	gnutls_certificate_free_credentials(r->tls->cred);
	free(r->tls);
	r->tls = NULL;
}

int vg_recv_tls_conn_new(struct vg_logrecv *r, struct recv_conn *c)
{
	gnutls_session_t s;
	if (!r->tls || gnutls_init(&s, GNUTLS_SERVER | GNUTLS_NONBLOCK) < 0)
		return VG_EINVAL;
	if (gnutls_priority_set(s, r->tls->prio) < 0 ||
	    gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE, r->tls->cred) < 0) {
		gnutls_deinit(s);
		return VG_EINVAL;
	}
	gnutls_certificate_server_set_request(s, GNUTLS_CERT_IGNORE);
	gnutls_transport_set_int(s, c->fd);
	c->tls = s;
	return VG_OK;
}

void vg_recv_tls_conn_free(struct recv_conn *c)
{
	if (!c->tls)
		return;
	gnutls_deinit((gnutls_session_t)c->tls);
	c->tls = NULL;
}

int vg_recv_tls_handshake(struct recv_conn *c)
{
	int rc = gnutls_handshake((gnutls_session_t)c->tls);
	if (rc == GNUTLS_E_SUCCESS)
		return VG_OK;
	if (rc == GNUTLS_E_AGAIN || rc == GNUTLS_E_INTERRUPTED || !gnutls_error_is_fatal(rc))
		return VG_EAGAIN;
	vg_debug("tls handshake with %s failed: %s", c->peer, gnutls_strerror(rc));
	return VG_EIO;
}

long vg_recv_tls_read(struct recv_conn *c, char *buf, size_t len)
{
	ssize_t n = gnutls_record_recv((gnutls_session_t)c->tls, buf, len);
	if (n >= 0)
		return (long)n;
	if (n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED)
		return VG_EAGAIN;
	if (n == GNUTLS_E_PREMATURE_TERMINATION)
		return 0; /* many syslog senders close without close_notify */
	if (!gnutls_error_is_fatal((int)n))
		return VG_EAGAIN;
	return VG_EIO;
}

size_t vg_recv_tls_pending(struct recv_conn *c)
{
	return c->tls && !c->handshaking ? gnutls_record_check_pending((gnutls_session_t)c->tls) : 0;
}

bool vg_recv_tls_wants_write(struct recv_conn *c)
{
	return c->tls && gnutls_record_get_direction((gnutls_session_t)c->tls) == 1;
}
