/* correlate-int.h — what the rule loader, the matcher, the engine and their unit tests
 * share: the compiled form of a Sigma rule. Not a public interface. */
#ifndef VG_CORRELATE_INT_H
#define VG_CORRELATE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/core-addr.h"
#include "core/core-event.h"
#include "correlate/correlate.h"

struct pcre2_real_code_8;
struct pcre2_real_match_context_8;

/* --- values and fields ------------------------------------------------------- */

enum cm_kind {
	CM_GLOB = 1, /* Sigma string with * and ? wildcards (contains etc. add stars) */
	CM_RE,       /* |re: PCRE2 */
	CM_CIDR,     /* |cidr */
	CM_NUM,      /* |gt |gte |lt |lte, numeric compare */
	CM_NULL,     /* value null: field absent or empty */
	CM_EXISTS,   /* |exists: true/false */
};

enum cm_cmp { CM_GT = 1, CM_GTE, CM_LT, CM_LTE };

#define CM_STAR 256u
#define CM_QMARK 257u

struct cm_value {
	enum cm_kind kind;
	uint16_t *pat;      /* CM_GLOB: bytes (lowercased unless cased) or CM_STAR/CM_QMARK */
	size_t patlen;
	struct pcre2_real_code_8 *re;
	struct pcre2_real_match_context_8 *mctx; /* match limits (read-only when matching) */
	struct vg_cidr cidr;
	double num;
	enum cm_cmp cmp;
	bool exists;
};

/* Field ids of the event struct; CM_F_EXTRA means "look up path in ev->extra". */
enum cm_field_id {
	CM_F_EXTRA = 0,
	CM_F_ACTION, CM_F_CATEGORY, CM_F_OUTCOME, CM_F_KIND, CM_F_SRC_IP, CM_F_SRC_PORT,
	CM_F_DST_IP, CM_F_DST_PORT, CM_F_USER, CM_F_HOST, CM_F_SERVICE, CM_F_PROCESS,
	CM_F_PID, CM_F_MESSAGE, CM_F_SOURCE_NAME, CM_F_TENANT, CM_F_APP_PROTO,
	CM_F_KEYWORDS, /* a keyword list: the whole message */
	/* Known detail paths (enum vg_corr_detail + CM_F_DETAIL): read through the event's
	 * details provider when it has one, else looked up in ev->extra by name. */
	CM_F_DETAIL,
};

struct cm_field {
	char *name;          /* canonical (ECS) name after aliasing; owned */
	enum cm_field_id id;
	bool all;            /* |all: every value must match */
	bool cased;          /* |cased: case-sensitive glob */
	struct cm_value *vals;
	size_t n_vals;
};

/* A map of fields (AND). */
struct cm_map {
	struct cm_field *fields;
	size_t n_fields;
};

/* A named selection: a map, or a list of maps (OR), or a keyword list. */
struct cm_sel {
	char *name;
	struct cm_map *alts;
	size_t n_alts;
};

/* --- condition ------------------------------------------------------------------ */

enum cm_node_kind { CN_SEL = 1, CN_NOT, CN_AND, CN_OR, CN_ONE_OF, CN_ALL_OF };

/* Nodes live in one array; children are indexes. OF nodes list selection indexes. */
struct cm_node {
	enum cm_node_kind kind;
	int a, b;            /* children (NOT uses a) or selection index (SEL) */
	uint32_t *sels;      /* OF: selections covered */
	size_t n_sels;
};

struct cm_cond {
	struct cm_node *nodes;
	size_t n;
	int root;
};

/* Parse a Sigma condition over the named selections. On error returns VG_EINVAL and
 * writes a message into err. */
int cm_cond_parse(const char *text, size_t len, const struct cm_sel *sels, size_t n_sels,
		  struct cm_cond *out, char *err, size_t errsz);
void cm_cond_free(struct cm_cond *c);
/* Evaluate with selection results given (results[i] for selection i). */
bool cm_cond_eval(const struct cm_cond *c, const bool *results);

/* --- rules --------------------------------------------------------------------- */

enum corr_type { CT_NONE = 0, CT_EVENT_COUNT, CT_VALUE_COUNT, CT_TEMPORAL, CT_TEMPORAL_ORDERED };
enum corr_op { CO_GT = 1, CO_GTE, CO_LT, CO_LTE, CO_EQ, CO_NEQ };

struct corr_def {
	enum corr_type type;
	char **refs;         /* names/ids as written */
	size_t n_refs;
	uint32_t *ref_idx;   /* resolved rule indexes (finish) */
	char **group_by;     /* canonical field names */
	enum cm_field_id *gb_id;
	size_t n_gb;
	int64_t timespan_us;
	enum corr_op op;
	uint64_t threshold;
	char *field;         /* value_count */
	enum cm_field_id field_id;
	bool generate;
};

struct vg_correlate_rule {
	char *file;
	unsigned line;
	char *title, *id, *name, *description, *status, *level;
	int severity;
	char **tags;
	size_t n_tags;
	char *tags_joined;
	char *ls_product, *ls_service, *ls_category;
	/* The logsource compiled to kinds (cm_logsource_compile), so matching an event
	 * costs flag tests, not string compares; CM_LS_STR compares with the string. */
	uint8_t ls_cat_kind, ls_prod_kind, ls_svc_kind;
	unsigned ls_need, ls_forbid; /* CM_EV_* flags an event must have / must not have */
	bool ls_str;                 /* some part is CM_LS_STR */
	/* detection */
	struct cm_sel *sels;
	size_t n_sels;
	struct cm_cond cond;
	/* correlation (type != CT_NONE) */
	struct corr_def corr;
	char **evidence;             /* vigil extension: extra fields whose values to list */
	enum cm_field_id *ev_id;
	size_t n_evidence;
	/* links (finish) */
	uint32_t *parents;           /* correlations that refer to this rule */
	size_t n_parents;
	bool referenced;             /* some correlation refers to it */
	bool generated;              /* a referring correlation said generate: true */
	unsigned depth;              /* correlation nesting */
	bool dead;                   /* dropped at finish */
};

struct vg_correlate_ruleset {
	struct vg_correlate_rule **rules;
	size_t n, cap;
	unsigned errors;
	bool finished;
};

/* --- matching ------------------------------------------------------------------ */

enum cm_ls_kind {
	CM_LS_ANY = 0,    /* no constraint */
	CM_LS_STR,        /* compare with the string, case-insensitively */
	CM_LS_WEBSERVER,  /* category webserver: an access-log line */
	CM_LS_LINUX,      /* product linux/unix: a syslog line, not web, not OpenStack */
	CM_LS_OPENSTACK,  /* product openstack: service keystone or horizon */
	CM_LS_AUTH,       /* service auth: category authentication */
	CM_LS_SSHD,       /* service ssh/sshd: service sshd */
	CM_LS_SYSLOG,     /* service syslog: a log event, not web */
};

/* Set ls_*_kind from ls_product/ls_service/ls_category (the loader calls it). */
void cm_logsource_compile(struct vg_correlate_rule *r);

/* One event being matched, with what is computed once per event and shared by every
 * rule: the logsource flags, formatted addresses, the JSON extra when it has to be
 * built. Set up with cm_ectx_init; cm_ectx_done releases a built extra. */
struct cm_ectx {
	const struct vg_event *ev;
	const struct vg_correlate_details *det; /* NULL: details come from ev->extra */
	json_t *extra;       /* ev->extra, or details->extra() once asked for */
	bool extra_asked;
	unsigned ls;         /* CM_EV_* flags */
	bool src_done, dst_done;
	size_t src_len, dst_len;
	uint32_t h_valid;    /* bit id: h[id] is set */
	size_t key_len;      /* key_cache holds a group key of this length (0: none) */
	char src[VG_ADDR_STRLEN], dst[VG_ADDR_STRLEN];
	/* Keyed hashes of field values for the engine's value sets, by id of an event
	 * struct field (below CM_F_DETAIL): several correlations hash the same user or
	 * address. Owned by the engine (correlate-engine.c). */
	uint64_t h[CM_F_DETAIL];
	uint64_t key_h;      /* the engine's hash of key_cache */
	char key_cache[64];
};

#define CM_EV_LOG 1u        /* type VG_EVT_LOG */
#define CM_EV_WEB 2u        /* category "web" */
#define CM_EV_AUTH 4u       /* category "authentication" */
#define CM_EV_OPENSTACK 8u  /* service keystone or horizon */
#define CM_EV_SSHD 16u      /* service sshd */

void cm_ectx_init(struct cm_ectx *x, const struct vg_event *ev,
		  const struct vg_correlate_details *det);
/* The event's CM_EV_* flags (type, category, service: what the logsource needs). */
unsigned cm_event_ls(const struct vg_event *ev);
/* cm_ectx_init with the flags already known (cm_event_ls of ev). */
void cm_ectx_init_ls(struct cm_ectx *x, const struct vg_event *ev,
		     const struct vg_correlate_details *det, unsigned ls);
/* The event's JSON extra (ev->extra, or built by the details provider on first use);
 * borrowed, may be NULL. */
json_t *cm_ectx_extra(struct cm_ectx *x);

/* Canonical field name for name (ECS name or a Sigma alias) and its id. Returns the
 * canonical name (static or name itself). */
const char *cm_field_canon(const char *name, enum cm_field_id *id);

/* A field's value read from an event: string (s, len) and, when numeric, num. */
struct cm_fv {
	bool present;
	const char *s;
	size_t len;
	bool is_num;
	double num;
	char buf[64];
};
void cm_field_get(struct cm_ectx *x, enum cm_field_id id, const char *name, struct cm_fv *out);
/* The same without the numeric reading of strings (is_num only for numbers): what
 * grouping and evidence need, which compare the text. */
void cm_field_value(struct cm_ectx *x, enum cm_field_id id, const char *name, struct cm_fv *out);

/* inet_ntop(AF_INET6, b)'s text (glibc's choices) into buf; returns its length. */
size_t cm_addr6_format(const uint8_t b[16], char buf[VG_ADDR_STRLEN]);

bool cm_logsource_match(const struct vg_correlate_rule *r, const struct cm_ectx *x);
bool cm_rule_match_x(const struct vg_correlate_rule *r, struct cm_ectx *x);
/* When the rule's condition requires a selection each of whose alternatives requires
 * event.action to equal one of some literal, case-folded values, an event can only
 * match if its action is one of them: the engine then tries the rule only on events
 * with such an action. Writes the event.action field of each alternative to fields
 * (at most max) and returns their number; 0 when the rule has no such requirement. */
size_t cm_rule_action_fields(const struct vg_correlate_rule *r, const struct cm_field **fields,
			     size_t max);
/* The literal bytes of a wildcard-free, case-folded glob value; false otherwise. */
bool cm_value_literal(const struct cm_field *f, const struct cm_value *v, char *buf, size_t bufsz,
		      size_t *len);

/* One-off match of a plain event (tests): cm_rule_match_x with a context of its own. */
bool cm_rule_match(const struct vg_correlate_rule *r, const struct vg_event *ev);
bool cm_glob_match(const uint16_t *pat, size_t plen, const char *s, size_t slen, bool cased);

void cm_rule_free(struct vg_correlate_rule *r);

#endif
