// Package discovery finds the other laptops of a workspace on the local
// network with DNS-SD over multicast DNS (RFC 6762, RFC 6763), using
// github.com/hashicorp/mdns.
//
// Each laptop that accepts connections announces the service
//
//	<peer id>._consulta._tcp.local.   SRV  <host>.local. <port>
//	                                  TXT  "v=1" "ws=<tag>"
//
// where the tag is the first 8 bytes, in hex, of
// HMAC-SHA256(join key, "consulta discovery" || workspace id): laptops of
// one workspace recognise each other's announcements, while a stranger
// learns neither the workspace id nor anything about its key, and cannot
// make a tag that matches without the key. (The tag is stable, so a
// stranger can tell that two announcements belong to the same workspace.)
//
// mDNS does not cross routers and is often filtered on hotel and
// conference Wi-Fi, so discovery is a convenience: peers can always be
// given by address, and package replication remembers and retries them.
//
// The announcement is renewed when the machine's network addresses change
// (a laptop that moves from cable to Wi-Fi), checked every few seconds.
// `avahi-browse -rt _consulta._tcp` lists running laptops.
package discovery
