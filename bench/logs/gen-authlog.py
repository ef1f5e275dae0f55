#!/usr/bin/python3
"""gen-authlog.py — a deterministic (seeded) auth log with the line shapes of real
rsyslog /var/log/auth.log files: OpenSSH (failed/accepted passwords and keys, invalid
users, preauth disconnects, max auth attempts, no identification string), PAM
(pam_unix auth failures and sessions) and sudo (commands, wrong passwords). Addresses
are IPv4 and IPv6; users, ports, pids and hosts vary; timestamps move forward.

A few hundred attacking sources each try many passwords (SSH brute force per source:
what the benchmark's detectors look for); most sources are benign users with a stray
mistyped password now and then.

usage: gen-authlog.py [--lines N] [--seed S] [--truth FILE] OUT
  --truth writes the attacking sources (one per line) for checking detections."""
import argparse
import random
import calendar
import time

MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
BAD_USERS = ["root", "admin", "test", "oracle", "ubuntu", "postgres", "user", "guest",
             "ftpuser", "pi", "git", "mysql", "deploy", "support", "jenkins", "hadoop",
             "nagios", "tomcat", "minecraft", "steam", "ansible", "vagrant", "backup", "www"]
GOOD_USERS = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan",
              "judy", "mallory", "oscar", "peggy", "trent", "victor", "walter", "ops",
              "ci-runner", "svc-backup", "admin"]
HOSTS = ["web-01", "web-02", "db-01", "bastion", "hv-a12", "hv-b07", "ctl-01", "ctl-02"]
CMDS = ["/usr/bin/apt update", "/usr/bin/systemctl restart nginx", "/usr/bin/journalctl -u ssh",
        "/bin/cat /var/log/syslog", "/usr/sbin/nft list ruleset", "/usr/bin/docker ps"]
KEYS = ["ED25519 SHA256:Fh3v2Y7cQy0bJk8T4h5e2m1u9nXoPq6rS3dLwZxVbNc",
        "RSA SHA256:q7Xn0dZsWb3Kc5mHf2Lr8Tp1Vy6Gu4Ja9EiOoNkMhQs",
        "ECDSA SHA256:aB3dE5fG7hI9jK1lM3nO5pQ7rS9tU1vW3xY5zA7bC9d"]


def ipv4(r):
    return "%d.%d.%d.%d" % (r.choice([45, 61, 80, 103, 141, 185, 193, 212, 218, 222]),
                            r.randrange(256), r.randrange(256), r.randrange(1, 255))


def ipv6(r):
    return "2001:db8:%x:%x::%x" % (r.randrange(65536), r.randrange(65536), r.randrange(1, 65536))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, default=1000000)
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--truth")
    ap.add_argument("out")
    a = ap.parse_args()
    r = random.Random(a.seed)
    attackers = [ipv4(r) if r.random() < 0.8 else ipv6(r) for _ in range(400)]
    benign = [("10.%d.%d.%d" % (r.randrange(256), r.randrange(256), r.randrange(1, 255)))
              if r.random() < 0.7 else ("fd00:%x::%x" % (r.randrange(65536), r.randrange(1, 65536)))
              for _ in range(2000)]
    # 2026-11-01 00:00:00 UTC onward, about 2 lines per second on average
    t = calendar.timegm((2026, 11, 1, 0, 0, 0, 0, 0, 0))
    pid = 20000
    out = []
    n = 0
    fired = set()

    def stamp():
        tm = time.gmtime(t)
        return "%s %2d %02d:%02d:%02d" % (MONTHS[tm.tm_mon - 1], tm.tm_mday, tm.tm_hour,
                                          tm.tm_min, tm.tm_sec)

    def emit(host, prog, text):
        nonlocal n
        out.append("%s %s %s: %s\n" % (stamp(), host, prog, text))
        n += 1

    with open(a.out, "w") as f:
        while n < a.lines:
            t += r.expovariate(2.0)
            pid += r.randrange(1, 7)
            if pid > 4000000:
                pid = 20000
            host = r.choice(HOSTS)
            sshd = "sshd[%d]" % pid
            x = r.random()
            if x < 0.45:  # an attack session: several failures from one source
                src = r.choice(attackers)
                fired.add(src)
                port = r.randrange(1024, 65536)
                user = r.choice(BAD_USERS)
                invalid = user not in ("root", "admin", "ubuntu", "postgres")
                if invalid:
                    emit(host, sshd, "Invalid user %s from %s port %d" % (user, src, port))
                for _ in range(r.randrange(1, 4)):
                    emit(host, sshd, "Failed password for %s%s from %s port %d ssh2"
                         % ("invalid user " if invalid else "", user, src, port))
                if r.random() < 0.3:
                    emit(host, sshd, "error: maximum authentication attempts exceeded for %s%s "
                         "from %s port %d ssh2 [preauth]"
                         % ("invalid user " if invalid else "", user, src, port))
                elif r.random() < 0.5:
                    emit(host, sshd, "pam_unix(sshd:auth): authentication failure; logname= "
                         "uid=0 euid=0 tty=ssh ruser= rhost=%s  user=%s" % (src, user))
                emit(host, sshd, "Connection closed by %s %s %s port %d [preauth]"
                     % ("invalid user" if invalid else "authenticating user", user, src, port))
            elif x < 0.50:
                src = r.choice(attackers)
                emit(host, sshd, "Did not receive identification string from %s port %d"
                     % (src, r.randrange(1024, 65536)))
            elif x < 0.80:  # a benign login and session
                src = r.choice(benign)
                user = r.choice(GOOD_USERS)
                port = r.randrange(1024, 65536)
                if r.random() < 0.1:
                    emit(host, sshd, "Failed password for %s from %s port %d ssh2" % (user, src, port))
                if r.random() < 0.6:
                    emit(host, sshd, "Accepted publickey for %s from %s port %d ssh2: %s"
                         % (user, src, port, r.choice(KEYS)))
                else:
                    emit(host, sshd, "Accepted password for %s from %s port %d ssh2" % (user, src, port))
                emit(host, sshd, "pam_unix(sshd:session): session opened for user %s(uid=%d) by (uid=0)"
                     % (user, 1000 + GOOD_USERS.index(user)))
                emit(host, sshd, "Received disconnect from %s port %d:11: disconnected by user" % (src, port))
                emit(host, sshd, "Disconnected from user %s %s port %d" % (user, src, port))
                emit(host, sshd, "pam_unix(sshd:session): session closed for user %s" % user)
            else:  # sudo
                user = r.choice(GOOD_USERS)
                sp = "sudo"
                if r.random() < 0.15:
                    emit(host, sp, "pam_unix(sudo:auth): authentication failure; logname=%s "
                         "uid=%d euid=0 tty=/dev/pts/%d ruser=%s rhost=  user=%s"
                         % (user, 1000 + GOOD_USERS.index(user), r.randrange(8), user, user))
                emit(host, sp, "%8s : TTY=pts/%d ; PWD=/home/%s ; USER=root ; COMMAND=%s"
                     % (user, r.randrange(8), user, r.choice(CMDS)))
                emit(host, sp, "pam_unix(sudo:session): session opened for user root(uid=0) by %s(uid=%d)"
                     % (user, 1000 + GOOD_USERS.index(user)))
                emit(host, sp, "pam_unix(sudo:session): session closed for user root")
            if len(out) >= 10000:
                f.writelines(out)
                out = []
        f.writelines(out[: max(0, len(out) - (n - a.lines))])
    if a.truth:
        with open(a.truth, "w") as f:
            for s in sorted(fired):
                f.write(s + "\n")


if __name__ == "__main__":
    main()
