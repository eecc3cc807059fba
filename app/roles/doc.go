// Package roles holds who may do what in a workspace and decides it the
// same way on every laptop, without a server (docs/ROLES.md).
//
// The table of what each role may do is Table. Members' roles come from
// role events (grant, revoke, remove, link, claim), which are operations
// in the workspace's log like any other, signed and relayed; Resolve reads
// a set of them and decides which took effect. Every decision depends on
// the set alone, never on the order it arrived in or on clocks:
//
//   - an event is judged against the role events in its author's causal
//     past (what the author had seen, from the version vector it carries),
//     so a laptop that back-dates its clock gains nothing;
//   - a revocation or removal wins over what its target did concurrently
//     (p2panda's strong removal, Matrix's ban over concurrent changes):
//     those events and operations are not applied, but stay in the log;
//   - revocations and removals are judged only by their own past, so two
//     members of the secretariat revoking each other both lose the role;
//   - founders keep the secretariat whatever happens (Matrix room version
//     12's undemotable creators), so there is always one;
//   - a laptop that signs two different events at one sequence number
//     (equivocation) has nothing applied from that number on.
//
// The package is pure: app builds events from operations and asks Log
// whether an operation may apply (Log.Allowed).
package roles
