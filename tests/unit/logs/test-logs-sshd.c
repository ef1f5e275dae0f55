/* sshd message table: every OpenSSH form we normalize, with each field asserted, and the
 * lines that must not be taken for failures (successes, logged-in session ends, noise). */
#include "test-logs-table.h"

#define H "Nov 22 23:59:28 vm sshd[123]: "
#define F VG_OUTCOME_FAILURE
#define S VG_OUTCOME_SUCCESS
#define U VG_OUTCOME_UNKNOWN
#define N VG_OUTCOME_NONE

static const struct row failures[] = {
	{ H "Failed password for root from 10.99.0.1 port 50346 ssh2", 0, "ssh-login-failed", F,
	  "root", "10.99.0.1", 50346, "password", false, NULL, "sshd" },
	{ H "Failed password for invalid user admin from 1.2.3.4 port 22 ssh2", 0,
	  "ssh-login-failed", F, "admin", "1.2.3.4", 22, "password", true, NULL, NULL },
	{ H "Failed publickey for root from 203.0.113.9 port 41022 ssh2: RSA SHA256:AbCdEf012345", 0,
	  "ssh-login-failed", F, "root", "203.0.113.9", 41022, "publickey", false, NULL, NULL },
	{ H "Failed keyboard-interactive/pam for invalid user oracle from 2001:db8::7 port 6000 ssh2",
	  0, "ssh-login-failed", F, "oracle", "2001:db8::7", 6000, "keyboard-interactive", true,
	  NULL, NULL },
	{ H "Failed none for invalid user guest from 198.51.100.3 port 51000 ssh2", 0,
	  "ssh-login-failed", F, "guest", "198.51.100.3", 51000, "none", true, NULL, NULL },
	{ H "Failed password for root from ::ffff:192.0.2.44 port 2222 ssh2", 0, "ssh-login-failed",
	  F, "root", "192.0.2.44", 2222, "password", false, NULL, NULL },
	{ H "Failed password for illegal user test from 192.0.2.45 port 33 ssh2", 0,
	  "ssh-login-failed", F, "test", "192.0.2.45", 33, "password", true, NULL, NULL },
	{ H "Failed password for invalid user bob from 192.0.2.46", 0, "ssh-login-failed", F, "bob",
	  "192.0.2.46", 0, "password", true, NULL, NULL },
	/* Injection: a user name that looks like an address part. */
	{ H "Failed password for invalid user x from 6.6.6.6 port 1 ssh2 from 192.0.2.47 port 40 ssh2",
	  0, "ssh-login-failed", F, "x from 6.6.6.6 port 1 ssh2", "192.0.2.47", 40, "password", true,
	  NULL, NULL },
	/* Injection through the hostbased client user: quoted text never counts. */
	{ H "Failed hostbased for dan from 192.0.2.48 port 45785 ssh2: RSA SHA256:xx, client user "
	    "\"a from 6.6.6.6 port 9 ssh2\", client host \"h\"",
	  0, "ssh-login-failed", F, "dan", "192.0.2.48", 45785, "hostbased", false, NULL, NULL },
	/* Names with 'f's and " from" next to the end: the scan for " from " (which jumps
	 * between 'f's when the line has no quote) finds the same candidates. */
	{ H "Failed password for invalid user from from 192.0.2.91 port 2 ssh2", 0,
	  "ssh-login-failed", F, "from", "192.0.2.91", 2, "password", true, NULL, NULL },
	{ H "Failed password for ffff from 192.0.2.92 port 3 ssh2: f from", 0, "ssh-login-failed", F,
	  "ffff", "192.0.2.92", 3, "password", false, NULL, NULL },
	{ H "Failed password for invalid user a\"b\"c from 192.0.2.93 port 4 ssh2", 0,
	  "ssh-login-failed", F, "a\"b\"c", "192.0.2.93", 4, "password", true, NULL, NULL },
	/* an unbalanced quote: every " from " after it is quoted text */
	{ H "Failed password for invalid user a\"b from 192.0.2.94 port 5 ssh2", VG_ENOTSUP, NULL, N,
	  NULL, NULL, 0, NULL, false, NULL, NULL },
	{ H "Invalid user admin from 1.2.3.4 port 5", 0, "ssh-invalid-user", F, "admin", "1.2.3.4", 5,
	  NULL, true, NULL, NULL },
	{ H "Invalid user  from 192.0.2.68 port 34916", 0, "ssh-invalid-user", F, "", "192.0.2.68",
	  34916, NULL, true, NULL, NULL },
	{ H "Invalid user ftp from 192.0.2.1", 0, "ssh-invalid-user", F, "ftp", "192.0.2.1", 0, NULL,
	  true, NULL, NULL },
	{ H "Illegal user sys from 192.0.2.2", 0, "ssh-invalid-user", F, "sys", "192.0.2.2", 0, NULL,
	  true, NULL, NULL },
	{ H "error: maximum authentication attempts exceeded for root from 192.0.2.3 port 5000 ssh2 "
	    "[preauth]",
	  0, "ssh-max-auth-attempts", F, "root", "192.0.2.3", 5000, NULL, false, NULL, NULL },
	{ H "error: maximum authentication attempts exceeded for invalid user pi from 192.0.2.4 port "
	    "5001 ssh2 [preauth]",
	  0, "ssh-max-auth-attempts", F, "pi", "192.0.2.4", 5001, NULL, true, NULL, NULL },
	{ H "Disconnecting authenticating user root 192.0.2.5 port 5002: Too many authentication "
	    "failures [preauth]",
	  0, "ssh-max-auth-attempts", F, "root", "192.0.2.5", 5002, NULL, false, NULL, NULL },
	{ H "Disconnecting invalid user admin 192.0.2.6 port 5003: Too many authentication failures "
	    "[preauth]",
	  0, "ssh-max-auth-attempts", F, "admin", "192.0.2.6", 5003, NULL, true, NULL, NULL },
	{ H "Disconnecting: Too many authentication failures for root [preauth]", 0,
	  "ssh-max-auth-attempts", F, "root", NULL, 0, NULL, false, NULL, NULL },
	{ H "Received disconnect from 192.0.2.7 port 5004:11: Bye Bye [preauth]", 0,
	  "ssh-preauth-disconnect", F, NULL, "192.0.2.7", 5004, NULL, false, NULL, NULL },
	{ H "Received disconnect from 192.0.2.8: 11: Bye Bye [preauth]", 0, "ssh-preauth-disconnect",
	  F, NULL, "192.0.2.8", 0, NULL, false, NULL, NULL },
	{ H "Disconnected from invalid user x 192.0.2.9 port 5005 [preauth]", 0,
	  "ssh-preauth-disconnect", F, "x", "192.0.2.9", 5005, NULL, true, NULL, NULL },
	{ H "Disconnected from authenticating user root 192.0.2.10 port 5006 [preauth]", 0,
	  "ssh-preauth-disconnect", F, "root", "192.0.2.10", 5006, NULL, false, NULL, NULL },
	{ H "Connection closed by 192.0.2.11 port 5007 [preauth]", 0, "ssh-preauth-disconnect", F,
	  NULL, "192.0.2.11", 5007, NULL, false, NULL, NULL },
	{ H "Connection closed by authenticating user root 10.99.0.1 port 50346 [preauth]", 0,
	  "ssh-preauth-disconnect", F, "root", "10.99.0.1", 50346, NULL, false, NULL, NULL },
	{ H "Connection closed by invalid user  192.0.2.68 port 34916 [preauth]", 0,
	  "ssh-preauth-disconnect", F, "", "192.0.2.68", 34916, NULL, true, NULL, NULL },
	{ H "Connection closed by authenticating user t 1.1.1.1 port 1 192.0.2.12 port 46039 "
	    "[preauth]",
	  0, "ssh-preauth-disconnect", F, "t 1.1.1.1 port 1", "192.0.2.12", 46039, NULL, false, NULL,
	  NULL },
	{ H "Connection reset by 2001:db8::2 port 14282 [preauth]", 0, "ssh-preauth-disconnect", F,
	  NULL, "2001:db8::2", 14282, NULL, false, NULL, NULL },
	{ H "Timeout before authentication for 192.0.2.13 port 5008", 0, "ssh-preauth-disconnect", F,
	  NULL, "192.0.2.13", 5008, NULL, false, NULL, NULL },
	{ H "Did not receive identification string from 192.0.2.14 port 5009", 0,
	  "ssh-no-identification", F, NULL, "192.0.2.14", 5009, NULL, false, NULL, NULL },
	{ H "Did not receive identification string from 192.0.2.15", 0, "ssh-no-identification", F,
	  NULL, "192.0.2.15", 0, NULL, false, NULL, NULL },
	{ H "banner exchange: Connection from 192.0.2.16 port 5010: invalid format", 0,
	  "ssh-bad-protocol", F, NULL, "192.0.2.16", 5010, NULL, false, NULL, NULL },
	{ H "Bad protocol version identification 'GET / HTTP/1.1' from 192.0.2.17 port 5011", 0,
	  "ssh-bad-protocol", F, NULL, "192.0.2.17", 5011, NULL, false, NULL, NULL },
	{ H "Bad protocol version identification 'x' from 6.6.6.6' from 192.0.2.18 port 5012", 0,
	  "ssh-bad-protocol", F, NULL, "192.0.2.18", 5012, NULL, false, NULL, NULL },
	{ H "Unable to negotiate with 192.0.2.19 port 5013: no matching key exchange method found. "
	    "Their offer: diffie-hellman-group1-sha1 [preauth]",
	  0, "ssh-kex-error", F, NULL, "192.0.2.19", 5013, NULL, false, NULL, NULL },
	{ H "error: kex_exchange_identification: Connection closed by remote host", 0,
	  "ssh-kex-error", F, NULL, NULL, 0, NULL, false, NULL, NULL },
	/* OpenSSH 8.5+ / 9.x forms */
	{ H "userauth_pubkey: key type ssh-rsa not in PubkeyAcceptedAlgorithms [preauth]", 0,
	  "ssh-kex-error", F, NULL, NULL, 0, NULL, false, NULL, NULL },
	{ H "userauth_hostbased: key type ssh-dss not in HostbasedAcceptedAlgorithms [preauth]", 0,
	  "ssh-kex-error", F, NULL, NULL, 0, NULL, false, NULL, NULL },
	{ H "error: kex_exchange_identification: client sent invalid protocol identifier "
	    "\"GET / HTTP/1.1\"", 0, "ssh-kex-error", F, NULL, NULL, 0, NULL, false, NULL, NULL },
	{ H "PAM 1 more authentication failure; logname= uid=0 euid=0 tty=ssh ruser= "
	    "rhost=192.0.2.90  user=root", 0, "ssh-pam-auth-failures", F, "root", "192.0.2.90", 0,
	  NULL, false, NULL, NULL },
	{ H "error: Received disconnect from 192.0.2.91 port 40009:3: "
	    "com.jcraft.jsch.JSchException: Auth fail [preauth]", 0, "ssh-preauth-disconnect", F,
	  NULL, "192.0.2.91", 40009, NULL, false, NULL, NULL },
	{ H "error: Protocol major versions differ for 192.0.2.92 port 40007: SSH-2.0-OpenSSH_9.6 "
	    "vs. SSH-1.5-Nmap", 0, "ssh-bad-protocol", F, NULL, "192.0.2.92", 40007, NULL, false,
	  NULL, NULL },
	{ H "Protocol major versions differ for 192.0.2.93: SSH-2.0-OpenSSH_5.3 vs. SSH-1.5-Nmap", 0,
	  "ssh-bad-protocol", F, NULL, "192.0.2.93", 0, NULL, false, NULL, NULL },
	{ H "ssh_dispatch_run_fatal: Connection from 192.0.2.20 port 5014: message authentication code "
	    "incorrect [preauth]",
	  0, "ssh-kex-error", F, NULL, "192.0.2.20", 5014, NULL, false, NULL, NULL },
	{ H "ssh_dispatch_run_fatal: Connection from authenticating user root 192.0.2.21 port 5015: "
	    "Connection corrupted [preauth]",
	  0, "ssh-kex-error", F, "root", "192.0.2.21", 5015, NULL, false, NULL, NULL },
	{ H "fatal: no matching mac found: client hmac-md5 server hmac-sha2-256 [preauth]", 0,
	  "ssh-kex-error", F, NULL, NULL, 0, NULL, false, NULL, NULL },
	{ H "User root from 192.0.2.22 not allowed because not listed in AllowUsers", 0,
	  "ssh-user-not-allowed", F, "root", "192.0.2.22", 0, NULL, false, NULL, NULL },
	{ H "User postgres not allowed because account is locked", 0, "ssh-user-not-allowed", F,
	  "postgres", NULL, 0, NULL, false, NULL, NULL },
	{ H "PAM 2 more authentication failures; logname= uid=0 euid=0 tty=ssh ruser= "
	    "rhost=192.0.2.23  user=root",
	  0, "ssh-pam-auth-failures", F, "root", "192.0.2.23", 0, NULL, false, NULL, NULL },
	{ H "error: PAM: Authentication failure for illegal user k from 192.0.2.24", 0,
	  "ssh-login-failed", F, "k", "192.0.2.24", 0, "keyboard-interactive", true, NULL, NULL },
	{ H "reverse mapping checking getaddrinfo for x.example [192.0.2.25] failed - POSSIBLE "
	    "BREAK-IN ATTEMPT!",
	  0, "ssh-reverse-mapping-failed", U, NULL, "192.0.2.25", 0, NULL, false, NULL, NULL },
	{ H "drop connection #3 from [192.0.2.26]:5016 on [10.0.0.1]:22 past MaxStartups", 0,
	  "ssh-maxstartups-drop", F, NULL, "192.0.2.26", 5016, NULL, false, NULL, NULL },
	/* Solaris message id prefix, OpenSSH 9.8 program name, rsyslog repeat compression. */
	{ "Mar 29 05:59:23 dusky sshd[20878]: [ID 800047 auth.info] Failed keyboard-interactive for "
	  "james from 192.0.2.27 port 42742 ssh2",
	  0, "ssh-login-failed", F, "james", "192.0.2.27", 42742, "keyboard-interactive", false, NULL,
	  NULL },
	{ "Nov 22 23:59:28 vm sshd-session[77]: Failed password for root from 192.0.2.28 port 1 ssh2", 0,
	  "ssh-login-failed", F, "root", "192.0.2.28", 1, "password", false, NULL, "sshd" },
	{ H "message repeated 3 times: [ Failed password for root from 192.0.2.29 port 2 ssh2]", 0,
	  "ssh-login-failed", F, "root", "192.0.2.29", 2, "password", false, NULL, NULL },
	/* LogPAI loghub OpenSSH shapes (OpenSSH 6.x era). */
	{ H "error: Received disconnect from 103.99.0.122: 14: No more user authentication methods "
	    "available. [preauth]",
	  0, "ssh-preauth-disconnect", F, NULL, "103.99.0.122", 0, NULL, false, NULL, NULL },
	{ H "fatal: Write failed: Connection reset by peer [preauth]", 0, "ssh-preauth-disconnect", F,
	  NULL, NULL, 0, NULL, false, NULL, NULL },
	{ H "PAM 5 more authentication failures; logname= uid=0 euid=0 tty=ssh ruser= "
	    "rhost=5.36.59.76.dynamic-dsl-ip.example.net  user=root",
	  0, "ssh-pam-auth-failures", F, "root", NULL, 0, NULL, false, NULL, NULL },
	/* "facility.level" between host and tag (some syslogds), OpenSSH 9.8 penalties. */
	{ "Jun 20 02:18:39 vps auth.info sshd[13482]: Invalid user admin from 2001:db8::a11:beef:7ac0", 0,
	  "ssh-invalid-user", F, "admin", "2001:db8::a11:beef:7ac0", 0, NULL, true, NULL, "sshd" },
	{ H "srclimit_penalise: ipv4: new 192.0.2.30/32 deferred penalty of 10 seconds for reason: "
	    "penalty: failed authentication",
	  0, "ssh-source-penalised", F, NULL, "192.0.2.30", 0, NULL, false, NULL, NULL },
	{ H "error: PAM: unknown user for illegal user mario from 192.0.2.31", 0, "ssh-login-failed", F,
	  "mario", "192.0.2.31", 0, "keyboard-interactive", true, NULL, NULL },
	{ H "ROOT LOGIN REFUSED FROM 2001:db8::a11:beef:7ac1 port 14423 [preauth]", 0,
	  "ssh-user-not-allowed", F, "root", "2001:db8::a11:beef:7ac1", 14423, NULL, false, NULL, NULL },
	{ H "Failed password for root from 2001:db8::a11:beef:7ac0%enp3s0 port 14423 ssh2", 0,
	  "ssh-login-failed", F, "root", "2001:db8::a11:beef:7ac0", 14423, "password", false, NULL,
	  NULL },
};

/* Lines that must not be failures (or must not be recognised at all). */
static const struct row not_failures[] = {
	{ H "Accepted password for labuser from 10.99.0.1 port 50420 ssh2", 0, "ssh-login-success", S,
	  "labuser", "10.99.0.1", 50420, "password", false, NULL, NULL },
	{ H "Accepted publickey for alice from 2001:db8::5 port 50000 ssh2: ED25519 SHA256:abcDEF", 0,
	  "ssh-login-success", S, "alice", "2001:db8::5", 50000, "publickey", false, NULL, NULL },
	{ H "Accepted keyboard-interactive/pam for bob from 192.0.2.30 port 3 ssh2", 0,
	  "ssh-login-success", S, "bob", "192.0.2.30", 3, "keyboard-interactive", false, NULL, NULL },
	/* A logged-in session closing is not a preauth probe. */
	{ H "Connection closed by 10.0.0.1 port 22", 0, "ssh-disconnect", U, NULL, "10.0.0.1", 22, NULL,
	  false, NULL, NULL },
	{ H "Received disconnect from 10.99.0.1 port 50420:11: disconnected by user", 0,
	  "ssh-disconnect", U, NULL, "10.99.0.1", 50420, NULL, false, NULL, NULL },
	{ H "Disconnected from user labuser 10.99.0.1 port 50420", 0, "ssh-disconnect", U, "labuser",
	  "10.99.0.1", 50420, NULL, false, NULL, NULL },
	{ H "Postponed publickey for git from 192.0.2.1 port 57904 ssh2 [preauth]", 0,
	  "ssh-auth-postponed", U, "git", "192.0.2.1", 57904, "publickey", false, NULL, NULL },
	{ H "Connection from 10.99.0.1 port 50346 on 10.99.0.2 port 22 rdomain \"\"", 0,
	  "ssh-connection", U, NULL, "10.99.0.1", 50346, NULL, false, NULL, NULL },
	{ H "Server listening on 0.0.0.0 port 22.", 0, "ssh-server-start", S, NULL, NULL, 0, NULL,
	  false, NULL, NULL },
	{ H "error: Could not get shadow information for NOUSER", VG_ENOTSUP, NULL, N, NULL, NULL, 0,
	  NULL, false, NULL, NULL },
	{ H "input_userauth_request: invalid user root [preauth]", VG_ENOTSUP, NULL, N, NULL, NULL, 0,
	  NULL, false, NULL, NULL },
	{ H "User child is on pid 18239", VG_ENOTSUP, NULL, N, NULL, NULL, 0, NULL, false, NULL, NULL },
	/* Almost-forms: the fixed words must be there. */
	{ H "Failed to start session", VG_ENOTSUP, NULL, N, NULL, NULL, 0, NULL, false, NULL, NULL },
	{ H "Failed password for root", VG_ENOTSUP, NULL, N, NULL, NULL, 0, NULL, false, NULL, NULL },
	{ H "Invalid user admin", VG_ENOTSUP, NULL, N, NULL, NULL, 0, NULL, false, NULL, NULL },
	/* The same text from another program is not sshd's. */
	{ "Nov 22 23:59:28 vm myapp[9]: Failed password for root from 192.0.2.1 port 1 ssh2",
	  VG_ENOTSUP, NULL, N, NULL, NULL, 0, NULL, false, NULL, NULL },
};

static void test_failures(void **state)
{
	(void)state;
	RUN_ROWS(failures);
}

static void test_not_failures(void **state)
{
	(void)state;
	RUN_ROWS(not_failures);
}

/* The key info and the event mapping of one line. */
static void test_event(void **state)
{
	(void)state;
	struct vg_log_entry *e = malloc(sizeof(*e));
	assert_non_null(e);
	struct vg_log_opts o;
	vg_logs_opts_init(&o);
	o.now_us = 1795392000LL * 1000000; /* 2026-11-23T00:00:00Z */
	const char *l = H "Failed publickey for root from 203.0.113.9 port 41022 ssh2: RSA SHA256:Ab";
	assert_int_equal(vg_logs_parse_line(l, strlen(l), &o, e), 0);
	assert_string_equal(e->key_info, "RSA SHA256:Ab");
	struct vg_event ev;
	vg_logs_entry_to_event(e, &ev);
	assert_int_equal(ev.type, VG_EVT_LOG);
	assert_string_equal(ev.category, "authentication");
	assert_string_equal(ev.action, "ssh-login-failed");
	assert_int_equal(ev.outcome, VG_OUTCOME_FAILURE);
	assert_string_equal(ev.user, "root");
	assert_string_equal(ev.host, "vm");
	assert_string_equal(ev.service, "sshd");
	assert_string_equal(ev.process, "sshd");
	assert_int_equal(ev.pid, 123);
	assert_int_equal(ev.sport, 41022);
	assert_string_equal(ev.message, l);
	/* Nov 22 23:59:28 of 2026, UTC. */
	assert_int_equal(ev.ts_us, 1795391968LL * 1000000);
	free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_failures),
		cmocka_unit_test(test_not_failures),
		cmocka_unit_test(test_event),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
