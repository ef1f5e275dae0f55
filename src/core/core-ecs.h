/* core-ecs.h — Elastic Common Schema (ECS 8.x) encoding of a vg_event.
 *
 * One JSON object, no trailing newline. Mapping (docs/configuration.md has the table):
 *   @timestamp (RFC 3339, Z), ecs.version, event.{kind, category[], type[], action,
 *   outcome, severity (EVE's 1..4, 1 = high), module "vigil", dataset "vigil.<type>",
 *   start/end/duration (ns) for flows, episodes and scans/floods}, source/destination
 *   {ip, port, packets, bytes}, network {transport, iana_number, protocol (app proto),
 *   vlan.id, inner.vlan.id, packets, bytes}, rule {id "gid:sid", name, category,
 *   ruleset "vigil", reference, version, uuid?}, tags[], user.name, host.name,
 *   process.{name, pid}, service.name, message, log.file.path, observer{product, vendor,
 *   type}, tenant as cloud.account.name (the OpenStack project is the cloud account) and
 *   organization.name, and a "vigil" object for what ECS has no field for: detector,
 *   tenant, vni, episode_id, flow_id, icmp{type, code}, flow{state, reason, alerted,
 *   tcp_flags*}, anomaly{type, event, layer}, scan{...}, flood{...}.
 * ev->extra members are merged at the top level ("x_<name>" when the name is taken).
 * The schema is etc/schema/ecs-v1.schema.json. */
#ifndef VG_CORE_ECS_H
#define VG_CORE_ECS_H

#include "core/core-event.h"
#include "core/core-str.h"

#define VG_ECS_VERSION "8.11.0"

/* Append the encoding of ev to out. 0, VG_ENOMEM (out's cap) or VG_EINVAL. */
int vg_ecs_encode(const struct vg_event *ev, struct vg_buf *out);

#endif
