/* Syslog headers: RFC 3164 / rsyslog file formats (PRI, padded days, no host, ISO
 * timestamps, zones), rsyslog's year inference across new year, RFC 5424 (structured
 * data with escapes, NILVALUEs, fractions, zones), format names, garbage and over-long
 * lines. */
#include "test-logs-table.h"

#define US 1000000LL

static struct vg_log_entry *g_e;

static int setup(void **state)
{
	(void)state;
	g_e = malloc(sizeof(*g_e));
	return g_e ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	free(g_e);
	return 0;
}

/* Seconds since the epoch of a UTC civil time, independent of the parser's own helper. */
static int64_t utc(int y, int mo, int d, int h, int mi, int s)
{
	struct tm tm = { .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d,
			 .tm_hour = h, .tm_min = mi, .tm_sec = s };
	return (int64_t)timegm(&tm);
}

static int parse(const char *line, const struct vg_log_opts *o)
{
	return vg_logs_parse_line(line, strlen(line), o, g_e);
}

static struct vg_log_opts opts_at(int64_t now_s)
{
	struct vg_log_opts o;
	vg_logs_opts_init(&o);
	o.now_us = now_s * US;
	return o;
}

static void test_3164_header(void **state)
{
	(void)state;
	struct vg_log_opts o = opts_at(utc(2026, 11, 23, 0, 0, 0));
	assert_int_equal(parse("Nov 22 23:59:28 vm sshd[18116]: Server listening on :: port 22.", &o), 0);
	assert_int_equal(g_e->format, VG_LOGF_SYSLOG);
	assert_true(g_e->has_ts);
	assert_int_equal(g_e->ts_us, utc(2026, 11, 22, 23, 59, 28) * US);
	assert_string_equal(g_e->hostname, "vm");
	assert_string_equal(g_e->app_name, "sshd");
	assert_string_equal(g_e->procid, "18116");
	assert_int_equal(g_e->pid, 18116);
	/* pid: digits only, up to INT64_MAX; anything else keeps procid text only */
	static const struct {
		const char *line;
		int64_t pid;
	} pids[] = {
		{ "Nov 22 23:59:28 vm sshd[0]: x", 0 },
		{ "Nov 22 23:59:28 vm sshd[123456789012345678]: x", 123456789012345678LL },
		{ "Nov 22 23:59:28 vm sshd[9223372036854775807]: x", INT64_MAX },
		{ "Nov 22 23:59:28 vm sshd[9223372036854775808]: x", -1 },
		{ "Nov 22 23:59:28 vm sshd[99999999999999999999]: x", -1 },
		{ "Nov 22 23:59:28 vm sshd[12a]: x", -1 },
		{ "Nov 22 23:59:28 vm sshd[-1]: x", -1 },
		{ "Nov 22 23:59:28 vm sshd[]: x", -1 },
	};
	for (size_t i = 0; i < sizeof(pids) / sizeof(pids[0]); i++) {
		parse(pids[i].line, &o); /* "x" is no sshd message: only the header counts */
		assert_string_equal(g_e->app_name, "sshd");
		assert_int_equal(g_e->pid, pids[i].pid);
	}
	assert_int_equal(parse("Nov 22 23:59:28 vm sshd[18116]: Server listening on :: port 22.", &o), 0);
	assert_int_equal(g_e->facility, -1);
	assert_string_equal(g_e->message, "Server listening on :: port 22.");

	/* PRI, space-padded day, tag without pid. */
	assert_int_equal(parse("<38>Nov  2 03:04:05 host1 sudo: x", &o), VG_ENOTSUP);
	assert_int_equal(g_e->facility, 4);
	assert_int_equal(g_e->severity, 6);
	assert_int_equal(g_e->ts_us, utc(2026, 11, 2, 3, 4, 5) * US);
	assert_string_equal(g_e->hostname, "host1");
	assert_string_equal(g_e->app_name, "sudo");
	assert_int_equal(g_e->pid, -1);
	assert_string_equal(g_e->message, "x");

	/* Local file without a host name. */
	assert_int_equal(parse("Nov 22 23:59:28 sshd[1]: Connection closed by 192.0.2.1 port 9 [preauth]", &o), 0);
	assert_null(g_e->hostname);
	assert_string_equal(g_e->app_name, "sshd");
	assert_string_equal(g_e->action, "ssh-preauth-disconnect");

	/* rsyslog high-precision file format, with a zone. */
	assert_int_equal(parse("2026-11-22T23:59:27.866757+00:00 vm sshd[18116]: x", &o), VG_ENOTSUP);
	assert_int_equal(g_e->ts_us, utc(2026, 11, 22, 23, 59, 27) * US + 866757);
	assert_string_equal(g_e->hostname, "vm");
	assert_int_equal(parse("<86>2026-11-22T23:59:27.5+02:00 vm sshd[1]: x", &o), VG_ENOTSUP);
	assert_int_equal(g_e->ts_us, utc(2026, 11, 22, 21, 59, 27) * US + 500000);
	assert_int_equal(g_e->ts_offset_min, 120);
	assert_int_equal(g_e->facility, 10);

	/* The zone of 3164 timestamps is an option. */
	o.tz_offset_min = 120;
	assert_int_equal(parse("Nov 22 01:00:00 vm sshd[1]: x", &o), VG_ENOTSUP);
	assert_int_equal(g_e->ts_us, utc(2026, 11, 21, 23, 0, 0) * US);
	/* An explicit year (Cisco style) wins over inference. */
	o.tz_offset_min = 0;
	assert_int_equal(parse("Nov 22 2019 01:00:00 vm sshd[1]: x", &o), VG_ENOTSUP);
	assert_int_equal(g_e->ts_us, utc(2019, 11, 22, 1, 0, 0) * US);
}

static void test_year_inference(void **state)
{
	(void)state;
	static const struct {
		int now[6];
		const char *line;
		int year;
	} cases[] = {
		/* Just after new year: December lines are last year's. */
		{ { 2027, 1, 1, 0, 10, 0 }, "Dec 31 23:59:59 h p: x", 2026 },
		/* Just before new year: a January line (clock skew) is next year's. */
		{ { 2026, 12, 31, 23, 59, 50 }, "Jan  1 00:00:05 h p: x", 2027 },
		/* A few days ahead stays in this year; months ahead is last year. */
		{ { 2026, 6, 15, 0, 0, 0 }, "Jun 20 10:00:00 h p: x", 2026 },
		{ { 2026, 6, 15, 0, 0, 0 }, "Aug 20 10:00:00 h p: x", 2025 },
		{ { 2026, 6, 15, 0, 0, 0 }, "Jan  3 10:00:00 h p: x", 2026 },
		/* An offline file: its mtime is the reference. */
		{ { 2026, 3, 1, 0, 0, 0 }, "Nov 22 23:59:28 h p: x", 2025 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const int *n = cases[i].now;
		struct vg_log_opts o = opts_at(utc(n[0], n[1], n[2], n[3], n[4], n[5]));
		assert_int_equal(parse(cases[i].line, &o), VG_ENOTSUP);
		assert_true(g_e->has_ts);
		time_t t = (time_t)(g_e->ts_us / US);
		struct tm tm;
		gmtime_r(&t, &tm);
		if (tm.tm_year + 1900 != cases[i].year)
			fail_msg("%s: year %d, want %d", cases[i].line, tm.tm_year + 1900, cases[i].year);
	}
	/* No reference time: no timestamp rather than a wrong one. */
	assert_int_equal(vg_logs_parse_line("Nov 22 23:59:28 h p: x", 22, NULL, g_e), VG_ENOTSUP);
	assert_false(g_e->has_ts);
	assert_string_equal(g_e->hostname, "h");
}

static void test_5424(void **state)
{
	(void)state;
	struct vg_log_opts o = opts_at(utc(2026, 11, 23, 0, 0, 0));
	/* RFC 5424 section 6.5 example 3, with a BOM before the message. */
	const char *l = "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 "
			"[exampleSDID@32473 iut=\"3\" eventSource=\"Application\" eventID=\"1011\"]"
			"[examplePriority@32473 class=\"high\"] \xEF\xBB\xBF" "An application event";
	assert_int_equal(parse(l, &o), VG_ENOTSUP);
	assert_int_equal(g_e->format, VG_LOGF_RFC5424);
	assert_int_equal(g_e->facility, 20);
	assert_int_equal(g_e->severity, 5);
	assert_int_equal(g_e->ts_us, utc(2003, 10, 11, 22, 14, 15) * US + 3000);
	assert_string_equal(g_e->hostname, "mymachine.example.com");
	assert_string_equal(g_e->app_name, "evntslog");
	assert_null(g_e->procid);
	assert_int_equal(g_e->pid, -1);
	assert_string_equal(g_e->msgid, "ID47");
	assert_int_equal(g_e->n_sd, 4);
	assert_string_equal(g_e->sd[0].sd_id, "exampleSDID@32473");
	assert_string_equal(g_e->sd[0].name, "iut");
	assert_string_equal(g_e->sd[0].value, "3");
	assert_string_equal(g_e->sd[2].name, "eventID");
	assert_string_equal(g_e->sd[2].value, "1011");
	assert_string_equal(g_e->sd[3].sd_id, "examplePriority@32473");
	assert_string_equal(g_e->sd[3].value, "high");
	assert_string_equal(g_e->message, "An application event");
	assert_non_null(g_e->sd_raw);
	assert_int_equal(g_e->sd_raw[0], '[');

	/* Escaped SD values: \" \\ \] and a ']' inside a value. */
	assert_int_equal(parse("<13>1 2026-11-22T10:00:00Z h app 12 - [x@1 a=\"q\\\"u\\\\o\\]te\" "
			       "b=\"[br]\"] msg", &o), VG_ENOTSUP);
	assert_int_equal(g_e->n_sd, 2);
	assert_string_equal(g_e->sd[0].value, "q\"u\\o]te");
	assert_string_equal(g_e->sd[1].value, "[br]");
	assert_int_equal(g_e->pid, 12);
	assert_string_equal(g_e->message, "msg");

	/* All NILVALUEs and no message. */
	assert_int_equal(parse("<34>1 - - - - - -", &o), VG_ENOTSUP);
	assert_false(g_e->has_ts);
	assert_null(g_e->hostname);
	assert_null(g_e->app_name);
	assert_null(g_e->msgid);
	assert_null(g_e->sd_raw);
	assert_string_equal(g_e->message, "");

	/* Fractions to the microsecond and a negative zone (RFC 5424 example 4). */
	assert_int_equal(parse("<34>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - %% It's "
			       "time to make the do-nuts.", &o), VG_ENOTSUP);
	assert_int_equal(g_e->ts_us, utc(2003, 8, 24, 12, 14, 15) * US + 3);
	assert_int_equal(g_e->ts_offset_min, -420);
	assert_int_equal(g_e->pid, 8710);

	/* +02:00 and Z zones on the same instant. */
	assert_int_equal(parse("<13>1 2026-11-23T01:00:00.25+02:00 h a - - - x", &o), VG_ENOTSUP);
	int64_t plus2 = g_e->ts_us;
	assert_int_equal(g_e->ts_offset_min, 120);
	assert_int_equal(parse("<13>1 2026-11-22T23:00:00.250000Z h a - - - x", &o), VG_ENOTSUP);
	assert_int_equal(g_e->ts_us, plus2);
	assert_int_equal(g_e->ts_offset_min, 0);

	/* A known program inside 5424: the normalized fields follow. */
	assert_int_equal(parse("<38>1 2026-11-22T23:59:28.108712+00:00 vm sshd 18116 - - Failed password "
			       "for root from 10.99.0.1 port 50346 ssh2", &o), 0);
	assert_string_equal(g_e->action, "ssh-login-failed");
	assert_string_equal(g_e->user, "root");
	assert_int_equal(g_e->ts_us, utc(2026, 11, 22, 23, 59, 28) * US + 108712);

	/* More SD params than kept: the rest are skipped, the message survives. */
	char big[2048];
	size_t n = (size_t)snprintf(big, sizeof(big), "<13>1 - h a - - [x@1");
	for (int i = 0; i < 40; i++)
		n += (size_t)snprintf(big + n, sizeof(big) - n, " p%d=\"%d\"", i, i);
	snprintf(big + n, sizeof(big) - n, "] hello");
	assert_int_equal(parse(big, &o), VG_ENOTSUP);
	assert_int_equal(g_e->n_sd, VG_LOG_MAX_SD_PARAMS);
	assert_true(g_e->sd_truncated);
	assert_string_equal(g_e->message, "hello");
}

static void test_garbage(void **state)
{
	(void)state;
	struct vg_log_opts o = opts_at(utc(2026, 11, 23, 0, 0, 0));
	static const char *const bad[] = {
		"",
		"\x01\x02\x03",
		"<999>1 2026-11-22T10:00:00Z h a - - - m",        /* PRI out of range */
		"<034>1 2026-11-22T10:00:00Z h a - - - m",        /* leading zero */
		"<34>1 2026-13-22T10:00:00Z h a - - - m",         /* month 13 */
		"<34>1 2026-11-22T10:00:00Z host",                /* truncated header */
		"<34>1 2026-11-22T10:00:00Z h a - - [bad m",      /* unterminated SD is kept as msg */
		"<34",
		"Nov 22 2",
		"just some words",
	};
	static const int rcs[] = { VG_EINVAL, VG_EINVAL, VG_EINVAL, VG_EINVAL, VG_EINVAL,
				   VG_EINVAL, VG_ENOTSUP, VG_EINVAL, VG_EINVAL, VG_EINVAL };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = parse(bad[i], &o);
		if (rc != rcs[i])
			fail_msg("[%s]: rc %d want %d", bad[i], rc, rcs[i]);
		assert_null(g_e->action);
	}
	/* Every prefix of a real line: never a crash, never a normalized result that the
	 * full line would not give. */
	const char *l = "<38>1 2026-11-22T23:59:28.108712+00:00 vm sshd 18116 - - Failed password "
			"for root from 10.99.0.1 port 50346 ssh2";
	for (size_t k = 0; k <= strlen(l); k++) {
		int rc = vg_logs_parse_line(l, k, &o, g_e);
		assert_true(rc == 0 || rc == VG_ENOTSUP || rc == VG_EINVAL);
		if (rc == 0)
			assert_string_equal(g_e->action, "ssh-login-failed");
	}
	/* Over-long line: cut at VG_MAX_LINE, flagged, still parsed. */
	size_t big = VG_MAX_LINE + 1000;
	char *p = malloc(big);
	assert_non_null(p);
	const char *head = "Nov 22 23:59:28 vm sshd[1]: Invalid user ";
	memcpy(p, head, strlen(head));
	memset(p + strlen(head), 'a', big - strlen(head));
	assert_int_equal(vg_logs_parse_line(p, big, &o, g_e), VG_ENOTSUP);
	assert_true(g_e->truncated);
	assert_int_equal(strlen(g_e->line), VG_MAX_LINE);
	free(p);
}

static void test_format_names(void **state)
{
	(void)state;
	static const char *const names[] = { "auto", "syslog", "rfc5424", "nginx",
					     "apache", "keystone", "cadf" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		enum vg_log_format f;
		assert_int_equal(vg_logs_format_parse(names[i], &f), 0);
		assert_string_equal(vg_logs_format_name(f), names[i]);
	}
	enum vg_log_format f;
	assert_int_equal(vg_logs_format_parse("rfc3164", &f), 0);
	assert_int_equal(f, VG_LOGF_SYSLOG);
	assert_int_equal(vg_logs_format_parse("xml", &f), VG_EINVAL);
	assert_int_equal(f, VG_LOGF_AUTO);
	assert_int_equal(vg_logs_format_parse(NULL, &f), VG_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_3164_header),
		cmocka_unit_test(test_year_inference),
		cmocka_unit_test(test_5424),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_format_names),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
