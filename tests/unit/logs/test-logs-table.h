/* test-logs-table.h — table-driven checks shared by the log parser tests: one row per
 * line, every normalized field asserted (NULL in the row means "must be absent"). */
#ifndef VG_TEST_LOGS_TABLE_H
#define VG_TEST_LOGS_TABLE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "core/core-error.h"
#include "logs/logs.h"

struct row {
	const char *line;
	int rc;                 /* expected return */
	const char *action;     /* NULL: no action (VG_ENOTSUP) */
	enum vg_outcome outcome;
	const char *user;       /* NULL: no user */
	const char *src;        /* canonical IP text, NULL: no address */
	unsigned sport;
	const char *method;     /* auth method or, for web rows, HTTP method */
	bool invalid_user;
	const char *target;     /* target user */
	const char *parser;     /* checked when set */
};

static inline void check_str(const char *what, const char *line, const char *want, const char *got)
{
	if (want == NULL && got == NULL)
		return;
	if (want && got && strcmp(want, got) == 0)
		return;
	print_error("%s: %s: want [%s] got [%s]\n", line, what, want ? want : "(null)",
		    got ? got : "(null)");
	fail();
}

static inline void check_row(const struct row *r, const struct vg_log_opts *o, struct vg_log_entry *e)
{
	int rc = vg_logs_parse_line(r->line, strlen(r->line), o, e);
	if (rc != r->rc) {
		print_error("%s: rc want %d got %d (action %s)\n", r->line, r->rc, rc,
			    e->action ? e->action : "-");
		fail();
	}
	check_str("action", r->line, r->action, e->action);
	if (r->outcome != e->outcome) {
		print_error("%s: outcome want %d got %d\n", r->line, r->outcome, e->outcome);
		fail();
	}
	check_str("user", r->line, r->user, e->user);
	char buf[VG_ADDR_STRLEN];
	check_str("src", r->line, r->src,
		  e->src.family == VG_AF_NONE ? NULL : vg_addr_format(&e->src, buf));
	if (r->sport != e->sport) {
		print_error("%s: sport want %u got %u\n", r->line, r->sport, e->sport);
		fail();
	}
	const char *m = e->auth_method ? e->auth_method : e->http.method;
	check_str("method", r->line, r->method, m);
	if (r->invalid_user != e->invalid_user) {
		print_error("%s: invalid_user want %d\n", r->line, r->invalid_user);
		fail();
	}
	check_str("target", r->line, r->target, e->target_user);
	if (r->parser)
		check_str("parser", r->line, r->parser, e->parser);
}

static inline void run_rows(const struct row *rows, size_t n)
{
	struct vg_log_entry *e = malloc(sizeof(*e));
	assert_non_null(e);
	struct vg_log_opts o;
	vg_logs_opts_init(&o);
	for (size_t i = 0; i < n; i++)
		check_row(&rows[i], &o, e);
	free(e);
}

#define RUN_ROWS(rows) run_rows(rows, sizeof(rows) / sizeof(rows[0]))

#endif
