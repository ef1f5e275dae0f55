/* IoC sets: every indicator type matched and not matched where it must not be (CIDR
 * edges, subdomains vs. lookalikes, IPv6, URL normal forms), bad lines reported with
 * file:line and reason without stopping the load, lists from files and from the config,
 * reload by publishing a new set, and the alert helper. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <jansson.h>

#include "core/core-error.h"
#include "core/limits.h"
#include "detect/detect-ioc.h"

static struct vg_ioc_set *build(const char *name, enum vg_ioc_type type, bool exact,
				const char *text, struct vg_buf *report)
{
	struct vg_ioc_builder *b;
	assert_int_equal(vg_ioc_builder_new(&b), 0);
	struct vg_ioc_list_spec sp = { name, type, NULL, exact };
	assert_int_equal(vg_ioc_builder_add_text(b, &sp, text, strlen(text), report), 0);
	struct vg_ioc_set *s;
	assert_int_equal(vg_ioc_builder_finish(b, &s), 0);
	return s;
}

static int addr_match(const struct vg_ioc_set *s, const char *a, struct vg_ioc_match *m)
{
	struct vg_addr ad;
	assert_int_equal(vg_addr_parse(a, strlen(a), &ad), 0);
	return vg_ioc_match_addr(s, &ad, m);
}

static void test_addr_cidr(void **state)
{
	(void)state;
	struct vg_buf rep;
	vg_buf_init(&rep, 0);
	struct vg_ioc_set *s = build("bad-ips", VG_IOC_ADDR, false,
				     "# abuse list\n"
				     "192.0.2.7\n"
				     "198.51.100.0/24\n"
				     "203.0.113.128/25  # upper half only\n"
				     "10.0.0.0/8\n"
				     "10.1.2.0/24\n"
				     "2001:db8:bad::/48\n"
				     "2001:db8::1\n"
				     "::ffff:192.0.2.99\n",
				     &rep);
	assert_int_equal(rep.len, 0);
	struct vg_ioc_match m;
	assert_int_equal(addr_match(s, "192.0.2.7", &m), 0);
	assert_string_equal(m.indicator, "192.0.2.7");
	assert_string_equal(m.list, "bad-ips");
	assert_int_equal(m.type, VG_IOC_ADDR);
	/* neighbours of a host entry do not match */
	assert_int_equal(addr_match(s, "192.0.2.6", &m), VG_ENOENT);
	assert_int_equal(addr_match(s, "192.0.2.8", &m), VG_ENOENT);
	assert_null(m.indicator);
	/* CIDR edges: first and last address inside, one outside each end */
	assert_int_equal(addr_match(s, "198.51.100.0", &m), 0);
	assert_string_equal(m.indicator, "198.51.100.0/24");
	assert_int_equal(addr_match(s, "198.51.100.255", &m), 0);
	assert_int_equal(addr_match(s, "198.51.99.255", &m), VG_ENOENT);
	assert_int_equal(addr_match(s, "198.51.101.0", &m), VG_ENOENT);
	assert_int_equal(addr_match(s, "203.0.113.128", &m), 0);
	assert_int_equal(addr_match(s, "203.0.113.255", &m), 0);
	assert_int_equal(addr_match(s, "203.0.113.127", &m), VG_ENOENT);
	/* longest prefix wins */
	assert_int_equal(addr_match(s, "10.1.2.3", &m), 0);
	assert_string_equal(m.indicator, "10.1.2.0/24");
	assert_int_equal(addr_match(s, "10.200.0.1", &m), 0);
	assert_string_equal(m.indicator, "10.0.0.0/8");
	assert_int_equal(addr_match(s, "11.0.0.0", &m), VG_ENOENT);
	/* IPv6 */
	assert_int_equal(addr_match(s, "2001:db8:bad:ffff::1", &m), 0);
	assert_string_equal(m.indicator, "2001:db8:bad::/48");
	assert_int_equal(addr_match(s, "2001:db8:bae::", &m), VG_ENOENT);
	assert_int_equal(addr_match(s, "2001:db8::1", &m), 0);
	assert_string_equal(m.indicator, "2001:db8::1");
	assert_int_equal(addr_match(s, "2001:db8::2", &m), VG_ENOENT);
	/* IPv4-mapped on either side is IPv4; an IPv4 entry never matches an unrelated v6 */
	assert_int_equal(addr_match(s, "192.0.2.99", &m), 0);
	assert_string_equal(m.indicator, "192.0.2.99");
	assert_int_equal(addr_match(s, "::ffff:192.0.2.7", &m), 0);
	assert_int_equal(addr_match(s, "::c000:207", &m), VG_ENOENT);
	struct vg_ioc_stats st;
	vg_ioc_get_stats(s, &st);
	assert_int_equal(st.indicators, 8);
	assert_int_equal(st.by_type[VG_IOC_ADDR], 8);
	assert_int_equal(st.addr_prefix_lengths, 6); /* v4 32,24,25,8; v6 48,128 */
	vg_ioc_set_free(s);
	vg_buf_free(&rep);
}

static void test_addr_edges(void **state)
{
	(void)state;
	struct vg_buf rep;
	vg_buf_init(&rep, 0);
	/* host bits set in the text are cleared; /32 and /128 are hosts; /1 and /0 */
	struct vg_ioc_set *s = build("x", VG_IOC_ADDR, false,
				     "172.16.5.77/12\n8.8.8.8/32\n128.0.0.0/1\n0.0.0.0/0\n::/0\n"
				     "fe80::1/128\n",
				     &rep);
	struct vg_ioc_match m;
	assert_int_equal(addr_match(s, "172.31.255.255", &m), 0);
	assert_string_equal(m.indicator, "172.16.0.0/12");
	assert_int_equal(addr_match(s, "172.32.0.0", &m), 0); /* outside the /12, inside the /1 */
	assert_string_equal(m.indicator, "128.0.0.0/1");
	assert_int_equal(addr_match(s, "8.8.8.8", &m), 0);
	assert_string_equal(m.indicator, "8.8.8.8");
	assert_int_equal(addr_match(s, "200.1.1.1", &m), 0);
	assert_string_equal(m.indicator, "128.0.0.0/1");
	assert_int_equal(addr_match(s, "127.255.255.255", &m), VG_ENOENT);
	assert_int_equal(addr_match(s, "fe80::1", &m), 0);
	assert_int_equal(addr_match(s, "fe80::2", &m), VG_ENOENT);
	/* /0 refused (it would match everything), both families, reported with the line */
	assert_non_null(strstr(vg_buf_cstr(&rep), ":4: prefix /0 would match every address: '0.0.0.0/0'"));
	assert_non_null(strstr(vg_buf_cstr(&rep), ":5: prefix /0"));
	struct vg_ioc_list_stats ls;
	assert_int_equal(vg_ioc_list_stats(s, 0, &ls), 0);
	assert_int_equal(ls.loaded, 4);
	assert_int_equal(ls.bad_lines, 2);
	assert_int_equal(ls.lines, 6);
	vg_ioc_set_free(s);
	/* nested CIDRs: the most specific enclosing one wins, past siblings that end earlier */
	s = build("nest", VG_IOC_ADDR, false,
		  "10.0.0.0/8\n10.1.0.0/16\n10.1.2.0/24\n10.1.3.0/24\n10.1.3.128/25\n10.9.0.0/16\n"
		  "2001:db8::/32\n2001:db8:0:1::/64\n2001:db8:0:1:8000::/65\n2001:db8:ffff::/48\n",
		  &rep);
	static const char *const cases[][2] = {
		{ "10.1.4.1", "10.1.0.0/16" },      { "10.2.0.0", "10.0.0.0/8" },
		{ "10.1.2.255", "10.1.2.0/24" },    { "10.1.3.127", "10.1.3.0/24" },
		{ "10.1.3.128", "10.1.3.128/25" },  { "10.9.255.255", "10.9.0.0/16" },
		{ "10.10.0.0", "10.0.0.0/8" },      { "10.255.255.255", "10.0.0.0/8" },
		{ "2001:db8:0:1:7fff::1", "2001:db8:0:1::/64" },
		{ "2001:db8:0:1:8000::", "2001:db8:0:1:8000::/65" },
		{ "2001:db8:0:2::", "2001:db8::/32" }, { "2001:db8:ffff:1::", "2001:db8:ffff::/48" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(addr_match(s, cases[i][0], &m), 0);
		assert_string_equal(m.indicator, cases[i][1]);
	}
	assert_int_equal(addr_match(s, "9.255.255.255", &m), VG_ENOENT);
	assert_int_equal(addr_match(s, "11.0.0.0", &m), VG_ENOENT);
	assert_int_equal(addr_match(s, "2001:db9::", &m), VG_ENOENT);
	assert_int_equal(addr_match(s, "2001:db7:ffff::", &m), VG_ENOENT);
	/* bad arguments */
	struct vg_addr none = { 0 };
	assert_int_equal(vg_ioc_match_addr(s, &none, &m), VG_EINVAL);
	assert_int_equal(vg_ioc_match_addr(NULL, &none, &m), VG_EINVAL);
	struct vg_addr a;
	vg_addr_parse("8.8.8.8", 7, &a);
	assert_int_equal(vg_ioc_match_addr(NULL, &a, &m), VG_ENOENT);
	vg_ioc_set_free(s);
	vg_buf_free(&rep);
}

static void test_domains(void **state)
{
	(void)state;
	struct vg_buf rep;
	vg_buf_init(&rep, 0);
	struct vg_ioc_set *s = build("c2", VG_IOC_DOMAIN, false,
				     "Evil.Example.\n"          /* + subdomains */
				     "*.wild.test\n"            /* subdomains only */
				     ".dot.test\n"              /* same */
				     "xn--80ak6aa92e.com\n"
				     "a.b.c.d.deep.test\n",
				     &rep);
	assert_int_equal(rep.len, 0);
	struct vg_ioc_match m;
#define DOM(n) vg_ioc_match_domain(s, n, strlen(n), &m)
	assert_int_equal(DOM("evil.example"), 0);
	assert_string_equal(m.indicator, "evil.example");
	assert_false(m.subdomain);
	assert_int_equal(DOM("EVIL.example."), 0);
	assert_int_equal(DOM("www.evil.example"), 0);
	assert_true(m.subdomain);
	assert_string_equal(m.indicator, "evil.example");
	assert_string_equal(m.list, "c2");
	assert_int_equal(DOM("a.b.c.evil.example"), 0);
	/* lookalikes: label-wise, not string suffixes */
	assert_int_equal(DOM("notevil.example"), VG_ENOENT);
	assert_int_equal(DOM("evil.example.com"), VG_ENOENT);
	assert_int_equal(DOM("evil-example"), VG_ENOENT);
	assert_int_equal(DOM("example"), VG_ENOENT);
	assert_int_equal(DOM("evilexample"), VG_ENOENT);
	/* subdomain-only forms */
	assert_int_equal(DOM("wild.test"), VG_ENOENT);
	assert_int_equal(DOM("x.wild.test"), 0);
	assert_int_equal(DOM("dot.test"), VG_ENOENT);
	assert_int_equal(DOM("y.z.dot.test"), 0);
	assert_int_equal(DOM("xdot.test"), VG_ENOENT);
	/* deep entry: parents do not match */
	assert_int_equal(DOM("c.d.deep.test"), VG_ENOENT);
	assert_int_equal(DOM("q.a.b.c.d.deep.test"), 0);
	assert_string_equal(m.indicator, "a.b.c.d.deep.test");
	/* HTTP host with a port */
	assert_int_equal(DOM("evil.example:8080"), 0);
	assert_int_equal(DOM("xn--80ak6aa92e.com"), 0);
	assert_int_equal(vg_ioc_match_domain(s, "", 0, &m), VG_EINVAL);
	/* only dots (more labels than any name has; found by fuzz-ioc) and over-long names */
	char dots[300];
	memset(dots, '.', sizeof(dots));
	assert_int_equal(vg_ioc_match_domain(s, dots, 253, &m), VG_ENOENT);
	assert_int_equal(vg_ioc_match_domain(s, dots, 300, &m), VG_EINVAL);
	/* SNI lookups fall back to domain lists */
	assert_int_equal(vg_ioc_match_sni(s, "cdn.evil.example", 16, &m), 0);
	assert_int_equal(m.type, VG_IOC_DOMAIN);
#undef DOM
	vg_ioc_set_free(s);

	/* exact lists: bare names do not cover subdomains, "*." still does */
	s = build("exact", VG_IOC_DOMAIN, true, "evil.example\n*.wild.test\n", &rep);
	assert_int_equal(vg_ioc_match_domain(s, "evil.example", 12, &m), 0);
	assert_int_equal(vg_ioc_match_domain(s, "www.evil.example", 16, &m), VG_ENOENT);
	assert_int_equal(vg_ioc_match_domain(s, "a.wild.test", 11, &m), 0);
	vg_ioc_set_free(s);
	vg_buf_free(&rep);
}

static void test_sni_ja3_url(void **state)
{
	(void)state;
	struct vg_buf rep;
	vg_buf_init(&rep, 0);
	struct vg_ioc_builder *b;
	assert_int_equal(vg_ioc_builder_new(&b), 0);
	struct vg_ioc_list_spec sni = { "sslbl-sni", VG_IOC_SNI, "sni.txt", false };
	struct vg_ioc_list_spec ja3 = { "sslbl-ja3", VG_IOC_JA3, "ja3.txt", false };
	struct vg_ioc_list_spec ja3s = { "ja3s", VG_IOC_JA3S, "ja3s.txt", false };
	struct vg_ioc_list_spec url = { "urlhaus", VG_IOC_URL, "urls.txt", false };
	const char *t1 = "bad-tls.test\n";
	const char *t2 = "E7D705A3286E19EA42F587B344EE6865\n72a589da586844d7f0818ce684948eea\n";
	const char *t3 = "e35df3e00ca4ef31d42b34bebaa2f86e\n";
	const char *t4 = "HTTP://Mal.Example:80/a/./b/../payload.exe\n"
			 "https://mal.example:443/x?q=%7e1#frag\n"
			 "http://mal.example:8080/\n"
			 "mal2.example/dl%2fx\n"
			 "http://user:pw@mal3.example/p\n";
	assert_int_equal(vg_ioc_builder_add_text(b, &sni, t1, strlen(t1), &rep), 0);
	assert_int_equal(vg_ioc_builder_add_text(b, &ja3, t2, strlen(t2), &rep), 0);
	assert_int_equal(vg_ioc_builder_add_text(b, &ja3s, t3, strlen(t3), &rep), 0);
	assert_int_equal(vg_ioc_builder_add_text(b, &url, t4, strlen(t4), &rep), 0);
	struct vg_ioc_set *s;
	assert_int_equal(vg_ioc_builder_finish(b, &s), 0);
	assert_int_equal(rep.len, 0);
	struct vg_ioc_match m;
	/* SNI lists match SNI only */
	assert_int_equal(vg_ioc_match_sni(s, "Bad-TLS.test", 12, &m), 0);
	assert_int_equal(m.type, VG_IOC_SNI);
	assert_string_equal(m.list, "sslbl-sni");
	assert_int_equal(vg_ioc_match_sni(s, "www.bad-tls.test", 16, &m), 0);
	assert_int_equal(vg_ioc_match_domain(s, "bad-tls.test", 12, &m), VG_ENOENT);
	assert_int_equal(vg_ioc_match_sni(s, "good-tls.test", 13, &m), VG_ENOENT);
	/* JA3 vs JA3S are separate, case does not matter */
	assert_int_equal(vg_ioc_match_ja3(s, false, "e7d705a3286e19ea42f587b344ee6865", 32, &m), 0);
	assert_string_equal(m.indicator, "e7d705a3286e19ea42f587b344ee6865");
	assert_int_equal(m.type, VG_IOC_JA3);
	assert_int_equal(vg_ioc_match_ja3(s, true, "e7d705a3286e19ea42f587b344ee6865", 32, &m), VG_ENOENT);
	assert_int_equal(vg_ioc_match_ja3(s, true, "E35DF3E00CA4EF31D42B34BEBAA2F86E", 32, &m), 0);
	assert_int_equal(m.type, VG_IOC_JA3S);
	assert_int_equal(vg_ioc_match_ja3(s, false, "e7d705a3286e19ea42f587b344ee6866", 32, &m), VG_ENOENT);
	assert_int_equal(vg_ioc_match_ja3(s, false, "e7d705a3", 8, &m), VG_EINVAL);
	/* URLs: canonical forms match each other */
#define URL(u) vg_ioc_match_url(s, u, strlen(u), &m)
	assert_int_equal(URL("http://mal.example/a/payload.exe"), 0);
	assert_string_equal(m.indicator, "http://mal.example/a/payload.exe");
	assert_string_equal(m.list, "urlhaus");
	assert_int_equal(URL("http://MAL.example.:80/a/b/../payload.exe#x"), 0);
	assert_int_equal(URL("http://mal.example/a/Payload.exe"), VG_ENOENT); /* path case kept */
	assert_int_equal(URL("https://mal.example/a/payload.exe"), VG_ENOENT); /* scheme kept */
	assert_int_equal(URL("https://mal.example/x?q=~1"), 0);
	assert_int_equal(URL("https://mal.example/x?q=~2"), VG_ENOENT);
	assert_int_equal(URL("http://mal.example:8080"), 0);
	assert_int_equal(URL("http://mal.example/"), VG_ENOENT); /* port matters */
	assert_int_equal(URL("http://mal2.example/dl%2Fx"), 0);     /* %2f is reserved: kept */
	assert_int_equal(URL("http://mal2.example/dl/x"), VG_ENOENT);
	assert_int_equal(URL("http://mal3.example/p"), 0);         /* userinfo dropped */
	assert_int_equal(URL("http://mal.example/a/payload.exe?"), VG_ENOENT);
#undef URL
	/* HTTP requests: host header + origin-form target */
	assert_int_equal(vg_ioc_match_http(s, false, "mal.example:80", 14, "/a/payload.exe", 14, &m), 0);
	assert_int_equal(vg_ioc_match_http(s, false, "mal.example", 11, "/a/payload.ex", 13, &m), VG_ENOENT);
	assert_int_equal(vg_ioc_match_http(s, true, "mal.example", 11, "/x?q=%7E1", 9, &m), 0);
	assert_int_equal(vg_ioc_match_http(s, false, "x", 1, "http://mal.example:8080/", 24, &m), 0);
	vg_ioc_set_free(s);
	vg_buf_free(&rep);
}

static void test_bad_lines(void **state)
{
	(void)state;
	struct vg_buf rep;
	vg_buf_init(&rep, 0);
	struct vg_ioc_builder *b;
	assert_int_equal(vg_ioc_builder_new(&b), 0);
	struct vg_ioc_list_spec sp = { "mixed", VG_IOC_DOMAIN, "feeds/mixed.txt", false };
	const char *text = "good.example\n"
			   "bad..example\n"
			   "two fields.example\n"
			   "\n"
			   "   # comment line\n"
			   "http://url.example/x\n"
			   "caf\xc3\xa9.example\n"
			   "1.2.3.4\n"
			   "-ok-.example # inline comment\r\n"
			   "under_score.example\n"
			   "x\x01y.example\n"
			   "last.example"; /* no final newline */
	assert_int_equal(vg_ioc_builder_add_text(b, &sp, text, strlen(text), &rep), 0);
	/* a second list with more bad lines than are listed */
	struct vg_buf many;
	vg_buf_init(&many, 0);
	for (int i = 0; i < 30; i++)
		vg_buf_printf(&many, "bad!%d\n", i);
	vg_buf_appendc(&many, "fine.example\n");
	struct vg_ioc_list_spec sp2 = { "noisy", VG_IOC_DOMAIN, "noisy.txt", false };
	assert_int_equal(vg_ioc_builder_add_text(b, &sp2, many.data, many.len, &rep), 0);
	/* name conflicts and type errors are refused, the builder stays usable */
	assert_int_equal(vg_ioc_builder_add_text(b, &sp, "a.example\n", 10, &rep), VG_EEXIST);
	struct vg_ioc_list_spec bad = { "", VG_IOC_DOMAIN, NULL, false };
	assert_int_equal(vg_ioc_builder_add_text(b, &bad, "", 0, &rep), VG_EINVAL);
	struct vg_ioc_set *s;
	assert_int_equal(vg_ioc_builder_finish(b, &s), 0);
	const char *r = vg_buf_cstr(&rep);
	assert_non_null(strstr(r, "feeds/mixed.txt:2: empty label: 'bad..example'\n"));
	assert_non_null(strstr(r, "feeds/mixed.txt:3: more than one field: 'two fields.example'\n"));
	assert_non_null(strstr(r, "feeds/mixed.txt:6: a URL, not a domain"));
	assert_non_null(strstr(r, "feeds/mixed.txt:7: non-ASCII name (write IDNs as xn--): 'caf\\xc3\\xa9.example'"));
	assert_non_null(strstr(r, "feeds/mixed.txt:8: an address, not a domain"));
	assert_non_null(strstr(r, "feeds/mixed.txt:11: invalid character in name: 'x\\x01y.example'"));
	assert_null(strstr(r, "mixed.txt:1:"));
	assert_null(strstr(r, "mixed.txt:9:"));
	assert_null(strstr(r, "mixed.txt:12:"));
	assert_non_null(strstr(r, "noisy.txt:20: invalid character in name: 'bad!19'"));
	assert_null(strstr(r, "noisy.txt:21:"));
	assert_non_null(strstr(r, "noisy.txt: 10 more bad lines not listed\n"));
	assert_non_null(strstr(r, "name used twice"));
	struct vg_ioc_list_stats ls;
	assert_int_equal(vg_ioc_list_stats(s, 0, &ls), 0);
	assert_string_equal(ls.name, "mixed");
	assert_int_equal(ls.lines, 12);
	assert_int_equal(ls.loaded, 4);
	assert_int_equal(ls.bad_lines, 6);
	assert_int_equal(vg_ioc_list_stats(s, 1, &ls), 0);
	assert_int_equal(ls.bad_lines, 30);
	assert_int_equal(ls.loaded, 1);
	assert_int_equal(vg_ioc_list_stats(s, 2, &ls), VG_ENOENT);
	struct vg_ioc_match m;
	assert_int_equal(vg_ioc_match_domain(s, "last.example", 12, &m), 0);
	assert_int_equal(vg_ioc_match_domain(s, "-ok-.example", 12, &m), 0);
	assert_int_equal(vg_ioc_match_domain(s, "under_score.example", 19, &m), 0);
	assert_int_equal(vg_ioc_match_domain(s, "fine.example", 12, &m), 0);
	assert_string_equal(m.list, "noisy");
	struct vg_ioc_stats st;
	vg_ioc_get_stats(s, &st);
	assert_int_equal(st.bad_lines, 36);
	assert_int_equal(st.lists, 2);
	vg_ioc_set_free(s);
	vg_buf_free(&rep);
	vg_buf_free(&many);
}

static void test_header_auto_dups(void **state)
{
	(void)state;
	struct vg_buf rep;
	vg_buf_init(&rep, 0);
	struct vg_ioc_builder *b;
	assert_int_equal(vg_ioc_builder_new(&b), 0);
	/* type from the header */
	struct vg_ioc_list_spec h = { "hdr", VG_IOC_NONE, "hdr.txt", false };
	const char *t1 = "# Feed X\n# Type: SNI\n\nhdr.example\n# type: url (ignored after data)\n";
	assert_int_equal(vg_ioc_builder_add_text(b, &h, t1, strlen(t1), &rep), 0);
	/* auto: each line classified */
	struct vg_ioc_list_spec a = { "auto", VG_IOC_AUTO, "auto.txt", false };
	const char *t2 = "192.0.2.1\n2001:db8::/32\nhttps://auto.example/x\n"
			 "0123456789abcdef0123456789ABCDEF\nauto.example\nhdr.example\n";
	assert_int_equal(vg_ioc_builder_add_text(b, &a, t2, strlen(t2), &rep), 0);
	/* the config's type wins over a differing header, which is reported */
	struct vg_ioc_list_spec c = { "cfg", VG_IOC_DOMAIN, "cfg.txt", false };
	const char *t3 = "# type: addr\nauto.example\nnew.example\n";
	assert_int_equal(vg_ioc_builder_add_text(b, &c, t3, strlen(t3), &rep), 0);
	struct vg_ioc_set *s;
	assert_int_equal(vg_ioc_builder_finish(b, &s), 0);
	assert_non_null(strstr(vg_buf_cstr(&rep), "cfg.txt:1: header type 'addr' differs from the configured 'domain'"));
	struct vg_ioc_list_stats ls;
	vg_ioc_list_stats(s, 0, &ls);
	assert_int_equal(ls.type, VG_IOC_SNI);
	assert_int_equal(ls.loaded, 1);
	vg_ioc_list_stats(s, 1, &ls);
	assert_int_equal(ls.type, VG_IOC_AUTO);
	assert_int_equal(ls.loaded, 6);
	vg_ioc_list_stats(s, 2, &ls);
	assert_int_equal(ls.duplicates, 1); /* auto.example, first named by "auto" */
	assert_int_equal(ls.loaded, 1);
	struct vg_ioc_match m;
	assert_int_equal(vg_ioc_match_sni(s, "hdr.example", 11, &m), 0);
	assert_string_equal(m.list, "hdr"); /* SNI list first */
	assert_int_equal(vg_ioc_match_domain(s, "hdr.example", 11, &m), 0);
	assert_string_equal(m.list, "auto");
	assert_int_equal(vg_ioc_match_domain(s, "auto.example", 12, &m), 0);
	assert_string_equal(m.list, "auto");
	assert_int_equal(vg_ioc_match_domain(s, "new.example", 11, &m), 0);
	assert_string_equal(m.list, "cfg");
	assert_int_equal(addr_match(s, "2001:db8:1::5", &m), 0);
	assert_int_equal(vg_ioc_match_url(s, "https://auto.example/x", 22, &m), 0);
	assert_int_equal(vg_ioc_match_ja3(s, false, "0123456789abcdef0123456789abcdef", 32, &m), 0);
	struct vg_ioc_stats st;
	vg_ioc_get_stats(s, &st);
	assert_int_equal(st.indicators, 8); /* hdr.example twice: as sni and as domain */
	assert_int_equal(st.duplicates, 1);
	vg_ioc_set_free(s);
	vg_buf_free(&rep);
}

static char tmpdir[64];

static void write_file(const char *name, const char *text)
{
	char p[256];
	snprintf(p, sizeof(p), "%s/%s", tmpdir, name);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_files_config_reload(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/vg-ioc-XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	write_file("ips.txt", "192.0.2.1\n");
	write_file("doms.txt", "# type: domain\nold.example\n");
	char cfgtext[1024];
	snprintf(cfgtext, sizeof(cfgtext),
		 "ioc:\n  lists:\n    - {name: ips, type: addr, file: ips.txt}\n"
		 "    - {name: doms, file: %s/doms.txt}\n",
		 tmpdir);
	char cfgpath[256];
	snprintf(cfgpath, sizeof(cfgpath), "%s/vigil.yaml", tmpdir);
	write_file("vigil.yaml", cfgtext);
	struct vg_config *cfg;
	struct vg_config_err err;
	assert_int_equal(vg_config_load(cfgpath, &cfg, &err), 0);
	struct vg_buf rep;
	vg_buf_init(&rep, 0);
	struct vg_ioc_set *s1;
	assert_int_equal(vg_ioc_load_config(vg_config_root(cfg), &rep, &s1, &err), 0);
	assert_int_equal(rep.len, 0);
	struct vg_ioc_ref ref;
	memset(&ref, 0, sizeof(ref));
	assert_null(vg_ioc_current(&ref));
	assert_null(vg_ioc_publish(&ref, s1));
	assert_ptr_equal(vg_ioc_current(&ref), s1);
	assert_int_equal(vg_ioc_generation(s1), 1);
	struct vg_ioc_match m;
	assert_int_equal(vg_ioc_match_domain(vg_ioc_current(&ref), "old.example", 11, &m), 0);
	assert_string_equal(m.list, "doms");
	/* a reader holding a match from generation 1 ... */
	const struct vg_ioc_set *held = vg_ioc_current(&ref);
	const char *held_ind = m.indicator;
	/* ... the files change and the config is reloaded */
	write_file("doms.txt", "# type: domain\nnew.example\n");
	struct vg_ioc_set *s2;
	assert_int_equal(vg_ioc_load_config(vg_config_root(cfg), &rep, &s2, &err), 0);
	struct vg_ioc_set *old = vg_ioc_publish(&ref, s2);
	assert_ptr_equal(old, s1);
	assert_int_equal(vg_ioc_generation(s2), 2);
	assert_int_equal(vg_ioc_match_domain(vg_ioc_current(&ref), "new.example", 11, &m), 0);
	assert_int_equal(vg_ioc_match_domain(vg_ioc_current(&ref), "old.example", 11, &m), VG_ENOENT);
	assert_int_equal(addr_match(vg_ioc_current(&ref), "192.0.2.1", &m), 0);
	/* the old set stays intact for its readers until freed */
	assert_string_equal(held_ind, "old.example");
	assert_int_equal(vg_ioc_match_domain(held, "old.example", 11, &m), 0);
	vg_ioc_set_free(old);
	/* a missing file fails the whole load: the current set is kept */
	char p[256];
	snprintf(p, sizeof(p), "%s/ips.txt", tmpdir);
	unlink(p);
	struct vg_ioc_set *s3 = (struct vg_ioc_set *)1;
	assert_int_equal(vg_ioc_load_config(vg_config_root(cfg), &rep, &s3, &err), VG_EIO);
	assert_null(s3);
	assert_non_null(strstr(vg_buf_cstr(&rep), "ips.txt: list 'ips' not loaded"));
	assert_ptr_equal(vg_ioc_current(&ref), s2);
	vg_config_free(cfg);
	/* config errors name the key */
	const char *y1 = "ioc:\n  lists:\n    - {name: a, type: bogus, file: x}\n";
	assert_int_equal(vg_config_load_string(y1, strlen(y1), "t.yaml", &cfg, &err), 0);
	assert_int_equal(vg_ioc_load_config(vg_config_root(cfg), &rep, &s3, &err), VG_EINVAL);
	assert_non_null(strstr(err.msg, "unknown IoC type 'bogus'"));
	vg_config_free(cfg);
	const char *y2 = "ioc:\n  lists:\n    - {name: a}\n";
	assert_int_equal(vg_config_load_string(y2, strlen(y2), "t.yaml", &cfg, &err), 0);
	assert_int_equal(vg_ioc_load_config(vg_config_root(cfg), &rep, &s3, &err), VG_EINVAL);
	assert_non_null(strstr(err.msg, "needs a file"));
	vg_config_free(cfg);
	/* no ioc section: an empty set that matches nothing */
	assert_int_equal(vg_ioc_load_config(NULL, &rep, &s3, &err), 0);
	assert_int_equal(addr_match(s3, "192.0.2.1", &m), VG_ENOENT);
	vg_ioc_set_free(s3);
	vg_ioc_set_free(vg_ioc_publish(&ref, NULL));
	snprintf(p, sizeof(p), "%s/doms.txt", tmpdir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/vigil.yaml", tmpdir);
	unlink(p);
	rmdir(tmpdir);
	vg_buf_free(&rep);
}

struct last {
	int n;
	char sig[256];
	uint32_t sid;
	char ioc[512];
	bool had_http;
};

static int rec(void *ctx, const struct vg_event *ev)
{
	struct last *l = ctx;
	l->n++;
	assert_int_equal(ev->type, VG_EVT_ALERT);
	assert_int_equal(ev->rule.detector, VG_DET_IOC);
	snprintf(l->sig, sizeof(l->sig), "%s", ev->rule.signature);
	l->sid = ev->rule.sid;
	char *j = json_dumps(json_object_get(ev->extra, "ioc"), JSON_SORT_KEYS | JSON_COMPACT);
	snprintf(l->ioc, sizeof(l->ioc), "%s", j ? j : "");
	free(j);
	l->had_http = json_object_get(ev->extra, "http") != NULL;
	return 0;
}

static void test_alert(void **state)
{
	(void)state;
	struct vg_ioc_set *s = build("c2-domains", VG_IOC_DOMAIN, false, "evil.example\n", NULL);
	struct vg_ioc_match m;
	assert_int_equal(vg_ioc_match_domain(s, "a.evil.example", 14, &m), 0);
	struct vg_event ev;
	vg_event_init(&ev, VG_EVT_DNS, 1700000000000000ll);
	char sig[128];
	assert_int_equal(vg_ioc_alert(&ev, &m, "dns.query", sig, sizeof(sig)), 0);
	assert_int_equal(ev.type, VG_EVT_ALERT);
	assert_int_equal(ev.rule.sid, 9300002);
	assert_string_equal(ev.rule.signature, "VIGIL IOC domain *.evil.example (list c2-domains) in dns.query");
	assert_int_equal(vg_ioc_alert(&ev, &m, "x", sig, 10), VG_EINVAL);
	struct last l = { 0 };
	struct vg_event_sink sink = { rec, &l };
	json_t *http = json_pack("{s:{s:s}}", "http", "hostname", "a.evil.example");
	vg_event_init(&ev, VG_EVT_HTTP, 1700000000000000ll);
	ev.extra = http;
	assert_int_equal(vg_ioc_alert_emit(&sink, &ev, &m, "http.hostname"), 0);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.sid, 9300002);
	assert_true(l.had_http);
	assert_string_equal(l.ioc, "{\"field\":\"http.hostname\",\"indicator\":\"evil.example\","
				   "\"list\":\"c2-domains\",\"subdomain\":true,\"type\":\"domain\"}");
	/* the template's extra is not changed */
	assert_null(json_object_get(http, "ioc"));
	json_decref(http);
	vg_ioc_set_free(s);
}

static void test_canonical(void **state)
{
	(void)state;
	char buf[128];
	const char *why;
	assert_int_equal(vg_ioc_canonical(VG_IOC_URL, "HTTPS://Ex.COM:443", 18, buf, sizeof(buf), &why), 0);
	assert_string_equal(buf, "https://ex.com/");
	assert_int_equal(vg_ioc_canonical(VG_IOC_URL, "http://ex.com/a/../../b/./c/..", 30, buf, sizeof(buf), &why), 0);
	assert_string_equal(buf, "http://ex.com/b/");
	assert_int_equal(vg_ioc_canonical(VG_IOC_URL, "http://[2001:DB8::1]:80/%41%2f%zz", 33, buf, sizeof(buf), &why), 0);
	assert_string_equal(buf, "http://[2001:db8::1]/A%2F%25zz");
	/* a stray '%' is escaped, so decoding never makes a new escape (found by fuzz-ioc) */
	assert_int_equal(vg_ioc_canonical(VG_IOC_URL, "h.example/p%3%35q", 17, buf, sizeof(buf), &why), 0);
	assert_string_equal(buf, "http://h.example/p%2535q");
	char again[128];
	assert_int_equal(vg_ioc_canonical(VG_IOC_URL, buf, strlen(buf), again, sizeof(again), &why), 0);
	assert_string_equal(again, "http://h.example/p%2535q");
	assert_int_equal(vg_ioc_canonical(VG_IOC_URL, "http://ex.com:99999/", 20, buf, sizeof(buf), &why), VG_EINVAL);
	assert_string_equal(why, "invalid port in URL");
	assert_int_equal(vg_ioc_canonical(VG_IOC_URL, "http:///x", 9, buf, sizeof(buf), &why), VG_EINVAL);
	assert_int_equal(vg_ioc_canonical(VG_IOC_URL, "1http://x/", 10, buf, sizeof(buf), &why), VG_EINVAL);
	assert_int_equal(vg_ioc_canonical(VG_IOC_ADDR, "2001:DB8:0:0::/32", 17, buf, sizeof(buf), &why), 0);
	assert_string_equal(buf, "2001:db8::/32");
	assert_int_equal(vg_ioc_canonical(VG_IOC_DOMAIN, "*.A.B", 5, buf, sizeof(buf), &why), 0);
	assert_string_equal(buf, "*.a.b");
	assert_int_equal(vg_ioc_canonical(VG_IOC_JA3, "AB", 2, buf, sizeof(buf), &why), VG_EINVAL);
	assert_int_equal(vg_ioc_canonical(VG_IOC_AUTO, "x", 1, buf, sizeof(buf), &why), VG_EINVAL);
	assert_int_equal(vg_ioc_type_parse("CIDR"), VG_IOC_ADDR);
	assert_int_equal(vg_ioc_type_parse("ja3s"), VG_IOC_JA3S);
	assert_int_equal(vg_ioc_type_parse("nope"), VG_IOC_NONE);
	/* a URL as long as the limit loads; one byte more is refused and never matches */
	struct vg_buf u;
	vg_buf_init(&u, 0);
	vg_buf_appendc(&u, "http://long.example/");
	while (u.len < VG_IOC_MAX_URL_LEN)
		vg_buf_appendc(&u, "a");
	vg_buf_appendc(&u, "\nhttp://long.example/");
	while (u.len < 2 * VG_IOC_MAX_URL_LEN + 2)
		vg_buf_appendc(&u, "b");
	vg_buf_appendc(&u, "\n");
	struct vg_buf rep;
	vg_buf_init(&rep, 0);
	struct vg_ioc_set *s = build("long", VG_IOC_URL, false, vg_buf_cstr(&u), &rep);
	struct vg_ioc_stats st;
	vg_ioc_get_stats(s, &st);
	assert_int_equal(st.indicators, 1);
	assert_int_equal(st.bad_lines, 1);
	struct vg_ioc_match m;
	assert_int_equal(vg_ioc_match_url(s, u.data, VG_IOC_MAX_URL_LEN, &m), 0);
	assert_int_equal(vg_ioc_match_url(s, u.data + VG_IOC_MAX_URL_LEN + 1, VG_IOC_MAX_URL_LEN + 1, &m),
			 VG_ENOENT);
	vg_ioc_set_free(s);
	vg_buf_free(&u);
	vg_buf_free(&rep);
}

/* 200k addresses and names: every one found, near misses not, and lookups do not depend on
 * the set size (the 1M figures are in bench/ioc). */
static void test_many(void **state)
{
	(void)state;
	struct vg_buf t;
	vg_buf_init(&t, 0);
	for (uint32_t i = 0; i < 100000; i++)
		vg_buf_printf(&t, "10.%u.%u.%u\nhost%u.bad.example\n", (i >> 14) & 255, (i >> 6) & 255,
			      (i & 63) << 2 | 1, i);
	struct vg_ioc_set *s = build("big", VG_IOC_AUTO, true, vg_buf_cstr(&t), NULL);
	struct vg_ioc_stats st;
	vg_ioc_get_stats(s, &st);
	assert_int_equal(st.indicators, 200000);
	assert_int_equal(st.by_type[VG_IOC_ADDR], 100000);
	struct vg_ioc_match m;
	char nb[64];
	for (uint32_t i = 0; i < 100000; i += 7) {
		uint8_t b[4] = { 10, (uint8_t)(i >> 14), (uint8_t)(i >> 6), (uint8_t)((i & 63) << 2 | 1) };
		struct vg_addr a;
		vg_addr_from_v4(&a, b);
		assert_int_equal(vg_ioc_match_addr(s, &a, &m), 0);
		b[3] &= 0xfe; /* even last octets were never listed */
		vg_addr_from_v4(&a, b);
		assert_int_equal(vg_ioc_match_addr(s, &a, &m), VG_ENOENT);
		int n = snprintf(nb, sizeof(nb), "host%u.bad.example", i);
		assert_int_equal(vg_ioc_match_domain(s, nb, (size_t)n, &m), 0);
		n = snprintf(nb, sizeof(nb), "x.host%u.bad.example", i);
		assert_int_equal(vg_ioc_match_domain(s, nb, (size_t)n, &m), VG_ENOENT); /* exact list */
	}
	vg_ioc_set_free(s);
	vg_buf_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_addr_cidr),
		cmocka_unit_test(test_addr_edges),
		cmocka_unit_test(test_domains),
		cmocka_unit_test(test_sni_ja3_url),
		cmocka_unit_test(test_bad_lines),
		cmocka_unit_test(test_header_auto_dups),
		cmocka_unit_test(test_files_config_reload),
		cmocka_unit_test(test_alert),
		cmocka_unit_test(test_canonical),
		cmocka_unit_test(test_many),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
