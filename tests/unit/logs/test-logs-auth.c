/* PAM, sudo, su and login(1) tables: who (user), for whom (target), from where, what
 * happened — and the lines that must stay unrecognised or be successes. */
#include "test-logs-table.h"

#define H "Nov 22 10:00:00 h "
#define F VG_OUTCOME_FAILURE
#define S VG_OUTCOME_SUCCESS
#define N VG_OUTCOME_NONE

static const struct row pam_rows[] = {
	{ H "sshd[2]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh "
	    "ruser= rhost=1.2.3.4  user=root",
	  0, "pam-auth-failure", F, "root", "1.2.3.4", 0, NULL, false, NULL, "pam" },
	{ H "sshd[2]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh "
	    "ruser= rhost=2001:db8::9",
	  0, "pam-auth-failure", F, NULL, "2001:db8::9", 0, NULL, false, NULL, "pam" },
	{ H "sshd[2]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh "
	    "ruser=rda rhost=192.0.2.113 [preauth]",
	  0, "pam-auth-failure", F, "rda", "192.0.2.113", 0, NULL, false, NULL, NULL },
	{ H "sshd[2]: pam_sss(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh "
	    "ruser= rhost=192.0.2.7 user=x",
	  0, "pam-auth-failure", F, "x", "192.0.2.7", 0, NULL, false, NULL, NULL },
	{ H "sshd[2]: pam_sss(sshd:auth): received for user bob: 7 (Authentication failure)", 0,
	  "pam-auth-failure", F, "bob", NULL, 0, NULL, false, NULL, NULL },
	{ H "sshd[2]: pam_unix(sshd:auth): check pass; user unknown", 0, "pam-user-unknown", F, NULL,
	  NULL, 0, NULL, false, NULL, NULL },
	{ H "sshd[2]: pam_faillock(sshd:auth): Consecutive login failures for user root account "
	    "temporarily locked",
	  0, "pam-account-locked", F, "root", NULL, 0, NULL, false, NULL, NULL },
	{ H "sshd[2]: pam_tally2(sshd:auth): user root (0) tally 4, deny 3", 0, "pam-account-locked",
	  F, "root", NULL, 0, NULL, false, NULL, NULL },
	/* Old forms: "(pam_unix)" and a "prog(pam_unix)" tag. */
	{ H "proftpd: (pam_unix) authentication failure; logname= uid=0 euid=0 tty= ruser= "
	    "rhost=192.0.2.62  user=mark",
	  0, "pam-auth-failure", F, "mark", "192.0.2.62", 0, NULL, false, NULL, NULL },
	{ H "pop(pam_unix)[4920]: authentication failure; logname= uid=0 euid=0 tty= ruser= "
	    "rhost=192.0.2.3 user=mailuser",
	  0, "pam-auth-failure", F, "mailuser", "192.0.2.3", 0, NULL, false, NULL, NULL },
	/* A host name in rhost is not an address. */
	{ H "vsftpd: pam_unix(vsftpd:auth): authentication failure; logname= uid=0 euid=0 tty=ftp "
	    "ruser=an8767 rhost=www3.example.com",
	  0, "pam-auth-failure", F, "an8767", NULL, 0, NULL, false, NULL, NULL },
	/* Sessions are successes, not failures. */
	{ H "sshd[2]: pam_unix(sshd:session): session opened for user labuser(uid=1000) by (uid=0)", 0,
	  "pam-session-open", S, "labuser", NULL, 0, NULL, false, NULL, NULL },
	{ H "CRON[1]: pam_unix(cron:session): session closed for user root", 0, "pam-session-close",
	  S, "root", NULL, 0, NULL, false, NULL, NULL },
	/* Old Red Hat "prog(pam_unix)[pid]" tags (LogPAI loghub Linux). */
	{ H "sshd(pam_unix)[19939]: authentication failure; logname= uid=0 euid=0 tty=NODEVssh ruser= "
	    "rhost=218.188.2.4 ",
	  0, "pam-auth-failure", F, NULL, "218.188.2.4", 0, NULL, false, NULL, "pam" },
	{ H "su(pam_unix)[21416]: session opened for user cyrus by (uid=0)", 0, "pam-session-open", S,
	  "cyrus", NULL, 0, NULL, false, NULL, NULL },
	{ H "sshd[2]: pam_unix(sshd:auth): conversation failed", VG_ENOTSUP, NULL, N, NULL, NULL, 0,
	  NULL, false, NULL, NULL },
	{ H "systemd-logind[2]: New session 5 of user alice.", VG_ENOTSUP, NULL, N, NULL, NULL, 0, NULL,
	  false, NULL, NULL },
};

static const struct row sudo_rows[] = {
	{ H "sudo:   alice : 3 incorrect password attempts ; TTY=pts/0 ; PWD=/home/alice ; USER=root ; "
	    "COMMAND=/bin/bash",
	  0, "sudo-auth-failure", F, "alice", NULL, 0, NULL, false, "root", "sudo" },
	{ H "sudo[77]: carol : 1 incorrect password attempt ; TTY=pts/2 ; PWD=/ ; USER=root ; "
	    "COMMAND=/bin/ls",
	  0, "sudo-auth-failure", F, "carol", NULL, 0, NULL, false, "root", NULL },
	{ H "sudo:     bob : user NOT in sudoers ; TTY=pts/1 ; PWD=/home/bob ; USER=root ; "
	    "COMMAND=/usr/bin/id",
	  0, "sudo-not-in-sudoers", F, "bob", NULL, 0, NULL, false, "root", NULL },
	{ H "sudo: bob : user NOT authorized on host ; TTY=pts/1 ; PWD=/ ; USER=root ; COMMAND=/bin/sh",
	  0, "sudo-not-in-sudoers", F, "bob", NULL, 0, NULL, false, "root", NULL },
	{ H "sudo: dave : HOST=h : command not allowed ; TTY=pts/3 ; PWD=/ ; USER=root ; "
	    "COMMAND=/bin/sh",
	  0, "sudo-command-denied", F, "dave", NULL, 0, NULL, false, "root", NULL },
	{ H "sudo: erin : a password is required ; TTY=unknown ; PWD=/ ; USER=root ; COMMAND=/bin/true",
	  0, "sudo-auth-failure", F, "erin", NULL, 0, NULL, false, "root", NULL },
	/* A command that ran is a success, whatever its text holds. */
	{ H "sudo: alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/bin/echo 3 incorrect "
	    "password attempts ; x",
	  0, "sudo-command", S, "alice", NULL, 0, NULL, false, "root", NULL },
	{ H "sudo: alice : PWD=/ ; USER=postgres ; GROUP=postgres ; TSID=000001 ; COMMAND=/usr/bin/psql",
	  0, "sudo-command", S, "alice", NULL, 0, NULL, false, "postgres", NULL },
	{ H "sudo: pam_unix(sudo:auth): authentication failure; logname=alice uid=1000 euid=0 "
	    "tty=/dev/pts/0 ruser=alice rhost=  user=alice",
	  0, "pam-auth-failure", F, "alice", NULL, 0, NULL, false, NULL, "pam" },
	{ H "sudo: unable to resolve host foo: Name or service not known", VG_ENOTSUP, NULL, N, NULL,
	  NULL, 0, NULL, false, NULL, NULL },
	{ H "sudo: alice : some new message ; with no fields", VG_ENOTSUP, NULL, N, NULL, NULL, 0, NULL,
	  false, NULL, NULL },
};

static const struct row su_rows[] = {
	{ H "su: FAILED SU (to root) alice on pts/0", 0, "su-failure", F, "alice", NULL, 0, NULL, false,
	  "root", "su" },
	{ H "su[9]: (to root) alice on pts/1", 0, "su-success", S, "alice", NULL, 0, NULL, false, "root",
	  "su" },
	{ H "su: Successful su for root by alice", 0, "su-success", S, "alice", NULL, 0, NULL, false,
	  "root", NULL },
	{ H "su: FAILED su for root by mallory", 0, "su-failure", F, "mallory", NULL, 0, NULL, false,
	  "root", NULL },
	{ H "su: + pts/1 alice:root", 0, "su-success", S, "alice", NULL, 0, NULL, false, "root", NULL },
	{ H "su: - pts/1 mallory:root", 0, "su-failure", F, "mallory", NULL, 0, NULL, false, "root",
	  NULL },
	{ H "su: BAD SU mallory to root on /dev/ttyp0", 0, "su-failure", F, "mallory", NULL, 0, NULL,
	  false, "root", NULL },
	{ H "su[9]: pam_unix(su:auth): authentication failure; logname=alice uid=1000 euid=0 tty=pts/0 "
	    "ruser=alice rhost=  user=root",
	  0, "pam-auth-failure", F, "alice", NULL, 0, NULL, false, "root", "pam" },
	{ H "su: pam_authenticate: Authentication failure", VG_ENOTSUP, NULL, N, NULL, NULL, 0, NULL,
	  false, NULL, NULL },
	{ H "login[1]: FAILED LOGIN (1) on '/dev/tty1' FOR 'root', Authentication failure", 0,
	  "login-failure", F, "root", NULL, 0, NULL, false, NULL, "login" },
	{ H "login[1]: FAILED LOGIN 1 FROM 192.0.2.5 FOR admin, Authentication failure", 0,
	  "login-failure", F, "admin", "192.0.2.5", 0, NULL, false, NULL, NULL },
	{ H "login[1]: FAILED LOGIN 1 FROM (null) FOR root, Authentication failure", 0, "login-failure",
	  F, "root", NULL, 0, NULL, false, NULL, NULL },
	{ H "login[1]: ROOT LOGIN ON tty1", 0, "login-success", S, "root", NULL, 0, NULL, false, NULL,
	  NULL },
};

static void test_pam(void **state)
{
	(void)state;
	RUN_ROWS(pam_rows);
}

static void test_sudo(void **state)
{
	(void)state;
	RUN_ROWS(sudo_rows);
}

static void test_su_login(void **state)
{
	(void)state;
	RUN_ROWS(su_rows);
}

/* sudo's other fields and the PAM service. */
static void test_fields(void **state)
{
	(void)state;
	struct vg_log_entry *e = malloc(sizeof(*e));
	assert_non_null(e);
	const char *l = H "sudo:   alice : 3 incorrect password attempts ; TTY=pts/0 ; PWD=/home/alice "
			  "; USER=root ; COMMAND=/usr/bin/apt install x ; y";
	assert_int_equal(vg_logs_parse_line(l, strlen(l), NULL, e), 0);
	assert_int_equal(e->attempts, 3);
	assert_string_equal(e->tty, "pts/0");
	assert_string_equal(e->cwd, "/home/alice");
	assert_string_equal(e->command, "/usr/bin/apt install x ; y");
	assert_string_equal(e->service, "sudo");
	l = H "su: pam_unix(su-l:session): session opened for user root(uid=0) by alice(uid=1000)";
	assert_int_equal(vg_logs_parse_line(l, strlen(l), NULL, e), 0);
	assert_string_equal(e->service, "su-l");
	assert_string_equal(e->user, "alice");
	assert_string_equal(e->target_user, "root");
	free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pam),
		cmocka_unit_test(test_sudo),
		cmocka_unit_test(test_su_login),
		cmocka_unit_test(test_fields),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
